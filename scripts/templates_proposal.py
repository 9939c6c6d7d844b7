"""Templates of the proposal documents: the 合理化建议登记表 and the review's 评审结果通知单."""

from __future__ import annotations

from template_parts import QUAD_GRID, SIGN, flush, quad, tall

from pipeline.docx_build import DocBuilder, label, value, whole_row

BENEFIT = "{% if economic_benefit %}{{ economic_benefit }}元/年{% else %}—{% endif %}"
REVIEW_BOXES = (
    "评审结论：　□采纳　□不采纳　□待实施　□已实施\n"
    "评审等级：　□一等　□二等　□三等\n"
    "奖励金额：　　　　　　　　元"
)


def proposal(doc: DocBuilder) -> None:
    doc.title("合理化建议登记表")
    doc.paragraph("编号：{{ serial }}", "UF Meta")
    doc.table(
        [
            quad("建议题目", "{{ title }}"),
            quad("类别", "{{ category }}", "申报部门", "{{ department }}"),
            quad("提出日期", "{{ proposal_date }}", "预期经济效益", BENEFIT),
        ],
        widths_mm=QUAD_GRID,
    )
    doc.paragraph("", "UF Small")  # two tables side by side would merge into one
    # The proposers: a table of its own, so its column labels repeat on every page it runs onto.
    doc.table(
        [
            [label("建议人"), label("部门"), label("岗位"), label("贡献比例")],
            whole_row("{%tr for p in proposers %}", 4),
            [
                value("{{ p.proposer_name }}", align="center"),
                value("{{ p.proposer_department }}", align="center"),
                value("{{ p.proposer_position }}", align="center"),
                value("{% if p.share %}{{ p.share }}%{% endif %}", align="center"),
            ],
            whole_row("{%tr endfor %}", 4),
        ],
        widths_mm=QUAD_GRID,
        header_rows=1,
    )
    doc.paragraph("", "UF Small")
    table = doc.table(
        [
            tall("现状及存在问题", "{{ current_situation }}", 20),
            tall("建议内容及措施", "{{ proposal_content }}", 26),
            quad("其他效益", "{{ other_benefit or '—' }}"),
            tall("部门意见", "{{ department_opinion }}", 18, sign="负责人（签字）：" + SIGN),
            tall("评审意见", REVIEW_BOXES, 24, sign="评审组长（签字）：" + SIGN),
            tall("工会意见", "", 20, sign="签字（盖章）：" + SIGN),
        ],
        widths_mm=QUAD_GRID,
    )
    # The three opinions stay together: the union's never stands alone on a page.
    for row in table.rows[-4:-1]:
        for paragraph in (p for cell in row.cells for p in cell.paragraphs):
            paragraph.paragraph_format.keep_with_next = True
    # The form ends with the union's own block: a line under it would fall onto a second page.
    doc.paragraph("", "UF Small")


NOTICE = (
    "{{ you }}于{{ proposal_date }}提出的合理化建议“{{ proposal_title }}”"
    "（编号{{ parent_serial }}，{{ proposal_category }}），"
    "经合理化建议评审小组于{{ review_date }}评审，结论为“{{ decision }}”"
    "{% if grade %}，评定为{{ grade }}{% endif %}。"
    "{% if award %}奖励人民币{{ award }}元（{{ award|rmb }}），由工会发放。{% endif %}"
    "感谢{{ you }}为公司发展献计出力。特此通知。"
)
AWARD = "{% if award %}¥{{ award }}（{{ award|rmb }}）{% else %}—{% endif %}"
ACTUAL = "{% if actual_benefit %}{{ actual_benefit }}元/年{% else %}—{% endif %}"


def proposal_review(doc: DocBuilder) -> None:
    doc.title("合理化建议评审结果通知单")
    doc.paragraph("编号：{{ serial }}", "UF Meta")
    flush(doc, "{{ proposer_names }}：")
    doc.paragraph(NOTICE)
    doc.table(
        [
            quad("建议题目", "{{ proposal_title }}"),
            quad("申报部门", "{{ proposal_department }}", "预期经济效益", EXPECTED),
            quad("评审结论", "{{ decision }}", "评审等级", "{{ grade or '—' }}"),
            quad("奖励金额", AWARD),
            tall("评审意见", "{{ opinion }}", 30),
            whole_row("{%tr if implemented_date %}", 4),
            quad("实施日期", "{{ implemented_date }}", "实际经济效益", ACTUAL),
            tall("实施效果", "{{ implementation_effect }}", 24),
            whole_row("{%tr endif %}", 4),
            quad("评审人员", "{{ reviewers }}"),
        ],
        widths_mm=QUAD_GRID,
    )
    flush(doc, "")
    flush(doc, "{{ org.union }}", align="right")
    flush(doc, "{{ today }}", align="right")


EXPECTED = "{% if expected_benefit %}{{ expected_benefit }}元/年{% else %}—{% endif %}"


BUILDERS = {
    "proposal.docx": proposal,
    "proposal_review.docx": proposal_review,
}
