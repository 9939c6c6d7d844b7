"""Blank .xlsx forms, derived from a kind's model: the form departments fill in.

Each scalar field is a row: its label (grey, locked), the input cell (white, unlocked) and a hint.
Each table field is a titled block with a header row and empty rows; wide or long tables get a
sheet of their own. Every input cell or table area is a workbook-level defined name equal to the
field key (SPEC §5); the kind is recorded in a custom document property and a hidden sheet.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from forms.base import FormKind
from forms.fields import FieldDef, Table
from pipeline.config import Config

KIND_SHEET = "_form"
LISTS_SHEET = "_lists"
GRID = 6
OWN_SHEET_COLUMNS = 6
OWN_SHEET_ROWS = 20
FONT = "宋体"
SIGNATURE_SPACE = "　" * 12
HINT_CHARS_PER_LINE = 16
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
LABEL_FILL = PatternFill("solid", fgColor="E7ECF3")
SECTION_FILL = PatternFill("solid", fgColor="C9D5E6")
NUMBER_FORMATS = {
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "money": "#,##0.00",
    "int": "0",
}
NOTE = (
    "填表说明：灰色格为栏目名称，白色格为填写处，栏目名前带“*”的为必填项；"
    "有下拉箭头的栏目请从列表中选择。填好后直接保存（保持.xlsx格式），放入共享文件夹的收件箱。"
)


@dataclass
class Sheet:
    """A worksheet being laid out: the next free row and the grid width."""

    ws: Worksheet
    width: int
    row: int = 1


def _label(spec: FieldDef) -> CellRichText | str:
    if not spec.required:
        return spec.label
    return CellRichText(TextBlock(InlineFont(color="C00000", b=True), "*"), spec.label)


def _merge(sheet: Sheet, first: int, last: int, rows: int = 1) -> None:
    if last > first or rows > 1:
        sheet.ws.merge_cells(
            start_row=sheet.row, start_column=first, end_row=sheet.row + rows - 1, end_column=last
        )


def _style_range(sheet: Sheet, first: int, last: int, **style: object) -> None:
    for column in range(first, last + 1):
        cell = sheet.ws.cell(sheet.row, column)
        for name, value in style.items():
            setattr(cell, name, value)


class BlankXlsx:
    """Builds the blank workbook of one kind."""

    def __init__(self, kind: FormKind, config: Config) -> None:
        self.kind = kind
        self.config = config
        self.settings = config.settings()
        self.wb = Workbook()
        self.lists = self.wb.create_sheet(LISTS_SHEET)
        self.lists.sheet_state = "hidden"
        self.list_column = 0

    def build(self) -> bytes:
        specs = self.kind.model.field_defs()
        inline = [s for s in specs if not self._own_sheet(s)]
        width = max([GRID] + [len(s.columns) for s in inline if s.is_table])
        main = Sheet(self.wb.active, width)
        main.ws.title = self.kind.title[:31]
        self._heading(main, self.kind.title, NOTE)
        for spec in specs:
            if spec.is_table and self._own_sheet(spec):
                own = self._table_sheet(spec)
                self._table(own, spec)
                self._pointer(main, spec, own.ws.title)
            elif spec.is_table:
                self._table(main, spec)
            else:
                self._scalar(main, spec)
        self._signatures(main)
        self._finish_sheet(main, landscape=False)
        self._record_kind()
        buffer = io.BytesIO()
        self.wb.save(buffer)
        return buffer.getvalue()

    @staticmethod
    def _own_sheet(spec: FieldDef) -> bool:
        assert isinstance(spec.type, Table) or not spec.is_table
        return spec.is_table and (
            len(spec.columns) > OWN_SHEET_COLUMNS or spec.type.visible_rows > OWN_SHEET_ROWS  # type: ignore[attr-defined]
        )

    def _heading(self, sheet: Sheet, title: str, note: str) -> None:
        ws = sheet.ws
        ws.sheet_view.showGridLines = False
        ws.column_dimensions["A"].width = 18
        for column in range(2, sheet.width + 1):
            ws.column_dimensions[get_column_letter(column)].width = 14
        ws.cell(1, 1, title).font = Font(name=FONT, size=18, bold=True)
        ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
        _merge(sheet, 1, sheet.width)
        ws.row_dimensions[1].height = 36
        sheet.row = 2
        ws.cell(2, 1, note).font = Font(name=FONT, size=9, color="595959")
        ws.cell(2, 1).alignment = Alignment(wrap_text=True, vertical="center")
        _merge(sheet, 1, sheet.width)
        ws.row_dimensions[2].height = 30
        sheet.row = 4

    def _scalar(self, sheet: Sheet, spec: FieldDef) -> None:
        ws, row, width = sheet.ws, sheet.row, sheet.width
        value_last = width - 2
        label = ws.cell(row, 1, _label(spec))
        label.font = Font(name=FONT, size=11, bold=True)
        label.fill = LABEL_FILL
        label.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        label.border = BORDER
        _merge(sheet, 2, value_last)
        _style_range(sheet, 2, value_last, border=BORDER)
        value = ws.cell(row, 2)
        self._input_cell(value, spec)
        value.alignment = Alignment(vertical="center", wrap_text=spec.type.type_name == "text")
        hint = ws.cell(row, value_last + 1, spec.type.describe())
        hint.font = Font(name=FONT, size=9, color="7F7F7F")
        hint.alignment = Alignment(vertical="center", wrap_text=True)
        _merge(sheet, value_last + 1, width)
        lines = getattr(spec.type, "lines", 1)
        hint_lines = -(-len(hint.value or "") // HINT_CHARS_PER_LINE)
        ws.row_dimensions[row].height = max(22, 17 * lines, 12 * hint_lines + 6)
        self._name(spec.key, ws, f"$B${row}")
        self._validation(ws, spec, f"B{row}")
        sheet.row += 1

    def _signatures(self, sheet: Sheet) -> None:
        """The kind's signature lines under the form, with room to sign and date."""
        if self.kind.signatures:
            sheet.row += 1
        for line in self.kind.signatures:
            cell = sheet.ws.cell(sheet.row, 1, f"{line}：{SIGNATURE_SPACE}年　　月　　日")
            cell.font = Font(name=FONT, size=11)
            cell.alignment = Alignment(horizontal="right", vertical="bottom")
            _merge(sheet, 1, sheet.width)
            sheet.ws.row_dimensions[sheet.row].height = 36
            sheet.row += 1

    def _pointer(self, sheet: Sheet, spec: FieldDef, title: str) -> None:
        """A row on the main sheet saying where a table on a sheet of its own is filled in."""
        ws, row = sheet.ws, sheet.row
        label = ws.cell(row, 1, _label(spec))
        label.font = Font(name=FONT, size=11, bold=True)
        label.fill = LABEL_FILL
        label.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        label.border = BORDER
        hint = spec.type.describe()
        note = ws.cell(row, 2, f"请在“{title}”工作表中填写" + (f"（{hint}）" if hint else ""))
        note.font = Font(name=FONT, size=11, color="1F4E79", bold=True)
        note.alignment = Alignment(vertical="center")
        _merge(sheet, 2, sheet.width)
        _style_range(sheet, 2, sheet.width, border=BORDER)
        ws.row_dimensions[row].height = 22
        sheet.row += 1

    def _input_cell(self, cell: Cell, spec: FieldDef) -> None:
        cell.font = Font(name=FONT, size=11)
        cell.protection = Protection(locked=False)
        cell.number_format = (
            "@"
            if spec.type.text_format or spec.type.type_name in ("text", "choice", "multi")
            else NUMBER_FORMATS.get(spec.type.type_name, "General")
        )

    def _table(self, sheet: Sheet, spec: FieldDef) -> None:
        ws = sheet.ws
        assert isinstance(spec.type, Table)
        title = spec.label + (f"（{spec.type.describe()}）" if spec.type.describe() else "")
        section = ws.cell(sheet.row, 1, title)
        section.font = Font(name=FONT, size=11, bold=True)
        section.fill = SECTION_FILL
        section.alignment = Alignment(vertical="center")
        _merge(sheet, 1, sheet.width)
        ws.row_dimensions[sheet.row].height = 22
        sheet.row += 1
        columns = spec.columns
        spans = [(i + 1, i + 1) for i in range(len(columns))]
        spans[-1] = (len(columns), sheet.width)
        for column, (first, last) in zip(columns, spans, strict=True):
            header = ws.cell(sheet.row, first, _label(column))
            header.font = Font(name=FONT, size=10, bold=True)
            header.fill = LABEL_FILL
            header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            _style_range(sheet, first, last, border=BORDER)
            _merge(sheet, first, last)
        ws.row_dimensions[sheet.row].height = 30
        first_data = sheet.row + 1
        sheet.row = first_data
        for _ in range(spec.type.visible_rows):
            for column, (first, last) in zip(columns, spans, strict=True):
                self._input_cell(ws.cell(sheet.row, first), column)
                _style_range(sheet, first, last, border=BORDER)
                _merge(sheet, first, last)
            ws.row_dimensions[sheet.row].height = 20
            sheet.row += 1
        last_data = sheet.row - 1
        letter = get_column_letter(len(columns))
        self._name(spec.key, ws, f"$A${first_data}:${letter}${last_data}")
        for index, column in enumerate(columns, start=1):
            letter = get_column_letter(index)
            self._validation(ws, column, f"{letter}{first_data}:{letter}{last_data}")
        sheet.row += 1

    def _table_sheet(self, spec: FieldDef) -> Sheet:
        sheet = Sheet(self.wb.create_sheet(spec.label[:31]), max(GRID, len(spec.columns)))
        self._heading(sheet, f"{self.kind.title}——{spec.label}", NOTE)
        sheet.ws.print_title_rows = "5:5"
        self._finish_sheet(sheet, landscape=len(spec.columns) > GRID)
        return sheet

    def _finish_sheet(self, sheet: Sheet, landscape: bool) -> None:
        ws = sheet.ws
        ws.protection.sheet = True
        ws.protection.formatRows = False
        ws.protection.formatColumns = False
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.6
        ws.page_margins.top = ws.page_margins.bottom = 0.7
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.oddFooter.right.text = f"{self.kind.title} 第{self.kind.version}版"

    def _name(self, key: str, ws: Worksheet, reference: str) -> None:
        target = f"{quote_sheetname(ws.title)}!{reference}"
        self.wb.defined_names[key] = DefinedName(key, attr_text=target)

    def _validation(self, ws: Worksheet, spec: FieldDef, cells: str) -> None:
        options = spec.type.options(self.settings)
        prompt = spec.type.describe()[:250]
        if options:
            validation = DataValidation(
                type="list",
                formula1=self._list_range(options),
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="输入有误",
                error=("请从下拉列表中选择：" + "/".join(options))[:250],
            )
        elif prompt:
            validation = DataValidation(allow_blank=True)
        else:
            return
        validation.showInputMessage = bool(prompt)
        validation.promptTitle = spec.label[:32]
        validation.prompt = prompt
        ws.add_data_validation(validation)
        validation.add(cells)

    def _list_range(self, options: tuple[str, ...]) -> str:
        self.list_column += 1
        for row, option in enumerate(options, start=1):
            self.lists.cell(row, self.list_column, option)
        letter = get_column_letter(self.list_column)
        return f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(options)}"

    def _record_kind(self) -> None:
        sheet = self.wb.create_sheet(KIND_SHEET)
        sheet.sheet_state = "hidden"
        sheet["A1"], sheet["B1"] = "form_kind", self.kind.key
        sheet["A2"], sheet["B2"] = "form_version", self.kind.version
        self.wb.custom_doc_props.append(StringProperty(name="form_kind", value=self.kind.key))
        self.wb.custom_doc_props.append(
            StringProperty(name="form_version", value=self.kind.version)
        )
        self.wb.properties.title = self.kind.title
        self.wb.properties.creator = self.config.organisation.union
        self.wb.active = 0


def build_blank_xlsx(kind: FormKind, config: Config) -> bytes:
    return BlankXlsx(kind, config).build()
