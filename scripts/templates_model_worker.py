"""Template of the 劳动模范和先进生产（工作）者推荐审批表: the person, the deeds and the layered
推荐意见 blocks (部门, 公司工会, 公司党委, 上级工会), each signed and sealed on paper."""

from __future__ import annotations

from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.shared import Mm
from template_parts import QUAD_GRID, SEAL_MM, SIGN, flush, quad, tall

from pipeline.docx_build import DocBuilder

SEAL = "（盖章）" + SIGN
OPINION = "{{ department_opinion }}"
NOTE = "注：主要事迹可另附材料。本表一式三份，推荐单位、工会和上级工会各存一份。"


def model_worker(doc: DocBuilder) -> None:
    doc.title("劳动模范和先进生产（工作）者推荐审批表")
    doc.paragraph("编号：{{ serial }}　　评选年度：{{ award_year }}年", "UF Meta")
    table = doc.table(
        [
            quad("姓名", "{{ name }}", "性别", "{{ gender }}"),
            quad("出生日期", "{{ birth_date }}", "民族", "{{ ethnicity }}"),
            quad("政治面貌", "{{ political_status }}", "文化程度", "{{ education }}"),
            # An 18-digit number needs more than half a row at 12 pt.
            quad("身份证号码", "{{ id_number }}"),
            quad("所在部门", "{{ department }}", "职务或岗位", "{{ position }}"),
            quad("参加工作时间", "{{ employment_date }}", "联系电话", "{{ phone }}"),
            quad("技术职称或技能等级", "{{ technical_title }}"),
            quad("推荐荣誉称号", "{{ honour }}", "级别", "{{ level }}"),
            quad("曾获荣誉", HONOURS),
            tall("主要事迹", "{{ main_deeds }}", 80),
            tall("所在部门推荐意见", OPINION, 24, sign=SEAL),
            tall("公司工会意见", "", 24, sign=SEAL),
            tall("公司党委意见", "", 24, sign=SEAL),
            tall("上级工会审批意见", "", SEAL_MM, sign=SEAL),
        ],
        widths_mm=QUAD_GRID,
    )
    # The recommendation blocks stay together, each with room for a seal.
    approvals = table.rows[-4:]
    for row in approvals[:-1]:
        for paragraph in (p for cell in row.cells for p in cell.paragraphs):
            paragraph.paragraph_format.keep_with_next = True
    for row in approvals:
        row.height, row.height_rule = Mm(SEAL_MM), WD_ROW_HEIGHT_RULE.AT_LEAST
    flush(doc, NOTE, style="UF Small")


HONOURS = (
    "{% for h in honours %}{{ h.honour_year }}年"
    "{% if h.honour_level and h.honour_level != '其他' %}{{ h.honour_level }}{% endif %}"
    "{{ h.honour_name }}{% if h.awarded_by %}（{{ h.awarded_by }}）{% endif %}"
    "{% if not loop.last %}；{% endif %}{% else %}无{% endfor %}"
)


BUILDERS = {"model_worker.docx": model_worker}
