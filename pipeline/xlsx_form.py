"""Filled .xlsx forms: which kind they are, their values with locations, and marked copies.

Values are found by the workbook's defined names (SPEC §5). A form saved again by LibreOffice
or WPS may have lost them or made them sheet-scoped: sheet-scoped names are used too, and
fields without any name are found by their printed label. Only the cells a form needs are
read (``pipeline.xlsx_cells``); openpyxl loads the whole workbook only to mark a returned one.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from defusedxml.ElementTree import fromstring
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.workbook import Workbook as OpenpyxlWorkbook

from forms.base import FormKind
from forms.fields import FieldDef, is_blank
from pipeline.blank_xlsx import FONT, KIND_SHEET, LISTS_SHEET
from pipeline.errors import UnknownKind
from pipeline.job import NOT_FOUND, Location, Problem, RawForm, RawValue, shown
from pipeline.labels import LabelIndex, title_matches
from pipeline.sheet_layout import row_height, wrap
from pipeline.xlsx_cells import Sheet, Workbook

CUSTOM_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
BAD_FONT = Font(color="9C0006", bold=True)
SCAN_ROWS = 400
SCAN_COLUMNS = 30
OLD_FOOTER_KEY = re.compile(r"^[a-z][a-z_]* (?=第\d+版)")


def custom_kind(content: bytes) -> str | None:
    """The ``form_kind`` custom document property, read straight from the package."""
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        try:
            root = fromstring(package.read("docProps/custom.xml"), forbid_dtd=True)
        except KeyError:
            return None
    for prop in root.iter(f"{CUSTOM_NS}property"):
        if prop.get("name") == "form_kind":
            return "".join(prop.itertext()).strip() or None
    return None


def kind_by_property(content: bytes, kinds: tuple[FormKind, ...]) -> FormKind | None:
    """The kind the ``form_kind`` property names; None without one. A property naming no
    kind this program knows is refused, not guessed past from the title."""
    key = custom_kind(content)
    if key is None:
        return None
    for kind in kinds:
        if kind.key == key:
            return kind
    raise UnknownKind(
        f"表单类型标记为“{shown(key, 40)}”，不是本程序认识的表单种类（可能是别的单位或更新版本"
        "的表单）；请使用本系统生成的空白表单填写：" + "、".join(kind.title for kind in kinds)
    )


def load(content: bytes) -> OpenpyxlWorkbook:
    """The whole workbook as openpyxl reads it (values, not formulas): for a roster, whose
    cells are not known beforehand. A form is read by ``pipeline.xlsx_cells``."""
    return load_workbook(io.BytesIO(content), data_only=True, keep_links=False)


def identify(content: bytes, kinds: tuple[FormKind, ...]) -> FormKind | None:
    by_key = {kind.key: kind for kind in kinds}
    found = kind_by_property(content, kinds)
    if found is not None:
        return found
    wb = Workbook(content)
    if KIND_SHEET in wb.sheetnames:
        key = wb.sheet(KIND_SHEET).value(1, 2)
        if key in by_key:
            return by_key[str(key)]
    for ws in _visible(wb):
        for _, cells in ws.rows(5, SCAN_COLUMNS):
            for _, value in cells:
                for kind in kinds:
                    if title_matches(kind, value):
                        return kind
    return None


def _visible(wb: Workbook) -> Iterator[Sheet]:
    for title, (_, state) in wb.sheet_parts.items():
        if state == "visible" and title not in (KIND_SHEET, LISTS_SHEET):
            yield wb.sheet(title)


def _where(ws: Sheet, coordinate: str, note: str = "") -> Location:
    text = f"“{ws.title}”工作表{coordinate}单元格" + (f"，{note}" if note else "")
    return Location(text, sheet=ws.title, cell=coordinate)


def _coordinate(row: int, column: int) -> str:
    return f"{get_column_letter(column)}{row}"


class XlsxReader:
    """Reads one workbook for one kind: the named cells, or the cells beside the labels."""

    def __init__(self, content: bytes, kind: FormKind) -> None:
        self.wb = Workbook(content)
        self.kind = kind
        self.specs = kind.model.field_defs()
        self._labels: dict[str, tuple[Sheet, int, int]] | None = None
        self._header_rows: set[tuple[str, int]] = set()

    def read(self) -> RawForm:
        raw = RawForm()
        for spec in self.specs:
            if spec.is_table:
                raw.tables[spec.key], raw.table_locations[spec.key] = self._table(spec, raw)
        for spec in self.specs:
            if not spec.is_table:
                raw.fields[spec.key] = self._scalar(spec, raw)
        return raw

    def _scalar(self, spec: FieldDef, raw: RawForm) -> RawValue:
        named = self.wb.destination(spec.key)
        if named:
            ws, reference = named
            min_col, min_row, _, _ = range_boundaries(reference)
            return RawValue(ws.value(min_row, min_col), _where(ws, reference.split(":")[0]))
        found = self.label_cells().get(spec.key)
        if found is None:
            return RawValue(None, Location(NOT_FOUND))
        raw.notes.append(f"未找到定义名称“{spec.key}”，已按栏目名称“{spec.label}”读取")
        ws, row, column = found
        value_column = self._right_of(ws, row, column)
        return RawValue(ws.value(row, value_column), _where(ws, _coordinate(row, value_column)))

    @staticmethod
    def _right_of(ws: Sheet, row: int, column: int) -> int:
        for merged in ws.merged:
            if (row, column) in merged:
                return merged.max_col + 1
        return column + 1

    def label_cells(self) -> dict[str, tuple[Sheet, int, int]]:
        """The first cell printing each scalar field's label, outside table header rows."""
        if self._labels is None:
            index = LabelIndex(s for s in self.specs if not s.is_table)
            self._labels = {}
            for ws in _visible(self.wb):
                for row, cells in ws.rows(SCAN_ROWS, SCAN_COLUMNS):
                    for column, value in cells:
                        spec = index.match(value)
                        if spec and (ws.title, row) not in self._header_rows:
                            self._labels.setdefault(spec.key, (ws, row, column))
        return self._labels

    def _table(self, spec: FieldDef, raw: RawForm) -> tuple[list[dict[str, RawValue]], Location]:
        named = self.wb.destination(spec.key)
        if named:
            ws, reference = named
            min_col, min_row, max_col, max_row = range_boundaries(reference)
            columns = {
                c.key: min_col + i for i, c in enumerate(spec.columns) if min_col + i <= max_col
            }
            rows = range(min_row, max_row + 1)
        else:
            found = self._find_header(spec)
            if found is None:
                return [], Location(NOT_FOUND)
            raw.notes.append(f"未找到定义名称“{spec.key}”，已按表头读取“{spec.label}”")
            ws, header_row, columns = found
            rows = range(header_row + 1, self._table_end(ws, header_row, spec))
        table = [row for row in (self._row(ws, n, columns) for n in rows) if row]
        first = _coordinate(rows.start, min(columns.values(), default=1))
        return table, _where(ws, first)

    @staticmethod
    def _row(ws: Sheet, row: int, columns: dict[str, int]) -> dict[str, RawValue]:
        values = {key: ws.value(row, column) for key, column in columns.items()}
        if all(is_blank(value) for value in values.values()):
            return {}
        return {
            key: RawValue(values[key], _where(ws, _coordinate(row, column)))
            for key, column in columns.items()
        }

    def _find_header(self, spec: FieldDef) -> tuple[Sheet, int, dict[str, int]] | None:
        index = LabelIndex(spec.columns)
        needed = max(2, sum(1 for c in spec.columns if c.required))
        for ws in _visible(self.wb):
            for row, cells in ws.rows(SCAN_ROWS, SCAN_COLUMNS):
                columns: dict[str, int] = {}
                for column_number, value in cells:
                    column = index.match(value)
                    if column:
                        columns.setdefault(column.key, column_number)
                if len(columns) >= needed:
                    self._header_rows.add((ws.title, row))
                    self._labels = None
                    return ws, row, columns
        return None

    def _table_end(self, ws: Sheet, header_row: int, spec: FieldDef) -> int:
        """The row after the table: the next row printing a field or table label, or a
        signature line."""
        index = LabelIndex(self.specs)
        limit = min(ws.max_row, header_row + 2 * max(spec.type.visible_rows, 10) + 50)  # type: ignore[attr-defined]
        signatures = tuple(self.kind.signatures)
        for row in range(header_row + 1, limit + 1):
            for column in range(1, SCAN_COLUMNS + 1):
                value = ws.cells.get((row, column))
                if isinstance(value, str) and (
                    index.match(value) or (signatures and value.startswith(signatures))
                ):
                    return row
        return limit + 1


def read(content: bytes, kind: FormKind) -> RawForm:
    return XlsxReader(content, kind).read()


def mark(content: bytes, problems: list[Problem]) -> bytes | None:
    """A copy of the workbook with every bad cell filled red and commented."""
    wb = load_workbook(io.BytesIO(content), keep_links=False)
    by_cell: dict[tuple[str, str], list[str]] = {}
    for problem in problems:
        where = problem.where
        if where and where.sheet and where.sheet in wb.sheetnames and where.cell:
            by_cell.setdefault((where.sheet, where.cell), []).append(problem.sentence())
    if not by_cell:
        return None
    for (sheet, coordinate), sentences in by_cell.items():
        cell = wb[sheet][coordinate]
        if isinstance(cell, MergedCell):
            continue
        cell.fill = BAD_FILL
        cell.font = BAD_FONT
        comment = Comment("\n".join(sentences), "unionforms")
        comment.width, comment.height = 320, 60 + 40 * len(sentences)
        cell.comment = comment
    _summary_sheet(wb, problems)
    _without_key(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


SUMMARY_WIDTH = 76  # with column A, about a portrait page at 100 % (90 % in LibreOffice)


def _summary_sheet(wb: OpenpyxlWorkbook, problems: list[Problem]) -> None:
    """A first sheet listing every problem, printable on A4 as it is: each sentence broken
    into lines beforehand (never inside a date or a cell reference) in a row tall enough for
    them, so no line hides or overprints another."""
    ws = wb.create_sheet("错误说明", 0)
    ws.column_dimensions["A"].width = 5
    ws.column_dimensions["B"].width = SUMMARY_WIDTH
    ws["A1"] = "本表单未通过校验，请按以下说明修改（出错的单元格已标红并附批注），修改后重新提交："
    ws["A1"].font = Font(name=FONT, size=11, bold=True, color="9C0006")
    ws["A1"].alignment = Alignment(wrap_text=True, vertical="center")
    ws.merge_cells("A1:B1")
    ws.row_dimensions[1].height = 32
    for number, problem in enumerate(problems, start=1):
        lines = wrap(problem.sentence(), SUMMARY_WIDTH)
        ws.cell(number + 2, 1, number).alignment = Alignment(vertical="top")
        cell = ws.cell(number + 2, 2, "\n".join(lines))
        cell.font = Font(name=FONT, size=10)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[number + 2].height = row_height(len(lines))
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.active = 0


def _without_key(wb: OpenpyxlWorkbook) -> None:
    """Forms made before #10 print the kind's English key in the footer; the copy a clerk
    gets back does not."""
    for ws in wb.worksheets:
        footer = ws.oddFooter.right
        if footer.text:
            footer.text = OLD_FOOTER_KEY.sub("", footer.text)
