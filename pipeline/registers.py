"""Registers (台账): one .xlsx per register, exported from the store after every batch.

A title row, a frozen header with an autofilter, real dates and numbers in their formats, ID
and phone numbers as text, A4 landscape fitted to the page width with the header repeated.
Text that starts with = + - @ is stored as text with a quote prefix: it never becomes a
formula, whatever a form said. Each file is written beside the old one and renamed over it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from unicodedata import east_asian_width

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from forms import KINDS
from forms.base import FormKind, RecordView, RegisterSpec
from forms.fields import FieldType, IdNumber, Phone, without_controls
from pipeline.config import Config
from pipeline.files import atomic_path, safe_name
from pipeline.logs import FILE_ONLY
from pipeline.permissions import Sharing
from pipeline.privacy import mask_id, mask_phone
from pipeline.records import AllRecords, RawRecord

log = logging.getLogger("unionforms")
RAW_KEY = "_raw"  # a row of a record its kind cannot rebuild (shown as stored, highlighted)

FORMULA_PREFIXES = ("=", "+", "-", "@")
FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "money": "#,##0.00", "int": "0"}
THIN = Side(style="thin", color="A6A6A6")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HIGHLIGHT_FILL = PatternFill("solid", fgColor="FCE4D6")
HEADER_ROW = 3
DEFAULT_WIDTH = 12
LINE_HEIGHT = 13
MAX_LINES = 8
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)


def source_shown(subfolder: str, name: str) -> str:
    """The file a record came from as the inbox has it: ``运行部/申请.xlsx``."""
    return f"{subfolder}/{name}" if subfolder else name


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
                "source_name": source_shown(record.subfolder, record.source_name),
                "subfolder": record.subfolder,
                "year": record.year,
            }
        )


def register_rows(
    kind: FormKind, spec: RegisterSpec, records: list[RecordView], today: date
) -> list[dict[str, Any]]:
    """The rows of one register (or listing) as of ``today``: built, filtered, sorted."""
    rows = spec.rows(records, today) if spec.rows else default_rows(kind, records, today)
    kept = [row for row in rows if spec.where is None or spec.where(row)]
    return sorted(kept, key=spec.order) if spec.order else kept


def column_type(kind: FormKind, spec: RegisterSpec, key: str) -> FieldType | None:
    return spec.value_types.get(key) or kind.value_type(key)


@dataclass(frozen=True)
class Masks:
    """Which personal numbers a register shows masked."""

    ids: bool = False
    phones: bool = False

    @classmethod
    def of(cls, spec: RegisterSpec, config: Config) -> Masks:
        outgoing = spec.outgoing and config.privacy.mask_outgoing
        return cls(ids=config.rules.mask_id_numbers or outgoing, phones=outgoing)


def cell_value(value: Any, field_type: FieldType | None, mask: Masks) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        value = "、".join(str(item) for item in value)
    if mask.ids and isinstance(value, str) and isinstance(field_type, IdNumber):
        return mask_id(value)
    if mask.phones and isinstance(value, str) and isinstance(field_type, Phone):
        return mask_phone(value)
    # Validation removes control characters; a record stored before it did (or a file name)
    # must not stop the whole register (openpyxl refuses them).
    return without_controls(value) if isinstance(value, str) else value


def looks_like_formula(text: str) -> bool:
    """What a spreadsheet would take for a formula, leading blanks, tabs and line ends too."""
    return text.lstrip(" \t\r\n").startswith(FORMULA_PREFIXES)


def _named_styles() -> list[NamedStyle]:
    """One named style per value format, plain and highlighted: styling thousands of cells
    by name is several times faster than setting font, border and alignment on each."""
    styles = []
    for type_name in ("text", *FORMATS):
        for highlighted in (False, True):
            styles.append(
                NamedStyle(
                    _style_name(type_name, highlighted),
                    font=Font(name="宋体", size=10),
                    border=BORDER,
                    alignment=Alignment(vertical="center", wrap_text=type_name == "text"),
                    number_format=FORMATS.get(type_name, "@"),
                    fill=HIGHLIGHT_FILL if highlighted else PatternFill(),
                )
            )
    return styles


def _style_name(type_name: str, highlighted: bool) -> str:
    return f"uf_{type_name}" + ("_highlight" if highlighted else "")


class RegisterWriter:
    """Writes one register workbook, row by row (openpyxl's write-only mode)."""

    def __init__(self, kind: FormKind, spec: RegisterSpec, config: Config) -> None:
        self.kind = kind
        self.spec = spec
        self.config = config
        self.types = [column_type(kind, spec, column.key) for column in spec.columns]
        self.type_names = [
            t.type_name if t and t.type_name in FORMATS else "text" for t in self.types
        ]

    def headers(self) -> list[str]:
        return [
            column.header or (field_type.label if field_type else column.key)
            for column, field_type in zip(self.spec.columns, self.types, strict=True)
        ]

    def write(
        self,
        rows: list[dict[str, Any]],
        target: Path,
        now: datetime,
        sharing: Sharing | None = None,
    ) -> Path:
        wb = Workbook(write_only=True)
        for style in _named_styles():
            wb.add_named_style(style)
        ws = wb.create_sheet(self.spec.title[:31])
        last = get_column_letter(len(self.spec.columns))
        for index, column in enumerate(self.spec.columns, 1):
            ws.column_dimensions[get_column_letter(index)].width = column.width or DEFAULT_WIDTH
        ws.freeze_panes = f"A{HEADER_ROW + 1}"
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(len(rows), 1)}"
        self._print_setup(ws)
        ws.merged_cells.add(f"A1:{last}1")
        ws.merged_cells.add(f"A2:{last}2")
        body = [self._row(ws, row) for row in rows]
        # Row heights must be known before the first row is streamed out, and neither Excel
        # nor LibreOffice measures wrapped text in rows they did not lay out themselves.
        ws.row_dimensions[HEADER_ROW].height = 32
        for number, cells in enumerate(body, HEADER_ROW + 1):
            lines = max((self._lines(cell.value, i) for i, cell in enumerate(cells)), default=1)
            if lines > 1:
                ws.row_dimensions[number].height = LINE_HEIGHT * lines + 2
        union = self.config.organisation.union
        ws.append(
            [
                _cell(
                    ws,
                    self.spec.title,
                    font=Font(name="宋体", size=16, bold=True),
                    alignment=Alignment(horizontal="center", vertical="center"),
                )
            ]
        )
        ws.append(
            [
                _cell(
                    ws,
                    f"{union}　　导出时间：{now:%Y-%m-%d %H:%M}　　共{len(rows)}条"
                    + self._masked_note(),
                    font=Font(name="宋体", size=10, color="595959"),
                )
            ]
        )
        ws.append(
            [
                _cell(
                    ws,
                    header,
                    font=Font(name="宋体", size=10, bold=True),
                    fill=HEADER_FILL,
                    border=BORDER,
                    alignment=HEADER_ALIGNMENT,
                )
                for header in self.headers()
            ]
        )
        for cells in body:
            ws.append(cells)
        with atomic_path(target, sharing) as temp:
            wb.save(temp)
        return target

    def _row(self, ws: Any, row: dict[str, Any]) -> list[WriteOnlyCell]:
        highlight = bool(self.spec.highlight and row.get(self.spec.highlight)) or RAW_KEY in row
        mask = Masks.of(self.spec, self.config)
        cells = []
        for column, field_type, type_name in zip(
            self.spec.columns, self.types, self.type_names, strict=True
        ):
            value = cell_value(row.get(column.key), field_type, mask)
            cell = WriteOnlyCell(ws, value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, even when it starts with '='
                cell.style = _style_name("text", highlight)
                if looks_like_formula(value):
                    cell.quotePrefix = True
            else:
                cell.style = _style_name(type_name, highlight)
            cells.append(cell)
        return cells

    def _masked_note(self) -> str:
        masks = Masks.of(self.spec, self.config)
        shown = [word for word, on in (("身份证号码", masks.ids), ("电话号码", masks.phones)) if on]
        return f"　　{'和'.join(shown)}已部分遮盖" if shown else ""

    def _lines(self, value: Any, index: int) -> int:
        if not isinstance(value, str) or self.type_names[index] != "text":
            return 1
        width = self.spec.columns[index].width or DEFAULT_WIDTH
        units = sum(2 if east_asian_width(char) in "WF" else 1 for char in value)
        return min(MAX_LINES, -(-units // max(int(width) - 1, 1)))

    def _print_setup(self, ws: Any) -> None:
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _cell(ws: Any, value: str, **style: Any) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws, value)
    cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def register_path(folder: Path, spec: RegisterSpec) -> Path:
    return folder / f"{safe_name(spec.title)}.xlsx"


def raw_rows(raws: list[RawRecord]) -> list[dict[str, Any]]:
    """Records the kind cannot rebuild, as stored, marked (see ``records.RawRecord``)."""
    return [
        raw.values
        | {
            "serial": raw.ident,
            "ident": raw.ident,
            "received_at": raw.received_at,
            "source_name": source_shown(raw.subfolder, raw.source_name),
            "subfolder": raw.subfolder,
            "status": "无法按当前表单定义读取，按原样列出",
            RAW_KEY: True,
        }
        for raw in raws
    ]


@dataclass(frozen=True)
class RegisterFailure:
    title: str
    path: Path
    message: str  # in Chinese, for the console and the log


@dataclass
class ExportResult:
    written: list[Path] = field(default_factory=list)
    failures: list[RegisterFailure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def export_registers(
    everything: AllRecords, config: Config, folder: Path, now: datetime, sharing: Sharing
) -> ExportResult:
    """Write every register of every kind, each on its own: one that cannot be written (open
    in Excel, a read-only folder, a bug in its rows) is reported and the others are written;
    the next export tries it again."""
    result = ExportResult(notes=everything.warnings())
    for kind in KINDS:
        records = everything.by_kind.get(kind.key, [])
        raws = raw_rows(everything.raw.get(kind.key, []))
        for spec in kind.registers:
            path = register_path(folder, spec)
            try:
                rows = register_rows(kind, spec, records, now.date()) + raws
                RegisterWriter(kind, spec, config).write(rows, path, now, sharing)
            except OSError as exc:
                result.failures.append(RegisterFailure(spec.title, path, _unwritable(spec, exc)))
                log.warning("台账 %s 无法写入", path, exc_info=True, extra=FILE_ONLY)
            except Exception:
                log.error("导出台账 %s 时出现程序错误", path, exc_info=True, extra=FILE_ONLY)
                message = f"台账“{spec.title}”导出时出现程序错误，本次未更新；详细信息见日志"
                result.failures.append(RegisterFailure(spec.title, path, message))
            else:
                result.written.append(path)
    return result


def _unwritable(spec: RegisterSpec, exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return (
            f"台账“{spec.title}”正被其他程序打开（例如Excel）或没有写入权限，本次未能更新；"
            "关闭后会在下次处理表单时自动更新（也可运行 unionforms registers）"
        )
    return (
        f"台账“{spec.title}”无法写入（{exc.strerror or exc}），本次未能更新；下次处理表单时会再试"
    )
