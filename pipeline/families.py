"""Some records with their families, read without reading every record.

A register row of one record shows what its family adds (a hazard's follow-ups, the parent a
follow-up repeats), so a changed row is made from the record's whole family: the records
above it and everything below those (``records.adopt``, as ``records.load_all`` files them).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from forms.base import RecordView
from pipeline import records
from pipeline.store import Store

CHUNK = 500  # ids per IN clause, well below SQLite's limit on variables


def _query(store: Store, sql: str, ids: Iterable[Any]) -> list[Any]:
    found: list[Any] = []
    values = sorted(set(ids))
    for start in range(0, len(values), CHUNK):
        part = values[start : start + CHUNK]
        found += store.execute(sql.format(marks=", ".join("?" * len(part))), tuple(part)).fetchall()
    return found


def roots(store: Store, ids: Collection[int]) -> set[int]:
    """The records at the top of the families of ``ids``."""
    top: set[int] = set()
    frontier = set(ids)
    while frontier:
        rows = _query(store, "SELECT id, parent_id FROM records WHERE id IN ({marks})", frontier)
        top |= {row[0] for row in rows if row[1] is None}
        frontier = {row[1] for row in rows if row[1] is not None}
    return top


def members(store: Store, tops: Collection[int]) -> set[int]:
    """The records of the families whose tops are ``tops``."""
    found = set(tops)
    frontier = set(tops)
    while frontier:
        sql = "SELECT id FROM records WHERE parent_id IS NOT NULL AND parent_id IN ({marks})"
        frontier = {row[0] for row in _query(store, sql, frontier)} - found
        found |= frontier
    return found


def load_families(store: Store, ids: Collection[int]) -> list[RecordView]:
    """The records ``ids`` and every record of their families, oldest first, each filed
    under its parent. A record its kind cannot rebuild raises (the caller then makes the
    register whole)."""
    wanted = members(store, roots(store, ids))
    sql = f"{store.RECORD_QUERY} WHERE r.id IN ({{marks}}) ORDER BY r.id"
    rows = sorted(_query(store, sql, wanted), key=lambda row: row["id"])
    views = [records.view(row) for row in rows]
    by_ident = {view.ident: view for view in views}
    for view in views:
        if view.parent and view.parent in by_ident:
            records.adopt(by_ident[view.parent], view)
    return views


def ids_of(store: Store, idents: Iterable[str]) -> list[int]:
    """The ids of the records named ``idents``."""
    return [
        row[0] for row in _query(store, "SELECT id FROM records WHERE ident IN ({marks})", idents)
    ]


def ids_of_idents(store: Store, idents: Iterable[str]) -> dict[str, int]:
    """The id of each record named in ``idents``."""
    sql = "SELECT ident, id FROM records WHERE ident IN ({marks})"
    return {row[0]: row[1] for row in _query(store, sql, idents)}


def added_after(store: Store, kind: str, last_id: int) -> list[int]:
    """The ids of the records of ``kind`` added after record ``last_id``: read from there on
    by id (``+kind`` keeps SQLite from walking every record of the kind in an index of it)."""
    rows = store.execute("SELECT id FROM records WHERE +kind = ? AND id > ?", (kind, last_id))
    return [row[0] for row in rows.fetchall()]


def first_of(store: Store, kind: str) -> Callable[[list[RecordView]], int]:
    """A function giving the id of the first of some records of ``kind``."""
    ids: dict[str, int] = {}

    def first(views: list[RecordView]) -> int:
        if not ids:
            sql = "SELECT ident, id FROM records WHERE kind = ?"
            ids.update((row[0], row[1]) for row in store.execute(sql, (kind,)).fetchall())
        return min(ids[view.ident] for view in views)

    return first
