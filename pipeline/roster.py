"""Roster workbooks: the list of recipients a batch is generated for.

The header row is found by the column names or their synonyms in the first rows; each data
row is checked, and a bad row is reported by its sheet row number without stopping the rest.
``roster_template`` writes an empty roster to start from.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from forms.reports import Batch, RosterColumn, Row
from pipeline.errors import FormRejected, PipelineError
from pipeline.labels import label_key, without_hint
from pipeline.package import PackageLimits
from pipeline.runtime import Runtime
from pipeline.screen import screen
from pipeline.xlsx_form import load

HEADER_SCAN_ROWS = 10
MAX_VALUE = 50


class BadRoster(PipelineError):
    """The roster workbook cannot be used at all (not a workbook, no header row)."""

    code = "bad_roster"


@dataclass
class Roster:
    rows: list[tuple[int, Row]] = field(default_factory=list)  # sheet row number, values
    problems: list[str] = field(default_factory=list)


def read_roster(path: Path, columns: tuple[RosterColumn, ...], rt: Runtime) -> Roster:
    """The roster's data rows; a row with a missing or odd value is reported, not taken."""
    try:
        data = path.read_bytes()
        limits = rt.config.limits
        package = PackageLimits.configured(limits)
        _, content = screen(path.name, data, limits.max_file_mb * 1048576, package, rt.converter)
        sheet = load(content).worksheets[0]
    except FormRejected as exc:
        raise BadRoster(f"名单文件“{path.name}”无法读取：{exc.message}") from None
    except OSError as exc:
        raise BadRoster(f"名单文件“{path}”无法读取：{exc.strerror or exc}") from None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    header_row, positions = _header(values, columns)
    roster = Roster()
    seen: dict[str, int] = {}
    for number, cells in enumerate(values[header_row + 1 :], header_row + 2):
        row = {
            key: _clean(cells[index]) if index < len(cells) else ""
            for key, index in positions.items()
        }
        if not any(row.values()):
            continue
        problem = _row_problem(row, columns, seen)
        if problem:
            roster.problems.append(f"第{number}行：{problem}")
            continue
        seen[row[columns[0].key]] = number
        roster.rows.append((number, row))
    return roster


def _header(
    values: list[list[Any]], columns: tuple[RosterColumn, ...]
) -> tuple[int, dict[str, int]]:
    for row_index, cells in enumerate(values[:HEADER_SCAN_ROWS]):
        keys = [without_hint(label_key(cell)) for cell in cells]
        positions = {
            column.key: keys.index(name)
            for column in columns
            for name in map(label_key, column.names)
            if name in keys
        }
        if all(column.key in positions for column in columns if column.required):
            return row_index, positions
    wanted = "、".join(f"“{column.header}”" for column in columns if column.required)
    raise BadRoster(
        f"名单的前{HEADER_SCAN_ROWS}行中找不到表头（需要有{wanted}这几列）；"
        "可用 unionforms generate roster-template 生成名单模板再填写"
    )


def _clean(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _row_problem(row: Row, columns: tuple[RosterColumn, ...], seen: dict[str, int]) -> str:
    for column in columns:
        value = row.get(column.key, "")
        if column.required and not value:
            return f"“{column.header}”未填写"
        if len(value) > MAX_VALUE:
            return f"“{column.header}”超过{MAX_VALUE}个字"
    first = row[columns[0].key]
    if first in seen:
        return f"“{first}”与第{seen[first]}行重复"
    return ""


def roster_template(batch: Batch) -> bytes:
    """An empty roster workbook with the batch's columns, to start from."""
    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    ws["A1"] = f"{batch.title}名单（每行一个单位，第2行是表头，从第3行起填写）"
    ws["A1"].font = Font(name="宋体", size=12, bold=True)
    for index, column in enumerate(batch.roster, 1):
        cell = ws.cell(2, index, column.header + ("" if column.required else "（可不填）"))
        cell.font = Font(name="宋体", size=11, bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center")
        ws.column_dimensions[cell.column_letter].width = 24
        for row in range(3, 203):
            ws.cell(row, index).number_format = "@"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
