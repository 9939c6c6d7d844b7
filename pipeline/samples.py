"""Filled forms made from the blank forms and a kind's example values (demo and tests).

Values are written through the workbook's defined names, exactly where a clerk would type
them, so a sample follows the blank form whenever the form changes.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from forms.base import FormKind
from forms.samples import Sample
from pipeline.blank_xlsx import build_blank_xlsx
from pipeline.config import Config
from pipeline.files import safe_name


def _put(ws: Any, row: int, column: int, value: Any) -> None:
    """Type a value into a cell; text stays text (input cells are text-formatted, so Excel
    keeps ``=…`` typed there as text too)."""
    if isinstance(value, list | tuple):
        value = "、".join(str(item) for item in value)
    cell = ws.cell(row, column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def fill_xlsx(kind: FormKind, config: Config, values: dict[str, Any]) -> bytes:
    """The blank .xlsx form of ``kind`` with ``values`` typed in (raw values, as a clerk would)."""
    wb = load_workbook(io.BytesIO(build_blank_xlsx(kind, config)))
    for key, value in values.items():
        sheet, reference = next(iter(wb.defined_names[key].destinations))
        ws = wb[sheet]
        min_col, min_row, _, _ = range_boundaries(reference.replace("$", ""))
        if isinstance(value, list) and value and isinstance(value[0], dict):
            columns = [
                c.key for c in next(s for s in kind.model.field_defs() if s.key == key).columns
            ]
            for offset, row in enumerate(value):
                for index, column in enumerate(columns):
                    if column in row:
                        _put(ws, min_row + offset, min_col + index, row[column])
        elif not isinstance(value, list) or value:
            _put(ws, min_row, min_col, value)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def write_samples(
    kind: FormKind, config: Config, samples: list[Sample], folder: Path
) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for sample in samples:
        path = folder / f"{safe_name(sample.name)}.xlsx"
        path.write_bytes(fill_xlsx(kind, config, sample.values))
        written.append(path)
    return written
