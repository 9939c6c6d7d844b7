"""Small pieces the template builders share (``scripts/build_templates.py`` and its modules)."""

from __future__ import annotations

import copy

from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table

from pipeline.docx_build import Cell, DocBuilder, label, value
from pipeline.docx_fonts import ordered_child

SIGN = "　　　　　　　　年　　月　　日"
SHORT_DATE = "　　　年　　月　　日"  # fits a 45 mm cell at 12 pt
SEAL_MM = 42  # an enterprise seal is 40–42 mm across
# Two label/value pairs a row, or one label with its value across the row.
QUAD_GRID = [30, 48, 30, 48]


def quad(first: str, first_value: str, second: str = "", second_value: str = "") -> list[Cell]:
    if not second:
        return [label(first), value(first_value, 3)]
    return [label(first), value(first_value), label(second), value(second_value)]


def tall(title: str, text: str, height_mm: float, sign: str = "") -> list[Cell]:
    """A label with a tall value cell across the row: room to write, or a text that may run
    long (then indented like prose, its row free to continue on the next page)."""
    return [label(title), value(text, 3, height_mm=height_mm, sign=sign, prose=bool(text))]


def flush(doc: DocBuilder, text: str, align: str = "", style: str = "UF Body") -> None:
    """A paragraph without the first-line indent: a salutation, a signature, a date."""
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
    it) on one page: a slip is never torn, a signature never left alone on the last page.
    (Every row of a built table is already kept whole.)"""
    for paragraph in doc.document.paragraphs[-lead_paragraphs:] if lead_paragraphs else []:
        paragraph.paragraph_format.keep_with_next = True
    for index, row in enumerate(table.rows):
        if and_next or index < len(table.rows) - 1:
            for paragraph in (p for cell in row.cells for p in cell.paragraphs):
                paragraph.paragraph_format.keep_with_next = True


def borderless(doc: DocBuilder, table: Table) -> None:
    """A layout table: no borders, body text, no indent."""
    table.style = doc.document.styles["Normal Table"]
    for cell in (c for row in table.rows for c in row.cells):
        for paragraph in cell.paragraphs:
            paragraph.style = doc.document.styles["UF Body"]
            paragraph.paragraph_format.first_line_indent = Pt(0)


def issuer(doc: DocBuilder, name: str, day: str, then_paragraph: bool = True) -> None:
    """The issuing body over the date, as GB/T 9704 places them on a sealed document: the date
    centred under the body's name, right of centre, in room for a seal that presses on both
    (about 4 cm high), kept on the page of the text it signs. Unless a paragraph follows
    anyway (``then_paragraph=False``), an empty one ends it: a table may not end a document."""
    doc.document.paragraphs[-1].paragraph_format.keep_with_next = True
    table = doc.table([[value(""), value(f"{name}\n{day}", align="center")]], widths_mm=[52, 104])
    borderless(doc, table)
    row = table.rows[0]
    row.height, row.height_rule = Mm(SEAL_MM), WD_ROW_HEIGHT_RULE.AT_LEAST
    for cell in row.cells:
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if then_paragraph:
        doc.paragraph("", "UF Small")


def odd_page_section(doc: DocBuilder, restart_numbers: bool = False) -> None:
    """What follows starts a new section on an odd page: printed on both sides it begins a new
    sheet. The new section prints the same page numbers (``restart_numbers``: from — 1 —)."""
    references = [
        copy.deepcopy(element)
        for element in doc.document.sections[-1]._sectPr
        if element.tag in (qn("w:headerReference"), qn("w:footerReference"))
    ]
    new = doc.document.add_section(WD_SECTION.ODD_PAGE)
    # A section without references inherits them, but only from a section before it: when the
    # template drops the break (a short notice), the one section left must name its own.
    for element in reversed(references):
        new._sectPr.insert(0, element)
    if restart_numbers:  # the section that ended (its properties now in the break) and the new
        for section in doc.document.sections[-2:]:
            restart_page_numbers(section._sectPr)


def restart_page_numbers(sect_pr: OxmlElement) -> None:
    # CT_SectPr: pgNumType comes after pgMar/paperSrc/pgBorders/lnNumType, before cols
    ordered_child(sect_pr, "w:pgNumType", "w:cols").set(qn("w:start"), "1")


def no_stretch_before_breaks(document: DocumentObject) -> None:
    """Do not spread a justified line that ends in a line break (a form value typed on several
    lines, e.g. a numbered list of measures): Word's doNotExpandShiftReturn."""
    compat = document.settings.element.find(qn("w:compat"))
    if compat is None:
        compat = OxmlElement("w:compat")
        document.settings.element.append(compat)
    if compat.find(qn("w:doNotExpandShiftReturn")) is None:
        compat.insert(0, OxmlElement("w:doNotExpandShiftReturn"))  # first in CT_Compat order
