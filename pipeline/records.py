"""Stored records as the forms see them: typed ``RecordView``s, and the validation context."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from forms import KINDS, get_kind
from forms.base import RecordView
from pipeline.store import Store


def view(row: sqlite3.Row) -> RecordView:
    """One record row, its JSON turned back into typed values by its kind's definition."""
    kind = get_kind(row["kind"])
    form = kind.model.from_record(json.loads(row["data"]))
    derived = {
        key: kind.derived[key].from_json(value) if key in kind.derived else value
        for key, value in json.loads(row["derived"]).items()
    }
    return RecordView(
        kind=kind.key,
        serial=row["serial"],
        ident=row["ident"],
        year=row["year"],
        values=form.values(),
        derived=derived,
        received_at=datetime.fromisoformat(row["received_at"]),
        source_name=row["original_name"],
        subfolder=row["subfolder"],
        parent=row["parent_serial"],
    )


def all_views(store: Store) -> dict[str, list[RecordView]]:
    """Every record by kind, each parent carrying its children in order."""
    by_ident: dict[str, RecordView] = {}
    by_kind: dict[str, list[RecordView]] = defaultdict(list)
    for row in store.record_rows():
        record = view(row)
        by_ident[record.ident] = record
        by_kind[record.kind].append(record)
    for record in by_ident.values():
        if record.parent and record.parent in by_ident:
            adopt(by_ident[record.parent], record)
    return {kind.key: by_kind.get(kind.key, []) for kind in KINDS}


def adopt(parent: RecordView, child: RecordView) -> None:
    """File ``child`` under ``parent``; a follow-up about one row of the parent's table (a
    person of a roster) updates that row as its kind says, so every register shows it."""
    child.parent_record = parent
    parent.children.append(child)
    kind = get_kind(child.kind)
    ref = kind.parent.row if kind.parent else None
    if ref is not None:
        rows = parent.values.get(ref.table) or []
        for index in ref.rows_for(rows, child.values):
            rows[index] = kind.update_row(rows[index], child)


class StoreContext:
    """``FormContext`` backed by the store: what rules and derivations may look up."""

    def __init__(self, store: Store, settings: dict[str, Any], now: datetime) -> None:
        self.store = store
        self.settings = settings
        self.now = now
        self.today: date = now.date()

    def record(self, serial: str) -> RecordView | None:
        row = self.store.record_by_serial(serial)
        if row is None:
            return None
        record = view(row)
        for child in self.store.children_rows(row["id"]):
            adopt(record, view(child))
        return record

    def serials_with(self, kind: str, key: str, value: Any, year: int) -> list[str]:
        return self.store.serials_with(kind, key, value, year)
