"""The rows of a sheet where a later record's row replaces an earlier one's
(``RegisterSpec.latest_by``: a person over several rosters, the latest roster winning).

Each record's rows are made from that record alone (and its family); a row's place is that of
the latest record holding it, so the sheet is every record's rows in record order, each row
kept only where its ``latest_by`` value appears last. What is kept per row, ``[value as JSON
text, place, digest or None when ``where`` leaves it out]`` with the place ``[sort key of the
row when the sheet is sorted, record id, index in the record's rows, record ident]``, lets a
batch read only the records of the families that gained one, and those of a block made again.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from forms.base import FormKind, RecordView, RegisterSpec
from pipeline.families import ids_of_idents
from pipeline.kept_rows import listed
from pipeline.registers import RegisterWriter
from pipeline.sheet_rows import SheetRows, Stale, digests_at, families, ordered, places, put
from pipeline.store import Store


def latest(spec: RegisterSpec) -> bool:
    return spec.rows is not None and spec.latest_by is not None


def _rows_of(spec: RegisterSpec, view: RecordView, today: date) -> list[dict[str, Any]]:
    assert spec.rows is not None
    return list(spec.rows([view], today))


def _entries(
    spec: RegisterSpec, writer: RegisterWriter, view: RecordView, record_id: int, today: date
) -> list[tuple[list[Any], dict[str, Any]]]:
    """The entries of the rows of one record, with the rows."""
    assert spec.latest_by is not None
    found = []
    for index, row in enumerate(_rows_of(spec, view, today)):
        shown = spec.where is None or spec.where(row)
        place = [record_id, index, view.ident]
        if spec.order:
            place = [listed(spec.order(row)) if shown else None, *place]
        name = json.dumps(listed(spec.latest_by(row)), ensure_ascii=False, default=str)
        found.append(([name, place, writer.row_key(row) if shown else None], row))
    return found


def whole_latest(
    spec: RegisterSpec,
    writer: RegisterWriter,
    views: list[RecordView],
    today: date,
    first: Callable[[list[RecordView]], int],
) -> SheetRows:
    """The sheet from all the records, oldest first (``first`` gives a record's id)."""
    found: dict[Any, tuple[list[Any], dict[str, Any]]] = {}
    for view in views:
        for entry, row in _entries(spec, writer, view, first([view]), today):
            found[entry[0]] = (entry, row)  # a later record's row replaces an earlier one's
    entries = [entry for entry, _ in found.values()]
    rows = [row for _, row in found.values()]
    shown = [rows[index] for index in ordered(entries, by_key=True)]
    keys = [writer.row_key(row) for row in shown]
    return SheetRows(writer, keys, lambda start, end: shown[start:end], entries)


def grown_latest(
    spec: RegisterSpec,
    writer: RegisterWriter,
    kept: list[list[Any]],
    changed: list[RecordView],
    store: Store,
    today: date,
    source: FormKind,
) -> SheetRows:
    """The sheet from its ``kept`` entries, the rows of the records ``changed`` made again."""
    entries = kept
    earlier = digests_at(entries, ordered(entries, by_key=True))
    where = places(entries)
    mine = [view for view in changed if view.kind == source.key]
    ids = ids_of_idents(store, [view.ident for view in mine])
    remade = {view.ident for view in mine}
    made: dict[Any, dict[str, Any]] = {}
    for view in mine:
        for entry, row in _entries(spec, writer, view, ids[view.ident], today):
            was = entries[where[entry[0]]] if entry[0] in where else None
            if was is None or was[1][-3] <= ids[view.ident]:  # not replaced by a later record
                put(entries, where, entry[0], entry)
                made[entry[0]] = row
    if any(e[1][-1] in remade and e[0] not in made for e in entries):
        raise Stale("a record's rows are not those it had")
    order = ordered(entries, by_key=True)
    views = {view.ident: view for view in changed}

    def rows_at(start: int, end: int) -> list[dict[str, Any]]:
        wanted = [entries[index] for index in order[start:end]]
        missing = {e[1][-1] for e in wanted if e[0] not in made} - views.keys()
        if missing:
            found = families(store, list(ids_of_idents(store, missing).values()))
            views.update((view.ident, view) for view in found)
        for entry in wanted:
            if entry[0] not in made:
                if entry[1][-1] not in views:
                    raise Stale("a kept row's record is gone")
                for again, row in _entries(spec, writer, views[entry[1][-1]], 0, today):
                    if again[0] == entry[0]:
                        made[entry[0]] = row
        if any(entry[0] not in made for entry in wanted):
            raise Stale("a kept row is no longer made by its record")
        return [made[entry[0]] for entry in wanted]

    keys = digests_at(entries, order)
    return SheetRows(writer, keys, rows_at, entries, earlier)
