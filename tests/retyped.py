"""A form retyped by hand into a new Word document, as a department does after filling the
printed blank with a pen: a plain table with the same labels (spelt a little differently),
no custom property, only the title to say what it is."""

from __future__ import annotations

import io
from typing import Any

import docx
from docx.table import Table

from forms.base import FormKind
from forms.fields import FieldDef
from pipeline.blank_docx import field_hint
from pipeline.samples import typed_text


def odd_label(spec: FieldDef) -> str:
    """The label as a typist might write it: spaced out, half-width brackets, a hint added."""
    text = spec.label.replace("（", "(").replace("）", ")")
    if len(text) == 2:
        text = f"{text[0]}  {text[1]}"  # 姓  名
    hint = field_hint(spec, {})
    return f"{text}({hint})" if hint and len(hint) < 20 else f"{text}："


def retyped_docx(kind: FormKind, values: dict[str, Any]) -> bytes:
    """Title, a four-column label/value table, then each table field as a table of its own
    with a merged caption row and its columns in reverse order."""
    document = docx.Document()
    document.add_paragraph(kind.title)
    specs = kind.model.field_defs()
    scalars = [spec for spec in specs if not spec.is_table]
    table = document.add_table(rows=(len(scalars) + 1) // 2, cols=4)
    for index, spec in enumerate(scalars):
        cells = table.rows[index // 2].cells
        cells[2 * (index % 2)].text = odd_label(spec)
        cells[2 * (index % 2) + 1].text = typed_text(values.get(spec.key))
    if len(scalars) % 2:
        last = table.rows[-1].cells
        last[1].merge(last[3])  # the lone field's value runs across the row
    for spec in specs:
        if spec.is_table:
            _table(document.add_table(rows=2, cols=len(spec.columns)), spec, values)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _table(table: Table, spec: FieldDef, values: dict[str, Any]) -> None:
    columns = list(reversed(spec.columns))
    caption = table.rows[0].cells
    caption[0].merge(caption[-1]).text = spec.label
    for cell, column in zip(table.rows[1].cells, columns, strict=True):
        cell.text = odd_label(column)
    for row in values.get(spec.key) or []:
        cells = table.add_row().cells
        for cell, column in zip(cells, columns, strict=True):
            cell.text = typed_text(row.get(column.key))
    table.add_row()  # an empty row at the end is skipped
