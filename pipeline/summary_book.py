"""The workbook of a report: the detail with subtotals and totals, the count tables with
native charts, and the report's sections — printable on A4, values typed like the registers'.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from forms.base import RegisterSpec
from pipeline.files import atomic_path
from pipeline.permissions import Sharing
from pipeline.registers import DEFAULT_WIDTH, FORMATS, Masks, cell_value
from pipeline.reporting import Group, ReportData, TallyTable
from pipeline.sheet_style import looks_like_formula

THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
BODY = Font(name="宋体", size=10)
BOLD = Font(name="宋体", size=10, bold=True)
WRAP = Alignment(vertical="center", wrap_text=True)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def write_book(data: ReportData, target: Path, union: str, sharing: Sharing) -> Path:
    wb = Workbook()
    detail = wb.active
    detail.title = data.report.title[:31]
    _detail(detail, data, union)
    if data.tallies:
        _tallies(wb.create_sheet("统计"), data)
    if data.sections and data.report.letter is None:  # else the letter says it
        _sections(wb.create_sheet("说明"), data)
    with atomic_path(target, sharing) as temp:
        wb.save(temp)
    return target


def write_listing(
    spec: RegisterSpec,
    group: str | None,
    rows: list[dict[str, Any]],
    target: Path,
    union: str,
    now: datetime,
    sharing: Sharing,
) -> Path:
    """A list to work from by hand: the known columns filled, the others left empty to write
    in, a section per value of ``group`` (e.g. per department)."""
    wb = Workbook()
    ws = wb.active
    ws.title = spec.title[:31]
    headers = ["序号", *(column.header or column.key for column in spec.columns)]
    _title(
        ws,
        spec.title,
        f"{union}　　共{len(rows)}户　　制表时间：{now:%Y-%m-%d %H:%M}",
        len(headers),
    )
    _header_row(ws, 3, headers)
    ws.column_dimensions["A"].width = 6
    for index, column in enumerate(spec.columns, 2):
        ws.column_dimensions[get_column_letter(index)].width = column.width or DEFAULT_WIDTH
    ordered = sorted(rows, key=lambda row: str(row.get(group) or "")) if group else rows
    row_number, current = 4, None
    for serial, row in enumerate(ordered, 1):
        if group and row.get(group) != current:
            current = row.get(group)
            _values(ws, row_number, [f"{current or '（未填部门）'}"], BOLD)
            ws.merge_cells(
                start_row=row_number, start_column=1, end_row=row_number, end_column=len(headers)
            )
            row_number += 1
        values = [
            serial,
            *(cell_value(row.get(column.key), None, Masks()) for column in spec.columns),
        ]
        _values(ws, row_number, values)
        ws.row_dimensions[row_number].height = 36  # room to write by hand
        row_number += 1
    ws.freeze_panes = "A4"
    _print_setup(ws, "$3:$3")
    with atomic_path(target, sharing) as temp:
        wb.save(temp)
    return target


def _title(ws: Worksheet, text: str, subtitle: str, width: int) -> None:
    last = get_column_letter(max(width, 1))
    ws["A1"] = text
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws["A1"].alignment = CENTRE
    ws.merge_cells(f"A1:{last}1")
    ws["A2"] = subtitle
    ws["A2"].font = Font(name="宋体", size=10, color="595959")
    ws.merge_cells(f"A2:{last}2")
    ws.row_dimensions[1].height = 28


def _detail(ws: Worksheet, data: ReportData, union: str) -> None:
    columns = data.report.table.columns
    headers = ["序号", *(data.header(column.key) for column in columns)]
    subtitle = (
        f"{union}　　{data.period.label}　　共{len(data.rows)}条　　"
        f"制表时间：{data.made_at:%Y-%m-%d %H:%M}"
        + data.mask.note(data.field_type(column.key) for column in columns)
    )
    _title(ws, data.report.title, subtitle, len(headers))
    _header_row(ws, 3, headers)
    _widths(ws, [6, *(column.width or DEFAULT_WIDTH for column in columns)], headers)
    row_number, serial = 4, 0
    groups: list[Group | None] = [*data.groups] or [None]
    for group in groups:
        members = group.rows if group else data.rows
        for row in members:
            serial += 1
            cells = [_cell(data, c.key, row.get(c.key)) for c in columns]
            _values(ws, row_number, [serial, *cells])
            row_number += 1
        if group is not None:
            _total_row(ws, row_number, data, f"小计：{group.value}（{len(members)}条）", group.sums)
            row_number += 1
    if data.report.sums or data.groups:
        _total_row(ws, row_number, data, f"合计（{len(data.rows)}条）", data.totals)
    ws.freeze_panes = "A4"
    _print_setup(ws, "$3:$3")


def _widths(ws: Worksheet, widths: list[float], headers: list[str]) -> None:
    """Column widths, each wide enough for its header on two lines (a CJK character is two
    units): a header never breaks in the middle of a word like 人均月收入（元）."""
    for index, (width, header) in enumerate(zip(widths, headers, strict=True), 1):
        units = sum(2 if ord(char) > 0x2E7F else 1 for char in header)
        ws.column_dimensions[get_column_letter(index)].width = max(width, -(-units // 2) + 2)


def _cell(data: ReportData, key: str, value: Any) -> Any:
    return cell_value(value, data.field_type(key), data.mask)


def _values(ws: Worksheet, row: int, values: list[Any], font: Font = BODY) -> None:
    for column, value in enumerate(values, 1):
        cell = ws.cell(row, column, value)
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula, whatever a form said
            cell.quotePrefix = looks_like_formula(value)
        elif isinstance(value, Decimal):
            cell.number_format = FORMATS["money"]
        elif hasattr(value, "year"):
            cell.number_format = FORMATS["datetime" if hasattr(value, "hour") else "date"]
        cell.font, cell.border, cell.alignment = font, BORDER, WRAP


def _header_row(ws: Worksheet, row: int, headers: list[str]) -> None:
    for column, header in enumerate(headers, 1):
        cell = ws.cell(row, column, header)
        cell.font, cell.fill, cell.border, cell.alignment = BOLD, HEADER_FILL, BORDER, CENTRE
    ws.row_dimensions[row].height = 30


def _total_row(
    ws: Worksheet, row: int, data: ReportData, label: str, sums: dict[str, int | Decimal]
) -> None:
    keys = [column.key for column in data.report.table.columns]
    values: list[Any] = [label, *(sums.get(key) if key in sums else None for key in keys)]
    _values(ws, row, values, BOLD)
    for column in range(1, len(values) + 1):
        ws.cell(row, column).fill = TOTAL_FILL
    # The label spans the columns up to the first sum, so it reads on one line.
    first_sum = min((keys.index(key) + 2 for key in sums), default=len(values) + 1)
    if first_sum > 2:
        ws.merge_cells(f"A{row}:{get_column_letter(first_sum - 1)}{row}")


def _tallies(ws: Worksheet, data: ReportData) -> None:
    """Each count table on a page of its own, its chart beside it."""
    row = 1
    _widths(ws, [18, 12, 12, 12, 12], ["", "", "", "", ""])
    for number, tally in enumerate(data.tallies):
        if number:
            ws.row_breaks.append(Break(id=row - 1))
        ws.cell(row, 1, f"{data.report.title}：{tally.title}（{data.period.label}）").font = BOLD
        _header_row(ws, row + 1, tally.headers)
        for offset, values in enumerate(tally.rows, row + 2):
            _values(ws, offset, values, BOLD if values[0] == "合计" else BODY)
        if tally.chart and len(tally.rows) > 1:
            _chart(ws, tally, row + 1)
        row += len(tally.rows) + max(4, 18 - len(tally.rows))
    _print_setup(ws, None)


def _chart(ws: Worksheet, tally: TallyTable, header_row: int) -> None:
    """A bar chart of the tally's first count (its 合计 row left out), beside the table: the
    other columns (amounts, a part of the first) would dwarf it or repeat it."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = f"{tally.title}：{tally.headers[1]}"
    chart.legend = None
    chart.height, chart.width = 7, 14
    last = header_row + len(tally.rows) - 1  # the row before 合计
    values = Reference(ws, min_col=2, max_col=2, min_row=header_row, max_row=last)
    labels = Reference(ws, min_col=1, min_row=header_row + 1, max_row=last)
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(labels)
    ws.add_chart(chart, f"{get_column_letter(len(tally.headers) + 2)}{header_row}")


def _sections(ws: Worksheet, data: ReportData) -> None:
    ws.column_dimensions["A"].width = 100
    row = 1
    for section in data.sections:
        ws.cell(row, 1, section.title).font = Font(name="宋体", size=12, bold=True)
        row += 1
        for line in section.lines:
            _values(ws, row, [line])
            ws.cell(row, 1).border = Border()
            row += 1
        if section.headers:
            _header_row(ws, row, list(section.headers))
            for values in section.rows:
                row += 1
                _values(ws, row, list(values))
            for column in range(2, len(section.headers) + 1):
                ws.column_dimensions[get_column_letter(column)].width = 16
        row += 2
    _print_setup(ws, None)


def _print_setup(ws: Worksheet, title_rows: str | None) -> None:
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
