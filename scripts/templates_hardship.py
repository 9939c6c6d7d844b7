"""Templates of the hardship documents (SPEC §3.1): the file the office keeps (困难职工档案表)
and the approval form that is signed and sealed (困难职工补助审批表)."""

from __future__ import annotations

from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.shared import Mm
from template_parts import SEAL_MM, SIGN, control, flush, heading_with_next, keep_together

from pipeline.docx_build import Cell, DocBuilder, label, value, whole_row

# Label/value pairs on a grid that also holds the five columns of the family table:
# pair boundaries at 30/78/108/156 mm, family columns at 30/56/78/128/156 mm.
PAIR_GRID = [30, 26, 18, 4, 30, 20, 28]
FAMILY_GRID = [30, 26, 22, 50, 28]
COLUMNS = len(PAIR_GRID)
# The approval form is one page to sign: a description or opinion longer than its cell holds
# goes to a continuation page (附页) and the cell says so.
LONG_DESCRIPTION = "hardship_description|length > 120"
LONG_OPINION = "(department_opinion or '')|length > 56"
SEE_ATTACHED = "（内容较长，见附页）"


def pair(first: str, first_value: str, second: str = "", second_value: str = "") -> list[Cell]:
    if not second:
        return [label(first), value(first_value, 6)]
    return [label(first), value(first_value, 3), label(second), value(second_value, 2)]


def hardship_file(doc: DocBuilder) -> None:
    doc.paragraph("困难职工档案表", "UF Title")
    doc.paragraph("编号：{{ serial }}　　建档日期：{{ today }}", "UF Meta")
    doc.table(_file_rows(), widths_mm=PAIR_GRID)
    doc.paragraph("", "UF Small")  # two tables side by side would merge into one
    _family(doc)
    doc.paragraph("", "UF Small")
    closing = doc.table(
        [
            pair("申请补助金额", "{{ requested_amount }}元", "大写", "{{ requested_amount|rmb }}"),
            [
                label("部门意见"),
                value("{{ department_opinion }}", 6, height_mm=18, prose=True),
            ],
            [
                label("备注"),
                value(
                    "申请日期{{ application_date }}。"
                    "{% if recheck %}本年度此前已有申请{{ earlier_serials }}，须复核。{% endif %}",
                    6,
                ),
            ],
            [label("经办人"), value("", 3, height_mm=12), label("建档日期"), value(SIGN[6:], 2)],
        ],
        widths_mm=PAIR_GRID,
    )
    keep_together(doc, closing, and_next=True)
    doc.paragraph("建档单位：{{ org.union }}　　按规定报{{ org.parent_union }}统一归档", "UF Small")


def _file_rows() -> list[list[Cell]]:
    return [
        pair("姓名", "{{ name }}", "性别", "{{ gender }}"),
        # An ID number needs a whole row: 18 digits do not fit the narrow value cell.
        pair("身份证号码", "{{ id_number }}"),
        pair("出生日期", "{{ birth_date }}", "参加工作时间", "{{ employment_date }}"),
        pair("所在部门", "{{ department }}", "岗位", "{{ position }}"),
        pair("联系电话", "{{ phone }}", "家庭人口", "{{ household_size }}人"),
        pair("家庭住址", "{{ address }}"),
        pair(
            "本人月收入",
            "{{ monthly_wage }}元",
            "家庭月总收入",
            "{{ household_monthly_income }}元",
        ),
        pair("人均月收入", "{{ per_capita_income }}元", "困难类别", "{{ hardship_category }}"),
        pair("致困原因", "{{ hardship_causes }}"),
        [
            label("困难情况说明"),
            value("{{ hardship_description }}", 6, height_mm=40, prose=True),
        ],
    ]


def _family(doc: DocBuilder) -> None:
    """The family members: a table of its own, so its title and column labels repeat on every
    page it runs onto, and no member's row is split."""
    columns = len(FAMILY_GRID)
    doc.table(
        [
            [label("家庭成员（不含本人）", columns)],
            [
                label("姓名"),
                label("与本人关系"),
                label("年龄"),
                label("工作单位或状况"),
                label("月收入（元）"),
            ],
            whole_row("{%tr for m in family_members %}", columns),
            [
                value("{{ m.member_name }}", align="center"),
                value("{{ m.relation }}", align="center"),
                value("{{ m.age }}", align="center"),
                value("{{ m.occupation }}"),
                value("{{ m.monthly_income }}", align="right"),
            ],
            whole_row("{%tr endfor %}", columns),
            whole_row("{%tr if not family_members %}", columns),
            [value("无", columns, align="center")],
            whole_row("{%tr endif %}", columns),
        ],
        widths_mm=FAMILY_GRID,
        header_rows=2,
    )


def hardship_approval(doc: DocBuilder) -> None:
    doc.paragraph("困难职工补助审批表", "UF Title")
    doc.paragraph("编号：{{ serial }}", "UF Meta")
    table = doc.table(_approval_rows(), widths_mm=PAIR_GRID)
    # The approvals stay together and with the request they approve.
    keep_together(doc, table)
    seal_row = table.rows[-1]
    seal_row.height, seal_row.height_rule = Mm(SEAL_MM), WD_ROW_HEIGHT_RULE.AT_LEAST
    doc.paragraph(
        "申请日期：{{ application_date }}"
        "{% if recheck %}　　本年度再次申请，须复核（此前：{{ earlier_serials }}）{% endif %}",
        "UF Small",
    )
    _attachment(doc)


def _approval_rows() -> list[list[Cell]]:
    return [
        pair("申请人", "{{ name }}", "性别", "{{ gender }}"),
        pair("所在部门", "{{ department }}", "联系电话", "{{ phone }}"),
        pair("身份证号码", "{{ id_number }}"),
        pair("困难类别", "{{ hardship_category }}", "致困原因", "{{ hardship_causes }}"),
        pair("家庭人口", "{{ household_size }}人", "人均月收入", "{{ per_capita_income }}元"),
        pair(
            "本人月收入",
            "{{ monthly_wage }}元",
            "家庭月总收入",
            "{{ household_monthly_income }}元",
        ),
        [
            label("困难情况"),
            value(
                _short_or_attached(LONG_DESCRIPTION, "hardship_description"),
                6,
                height_mm=34,
                sign="申请人（签字）：" + SIGN,
                prose=True,
            ),
        ],
        [
            label("申请补助金额"),
            value("小写：¥{{ requested_amount }}\n大写：{{ requested_amount|rmb }}", 6),
        ],
        [
            label("部门意见"),
            value(
                _short_or_attached(LONG_OPINION, "department_opinion"),
                6,
                height_mm=26,
                sign="负责人（签字）：" + SIGN,
            ),
        ],
        [label("工会审核意见"), value("", 6, height_mm=24, sign="经办人（签字）：" + SIGN)],
        [
            label("工会主席审批"),
            value("", 6, height_mm=SEAL_MM, sign="{{ org.union }}（盖章）\n签字：" + SIGN),
        ],
    ]


def _short_or_attached(condition: str, key: str) -> str:
    return f"{{% if {condition} %}}{SEE_ATTACHED}{{% else %}}{{{{ {key} }}}}{{% endif %}}"


def _attachment(doc: DocBuilder) -> None:
    """附页: the long texts in full, on a page of their own behind the form."""
    control(doc, f"{{%p if {LONG_DESCRIPTION} or {LONG_OPINION} %}}")
    doc.page_break()
    flush(doc, "附页", style="UF Heading 1")
    doc.paragraph("困难职工补助审批表附页", "UF Title")
    doc.paragraph("编号：{{ serial }}　　申请人：{{ name }}", "UF Meta")
    control(doc, f"{{%p if {LONG_DESCRIPTION} %}}")
    heading_with_next(doc, "一、困难情况")
    doc.paragraph("{{ hardship_description }}")
    control(doc, "{%p endif %}")
    control(doc, f"{{%p if {LONG_OPINION} %}}")
    heading_with_next(doc, "{% if " + LONG_DESCRIPTION + " %}二{% else %}一{% endif %}、部门意见")
    doc.paragraph("{{ department_opinion }}")
    control(doc, "{%p endif %}")
    control(doc, "{%p endif %}")


BUILDERS = {
    "hardship_file.docx": hardship_file,
    "hardship_approval.docx": hardship_approval,
}
