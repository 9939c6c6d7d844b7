"""Template of the 劳动模范和先进生产（工作）者推荐审批表: the person, the deeds and the layered
推荐意见 blocks (部门, 公司工会, 公司党委, 上级工会), each signed and sealed on paper."""

from __future__ import annotations

from template_parts import SIGN, flush

from pipeline.docx_build import DocBuilder, label, value

# Six columns: label/value pairs three to a row, the last pair beside a photo box.
GRID = [24, 28, 22, 28, 24, 30]
SEAL = "（盖章）" + SIGN


def _pairs(*cells: tuple[str, str]) -> list:
    row = []
    for title, text in cells:
        row += [label(title), value(text)]
    return row


def model_worker(doc: DocBuilder) -> None:
    doc.title("劳动模范和先进生产（工作）者推荐审批表")
    doc.paragraph("编号：{{ serial }}　　评选年度：{{ award_year }}年", "UF Meta")
    doc.table(
        [
            _pairs(("姓名", "{{ name }}"), ("性别", "{{ gender }}"), ("民族", "{{ ethnicity }}")),
            _pairs(
                ("出生日期", "{{ birth_date }}"),
                ("政治面貌", "{{ political_status }}"),
                ("文化程度", "{{ education }}"),
            ),
            [
                label("身份证号码"),
                value("{{ id_number }}", 3),
                label("联系电话"),
                value("{{ phone }}"),
            ],
            [
                label("所在部门"),
                value("{{ department }}"),
                label("职务或岗位"),
                value("{{ position }}", 3),
            ],
            [
                label("参加工作时间"),
                value("{{ employment_date }}"),
                label("技术职称或技能等级"),
                value("{{ technical_title }}", 3),
            ],
            [
                label("推荐荣誉称号"),
                value("{{ level }}{{ honour }}", 3),
                label("级别"),
                value("{{ level }}"),
            ],
            [label("曾获荣誉"), value(HONOURS, 5)],
            [label("主要事迹"), value("{{ main_deeds }}", 5, height_mm=80)],
            [
                label("所在部门推荐意见"),
                value("{{ department_opinion }}", 5, height_mm=24, sign=SEAL),
            ],
            [label("公司工会意见"), value("", 5, height_mm=24, sign=SEAL)],
            [label("公司党委意见"), value("", 5, height_mm=24, sign=SEAL)],
            [label("上级工会审批意见"), value("", 5, height_mm=24, sign=SEAL)],
        ],
        widths_mm=GRID,
    )
    flush(
        doc,
        "注：主要事迹可另附材料。本表一式三份，推荐单位、工会和上级工会各存一份。",
        style="UF Small",
    )


HONOURS = (
    "{% for h in honours %}{{ h.honour_year }}年"
    "{% if h.honour_level and h.honour_level != '其他' %}{{ h.honour_level }}{% endif %}"
    "{{ h.honour_name }}{% if h.awarded_by %}（{{ h.awarded_by }}）{% endif %}"
    "{% if not loop.last %}；{% endif %}{% else %}无{% endfor %}"
)


BUILDERS = {"model_worker.docx": model_worker}
