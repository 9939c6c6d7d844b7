"""Small pieces the template builders share (``scripts/build_templates.py`` and its modules)."""

from __future__ import annotations

from docx.document import Document as DocumentObject
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table

from pipeline.docx_build import Cell, DocBuilder, label, value

SIGN = "　　　　　　　　年　　月　　日"
SHORT_DATE = "　　　年　　月　　日"  # fits a 45 mm cell at 12 pt
# Two label/value pairs a row, or one label with its value across the row.
QUAD_GRID = [30, 48, 30, 48]


def quad(first: str, first_value: str, second: str = "", second_value: str = "") -> list[Cell]:
    if not second:
        return [label(first), value(first_value, 3)]
    return [label(first), value(first_value), label(second), value(second_value)]


def tall(title: str, text: str, height_mm: float, sign: str = "") -> list[Cell]:
    """A label with a tall value cell across the row (room to write, or a long text)."""
    return [label(title), value(text, 3, height_mm=height_mm, sign=sign)]


def flush(doc: DocBuilder, text: str, align: str = "", style: str = "UF Body") -> None:
    """A body paragraph without the first-line indent: a salutation, a signature, a date."""
    doc.paragraph(text, style, align=align)
    doc.document.paragraphs[-1].paragraph_format.first_line_indent = Pt(0)


def heading_with_next(doc: DocBuilder, text: str) -> None:
    """A 一、 heading that never stays alone at the foot of a page."""
    doc.heading(text)
    doc.document.paragraphs[-1].paragraph_format.keep_with_next = True


def control(doc: DocBuilder, tag: str) -> None:
    """A docxtpl paragraph tag (``{%p if … %}``): the paragraph itself disappears on render."""
    flush(doc, tag, style="UF Small")


def keep_together(
    doc: DocBuilder, table: Table, lead_paragraphs: int = 0, and_next: bool = False
) -> None:
    """Keep a table, the paragraphs just before it (and with ``and_next`` the paragraph after
    it) on one page: a slip is never torn, a signature never left alone on the last page."""
    for paragraph in doc.document.paragraphs[-lead_paragraphs:] if lead_paragraphs else []:
        paragraph.paragraph_format.keep_with_next = True
    for index, row in enumerate(table.rows):
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        if and_next or index < len(table.rows) - 1:
            for paragraph in (p for cell in row.cells for p in cell.paragraphs):
                paragraph.paragraph_format.keep_with_next = True


def no_stretch_before_breaks(document: DocumentObject) -> None:
    """Do not spread a justified line that ends in a line break (a form value typed on several
    lines, e.g. a numbered list of measures): Word's doNotExpandShiftReturn."""
    compat = document.settings.element.find(qn("w:compat"))
    if compat is None:
        compat = OxmlElement("w:compat")
        document.settings.element.append(compat)
    if compat.find(qn("w:doNotExpandShiftReturn")) is None:
        compat.insert(0, OxmlElement("w:doNotExpandShiftReturn"))  # first in CT_Compat order
