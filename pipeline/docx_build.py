"""Building official Word documents with python-docx: title, paragraphs, label/value tables.

Used to make the document templates (``scripts/build_templates.py``) and the blank .docx forms,
so both share one layout.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import docx
from docx.document import Document as DocumentObject
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from pipeline.config import Fonts
from pipeline.docx_style import define_styles, orient, page_setup

# w:tcPr children that must follow w:shd (ECMA-376 CT_TcPr sequence); Word may refuse a file
# whose cell properties are out of order.
AFTER_SHADING = (
    "w:noWrap",
    "w:tcMar",
    "w:textDirection",
    "w:tcFitText",
    "w:vAlign",
    "w:hideMark",
    "w:headers",
    "w:cellIns",
    "w:cellDel",
    "w:cellMerge",
    "w:tcPrChange",
)


@dataclass(frozen=True)
class Cell:
    """A table cell: its text, whether it is a label (bold, shaded) and how many grid columns.

    A ``prose`` cell holds a text that may run long (a description, measures): its paragraphs
    are indented like body text, and its row may break across pages; every other row is kept
    whole (``w:cantSplit``).
    """

    text: str = ""
    label: bool = False
    span: int = 1
    align: str = ""
    height_mm: float = 0
    sign: str = ""
    prose: bool = False


Row = Sequence[Cell]


def label(text: str, span: int = 1) -> Cell:
    return Cell(text, label=True, span=span)


def value(
    text: str,
    span: int = 1,
    align: str = "",
    height_mm: float = 0,
    sign: str = "",
    prose: bool = False,
) -> Cell:
    return Cell(text, span=span, align=align, height_mm=height_mm, sign=sign, prose=prose)


def whole_row(text: str, columns: int) -> list[Cell]:
    """A row of one merged cell, e.g. a docxtpl ``{%tr for … %}`` control row."""
    return [Cell(text, span=columns)]


class DocBuilder:
    """An A4 official document being built."""

    def __init__(self, fonts: Fonts, landscape: bool = False) -> None:
        self.document: DocumentObject = docx.Document()
        clear_properties(self.document)
        define_styles(self.document, fonts)
        page_setup(self.document, landscape)
        self.text_width = orient(self.document.sections[0], landscape)
        self._first = True

    def section(self, landscape: bool) -> None:
        """Go on in a new section on a new page, e.g. landscape for a wide table."""
        self.text_width = orient(self.document.add_section(WD_SECTION.NEW_PAGE), landscape)

    def paragraph(self, text: str = "", style: str = "UF Body", align: str = "") -> None:
        if self._first and self.document.paragraphs and not self.document.paragraphs[0].text:
            paragraph = self.document.paragraphs[0]
            paragraph.style = self.document.styles[style]
            paragraph.add_run(text)
        else:
            paragraph = self.document.add_paragraph(text, style=style)
        self._first = False
        if align:
            paragraph.alignment = ALIGN[align]

    def title(self, text: str) -> None:
        self.paragraph(text, "UF Title")
        self.paragraph("", "UF Meta")

    def heading(self, text: str) -> None:
        self.paragraph(text, "UF Heading 1")

    def subheading(self, text: str) -> None:
        self.paragraph(text, "UF Heading 2")

    def page_break(self) -> None:
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def table(self, rows: Sequence[Row], widths_mm: Sequence[float], header_rows: int = 0) -> Table:
        """A bordered table on a grid of ``widths_mm`` columns (scaled to the text width); the
        first ``header_rows`` rows are repeated at the top of every page the table runs onto."""
        scale = self.text_width / sum(Mm(w) for w in widths_mm)
        widths = [int(Mm(w) * scale) for w in widths_mm]
        table = self.document.add_table(rows=len(rows), cols=len(widths))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for index, width in enumerate(widths):
            table.columns[index].width = width
        for row_index, row in enumerate(rows):
            self._fill_row(table, row_index, row, widths)
            row_properties = table.rows[row_index]._tr.get_or_add_trPr()
            if not any(cell.prose for cell in row):
                row_properties.append(_on("w:cantSplit"))
            if row_index < header_rows:
                row_properties.append(_on("w:tblHeader"))
        self._first = False
        return table

    def _fill_row(self, table: Table, row_index: int, row: Row, widths: list[int]) -> None:
        # One look at the row: table.cell() rebuilds the whole grid on every call.
        cells = table.rows[row_index].cells
        column = 0
        for cell_spec in row:
            first = cells[column]
            last_column = column + cell_spec.span - 1
            cell = first.merge(cells[last_column]) if cell_spec.span > 1 else first
            cell.width = sum(widths[column : last_column + 1])
            _write_cell(cell, cell_spec, self.document)
            column = last_column + 1
        height = max((cell_spec.height_mm for cell_spec in row), default=0)
        if height:  # a label beside a tall value cell: the row takes the value's height
            table.rows[row_index].height = Mm(height)

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def _on(tag: str) -> BaseOxmlElement:
    """An on/off property set on (cantSplit and tblHeader are in CT_TrPr's choice: any order)."""
    element = OxmlElement(tag)
    element.set(qn("w:val"), "true")
    return element


def clear_properties(document: DocumentObject) -> None:
    """Drop what python-docx's own template says about itself: its author ('python-docx'),
    comment ('generated by python-docx') and thumbnail image, which File > Properties and
    file browsers would show on every form and document."""
    properties = document.core_properties
    properties.author = properties.last_modified_by = properties.comments = properties.title = ""
    properties.created = properties.modified = datetime.now(UTC).replace(microsecond=0)
    properties.revision = 1
    package_rels = document.part.package.rels
    for key, relationship in list(package_rels.items()):
        if relationship.reltype == RT.THUMBNAIL:
            package_rels.pop(key)


ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
}


def _write_cell(cell: _Cell, spec: Cell, document: DocumentObject) -> None:
    style = "UF Table Label" if spec.label else "UF Table"
    paragraph = cell.paragraphs[0]
    set_style(paragraph, document, style)
    lines = spec.text.split("\n")
    paragraph.add_run(lines[0])
    for line in lines[1:]:
        cell.add_paragraph(line, style=style)
    for written in cell.paragraphs:
        if spec.align:
            written.alignment = ALIGN[spec.align]
        if spec.prose:  # two characters of the table's 12 pt
            written.paragraph_format.first_line_indent = Pt(24)
    if spec.sign:
        cell.add_paragraph("", style=style)
        cell.add_paragraph(spec.sign, style=style).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    cell.vertical_alignment = (
        WD_CELL_VERTICAL_ALIGNMENT.TOP if spec.height_mm else WD_CELL_VERTICAL_ALIGNMENT.CENTER
    )
    if spec.label:
        shade(cell, "EDEDED")


def set_style(paragraph: Paragraph, document: DocumentObject, name: str) -> None:
    """``paragraph.style = name`` without python-docx's search for the default style that
    makes it slow on tables with hundreds of cells."""
    paragraph._p.get_or_add_pPr().style = document.styles[name].style_id


def shade(cell: _Cell, colour: str) -> None:
    """Fill a cell with ``colour`` (hex RGB), replacing any shading it had."""
    properties = cell._tc.get_or_add_tcPr()
    for old in properties.findall(qn("w:shd")):
        properties.remove(old)
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    properties.insert_element_before(shading, *AFTER_SHADING)
