"""Templates of the follow-ups of the hardship files and the family-planning roster: the
送温暖走访慰问记录, the 困难职工档案复核表 and the 育龄人员回访记录."""

from __future__ import annotations

from template_parts import QUAD_GRID, SIGN, flush, quad, tall

from pipeline.docx_build import DocBuilder, label, value

AMOUNT = "{% if amount %}¥{{ amount }}（{{ amount|rmb }}）{% else %}无{% endif %}"


def visit_record(doc: DocBuilder) -> None:
    doc.title("送温暖走访慰问记录")
    doc.paragraph("编号：{{ serial }}", "UF Meta")
    doc.table(
        [
            quad("档案编号", "{{ parent_serial }}", "困难类别", "{{ hardship_category }}"),
            quad("姓名", "{{ name }}", "所在部门", "{{ department }}"),
            quad("家庭住址", "{{ address }}"),
            quad("联系电话", "{{ phone }}", "家庭人口", "{{ household_size }}人"),
            quad("走访日期", "{{ visit_date }}", "节日", "{{ festival }}"),
            quad("走访人", "{{ visitors }}"),
            quad("慰问金", AMOUNT),
            quad("慰问品", "{{ gifts or '无' }}"),
            tall("家庭近况", "{{ family_situation }}", 40),
            tall("需要帮助解决的问题", "{{ needs or '无' }}", 22),
            [
                label("受访职工签字"),
                value("", height_mm=16),
                label("走访人签字"),
                value("", height_mm=16),
            ],
            tall("工会意见", "", 24, sign="经办人（签字）：" + SIGN),
        ],
        widths_mm=QUAD_GRID,
    )
    doc.paragraph("本记录归入{{ parent_serial }}困难职工档案。", "UF Small")
    flush(doc, "{{ org.union }}", align="right", style="UF Small")


def hardship_review(doc: DocBuilder) -> None:
    doc.title("困难职工档案复核表")
    doc.paragraph("编号：{{ serial }}", "UF Meta")
    doc.table(
        [
            quad("档案编号", "{{ parent_serial }}", "姓名", "{{ name }}"),
            quad("所在部门", "{{ department }}", "申请日期", "{{ application_date }}"),
            quad("复核日期", "{{ review_date }}", "复核人", "{{ reviewer }}"),
            quad("复核前困难类别", "{{ category_before }}", "申请时人均月收入", PER_CAPITA_BEFORE),
            quad("家庭人口", "{{ household_size }}人", "家庭月总收入", INCOME),
            quad("人均月收入", "{{ per_capita_income }}元", "当地低保标准", STANDARD),
            quad("与低保标准比较", COMPARISON),
            tall("复核情况说明", "{{ review_notes }}", 40),
            quad("复核结论", CONCLUSION),
            tall("工会审核意见", "", 24, sign="经办人（签字）：" + SIGN),
            tall("工会主席审批", "", 24, sign="签字（盖章）：" + SIGN),
        ],
        widths_mm=QUAD_GRID,
    )
    doc.paragraph(
        "按规定困难职工档案每年至少复核一次；家庭人均收入连续6个月高于当地低保标准的，脱困销档。"
        "本表归入{{ parent_serial }}困难职工档案。",
        "UF Small",
    )
    flush(doc, "{{ org.union }}", align="right", style="UF Small")


INCOME = "{{ household_monthly_income }}元"
STANDARD = "{{ living_standard }}元/人·月"
PER_CAPITA_BEFORE = "{% if per_capita_before %}{{ per_capita_before }}元{% endif %}"
COMPARISON = (
    "{% if below_standard %}低于当地低保标准，应协助其申请纳入城市居民最低生活保障。"
    "{% else %}不低于当地低保标准。{% endif %}"
)
CONCLUSION = (
    "{{ conclusion }}"
    "{% if new_category %}：调整为{{ new_category }}{% endif %}"
    "{% if out_of_hardship_date %}：{{ out_of_hardship_date }}脱困，人均收入已连续"
    "{{ months_above }}个月高于当地低保标准{% endif %}"
)


def fp_visit(doc: DocBuilder) -> None:
    doc.title("育龄人员回访记录")
    doc.paragraph("编号：{{ serial }}", "UF Meta")
    doc.table(
        [
            quad("责任状编号", "{{ parent_serial }}", "所属单位", "{{ party_b }}"),
            quad("姓名", "{{ person_name }}", "性别", "{{ person_gender }}"),
            quad("出生日期", "{{ person_birth_date }}", "部门", "{{ person_department }}"),
            quad("婚姻状况", "{{ marital_status }}", "子女数", CHILDREN),
            quad("联系电话", "{{ person_phone }}"),
            quad("回访日期", "{{ visit_date }}", "回访方式", "{{ visit_method }}"),
            quad("回访人", "{{ visitor }}"),
            tall("回访情况", "{{ situation }}", 50),
            quad("继续重点回访", "{{ continue_followup }}", "下次回访日期", NEXT_VISIT),
            tall("女工委员意见", "", 24, sign="签字：" + SIGN),
        ],
        widths_mm=QUAD_GRID,
    )
    doc.paragraph(
        "本记录涉及个人信息，仅用于计划生育服务工作，严格保密。"
        "本记录归入{{ parent_serial }}育龄人员基础资料档案。",
        "UF Small",
    )
    flush(doc, "{{ org.union }}", align="right", style="UF Small")


CHILDREN = "{% if children is not none %}{{ children }}个{% endif %}"
NEXT_VISIT = "{% if next_visit_date %}{{ next_visit_date }}{% else %}不再重点回访{% endif %}"


BUILDERS = {
    "visit_record.docx": visit_record,
    "fp_visit.docx": fp_visit,
    "hardship_review.docx": hardship_review,
}
