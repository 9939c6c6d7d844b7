"""Template of the accident investigation report (工伤事故调查报告书), SPEC §3.4."""

from __future__ import annotations

from docx.table import Table
from template_parts import SHORT_DATE, control, flush, heading_with_next, issuer, keep_together

from pipeline.docx_build import DocBuilder, label, value, whole_row
from pipeline.docx_style import prose_grid

INJURED_GRID = [24, 10, 10, 26, 16, 22, 28, 20]
INJURED_COLUMNS = (
    ("姓名", "injured_name"),
    ("性别", "injured_gender"),
    ("年龄", "injured_age"),
    ("工种", "job_type"),
    ("本工种工龄（年）", "service_years"),
    ("受伤部位", "injury_part"),
    ("受伤性质", "injury_nature"),
    ("伤害程度", "injury_degree"),
)
FINDINGS = (
    ("（一）人的因素", "{{ findings_people }}"),
    ("（二）物的因素", "{{ findings_objects }}"),
    ("（三）管理因素", "{{ findings_management }}"),
    ("（四）直接原因", "{{ direct_cause }}"),
    ("（五）间接原因", "{{ indirect_cause }}"),
)


def accident_report(doc: DocBuilder) -> None:
    doc.title("工伤事故调查报告书")
    control(doc, "{%p if open %}")
    flush(doc, "（调查中，未结案）", align="center", style="UF Heading 1")
    control(doc, "{%p endif %}")
    doc.paragraph("编号：{{ serial }}", "UF Meta")
    flush(doc, "{{ org.safety_authority }}：")
    doc.paragraph(
        "{{ occurred_at }}，{{ org.name }}{{ department }}在{{ location }}发生一起"
        "{{ category }}事故，造成{{ casualties }}。事故发生后，"
        "{{ org.union }}会同有关部门组成事故调查组，坚持“四不放过”原则，"
        "采取{{ methods }}相结合的方法进行了调查。现将调查情况报告如下。"
    )
    heading_with_next(doc, "一、事故单位概况")
    doc.paragraph(
        "事故名称：{{ title }}。事故单位：{{ org.name }}{{ department }}。"
        "发生时间：{{ occurred_at }}；发生地点：{{ location }}；"
        "事故类别：{{ category }}（GB 6441-1986）；事故严重程度：{{ severity }}；"
        "事故等级：{{ grade }}（《生产安全事故报告和调查处理条例》第三条）。"
    )
    heading_with_next(doc, "二、事故经过")
    doc.paragraph("{{ process }}")
    heading_with_next(doc, "三、人员伤亡和直接经济损失")
    doc.paragraph("本次事故造成{{ casualties }}，伤亡人员情况如下：")
    doc.document.paragraphs[-1].paragraph_format.keep_with_next = True
    _injured_table(doc)
    doc.paragraph(
        "直接经济损失{{ direct_loss }}元（{{ direct_loss|rmb }}），"
        "间接经济损失{{ indirect_loss }}元（{{ indirect_loss|rmb }}），"
        "合计{{ total_loss }}元（{{ total_loss|rmb }}）。"
    )
    _causes(doc)
    heading_with_next(doc, "五、责任认定及处理意见")
    doc.paragraph("{{ responsibility }}")
    heading_with_next(doc, "六、防范和整改措施")
    doc.paragraph("{{ measures }}")
    heading_with_next(doc, "七、“四不放过”落实情况")
    _four_nos(doc)
    heading_with_next(doc, "八、调查组成员签名")
    keep_together(doc, _signatures(doc), lead_paragraphs=1, and_next=True)
    issuer(doc, "{{ org.name }}", "{{ report_date }}")
    prose_grid(doc.document)


def _causes(doc: DocBuilder) -> None:
    """四、 the findings and causes, the 伤害分析 of GB 6441 when the form gave one, and the
    nature of the accident (numbered after the analysis, or in its place)."""
    heading_with_next(doc, "四、事故原因和性质")
    for heading, text in FINDINGS:
        _subheading(doc, heading)
        doc.paragraph(text)
    control(doc, "{%p if analysis %}")
    _subheading(doc, "（六）伤害分析（GB 6441-1986）")
    control(doc, "{%p for item in analysis %}")
    doc.paragraph("{{ item.label }}：{{ item.value }}。")
    control(doc, "{%p endfor %}")
    control(doc, "{%p endif %}")
    _subheading(doc, "（{% if analysis %}七{% else %}六{% endif %}）事故性质")
    doc.paragraph("经调查认定，该事故是一起{{ category }}{{ severity }}，事故等级为{{ grade }}。")


def _subheading(doc: DocBuilder, text: str) -> None:
    doc.subheading(text)
    doc.document.paragraphs[-1].paragraph_format.keep_with_next = True


def _injured_table(doc: DocBuilder) -> None:
    columns = len(INJURED_GRID)
    doc.table(
        [
            [label(title) for title, _ in INJURED_COLUMNS],
            whole_row("{%tr for p in injured %}", columns),
            [value(f"{{{{ p.{key} }}}}", align="center") for _, key in INJURED_COLUMNS],
            whole_row("{%tr endfor %}", columns),
        ],
        widths_mm=INJURED_GRID,
        header_rows=1,
    )


def _four_nos(doc: DocBuilder) -> None:
    doc.table(
        [
            [label("原则"), label("落实情况")],
            whole_row("{%tr for item in four_nos %}", 2),
            [value("{{ item.principle }}"), value("{{ item.state }}", align="center")],
            whole_row("{%tr endfor %}", 2),
        ],
        widths_mm=[100, 56],
        header_rows=1,
    )
    control(doc, "{%p if open %}")
    doc.paragraph("{{ open_items|join('，') }}，本事故暂不结案；调查组将督促落实，落实后另行报告。")
    control(doc, "{%p else %}")
    doc.paragraph("“四不放过”各项均已落实，本事故结案。")
    control(doc, "{%p endif %}")


def _signatures(doc: DocBuilder) -> Table:
    return doc.table(
        [
            [label("姓名"), label("签名"), label("日期")],
            whole_row("{%tr for name in team_members %}", 3),
            [
                value("{{ name }}", align="center"),
                value("", height_mm=12),
                value(SHORT_DATE, align="center"),
            ],
            whole_row("{%tr endfor %}", 3),
        ],
        widths_mm=[40, 66, 50],
        header_rows=1,
    )


BUILDERS = {"accident_report.docx": accident_report}
