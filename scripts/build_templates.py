"""Write the Word templates of the generated documents into templates/.

The templates are docxtpl files meant to be edited in Word afterwards (wording, spacing, seals);
this script is how they were first made and how to start again from a clean layout:

    python scripts/build_templates.py [NAME ...]

Run without names it rewrites every template, overwriting edits made in Word.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import templates_accident
import templates_equipment
import templates_hazard
import templates_model_worker
import templates_motion
import templates_pledge
import templates_proposal
import templates_welfare
from template_parts import SIGN, no_stretch_before_breaks

from pipeline.config import Fonts
from pipeline.docx_build import DocBuilder, label, value, whole_row

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


# Label/value pairs on a grid that also holds the five columns of the family table:
# pair boundaries at 30/78/108/156 mm, family columns at 30/56/78/128/156 mm.
PAIR_GRID = [30, 26, 18, 4, 30, 20, 28]


def pair(first: str, first_value: str, second: str = "", second_value: str = "") -> list:
    if not second:
        return [label(first), value(first_value, 6)]
    return [label(first), value(first_value, 3), label(second), value(second_value, 2)]


def hardship_file(doc: DocBuilder) -> None:
    doc.title("困难职工档案表")
    doc.paragraph("编号：{{ serial }}　　建档日期：{{ today }}", "UF Meta")
    cols = len(PAIR_GRID)
    doc.table(
        [
            pair("姓名", "{{ name }}", "性别", "{{ gender }}"),
            pair("出生日期", "{{ birth_date }}", "身份证号码", "{{ id_number }}"),
            pair("所在部门", "{{ department }}", "岗位", "{{ position }}"),
            pair("参加工作时间", "{{ employment_date }}", "联系电话", "{{ phone }}"),
            pair("家庭住址", "{{ address }}"),
            pair("家庭人口", "{{ household_size }}人", "困难类别", "{{ hardship_category }}"),
            pair(
                "本人月收入",
                "{{ monthly_wage }}元",
                "家庭月总收入",
                "{{ household_monthly_income }}元",
            ),
            pair("人均月收入", "{{ per_capita_income }}元", "致困原因", "{{ hardship_causes }}"),
            [label("困难情况说明"), value("{{ hardship_description }}", 6, height_mm=40)],
            [label("家庭成员（不含本人）", cols)],
            [
                label("姓名"),
                label("与本人关系"),
                label("年龄", 2),
                label("工作单位或状况", 2),
                label("月收入（元）"),
            ],
            whole_row("{%tr for m in family_members %}", cols),
            [
                value("{{ m.member_name }}", align="center"),
                value("{{ m.relation }}", align="center"),
                value("{{ m.age }}", 2, align="center"),
                value("{{ m.occupation }}", 2),
                value("{{ m.monthly_income }}", align="right"),
            ],
            whole_row("{%tr endfor %}", cols),
            whole_row("{%tr if not family_members %}", cols),
            [value("无", cols, align="center")],
            whole_row("{%tr endif %}", cols),
            pair("申请补助金额", "{{ requested_amount }}元", "大写", "{{ requested_amount|rmb }}"),
            [label("部门意见"), value("{{ department_opinion }}", 6, height_mm=18)],
            [
                label("备注"),
                value(
                    "申请日期{{ application_date }}，原件“{{ source_name }}”。"
                    "{% if recheck %}本年度此前已有申请{{ earlier_serials }}，须复核。{% endif %}",
                    6,
                ),
            ],
        ],
        widths_mm=PAIR_GRID,
    )
    doc.paragraph("建档单位：{{ org.union }}　　按规定报{{ org.parent_union }}统一归档", "UF Small")


def hardship_approval(doc: DocBuilder) -> None:
    doc.title("困难职工补助审批表")
    doc.paragraph("编号：{{ serial }}", "UF Meta")
    doc.table(
        [
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
            [label("困难情况"), value("{{ hardship_description }}", 6, height_mm=36)],
            [
                label("申请补助金额"),
                value("小写：¥{{ requested_amount }}\n大写：{{ requested_amount|rmb }}", 6),
            ],
            [
                label("部门意见"),
                value("{{ department_opinion }}", 6, height_mm=30, sign="负责人（签字）：" + SIGN),
            ],
            [label("工会审核意见"), value("", 6, height_mm=30, sign="经办人（签字）：" + SIGN)],
            [label("工会主席审批"), value("", 6, height_mm=30, sign="签字（盖章）：" + SIGN)],
        ],
        widths_mm=PAIR_GRID,
    )
    doc.paragraph(
        "申请日期：{{ application_date }}"
        "{% if recheck %}　　本年度再次申请，须复核（此前：{{ earlier_serials }}）{% endif %}",
        "UF Small",
    )
    doc.paragraph("{{ org.union }}", "UF Small", align="right")


BUILDERS: dict[str, Callable[[DocBuilder], None]] = {
    "hardship_file.docx": hardship_file,
    "hardship_approval.docx": hardship_approval,
    **templates_hazard.BUILDERS,
    **templates_accident.BUILDERS,
    **templates_pledge.BUILDERS,
    **templates_welfare.BUILDERS,
    **templates_proposal.BUILDERS,
    **templates_motion.BUILDERS,
    **templates_model_worker.BUILDERS,
    **templates_equipment.BUILDERS,
}


def main(names: list[str]) -> None:
    for name in names or list(BUILDERS):
        builder = DocBuilder(Fonts())
        BUILDERS[name](builder)
        no_stretch_before_breaks(builder.document)
        (TEMPLATES / name).write_bytes(builder.save())
        print(f"wrote templates/{name}")


if __name__ == "__main__":
    main(sys.argv[1:])
