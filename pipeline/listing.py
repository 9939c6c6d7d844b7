"""Listings: a kind's records shown as a table in the terminal (e.g. ``unionforms hazards``).

A listing is declared by the kind like a register (columns, which rows, in what order, which
to highlight) and made from the same rows; only the cells become text instead of Excel values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from forms.base import FormKind, Listing
from pipeline import records
from pipeline.registers import Masks, RegisterWriter, cell_value, register_rows
from pipeline.runtime import Runtime


@dataclass(frozen=True)
class ListedRow:
    cells: list[str]
    highlighted: bool


@dataclass(frozen=True)
class Listed:
    title: str
    today: date
    headers: list[str]
    rows: list[ListedRow]


def cell_text(value: Any) -> str:
    """A value as the terminal (or a plain-text summary) shows it: ISO dates, amounts with
    separators, 是/否, lists joined with 、."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(cell_text(item) for item in value)
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return str(value)


def list_records(rt: Runtime, kind: FormKind, listing: Listing) -> Listed:
    """The listing's rows as of today, from the store."""
    today = rt.clock().date()
    spec = listing.register
    writer = RegisterWriter(kind, spec, rt.config)
    mask = Masks.of(spec, rt.config)
    rows = [
        ListedRow(
            [
                cell_text(cell_value(row.get(column.key), field_type, mask))
                for column, field_type in zip(spec.columns, writer.types, strict=True)
            ],
            bool(spec.highlight and row.get(spec.highlight)),
        )
        for row in register_rows(kind, spec, records.all_views(rt.store), today)
    ]
    return Listed(spec.title, today, writer.headers(), rows)
