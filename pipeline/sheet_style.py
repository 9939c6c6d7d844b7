"""The look shared by every sheet unionforms writes (registers, their 详情 sheets): fonts,
borders, number formats as named styles, and the print setup.
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.worksheet import Worksheet

from pipeline.sheet_layout import PrintLayout

FORMULA_PREFIXES = ("=", "+", "-", "@")
FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "money": "#,##0.00", "int": "0"}
THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HIGHLIGHT_FILL = PatternFill("solid", fgColor="FCE4D6")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)


BODY_FONT = Font(name="宋体", size=10, charset=134)  # charset 134: GB2312


def sheet_workbook() -> Workbook:
    """A write-only workbook whose default font is the registers' 宋体 10 pt. Column widths
    are counted in digits of the default font: left at Calibri, which most Chinese offices'
    LibreOffice lacks, every column would print a third wider than Excel shows it."""
    wb = Workbook(write_only=True)
    wb._fonts = IndexedList([BODY_FONT])
    wb._named_styles["Normal"].font = BODY_FONT
    return wb


def named_styles() -> list[NamedStyle]:
    """One named style per value format, plain and highlighted: styling thousands of cells
    by name is several times faster than setting font, border and alignment on each."""
    styles = []
    for type_name in ("text", *FORMATS):
        for highlighted in (False, True):
            styles.append(
                NamedStyle(
                    style_name(type_name, highlighted),
                    font=BODY_FONT,
                    border=BORDER,
                    # top: in a row made tall by a long text, the short ones are read at once
                    alignment=Alignment(vertical="top", wrap_text=type_name == "text"),
                    number_format=FORMATS.get(type_name, "@"),
                    fill=HIGHLIGHT_FILL if highlighted else PatternFill(),
                )
            )
    return styles


def style_name(type_name: str, highlighted: bool) -> str:
    return f"uf_{type_name}" + ("_highlight" if highlighted else "")


def print_setup(ws: Any, layout: PrintLayout, title_rows: str) -> None:
    """A4 landscape, the header rows repeated on every page; as many pages wide as the layout
    says, the first column repeated on each when there are several, page order across then
    down (the pages of the same rows follow each other). Excel, WPS and LibreOffice measure
    columns differently; each fits them to the pages by its own measure."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = layout.pages, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if layout.pages > 1:
        ws.page_setup.pageOrder = "overThenDown"
        ws.print_title_cols = "A:A"
    ws.print_title_rows = title_rows
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def header_cell(ws: Any, label: str) -> WriteOnlyCell:
    return plain_cell(
        ws,
        label,
        font=Font(name="宋体", size=10, bold=True),
        fill=HEADER_FILL,
        border=BORDER,
        alignment=HEADER_ALIGNMENT,
    )


def looks_like_formula(text: str) -> bool:
    """What a spreadsheet would take for a formula, leading blanks, tabs and line ends too."""
    return text.lstrip(" \t\r\n").startswith(FORMULA_PREFIXES)


def text_cell(ws: Any, value: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    cell.data_type = "s"
    cell.style = style_name("text", False)
    if looks_like_formula(value):
        cell.quotePrefix = True
    return cell


def plain_cell(ws: Any, value: str, **style: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell
