"""Registers (台账): one .xlsx per register, exported from the store after every batch.

A title row, a frozen header with an autofilter, real dates and numbers in their formats, ID
and phone numbers as text, A4 landscape, the header repeated on every page. Text that starts
with = + - @ is stored as text with a quote prefix: it never becomes a formula, whatever a form
said. Each register is exported on its own (one open in Excel is reported, the others are
written) and each file is written beside the old one and renamed over it.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.xml.functions import xmlfile

from forms.base import FormKind, RecordView, RegisterSpec
from forms.fields import FieldType, IdNumber, Phone, without_controls
from pipeline.config import Config
from pipeline.files import atomic_path, safe_name
from pipeline.logs import FILE_ONLY
from pipeline.permissions import Sharing
from pipeline.privacy import mask_id, mask_phone
from pipeline.records import AllRecords, RawRecord
from pipeline.sheet_layout import (
    MAX_LINES,
    clip,
    header_label,
    print_layout,
    row_height,
    text_lines,
)
from pipeline.sheet_style import (
    FORMATS,
    header_cell,
    looks_like_formula,
    named_styles,
    plain_cell,
    print_setup,
    sheet_workbook,
    style_name,
    text_cell,
)

log = logging.getLogger("unionforms")
RAW_KEY = "_raw"  # a row of a record its kind cannot rebuild (shown as stored, highlighted)
HEADER_ROW = 3
DEFAULT_WIDTH = 12
CLIPPED = "……（未完，全文见“详情”工作表）"
DETAIL_WIDTHS = (17, 16, 100)
DETAILS_TITLE = "详情"
DETAIL_HEADERS = ("编号", "栏目", "全文")
DETAILS_FIRST_ROW = 2  # below the header
# Every style a register row may use, in a fixed order (``RegisterWriter._alone``).
STYLE_NAMES = [style_name(t, h) for t in ("text", *FORMATS) for h in (False, True)]
DETAIL_CHUNK = 1300  # characters of a text per 详情 row: a row holds about 1,400 at width 100


def source_shown(subfolder: str, name: str) -> str:
    """The file a record came from as the inbox has it: ``运行部/申请.xlsx``."""
    return f"{subfolder}/{name}" if subfolder else name


def default_rows(
    kind: FormKind, records: list[RecordView], today: date
) -> Iterable[dict[str, Any]]:
    """One row per record: its fields, derived and live values, what its follow-ups add, and
    the standard values."""
    for record in records:
        yield kind.row_values(record, today) | {
            "serial": record.serial,
            "ident": record.ident,
            "record_year": record.year,
            "received_at": record.received_at,
            "source_name": source_shown(record.subfolder, record.source_name),
            "subfolder": record.subfolder,
        }


def register_rows(
    kind: FormKind, spec: RegisterSpec, views: dict[str, list[RecordView]], today: date
) -> list[dict[str, Any]]:
    """The rows of one register sheet (or listing) as of ``today``: built from the records of
    the kind (or of the spec's ``source`` kind), filtered, sorted."""
    source = spec.source or kind
    records = views.get(source.key, [])
    rows = spec.rows(records, today) if spec.rows else default_rows(source, records, today)
    kept = [row for row in rows if spec.where is None or spec.where(row)]
    return sorted(kept, key=spec.order) if spec.order else kept


def column_type(kind: FormKind, spec: RegisterSpec, key: str) -> FieldType | None:
    return spec.value_type(kind, key)


@dataclass(frozen=True)
class Masks:
    """Which personal numbers a register shows masked."""

    ids: bool = False
    phones: bool = False

    @classmethod
    def of(cls, spec: RegisterSpec, config: Config) -> Masks:
        return cls.leaving(config) if spec.outgoing else cls(ids=config.rules.mask_id_numbers)

    @classmethod
    def leaving(cls, config: Config) -> Masks:
        """For what leaves the office (a report for the parent union): both numbers masked
        unless ``[privacy] mask_outgoing`` is off."""
        outgoing = config.privacy.mask_outgoing
        return cls(ids=config.rules.mask_id_numbers or outgoing, phones=outgoing)

    def value(self, value: Any, field_type: FieldType | None) -> Any:
        """``value`` as shown: an ID or phone number of a masked sort masked."""
        if self.ids and isinstance(value, str) and isinstance(field_type, IdNumber):
            return mask_id(value)
        if self.phones and isinstance(value, str) and isinstance(field_type, Phone):
            return mask_phone(value)
        return value

    def note(self, types: Iterable[FieldType | None]) -> str:
        """What the title lines say about it, naming only the numbers the columns ``types``
        hold."""
        held = {type(field_type) for field_type in types}
        numbers = (("身份证号码", self.ids, IdNumber), ("电话号码", self.phones, Phone))
        shown = [word for word, on, sort in numbers if on and sort in held]
        return f"　　{'和'.join(shown)}已部分遮盖" if shown else ""


def cell_value(value: Any, field_type: FieldType | None, mask: Masks) -> Any:
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        value = "、".join(str(item) for item in value)
    value = mask.value(value, field_type)
    # Validation removes control characters; a record stored before it did (or a file name)
    # must not stop the whole register (openpyxl refuses them).
    return without_controls(value) if isinstance(value, str) else value


@dataclass
class Detail:
    """A text too long for its register cell, written out in full on the 详情 sheet."""

    ident: str
    header: str
    text: str


class RegisterWriter:
    """Writes one register workbook, row by row (openpyxl's write-only mode).

    Each row is as tall as its longest text (measured, ``pipeline.sheet_layout``); a text
    taller than Excel's tallest row is cut with a note, and printed whole on a 详情 sheet. A
    register wider than a landscape page prints in column groups at 80 % or more, the serial
    repeated on each page, rather than shrunk to an unreadable size.
    """

    def __init__(self, kind: FormKind, spec: RegisterSpec, config: Config) -> None:
        self.kind = kind
        self.spec = spec
        self.config = config
        self.types = [column_type(kind, spec, column.key) for column in spec.columns]
        self.type_names = [
            t.type_name if t and t.type_name in FORMATS else "text" for t in self.types
        ]
        labels = [
            header_label(header, column.width or DEFAULT_WIDTH)
            for header, column in zip(self.headers(), spec.columns, strict=True)
        ]
        self.labels = [label for label, _ in labels]
        self.widths = [width for _, width in labels]
        self.details: list[Detail] = []
        self.detail_rows: list[int] = []  # the row number of each of ``details``

    def headers(self) -> list[str]:
        return [
            column.header or (field_type.label if field_type else column.key)
            for column, field_type in zip(self.spec.columns, self.types, strict=True)
        ]

    def write(self, wb: Workbook, rows: list[dict[str, Any]], now: datetime) -> list[Detail]:
        """Write the register's sheet into ``wb``; returns the texts too long for a cell."""
        ws = wb.create_sheet(safe_sheet_title(self.spec.title))
        self._sheet_setup(ws, len(rows))
        # Row heights must be known before the first row is streamed out.
        body = [
            self._measured_row(ws, row, number) for number, row in enumerate(rows, HEADER_ROW + 1)
        ]
        for cells in self._heading(ws, len(rows), now):
            ws.append(cells)
        for cells in body:
            ws.append(cells)
        return self.details

    def _measured_row(self, ws: Any, row: dict[str, Any], number: int) -> list[WriteOnlyCell]:
        """The cells of row ``number``, its height set when a text takes several lines."""
        before = len(self.details)
        cells, lines = self._row(ws, row)
        self.detail_rows += [number] * (len(self.details) - before)
        if lines > 1:
            ws.row_dimensions[number].height = row_height(lines)
        return cells

    def _sheet_setup(self, ws: Any, count: int) -> None:
        layout = print_layout(self.widths)
        header_lines = max(label.count("\n") + 1 for label in self.labels)
        ws.row_dimensions[HEADER_ROW].height = row_height(header_lines) + 4
        last = get_column_letter(len(self.spec.columns))
        for index, width in enumerate(self.widths, 1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = f"A{HEADER_ROW + 1}"
        ws.auto_filter.ref = f"A{HEADER_ROW}:{last}{HEADER_ROW + max(count, 1)}"
        print_setup(ws, layout, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
        # The title is centred over the columns of the first printed page, not over all.
        first_page = len(self.spec.columns) // layout.pages
        for row in (1, 2):
            ws.merged_cells.add(f"A{row}:{get_column_letter(max(first_page, 1))}{row}")

    def _heading(self, ws: Any, count: int, now: datetime) -> list[list[WriteOnlyCell]]:
        union = self.config.organisation.union
        title = plain_cell(
            ws,
            self.spec.title,
            font=Font(name="宋体", size=16, bold=True),
            alignment=Alignment(horizontal="center", vertical="center"),
        )
        line = plain_cell(
            ws,
            f"{union}　　导出时间：{now:%Y-%m-%d %H:%M}　　共{count}条"
            + Masks.of(self.spec, self.config).note(self.types),
            font=Font(name="宋体", size=10, color="595959"),
        )
        headers = [header_cell(ws, label) for label in self.labels]
        return [[title], [line], headers]

    def _row(self, ws: Any, row: dict[str, Any]) -> tuple[list[WriteOnlyCell], int]:
        """The cells of one row and the lines its tallest text takes."""
        highlight = bool(self.spec.highlight and row.get(self.spec.highlight)) or RAW_KEY in row
        mask = Masks.of(self.spec, self.config)
        cells, tallest = [], 1
        for index, (column, field_type, type_name) in enumerate(
            zip(self.spec.columns, self.types, self.type_names, strict=True)
        ):
            value = cell_value(row.get(column.key), field_type, mask)
            if isinstance(value, str) and type_name == "text":
                value, lines = self._fitted(value, index, row)
                tallest = max(tallest, lines)
            cell = WriteOnlyCell(ws, value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, even when it starts with '='
                cell.style = style_name("text", highlight)
                if looks_like_formula(value):
                    cell.quotePrefix = True
            else:
                cell.style = style_name(type_name, highlight)
            cells.append(cell)
        return cells, tallest

    def _fitted(self, text: str, index: int, row: dict[str, Any]) -> tuple[str, int]:
        """The text as its cell shows it, and its lines: whole, or cut when taller than a row
        can be (the whole text then goes to the 详情 sheet)."""
        width = self.widths[index]
        lines = text_lines(text, width)
        if lines <= MAX_LINES:
            return text, lines
        ident = str(row.get("ident") or row.get("serial") or "")
        self.details.append(Detail(ident, self.labels[index].replace("\n", ""), text))
        return clip(text, width, MAX_LINES, CLIPPED), MAX_LINES

    # -- a register of one sheet, put together from rows written apart (``pipeline.exports``)

    def _alone(self, count: int) -> tuple[Workbook, Any]:
        """A workbook of this sheet alone whose cell style numbers do not depend on the rows
        (``prime_styles``): a row then reads the same in every such workbook."""
        wb = register_workbook()
        ws = wb.create_sheet(safe_sheet_title(self.spec.title))
        self._sheet_setup(ws, count)
        prime_styles(ws)
        return wb, ws

    def row_key(self, row: dict[str, Any]) -> str:
        """A digest of what ``rows_xml`` writes of ``row`` (its number apart): equal keys,
        equal row XML."""
        shown = [row.get(column.key) for column in self.spec.columns]
        highlight = bool(self.spec.highlight and row.get(self.spec.highlight))
        marks = (highlight, RAW_KEY in row, row.get("ident"), row.get("serial"))
        return hashlib.sha1(repr((shown, marks)).encode("utf-8")).hexdigest()[:24]

    def rows_xml(self, rows: list[dict[str, Any]], first: int) -> bytes:
        """The XML of ``rows``, numbered from ``first``, as the sheet writer writes rows.
        Texts too long for their cell are noted in ``details`` as ``write`` notes them."""
        _, ws = self._alone(0)
        measured = (self._measured_row(ws, row, n) for n, row in enumerate(rows, first))
        return cells_xml(ws, measured, first)


def cells_xml(ws: Any, rows: Iterable[list[WriteOnlyCell]], first: int) -> bytes:
    """The XML of the cells ``rows`` of write-only sheet ``ws``, numbered from ``first``, as
    the sheet writer writes rows (each row's height as ``ws`` has it when the row comes)."""
    writer = WorksheetWriter(ws, io.BytesIO())
    buffer = io.BytesIO()
    with xmlfile(buffer) as xf, xf.element("rows"):
        for number, cells in enumerate(rows, first):
            for column, cell in enumerate(cells, 1):  # as the write-only sheet places them
                cell.row, cell.column = number, column
            writer.write_row(xf, cells, number)
    return buffer.getvalue()[len(b"<rows>") : -len(b"</rows>")]


def prime_styles(ws: Any) -> None:
    """Use every row style once, in a fixed order: styles are numbered in the order first
    used, so rows written in another workbook primed the same way read the same."""
    for style in STYLE_NAMES:
        for quoted in (False, True):
            cell = WriteOnlyCell(ws)
            cell.style, cell.quotePrefix = style, quoted
            _ = cell.style_id


def register_skeleton(
    sheets: list[tuple[RegisterWriter, int]],
    now: datetime,
    extra: tuple[ExtraSheet, ...] = (),
    details: bool = False,
) -> bytes:
    """A register as ``write_register`` makes it, with each of ``sheets`` (its writer and the
    number of its rows) ending at its header: ``sheet_file.assemble`` puts in the rows that
    ``RegisterWriter.rows_xml`` made, and those of the 详情 sheet, last, when there are
    ``details`` (``pipeline.kept_details``)."""
    wb = register_workbook()
    for number, (writer, count) in enumerate(sheets):
        ws = wb.create_sheet(safe_sheet_title(writer.spec.title))
        writer._sheet_setup(ws, count)
        if number == 0:
            prime_styles(ws)
        for cells in writer._heading(ws, count, now):
            ws.append(cells)
    for added in extra:
        write_extra(wb, added)
    if details:
        details_sheet(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def detail_row_count(details: Iterable[Detail]) -> int:
    """How many 详情 rows ``details`` take (``_detail_texts``)."""
    return sum(-(-len(detail.text) // DETAIL_CHUNK) for detail in details)


def _detail_texts(details: Iterable[Detail]) -> list[tuple[str, str, str]]:
    """The 详情 rows of ``details``: a long text over several rows marked （续）."""
    rows = []
    for detail in details:
        for start in range(0, len(detail.text), DETAIL_CHUNK):
            part = detail.text[start : start + DETAIL_CHUNK]
            header = detail.header + ("（续）" if start else "")
            rows.append((detail.ident, header, part))
    return rows


def details_sheet(wb: Workbook, header: bool = True) -> Any:
    """The 详情 sheet, with its header row (unless not ``header``: a workbook made only to
    write rows in, whose styles must be numbered as every register's) and no other rows:
    each text too long for its register cell goes below, in full, from row
    ``DETAILS_FIRST_ROW`` (``write_details``, or ``pipeline.kept_details``)."""
    ws = wb.create_sheet(DETAILS_TITLE)
    for index, width in enumerate(DETAIL_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    print_setup(ws, print_layout(list(DETAIL_WIDTHS)), "1:1")
    ws.row_dimensions[1].height = row_height(1) + 4
    if header:
        ws.append([header_cell(ws, label) for label in DETAIL_HEADERS])
    return ws


def detail_cells(ws: Any, details: Iterable[Detail], first: int) -> list[list[WriteOnlyCell]]:
    """The cells of the 详情 rows of ``details`` from row ``first`` of write-only sheet ``ws``,
    each row's height set for its text."""
    rows = _detail_texts(details)
    for number, (_, _, text) in enumerate(rows, first):
        ws.row_dimensions[number].height = row_height(text_lines(text, DETAIL_WIDTHS[2]))
    return [[text_cell(ws, value) for value in row] for row in rows]


def write_details(wb: Workbook, details: list[Detail]) -> None:
    """The 详情 sheet: each text too long for its register cell, in full."""
    ws = details_sheet(wb)
    for cells in detail_cells(ws, details, DETAILS_FIRST_ROW):
        ws.append(cells)


def safe_sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return "".join("_" if char in "[]:*?/\\" else char for char in title)[:31]


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


def register_workbook() -> Workbook:
    wb = sheet_workbook()
    for style in named_styles():
        wb.add_named_style(style)
    return wb


@dataclass(frozen=True)
class ExtraSheet:
    """A sheet a register carries that is not made of records, e.g. a batch's 交回情况."""

    title: str
    headers: list[str]
    rows: list[list[str]]
    marked: list[bool]  # rows to highlight (未交)


def write_extra(wb: Workbook, sheet: ExtraSheet) -> None:
    ws = wb.create_sheet(safe_sheet_title(sheet.title))
    for index in range(1, len(sheet.headers) + 1):
        ws.column_dimensions[get_column_letter(index)].width = 16
    print_setup(ws, print_layout([16] * len(sheet.headers)), "1:1")
    ws.append([header_cell(ws, header) for header in sheet.headers])
    for row, marked in zip(sheet.rows, sheet.marked, strict=True):
        cells = [text_cell(ws, value) for value in row]
        for cell in cells if marked else []:
            cell.style = style_name("text", True)
        ws.append(cells)


def write_register(
    kind: FormKind,
    spec: RegisterSpec,
    everything: AllRecords,
    config: Config,
    target: Path,
    now: datetime,
    sharing: Sharing | None = None,
    extra: tuple[ExtraSheet, ...] = (),
) -> Path:
    """One register workbook: its own sheet first (with the records the kind cannot rebuild
    at its end), then each of its ``sheets``, then the ``extra`` sheets."""
    wb = register_workbook()
    details: list[Detail] = []
    for sheet in (spec, *spec.sheets):
        rows = register_rows(kind, sheet, everything.by_kind, now.date())
        if sheet is spec:
            rows += raw_rows(everything.raw.get(kind.key, []))
        details += RegisterWriter(kind, sheet, config).write(wb, rows, now)
    for added in extra:
        write_extra(wb, added)
    if details:
        write_details(wb, details)
    with atomic_path(target, sharing) as temp:
        wb.save(temp)
    return target


def guarded(spec: RegisterSpec, path: Path, result: ExportResult, write: Callable[[], Any]) -> Any:
    """Run ``write`` for one register: one that cannot be written (open in Excel, a read-only
    folder, a bug in its rows) is reported in ``result`` and the others are written; the
    next export tries it again. Returns what ``write`` returned, or None when it failed."""
    try:
        done = write()
    except OSError as exc:
        result.failures.append(RegisterFailure(spec.title, path, _unwritable(spec, exc)))
        log.warning("台账 %s 无法写入", path, exc_info=True, extra=FILE_ONLY)
    except Exception:
        log.error("导出台账 %s 时出现程序错误", path, exc_info=True, extra=FILE_ONLY)
        message = f"台账“{spec.title}”导出时出现程序错误，本次未更新；详细信息见日志"
        result.failures.append(RegisterFailure(spec.title, path, message))
    else:
        result.written.append(path)
        return done
    return None


def _unwritable(spec: RegisterSpec, exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return (
            f"台账“{spec.title}”正被其他程序打开（例如Excel）或没有写入权限，本次未能更新；"
            "关闭后会在下次处理表单时自动更新（也可运行 unionforms registers）"
        )
    reason = exc.strerror or exc
    return f"台账“{spec.title}”无法写入（{reason}），本次未能更新；下次处理表单时会再试"
