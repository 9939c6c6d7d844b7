"""Filled .docx forms: which kind they are, their values with locations, and marked copies.

A scalar field's value is the cell right of the cell printing its label; a table field is read
from the table whose header row prints its column labels, one row per filled row below it
(SPEC §5). Labels match as printed, with hints, spaces and either kind of bracket
(``pipeline.labels``). Nothing depends on content controls, styles or the exact table layout,
so a form saved again by LibreOffice or WPS, or retyped into a new Word table with the same
labels, reads the same. The kind is the custom property ``form_kind``, else the title.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import cache

import docx
from docx.document import Document as DocumentObject
from docx.shared import RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from forms.base import FormKind
from forms.fields import FieldDef
from pipeline.docx_build import shade
from pipeline.docx_grid import Grid, GridCell, grids
from pipeline.job import NOT_FOUND, Location, Problem, RawForm, RawValue
from pipeline.labels import LabelIndex, title_matches
from pipeline.xlsx_form import custom_kind as custom_kind  # (the tests read it here too)
from pipeline.xlsx_form import kind_by_property

INLINE_VALUE = re.compile(r"(?P<label>[^:：\n]{1,30})[:：](?P<value>.+)", re.S)
# Forms made before #10 printed the kind's key in the footer; later ones print the title only.
FOOTER_CODE = re.compile(r"表单代码[:：]\s*([A-Za-z_][A-Za-z0-9_]*)")
FOOTER_VERSION = re.compile(r"\s*第\d+版\s*$")
PLACEHOLDER = "_＿— \u3000\t\n"
BAD_FILL = "FFC7CE"
RED = RGBColor(0xC0, 0x00, 0x00)
SUMMARY = "本表单未通过校验，请按以下说明修改（出错的格已标红并附批注），修改后重新提交："


def load(content: bytes) -> DocumentObject:
    return docx.Document(io.BytesIO(content))


def identify(content: bytes, kinds: tuple[FormKind, ...]) -> FormKind | None:
    by_key = {kind.key: kind for kind in kinds}
    found = kind_by_property(content, kinds)
    if found is not None:
        return found
    document = load(content)
    for text in _title_candidates(document):
        for kind in kinds:
            if title_matches(kind, text):
                return kind
    for paragraph in _footer_paragraphs(document):
        code = FOOTER_CODE.search(paragraph.text)
        if code and code.group(1) in by_key:
            return by_key[code.group(1)]
        for kind in kinds:
            if title_matches(kind, FOOTER_VERSION.sub("", paragraph.text)):
                return kind
    return None


def _footer_paragraphs(document: DocumentObject) -> list[Paragraph]:
    return [
        paragraph
        for section in document.sections
        for paragraph in section.footer.paragraphs + section.even_page_footer.paragraphs
    ]


def _title_candidates(document: DocumentObject) -> list[str]:
    """Where a title may be: any top-level paragraph, a table's first row, the page header."""
    texts = [paragraph.text for paragraph in document.paragraphs]
    texts += [cell.text for grid in grids(document) if grid.rows for cell in grid.rows[0]]
    for section in document.sections:
        texts += [paragraph.text for paragraph in section.header.paragraphs]
    return texts


# -- where the values are ----------------------------------------------------------------


@dataclass
class Slot:
    """Where a scalar field is: its label cell, the value cell right of it or an inline value."""

    label: GridCell
    value: GridCell | None
    inline: str | None = None


@dataclass
class Area:
    """Where a table field is: the header row, the grid column of each column, the data rows."""

    grid: Grid
    header: int
    columns: dict[str, int]
    rows: list[int]


@dataclass
class Layout:
    grids: list[Grid]
    slots: dict[str, Slot]
    areas: dict[str, Area]


def locate(document: DocumentObject, kind: FormKind) -> Layout:
    """Find every field of ``kind`` in the document's tables (table fields first)."""
    specs = kind.model.field_defs()
    layout = Layout(grids(document), {}, {})
    taken: set[tuple[int, int]] = set()
    tables = [spec for spec in specs if spec.is_table]
    for spec in tables:
        area = _find_area(layout.grids, spec, specs, taken)
        if area is not None:
            layout.areas[spec.key] = area
            taken |= {(area.grid.index, row) for row in [area.header, *area.rows]}
    index = _index(tuple(spec for spec in specs if not spec.is_table))
    for grid in layout.grids:
        for row_index, row in enumerate(grid.rows):
            if (grid.index, row_index) not in taken:
                _find_slots(row, row_index, index, layout.slots)
    return layout


def _find_slots(
    row: list[GridCell], row_index: int, index: LabelIndex, slots: dict[str, Slot]
) -> None:
    for position, cell in enumerate(row):
        if cell.row != row_index:
            continue  # merged down from the row above, already seen there
        spec = index.match(cell.text)
        if spec is not None:
            right = row[position + 1] if position + 1 < len(row) else None
            slots.setdefault(spec.key, Slot(cell, right))
            continue
        inline = INLINE_VALUE.fullmatch(cell.text)
        spec = index.match(inline.group("label")) if inline else None
        if inline and spec is not None:
            slots.setdefault(spec.key, Slot(cell, None, inline.group("value")))


@cache
def _index(specs: tuple[FieldDef, ...]) -> LabelIndex:
    return LabelIndex(specs)


def _header_columns(row: list[GridCell], spec: FieldDef) -> dict[str, int]:
    """The column keys a row prints as headers, when it looks like the header of ``spec``."""
    index = _index(spec.columns)
    columns: dict[str, int] = {}
    filled = 0
    for cell in row:
        if cell.text:
            filled += 1
            column = index.match(cell.text)
            if column is not None:
                columns.setdefault(column.key, cell.column)
    needed = min(len(spec.columns), max(2, sum(1 for c in spec.columns if c.required)))
    return columns if len(columns) >= needed and 2 * len(columns) > filled else {}


def _find_area(
    all_grids: list[Grid],
    spec: FieldDef,
    specs: tuple[FieldDef, ...],
    taken: set[tuple[int, int]],
) -> Area | None:
    for grid in all_grids:
        for row_index, row in enumerate(grid.rows):
            if (grid.index, row_index) in taken:
                continue
            columns = _header_columns(row, spec)
            if columns:
                return Area(grid, row_index, columns, _data_rows(grid, row_index, spec, specs))
    return None


def _data_rows(grid: Grid, header: int, spec: FieldDef, specs: tuple[FieldDef, ...]) -> list[int]:
    """Rows below the header up to the next label of the form or header of another table."""
    labels = _index(specs)
    others = [other for other in specs if other.is_table and other is not spec]
    rows = []
    for row_index in range(header + 1, len(grid.rows)):
        row = grid.rows[row_index]
        if any(labels.match(cell.text) for cell in row if cell.row == row_index):
            break
        if any(_header_columns(row, other) for other in others):
            break
        if not _header_columns(row, spec):  # a header repeated further down is not data
            rows.append(row_index)
    return rows


# -- reading -------------------------------------------------------------------------------


def read(content: bytes, kind: FormKind) -> RawForm:
    layout = locate(load(content), kind)
    raw = RawForm()
    labels = _index(kind.model.field_defs())
    for spec in kind.model.field_defs():
        if spec.is_table:
            area = layout.areas.get(spec.key)
            raw.tables[spec.key] = _table_rows(area, spec) if area else []
            raw.table_locations[spec.key] = (
                _where(area.grid.rows[area.header][0], f"“{spec.label}”表头")
                if area
                else Location(NOT_FOUND)
            )
        else:
            raw.fields[spec.key] = _field(layout.slots.get(spec.key), spec, labels)
    return raw


def typed(text: str) -> str | None:
    """A cell's text as typed: placeholder underscores and dashes gone, None when empty."""
    cleaned = text.strip(PLACEHOLDER)
    return cleaned or None


def _where(cell: GridCell, what: str) -> Location:
    text = f"第{cell.table + 1}个表格第{cell.row + 1}行{what}"
    return Location(text, table=cell.table, row=cell.row, column=cell.position)


def _field(slot: Slot | None, spec: FieldDef, labels: LabelIndex) -> RawValue:
    if slot is None:
        return RawValue(None, Location(NOT_FOUND))
    if slot.inline is not None:
        return RawValue(typed(slot.inline), _where(slot.label, f"“{spec.label}”格内"))
    if slot.value is None:
        return RawValue(None, _where(slot.label, f"“{spec.label}”右边（缺少填写格）"))
    text = slot.value.text
    value = None if labels.match(text) else typed(text)  # the next label: nothing was filled in
    return RawValue(value, _where(slot.value, f"“{spec.label}”右边的格"))


def _table_rows(area: Area, spec: FieldDef) -> list[dict[str, RawValue]]:
    rows = []
    labels = {column.key: column.label for column in spec.columns}
    for row_index in area.rows:
        values: dict[str, RawValue] = {}
        used: set[int] = set()
        for key, grid_column in sorted(area.columns.items(), key=lambda item: item[1]):
            cell = area.grid.covering(row_index, grid_column)
            if cell is None or id(cell) in used:
                continue  # a cell merged across two columns belongs to the leftmost
            used.add(id(cell))
            values[key] = RawValue(typed(cell.text), _where(cell, f"“{labels[key]}”列"))
        if any(value.value is not None for value in values.values()):
            rows.append(values)
    return rows


# -- marking -------------------------------------------------------------------------------


def mark(content: bytes, problems: list[Problem]) -> bytes:
    """A copy with every bad cell shaded red and commented, and all problems listed on top."""
    document = load(content)
    all_grids = grids(document)
    by_cell: dict[int, tuple[GridCell, list[str]]] = {}
    for problem in problems:
        cell = _cell_at(all_grids, problem.where)
        if cell is not None:
            by_cell.setdefault(id(cell), (cell, []))[1].append(problem.sentence())
    for cell, sentences in by_cell.values():
        shade(cell.cell, BAD_FILL)
        runs = [run for paragraph in cell.cell.paragraphs for run in paragraph.runs]
        comment = document.add_comment(
            runs or _empty_run(cell), sentences[0], author="unionforms", initials="UF"
        )
        for sentence in sentences[1:]:
            comment.add_paragraph(sentence)
    _summary(document, problems)
    for paragraph in _footer_paragraphs(document):  # a form made before #10 named its key
        for run in paragraph.runs:
            if FOOTER_CODE.search(run.text):
                run.text = FOOTER_CODE.sub("", run.text).replace("　　", "　")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _cell_at(all_grids: list[Grid], where: Location | None) -> GridCell | None:
    if where is None or where.table is None or where.row is None or where.column is None:
        return None
    if where.table >= len(all_grids) or where.row >= len(all_grids[where.table].rows):
        return None
    row = all_grids[where.table].rows[where.row]
    return row[where.column] if where.column < len(row) else None


def _empty_run(cell: GridCell) -> Run:
    """An empty cell has no run to hang a comment on: give it an empty one."""
    return cell.cell.paragraphs[0].add_run()


def _summary(document: DocumentObject, problems: list[Problem]) -> None:
    """The problems in red above everything else, for whoever opens the copy first."""
    lines = [SUMMARY] + [f"{n}. {p.sentence()}" for n, p in enumerate(problems, 1)] + [""]
    body = document.element.body
    for position, line in enumerate(lines):
        paragraph = document.add_paragraph()
        run = paragraph.add_run(line)
        run.bold = position == 0
        run.font.color.rgb = RED
        body.insert(position, paragraph._p)
