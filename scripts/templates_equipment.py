"""Templates of the sports equipment documents: the 体育器材入库单 and the 体育器材借还单."""

from __future__ import annotations

from template_parts import QUAD_GRID, SHORT_DATE, flush, quad, tall

from pipeline.docx_build import DocBuilder, label, value

PRICE = "¥{{ unit_price }}"
TOTAL = "¥{{ total_value }}（{{ total_value|rmb }}）"


def equipment(doc: DocBuilder) -> None:
    doc.title("体育器材入库单")
    doc.paragraph("编号：{{ serial }}", "UF Meta")
    doc.table(
        [
            quad("器材名称", "{{ equipment_name }}", "器材类别", "{{ category }}"),
            quad("规格型号", "{{ specification }}"),
            quad("数量", "{{ quantity }}{{ unit }}", "单价", PRICE),
            quad("金额", TOTAL),
            quad("购置日期", "{{ purchase_date }}", "供货单位", "{{ supplier }}"),
            quad("存放地点", "{{ storage_location }}"),
            quad("保管人", "{{ keeper }}", "保管人电话", "{{ keeper_phone }}"),
            tall("备注", "{{ remarks }}", 20),
            [label("验收人签字"), value("", height_mm=14), label("保管人签字"), value("")],
            [label("验收日期"), value(SHORT_DATE), label("入库日期"), value(SHORT_DATE)],
        ],
        widths_mm=QUAD_GRID,
    )
    doc.paragraph("工会购置的体育器材由专人保管，借出、归还均须登记。", "UF Small")
    flush(doc, "{{ org.union }}", align="right", style="UF Small")


STATE = (
    "{% if action == '借出' %}约定归还日期：{{ due_date }}"
    "{% else %}归还时状况：{{ condition }}{% endif %}"
)


def equipment_loan(doc: DocBuilder) -> None:
    doc.title("体育器材{{ action }}单")
    doc.paragraph("编号：{{ serial }}", "UF Meta")
    doc.table(
        [
            quad("器材编号", "{{ parent_serial }}", "器材名称", "{{ equipment_name }}"),
            quad("规格型号", "{{ specification }}"),
            quad("借用人", "{{ borrower }}", "借用部门", "{{ borrower_department }}"),
            quad("联系电话", "{{ borrower_phone }}", "数量", "{{ quantity }}{{ unit }}"),
            quad("{{ action }}日期", "{{ event_date }}", "经手人", "{{ handler }}"),
            quad("登记", STATE),
            tall("用途", "{{ purpose }}", 16),
            [label("借用人签字"), value("", height_mm=14), label("经手人签字"), value("")],
        ],
        widths_mm=QUAD_GRID,
    )
    doc.paragraph(
        "{% if action == '借出' %}请按约定日期归还，逾期未还的由工会催还。"
        "{% else %}器材已收回，存放于{{ storage_location }}。{% endif %}",
        "UF Small",
    )
    flush(doc, "{{ org.union }}", align="right", style="UF Small")


BUILDERS = {
    "equipment.docx": equipment,
    "equipment_loan.docx": equipment_loan,
}
