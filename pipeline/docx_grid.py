"""The tables of a Word document as grids of cells with their text, as a clerk sees them.

Word, WPS and LibreOffice all write merged cells as a cell spanning grid columns
(``w:gridSpan``) or continuing the cell above (``w:vMerge``), and rows may start late
(``w:gridBefore``). A ``Grid`` resolves these: each row lists its cells once, left to right, a
vertically merged cell appearing in every row it covers. Cell text is what prints: deleted
tracked changes are left out, Wingdings check boxes become ☑/☐, line breaks stay.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.oxml.table import CT_Tc
from docx.table import Table, _Cell
from lxml import etree

MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
# Not printed text of the cell: deletions, nested tables, properties, drawings and text boxes.
SKIPPED = frozenset(
    {
        qn("w:del"),
        qn("w:moveFrom"),
        qn("w:tbl"),
        qn("w:rPr"),
        qn("w:pPr"),
        qn("w:drawing"),
        qn("w:pict"),
        f"{MC}AlternateContent",
    }
)
BREAKS = frozenset({qn("w:br"), qn("w:cr")})
# Check boxes inserted in Word as symbols (Insert > Symbol), by font and character code.
SYMBOLS = {
    ("wingdings", 0xFE): "☑",
    ("wingdings", 0xFD): "☒",
    ("wingdings", 0xA8): "☐",
    ("wingdings", 0x6F): "☐",
    ("wingdings", 0xFC): "√",
    ("wingdings", 0xFB): "×",
    ("wingdings 2", 0x52): "☑",
    ("wingdings 2", 0x53): "☒",
    ("wingdings 2", 0x54): "☒",
    ("wingdings 2", 0xA3): "☐",
    ("wingdings 2", 0x50): "√",
    ("wingdings 2", 0x4F): "×",
}


@dataclass(eq=False)
class GridCell:
    """One cell: where it starts (row, position in its row, grid column) and its text."""

    cell: _Cell
    table: int
    row: int
    position: int
    column: int
    span: int
    text: str


@dataclass
class Grid:
    """One table of the document, numbered in reading order from 0."""

    index: int
    table: Table
    rows: list[list[GridCell]] = field(default_factory=list)

    def covering(self, row: int, column: int) -> GridCell | None:
        """The cell of ``row`` that covers grid column ``column``, if any."""
        for cell in self.rows[row]:
            if cell.column <= column < cell.column + cell.span:
                return cell
        return None


def grids(document: DocumentObject) -> list[Grid]:
    """Every table of the document in reading order, nested tables after their parent."""
    found: list[Grid] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            _walk(block, found)
    return found


def _walk(table: Table, found: list[Grid]) -> None:
    grid = Grid(len(found), table)
    found.append(grid)
    nested: list[Table] = []
    for row_index, tr in enumerate(table._tbl.tr_lst):
        column = tr.grid_before
        cells: list[GridCell] = []
        for tc in tr.tc_lst:
            span = tc.grid_span
            above = grid.covering(row_index - 1, column) if row_index and _continues(tc) else None
            if above is not None:
                cells.append(above)
            else:
                cell = _Cell(tc, table)
                cells.append(
                    GridCell(cell, grid.index, row_index, len(cells), column, span, cell_text(tc))
                )
                nested += cell.tables
            column += span
        grid.rows.append(cells)
    for inner in nested:
        _walk(inner, found)


def _continues(tc: CT_Tc) -> bool:
    tc_pr = tc.tcPr
    merge = tc_pr.find(qn("w:vMerge")) if tc_pr is not None else None
    return merge is not None and merge.get(qn("w:val"), "continue") == "continue"


def cell_text(tc: etree._Element) -> str:
    """The printed text of a cell: paragraphs joined by line breaks, nested tables left out."""
    lines = ["".join(_text(p)) for p in tc.iter(qn("w:p")) if _in_cell(p, tc)]
    return "\n".join(lines).strip()


def _in_cell(paragraph: etree._Element, tc: etree._Element) -> bool:
    """A paragraph of this cell, not of a table nested in it or of a fallback drawing."""
    for ancestor in paragraph.iterancestors():
        if ancestor is tc:
            return True
        if ancestor.tag in SKIPPED:
            return False
    return False


def _text(element: etree._Element) -> Iterator[str]:
    for child in element:
        tag = child.tag
        if tag in SKIPPED:
            continue
        if tag == qn("w:t"):
            yield child.text or ""
        elif tag == qn("w:tab"):
            yield " "
        elif tag in BREAKS and child.get(qn("w:type")) not in ("page", "column"):
            yield "\n"
        elif tag == qn("w:noBreakHyphen"):
            yield "-"
        elif tag == qn("w:sym"):
            yield _symbol(child)
        else:
            yield from _text(child)


def _symbol(sym: etree._Element) -> str:
    font = (sym.get(qn("w:font")) or "").lower()
    try:
        code = int(sym.get(qn("w:char")) or "", 16) & 0xFF
    except ValueError:
        return ""
    return SYMBOLS.get((font, code), "")
