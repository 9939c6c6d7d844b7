"""Template of the family-planning responsibility pledge (计划生育责任状), SPEC §3.5.

The standard clauses are worded to the 人口与计划生育法 as amended in 2021 (三孩 policy, support
for families, no penalty wording) and to the 女职工劳动保护特别规定; the office edits them in
Word when the law or the company's rules change. The pledge is printed twice, one copy for each
party, each copy starting on a new page.
"""

from __future__ import annotations

from template_parts import control, flush, heading_with_next, keep_together

from pipeline.docx_build import DocBuilder, value

PREAMBLE = (
    "为贯彻《中华人民共和国人口与计划生育法》，落实国家优化生育政策，按照{{ org.short_name }}"
    "《工会工作管理》关于逐级签订计划生育责任状、实行主要领导责任制的规定，经甲乙双方协商，"
    "签订本责任状。"
)
CLAUSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "一、共同责任",
        (
            "1．把计划生育工作列入议事日程，主要负责人亲自抓，女工委员具体负责。",
            "2．宣传国家人口与计划生育法律法规和生育政策：国家提倡适龄婚育、优生优育，"
            "一对夫妻可以生育三个子女。",
            "3．尊重职工依法享有的生育权利，维护女职工合法权益，不因结婚、怀孕、生育、哺乳"
            "降低其工资福利、予以辞退或者解除劳动合同。",
        ),
    ),
    (
        "二、甲方责任",
        (
            "1．按照国家和自治区的规定落实婚假、生育假、护理假、育儿假等假期以及生育保险待遇，"
            "保障女职工孕期、产期、哺乳期的特殊劳动保护。",
            "2．为乙方开展育龄人员服务、重点人员回访和职工健康检查提供必要条件。",
            "3．责任期满时检查乙方落实本责任状的情况，结果纳入年度工作考评。",
        ),
    ),
    (
        "三、乙方责任",
        (
            "1．建立并及时更新本单位育龄人员基础资料档案，按期报工会；"
            "对其中的个人信息严格保密，不得用于与本项工作无关的用途。",
            "2．按期对重点人员回访，了解生育动态，宣传优生优育和生殖健康知识，"
            "帮助职工解决婚育、养育中的实际困难。",
            "3．组织职工按期进行身体检查，“三八”国际妇女节期间合理开展女职工活动。",
        ),
    ),
)


def fp_pledge(doc: DocBuilder) -> None:
    control(doc, "{%p for copy in range(2) %}")
    _pledge(doc)
    control(doc, "{%p if not loop.last %}")
    doc.page_break()
    control(doc, "{%p endif %}")
    control(doc, "{%p endfor %}")


def _pledge(doc: DocBuilder) -> None:
    # Each copy fits two pages (one sheet printed on both sides): no blank line under the title.
    doc.paragraph("计划生育责任状", "UF Title")
    doc.paragraph("编号：{{ serial }}", "UF Meta")
    flush(doc, "甲方：{{ party_a }}　　　　乙方：{{ party_b }}")
    flush(doc, "责任年度：{{ year }}年（{{ level }}）")
    doc.paragraph(PREAMBLE)
    for heading, items in CLAUSES:
        heading_with_next(doc, heading)
        for item in items:
            doc.paragraph(item)
    control(doc, "{%p if extra_clauses %}")
    heading_with_next(doc, "四、补充条款")
    doc.paragraph("{{ extra_clauses }}")
    control(doc, "{%p endif %}")
    doc.paragraph(
        "本责任状未尽事宜，按国家和自治区有关法律法规及公司规定执行。责任期限自{{ term_start }}"
        "起至{{ term_end }}止，自双方签字盖章之日起生效。本责任状一式两份，甲乙双方各执一份。"
    )
    _signature_blocks(doc)


def _signature_blocks(doc: DocBuilder) -> None:
    flush(doc, "", style="UF Small")
    table = doc.table(
        [
            [value("甲方（盖章）：{{ party_a }}"), value("乙方（盖章）：{{ party_b }}")],
            [value("负责人（签字）："), value("负责人（签字）：")],
            [value("　　（{{ party_a_signatory }}）"), value("　　（{{ party_b_signatory }}）")],
            [value("签订日期：{{ sign_date }}"), value("签订日期：{{ sign_date }}")],
        ],
        widths_mm=[78, 78],
    )
    # Signature blocks are not a form: no borders.
    table.style = doc.document.styles["Normal Table"]
    for row in table.rows:
        row.height = None
    for cell in (c for row in table.rows for c in row.cells):
        for paragraph in cell.paragraphs:
            paragraph.style = doc.document.styles["UF Body"]
            paragraph.paragraph_format.first_line_indent = 0
            paragraph.paragraph_format.space_before = 0
    keep_together(doc, table, lead_paragraphs=2)


BUILDERS = {"fp_pledge.docx": fp_pledge}
