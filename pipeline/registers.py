"""Registers (台账): one .xlsx per register, exported from the store after every batch.

A title row, a frozen header with an autofilter, real dates and numbers in their formats, ID
and phone numbers as text, A4 landscape fitted to the page width with the header repeated.
Text that starts with = + - @ is stored as text with a quote prefix: it never becomes a
formula, whatever a form said. Each file is written beside the old one and renamed over it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from forms import KINDS
from forms.base import FormKind, RecordView, RegisterSpec
from forms.fields import FieldType, IdNumber
from pipeline.config import Config
from pipeline.files import atomic_path, safe_name

FORMULA_PREFIXES = ("=", "+", "-", "@")
FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "money": "#,##0.00", "int": "0"}
THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HIGHLIGHT_FILL = PatternFill("solid", fgColor="FCE4D6")
HEADER_ROW = 3


def mask_id(value: str) -> str:
    """110105199003071234 -> 110105********1234."""
    return value[:6] + "*" * 8 + value[14:] if len(value) == 18 else value


def default_rows(
    kind: FormKind, records: list[RecordView], today: date
) -> Iterable[dict[str, Any]]:
    """One row per record: its fields, derived and live values, and the standard values."""
    for record in records:
        yield (
            record.values
            | record.derived
            | kind.live(record, today)
            | {
                "serial": record.serial,
                "ident": record.ident,
                "received_at": record.received_at,
                "source_name": record.source_name,
                "subfolder": record.subfolder,
            }
        )


def column_type(kind: FormKind, spec: RegisterSpec, key: str) -> FieldType | None:
    return spec.value_types.get(key) or kind.value_type(key)


def cell_value(value: Any, field_type: FieldType | None, mask: bool) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(item) for item in value)
    if mask and isinstance(value, str) and isinstance(field_type, IdNumber):
        return mask_id(value)
    return value


class RegisterWriter:
    """Writes one register workbook."""

    def __init__(self, kind: FormKind, spec: RegisterSpec, config: Config) -> None:
        self.kind = kind
        self.spec = spec
        self.config = config
        self.types = [column_type(kind, spec, column.key) for column in spec.columns]

    def headers(self) -> list[str]:
        return [
            column.header or (field_type.label if field_type else column.key)
            for column, field_type in zip(self.spec.columns, self.types, strict=True)
        ]

    def write(self, rows: list[dict[str, Any]], target: Path, now: datetime) -> Path:
        wb = Workbook()
        ws = wb.active
        ws.title = self.spec.title[:31]
        width = len(self.spec.columns)
        last = get_column_letter(width)
        ws["A1"] = self.spec.title
        ws["A1"].font = Font(name="宋体", size=16, bold=True)
        ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
        ws.merge_cells(f"A1:{last}1")
        ws.row_dimensions[1].height = 30
        ws["A2"] = (
            f"{self.config.organisation.union}　　导出时间：{now:%Y-%m-%d %H:%M}　　共{len(rows)}条"
        )
        ws["A2"].font = Font(name="宋体", size=10, color="595959")
        ws.merge_cells(f"A2:{last}2")
        self._header(ws)
        for offset, row in enumerate(rows):
            self._row(ws, HEADER_ROW + 1 + offset, row)
        ws.freeze_panes = f"A{HEADER_ROW + 1}"
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(len(rows), 1)}"
        self._print_setup(ws)
        with atomic_path(target) as temp:
            wb.save(temp)
        return target

    def _header(self, ws: Any) -> None:
        for index, (column, header) in enumerate(
            zip(self.spec.columns, self.headers(), strict=True), 1
        ):
            cell = ws.cell(HEADER_ROW, index, header)
            cell.font = Font(name="宋体", size=10, bold=True)
            cell.fill = HEADER_FILL
            cell.border = BORDER
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            ws.column_dimensions[get_column_letter(index)].width = column.width or 12
        ws.row_dimensions[HEADER_ROW].height = 32

    def _row(self, ws: Any, number: int, row: dict[str, Any]) -> None:
        highlight = bool(self.spec.highlight and row.get(self.spec.highlight))
        mask = self.config.rules.mask_id_numbers
        for index, (column, field_type) in enumerate(
            zip(self.spec.columns, self.types, strict=True), 1
        ):
            value = cell_value(row.get(column.key), field_type, mask)
            cell = ws.cell(number, index)
            cell.value = value
            type_name = field_type.type_name if field_type else "text"
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, even when it starts with '='
                cell.number_format = "@"
                if value.startswith(FORMULA_PREFIXES):
                    cell.quotePrefix = True
            elif type_name in FORMATS:
                cell.number_format = FORMATS[type_name]
            cell.border = BORDER
            cell.font = Font(name="宋体", size=10)
            cell.alignment = Alignment(vertical="center", wrap_text=type_name == "text")
            if highlight:
                cell.fill = HIGHLIGHT_FILL

    def _print_setup(self, ws: Any) -> None:
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def register_path(folder: Path, spec: RegisterSpec) -> Path:
    return folder / f"{safe_name(spec.title)}.xlsx"


def export_registers(
    views: dict[str, list[RecordView]], config: Config, folder: Path, now: datetime
) -> list[Path]:
    """Write every register of every kind; returns the files written."""
    written = []
    for kind in KINDS:
        records = views.get(kind.key, [])
        for spec in kind.registers:
            today = now.date()
            rows = list(
                spec.rows(records, today) if spec.rows else default_rows(kind, records, today)
            )
            written.append(
                RegisterWriter(kind, spec, config).write(rows, register_path(folder, spec), now)
            )
    return written
