"""Template of the family-planning responsibility pledge (计划生育责任状), SPEC §3.5.

The standard clauses are worded to the 人口与计划生育法 as amended in 2021 (三孩 policy, support
for families, no penalty wording) and to the 女职工劳动保护特别规定; the office edits them in
Word when the law or the company's rules change. The pledge is printed twice, one copy for each
party marked 甲方存 / 乙方存, each copy a section of its own numbered from — 1 — and starting
on an odd page, so that printed on both sides the copies never share a sheet.
"""

from __future__ import annotations

from docx.shared import Pt
from template_parts import (
    borderless,
    control,
    flush,
    heading_with_next,
    keep_together,
    odd_page_section,
)

from pipeline.docx_build import DocBuilder, value
from pipeline.docx_style import prose_grid

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
    control(doc, "{%p for copy in ('甲方存', '乙方存') %}")
    _pledge(doc)
    control(doc, "{%p if not loop.last %}")
    odd_page_section(doc, restart_numbers=True)
    control(doc, "{%p endif %}")
    control(doc, "{%p endfor %}")
    prose_grid(doc.document)


def _pledge(doc: DocBuilder) -> None:
    doc.paragraph("计划生育责任状", "UF Title")
    # Which party keeps this copy, in bold beside the serial: a short copy fits one sheet.
    doc.paragraph("编号：{{ serial }}　　", "UF Meta")
    mark = doc.document.paragraphs[-1].add_run("{{ copy }}")
    mark.bold = True
    mark.font.size = Pt(16)
    flush(doc, "甲方：{{ party_a }}　　　乙方：{{ party_b }}")
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
    """Both parties side by side, each with room for its seal over its name."""
    doc.document.paragraphs[-1].paragraph_format.keep_with_next = True
    table = doc.table(
        [
            [value("甲方（盖章）：\n{{ party_a }}"), value("乙方（盖章）：\n{{ party_b }}")],
            [value("负责人（签字）："), value("负责人（签字）：")],
            [value("　　（{{ party_a_signatory }}）"), value("　　（{{ party_b_signatory }}）")],
            [value("签订日期：{{ sign_date }}"), value("签订日期：{{ sign_date }}")],
        ],
        widths_mm=[78, 78],
    )
    borderless(doc, table)
    for row in table.rows:
        row.height = None
    # A party's seal presses on its name: the block's five lines (about 5 cm) give it room.
    keep_together(doc, table)
    doc.paragraph("", "UF Small")


BUILDERS = {"fp_pledge.docx": fp_pledge}
