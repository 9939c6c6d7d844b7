"""Templates of the hazard documents: the rectification notice with its tear-off slip, and the
acceptance sheet made from a follow-up."""

from __future__ import annotations

from docx.enum.text import WD_TAB_ALIGNMENT
from docx.shared import Pt
from template_parts import (
    QUAD_GRID,
    SEAL_MM,
    SHORT_DATE,
    SIGN,
    control,
    flush,
    issuer,
    keep_together,
    odd_page_section,
    quad,
    tall,
)

from pipeline.docx_build import DocBuilder, label, value

# Wide enough for 可能导致的后果 on one line.
NOTICE_GRID = [34, 48, 26, 48]
TRACKING = (
    "{% if overdue %}已超过整改期限，请立即整改。{% endif %}"
    "{% if key_tracking %}列为工会跟踪整改的重点。{% endif %}"
    "{% if to_congress %}重大事故隐患，提交职工代表大会审议并监督执行。{% endif %}"
    "{% if not (key_tracking or to_congress) %}按期整改，工会跟踪监督。{% endif %}"
)
CUT_LINE = "- - - - - - - - - - - - - - - - - - （沿此线剪下） - - - - - - - - - - - - - - - - - -"
# When the notice runs long (forms.hazard.notice_runs_long) its slip starts a sheet of its own
# (an odd page): never the back of the notice when printed on both sides.
SLIP_APART = "{%p if slip_apart %}"


def hazard_notice(doc: DocBuilder) -> None:
    # Notice and slip share one page, so the title goes without the usual blank line below it.
    doc.paragraph("事故隐患整改通知书", "UF Title")
    # The serial at the right end of the addressee's line: one line less keeps the slip on
    # page 1 under a short notice.
    flush(doc, "{{ responsible_department }}：\t编号：{{ serial }}")
    doc.document.paragraphs[-1].paragraph_format.tab_stops.add_tab_stop(
        doc.text_width, WD_TAB_ALIGNMENT.RIGHT
    )
    doc.paragraph("请按期整改下列事故隐患，验收后填写回执报工会。")
    doc.table(
        [
            quad("隐患地点", "{{ location }}", "发现日期", "{{ found_date }}"),
            quad("隐患类别", "{{ category }}", "隐患等级", "{{ level }}"),
            tall("隐患描述", "{{ description }}", 12),
            tall("可能导致的后果", "{{ possible_consequence }}", 0),
            tall("建议整改措施", "{{ proposed_measures }}", 12),
            quad("建议纳入", "{{ plan_channel }}", "整改期限", "{{ deadline }}"),
            quad(
                "整改责任部门",
                "{{ responsible_department }}",
                "整改负责人",
                "{{ responsible_person }}",
            ),
            quad("跟踪要求", TRACKING),
        ],
        widths_mm=NOTICE_GRID,
    )
    issuer(doc, "{{ org.union }}", "{{ today }}", then_paragraph=False)  # the cut line follows
    control(doc, SLIP_APART)
    odd_page_section(doc)
    control(doc, "{%p endif %}")
    _slip(doc)


def _slip(doc: DocBuilder) -> None:
    flush(doc, CUT_LINE, align="center", style="UF Small")
    flush(doc, "事故隐患整改回执", align="center", style="UF Table Label")
    doc.document.paragraphs[-1].runs[0].font.size = Pt(14)
    slip = doc.table(
        [
            quad("隐患编号", "{{ serial }}", "整改期限", "{{ deadline }}"),
            quad(
                "整改责任部门",
                "{{ responsible_department }}",
                "整改负责人",
                "{{ responsible_person }}",
            ),
            tall("所采取的措施", "", 20),
            # The leading full-width space keeps the box in the Chinese font (LibreOffice
            # gives a run-initial symbol the Latin font).
            quad("整改效果", "　□隐患已消除　　□部分消除，继续跟踪　　□未消除"),
            quad("整改完成日期", SHORT_DATE, "验收日期", SHORT_DATE),
            [label("验收人签字"), value("", height_mm=10), label("负责人签字"), value("")],
        ],
        widths_mm=NOTICE_GRID,
    )
    keep_together(doc, slip, lead_paragraphs=2)


def hazard_acceptance(doc: DocBuilder) -> None:
    doc.title("事故隐患整改验收单")
    doc.paragraph("编号：{{ serial }}", "UF Meta")
    table = doc.table(
        [
            quad("隐患编号", "{{ parent_serial }}", "发现日期", "{{ hazard_found_date }}"),
            quad("隐患地点", "{{ hazard_location }}"),
            quad("隐患类别", "{{ hazard_category }}", "隐患等级", "{{ hazard_level }}"),
            tall("隐患描述", "{{ hazard_description }}", 16),
            quad("整改责任部门", "{{ hazard_department }}", "整改期限", "{{ hazard_deadline }}"),
            quad("整改负责人", "{{ rectifier }}", "整改完成日期", "{{ completed_date }}"),
            tall("所采取的措施", "{{ measures_taken }}", 28),
            quad("整改效果", "{{ effect }}", "是否按期", "{{ timeliness }}"),
            tall("效果说明", "{{ effect_description }}", 14),
            [
                label("验收意见"),
                value(
                    "{% if closes %}经验收，隐患已消除，同意销号。"
                    "{% else %}经验收，隐患尚未消除，继续跟踪整改。{% endif %}",
                    3,
                    height_mm=24,
                    sign="验收人（签字）：　　　　　　（{{ verifier }}）\n"
                    "验收日期：{{ verify_date }}",
                ),
            ],
            tall(
                "工会监督意见",
                "",
                SEAL_MM,
                sign="{{ org.union }}（盖章）\n经办人（签字）：" + SIGN,
            ),
        ],
        widths_mm=QUAD_GRID,
    )
    # The verdicts stay together: the union's seal under the acceptance it confirms.
    for row in table.rows[-2:-1]:
        for paragraph in (p for cell in row.cells for p in cell.paragraphs):
            paragraph.paragraph_format.keep_with_next = True
    doc.paragraph(
        "验收后状态：{{ status_after }}。本单随整改回执归入{{ parent_serial }}事故隐患档案。",
        "UF Small",
    )


BUILDERS = {
    "hazard_notice.docx": hazard_notice,
    "hazard_acceptance.docx": hazard_acceptance,
}
