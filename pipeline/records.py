"""Stored records as the forms see them: typed ``RecordView``s, and the validation context."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from forms import KINDS, get_kind
from forms.base import RecordView
from pipeline.logs import FILE_ONLY
from pipeline.store import Store

log = logging.getLogger("unionforms")


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


@dataclass(frozen=True)
class RawRecord:
    """A stored record its kind's current definition cannot rebuild (a field's type changed,
    or the kind was retired): shown as stored rather than stopping every register."""

    kind: str
    ident: str
    kind_version: str
    values: dict[str, Any]
    received_at: datetime
    source_name: str
    subfolder: str
    problem: str


@dataclass
class AllRecords:
    by_kind: dict[str, list[RecordView]]
    raw: dict[str, list[RawRecord]] = field(default_factory=dict)

    def warnings(self) -> list[str]:
        """What a person should know about records that could not be read."""
        known = {kind.key: kind.title for kind in KINDS}
        said = []
        for key, raws in self.raw.items():
            if key in known:
                said.append(
                    f"“{known[key]}”有{len(raws)}条记录无法按当前的表单定义读取"
                    f"（{raws[0].ident}等），已在台账末尾按原样列出并标色"
                )
            else:
                said.append(
                    f"有{len(raws)}条记录属于本程序已不认识的表单种类“{key}”（{raws[0].ident}等），"
                    "没有出现在任何台账中；数据仍在状态数据库里"
                )
        return said


def _raw(row: sqlite3.Row, problem: str) -> RawRecord:
    return RawRecord(
        kind=row["kind"],
        ident=row["ident"],
        kind_version=row["kind_version"],
        values=json.loads(row["data"]) | json.loads(row["derived"]),
        received_at=datetime.fromisoformat(row["received_at"]),
        source_name=row["original_name"],
        subfolder=row["subfolder"],
        problem=problem,
    )


def load_all(store: Store) -> AllRecords:
    """Every record by kind, each parent carrying its children in order."""
    by_ident: dict[str, RecordView] = {}
    by_kind: dict[str, list[RecordView]] = defaultdict(list)
    raw: dict[str, list[RawRecord]] = defaultdict(list)
    for row in store.record_rows():
        try:
            record = view(row)
        except Exception as exc:  # a retired kind, a changed field type …
            log.warning("无法读取记录 %s：%r", row["ident"], exc, extra=FILE_ONLY)
            raw[row["kind"]].append(_raw(row, f"{type(exc).__name__}: {exc}"))
            continue
        by_ident[record.ident] = record
        by_kind[record.kind].append(record)
    for record in by_ident.values():
        if record.parent and record.parent in by_ident:
            adopt(by_ident[record.parent], record)
    return AllRecords({kind.key: by_kind.get(kind.key, []) for kind in KINDS}, dict(raw))


def all_views(store: Store) -> dict[str, list[RecordView]]:
    """Every record the kinds can read, by kind (see ``load_all``)."""
    return load_all(store).by_kind


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

    def records_with(self, kind: str, key: str, value: Any) -> list[RecordView]:
        return [view(row) for row in self.store.records_with(kind, key, value)]
