"""Templates of the workers' congress motions: the 职工代表大会提案表 and the 提案办理答复单."""

from __future__ import annotations

from template_parts import QUAD_GRID, SIGN, flush, quad, tall

from pipeline.docx_build import DocBuilder, label, value, whole_row

REVIEW_BOXES = "□立案，承办部门：\n□不立案，理由：\n□转为意见建议，交：\n\n"


def motion(doc: DocBuilder) -> None:
    doc.title("职工代表大会提案表")
    doc.paragraph("编号：{{ serial }}", "UF Meta")
    doc.table(
        [
            quad("届次", "{{ congress_session }}"),
            quad("提案人", "{{ proposer }}", "所在部门", "{{ proposer_department }}"),
            quad("提案类别", "{{ category }}", "提出日期", "{{ submit_date }}"),
            quad("案由", "{{ subject }}"),
            tall("理由", "{{ reason }}", 36),
            tall("建议办法", "{{ solution }}", 36),
            quad("附议人", "{{ seconder_names }}（{{ seconder_count }}人）"),
            tall("提案工作委员会审查意见", REVIEW_BOXES, 26, sign="负责人（签字）：" + SIGN),
        ],
        widths_mm=QUAD_GRID,
    )
    doc.paragraph("提案应一事一案；审查和办理情况另以提案办理答复单答复提案人。", "UF Small")
    flush(doc, "{{ org.union }}", align="right", style="UF Small")


OPINION = (
    "{% if proposer_opinion %}{{ proposer_opinion }}"
    "{% else %}　□满意　　□基本满意　　□不满意{% endif %}"
)


def motion_reply(doc: DocBuilder) -> None:
    doc.title("提案办理答复单")
    doc.paragraph("编号：{{ serial }}", "UF Meta")
    doc.table(
        [
            quad("提案编号", "{{ parent_serial }}", "届次", "{{ congress_session }}"),
            quad("案由", "{{ subject }}"),
            quad("提案人", "{{ proposer }}", "所在部门", "{{ proposer_department }}"),
            quad("审查结论", "{{ decision }}", "审查日期", "{{ review_date }}"),
            tall("审查意见", "{{ review_opinion or '—' }}", 16),
            whole_row("{%tr if decision != '不立案' %}", 4),
            quad("承办部门", "{{ handling_department }}", "答复日期", "{{ reply_date }}"),
            tall(
                "办理答复",
                "{{ reply or '' }}",
                44,
                sign="承办部门负责人（签字）：" + SIGN,
            ),
            [label("提案人意见"), value(OPINION, 3)],
            tall("提案人签字", "", 14, sign=SIGN),
            whole_row("{%tr endif %}", 4),
        ],
        widths_mm=QUAD_GRID,
    )
    doc.paragraph(
        "办理状态：{{ status }}。提案人不满意的，由承办部门重新办理并再次答复。", "UF Small"
    )
    flush(doc, "{{ org.union }}", align="right", style="UF Small")


BUILDERS = {
    "motion.docx": motion,
    "motion_reply.docx": motion_reply,
}
