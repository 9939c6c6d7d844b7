"""Template of the reports' Word document (``report.docx``): a letter to the parent union with
its document number, or a summary report — the same layout, filled from the report's sections.

GB/T 9704: the document number centred above the title, the addressee flush left, the body
with its 一、 headings, 附件, then the issuing body over the date, right of centre, in room for
the seal, kept on the page of the text it signs (``template_parts.issuer``).
"""

from __future__ import annotations

from template_parts import control, flush, heading_with_next, issuer

from pipeline.docx_build import DocBuilder


def report(doc: DocBuilder) -> None:
    control(doc, "{%p if doc_number %}")
    flush(doc, "{{ doc_number }}", align="center")
    doc.paragraph("")
    control(doc, "{%p endif %}")
    doc.title("{{ title }}")
    control(doc, "{%p if addressee %}")
    flush(doc, "{{ addressee }}：")
    control(doc, "{%p endif %}")
    control(doc, "{%p for line in intro %}")
    doc.paragraph("{{ line }}")
    control(doc, "{%p endfor %}")
    control(doc, "{%p for section in sections %}")
    heading_with_next(doc, "{{ section.title }}")
    control(doc, "{%p for line in section.lines %}")
    doc.paragraph("{{ line }}")
    control(doc, "{%p endfor %}")
    control(doc, "{%p endfor %}")
    control(doc, "{%p if due %}")
    doc.paragraph("本报告按规定应于{{ due }}前报送。")
    control(doc, "{%p endif %}")
    control(doc, "{%p if attachment %}")
    doc.paragraph("")
    doc.paragraph("附件：{{ attachment }}")
    control(doc, "{%p endif %}")
    doc.paragraph("")
    issuer(doc, "{{ org.union }}", "{{ today }}")


BUILDERS = {"report.docx": report}
