"""The rows of one register sheet, as digests in sheet order, made into compressed blocks.

A sheet is written in blocks of ``BLOCK`` rows. A block whose rows (their digests and first
number) are those of a kept block is reused as it is compressed; only the others are made
and compressed: each of their rows written before is taken from its kept block and
renumbered (``pipeline.kept_xml``), the others are made from their records
(``RegisterWriter.rows_xml``). Rows are found in one of these ways:

- from all the records (``whole``): a sheet made by a ``rows`` builder over all its kind's
  records, and any sheet when nothing usable was kept;
- for a sheet whose builder makes its rows group by group (``RegisterSpec.grouped_by``: a
  year's summary, a person's archive row), from the kept groups (``grown_groups``): only the
  groups that gained records are read (by their value) and made again;
- for a sheet whose builder makes each record's rows alone, a later row replacing an earlier
  one (``RegisterSpec.latest_by``: a person over several pledges), ``pipeline.latest_rows``;
- for a sheet of one row per record, from what was kept (``grown``): each record's sort key
  and row digest, in record order. Only the records of the families that gained a record
  are read and their rows made again (a follow-up changes its parent's row, and may change a
  sibling's); the rows are put in order from the kept keys. New records of the current year
  usually sort last, so a batch makes its own rows alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from itertools import compress
from operator import itemgetter
from typing import Any

from forms.base import FormKind, RecordView, RegisterSpec
from pipeline.families import ids_of, load_families
from pipeline.kept_rows import Block, listed
from pipeline.kept_xml import KeptXml, block_key, renumbered, split
from pipeline.registers import HEADER_ROW, Detail, RegisterWriter, default_rows
from pipeline.sheet_file import sheet_segment
from pipeline.store import Store

BLOCK = 128


class Stale(Exception):
    """What was kept does not fit the records: the register is made whole."""


@dataclass
class SheetRows:
    writer: RegisterWriter
    keys: list[str]  # row digests, in sheet order
    rows_at: Callable[[int, int], list[dict[str, Any]]]  # the rows from one position to another
    entries: list[list[Any]] | None = None  # [ident, sort key, digest or None] in record order
    earlier: list[str] | None = None  # the row digests of the kept blocks, when known


def families(store: Store, ids: list[int]) -> list[RecordView]:
    """``families.load_families``; a record its kind cannot rebuild makes the register whole
    (its raw row goes at the end of the sheet)."""
    try:
        return load_families(store, ids)
    except Exception as exc:
        raise Stale(f"{type(exc).__name__}: {exc}") from exc


def blocks(sheet: SheetRows, earlier: list[Block]) -> list[Block]:
    """The sheet's blocks: kept ones where their rows are the same, the others made."""
    reuse = {block.key: block for block in earlier}
    kept = KeptXml(sheet.earlier, earlier, BLOCK)
    made = []
    for start in range(0, len(sheet.keys), BLOCK):
        end = min(start + BLOCK, len(sheet.keys))
        key = block_key(start, sheet.keys[start:end])
        made.append(reuse.get(key) or _block(sheet, start, end, key, kept))
    return made


def _block(sheet: SheetRows, start: int, end: int, key: str, kept: KeptXml) -> Block:
    """Rows ``start`` to ``end``: each written before taken from its kept block, the others
    made from their records, a run of them at a time."""
    rows: list[bytes] = []
    details: list[tuple[Detail, int]] = []
    position = start
    while position < end:
        found = kept.row(sheet.keys[position])
        if found is not None:
            xml, noted = found
            rows.append(renumbered(xml, HEADER_ROW + 1 + position))
            details += [(detail, position - start) for detail in noted]
            position += 1
            continue
        after = position + 1
        while after < end and kept.row(sheet.keys[after]) is None:
            after += 1
        made, made_details = _made(sheet, position, after)
        rows += made
        details += [(detail, row - HEADER_ROW - 1 - start) for detail, row in made_details]
        position = after
    segment = sheet_segment(b"".join(rows))
    return Block(key, segment, tuple(d for d, _ in details), tuple(r for _, r in details))


def _made(sheet: SheetRows, start: int, end: int) -> tuple[list[bytes], list[tuple[Detail, int]]]:
    """Rows ``start`` to ``end`` made from their records; their details with row numbers."""
    writer = sheet.writer
    rows = sheet.rows_at(start, end)
    if [writer.row_key(row) for row in rows] != sheet.keys[start:end]:
        raise Stale("a kept row digest no longer matches its record's row")
    before = len(writer.details)
    xml = writer.rows_xml(rows, HEADER_ROW + 1 + start)
    found = zip(writer.details[before:], writer.detail_rows[before:], strict=True)
    return split(xml), list(found)


def _entry(
    kind: FormKind, spec: RegisterSpec, writer: RegisterWriter, row: dict[str, Any]
) -> list[Any]:
    kept = spec.where is None or spec.where(row)
    return [
        row["ident"],
        listed(spec.order(row)) if spec.order and kept else None,
        writer.row_key(row) if kept else None,
    ]


def ordered(entries: list[list[Any]], by_key: bool) -> list[int]:
    """Positions in ``entries`` of those with a row (a digest), in sheet order: sorted by
    their sort keys (``entry[1]``) when ``by_key``, stably, as ``registers.register_rows``
    sorts. (Entries are tens of thousands; these loops are left to the interpreter's C.)"""
    shown = list(compress(range(len(entries)), map(itemgetter(2), entries)))
    if not by_key:
        return shown
    keys = list(map(itemgetter(1), entries))
    return sorted(shown, key=keys.__getitem__)


def digests_at(entries: list[list[Any]], order: list[int]) -> list[str]:
    """The row digests of the entries at the positions ``order``."""
    return list(map(list(map(itemgetter(2), entries)).__getitem__, order))


def places(entries: list[list[Any]]) -> dict[Any, int]:
    """Each entry's position by its first item (its record, group or row value)."""
    return dict(zip(map(itemgetter(0), entries), range(len(entries)), strict=True))


def whole(
    kind: FormKind,
    spec: RegisterSpec,
    writer: RegisterWriter,
    views: dict[str, list[RecordView]],
    today: date,
    raws: list[dict[str, Any]],
    first: Callable[[list[RecordView]], int],
) -> SheetRows:
    """The sheet from all the records (``views``), with ``raws`` at its end; ``first`` gives
    the id of the first of some records (the order of a sheet's groups)."""
    source = spec.source or kind
    if grouped(spec):
        return _whole_groups(spec, writer, views.get(source.key, []), today, raws, first)
    if spec.rows is not None:
        made = list(spec.rows(views.get(source.key, []), today))
        rows = [row for row in made if spec.where is None or spec.where(row)]
        rows = (sorted(rows, key=spec.order) if spec.order else rows) + raws
        keys = [writer.row_key(row) for row in rows]
        return SheetRows(writer, keys, lambda start, end: rows[start:end])
    every = list(default_rows(source, views.get(source.key, []), today))
    entries = [_entry(kind, spec, writer, row) for row in every]
    shown = [every[index] for index in ordered(entries, spec.order is not None)] + raws
    keys = [writer.row_key(row) for row in shown]
    return SheetRows(writer, keys, lambda start, end: shown[start:end], None if raws else entries)


def grown(
    kind: FormKind,
    spec: RegisterSpec,
    writer: RegisterWriter,
    kept: list[list[Any]],
    changed: list[RecordView],
    store: Store,
    today: date,
) -> SheetRows:
    """The sheet from its ``kept`` entries, the records ``changed`` (every record of the
    families that gained one, new ones included) made again."""
    source = spec.source or kind
    entries = kept  # read for this export alone: changed in place
    by_key = spec.order is not None
    earlier = digests_at(entries, ordered(entries, by_key))
    where = places(entries)
    views = {view.ident: view for view in changed}
    for row in default_rows(source, [v for v in changed if v.kind == source.key], today):
        put(entries, where, row["ident"], _entry(kind, spec, writer, row))
    order = ordered(entries, by_key)
    keys = digests_at(entries, order)

    def rows_at(start: int, end: int) -> list[dict[str, Any]]:
        idents = [entries[index][0] for index in order[start:end]]
        missing = [ident for ident in idents if ident not in views]
        if missing:
            views.update((v.ident, v) for v in families(store, ids_of(store, missing)))
        if any(ident not in views for ident in idents):
            raise Stale("a kept row's record is gone")
        return list(default_rows(source, [views[ident] for ident in idents], today))

    return SheetRows(writer, keys, rows_at, entries, earlier)


def put(entries: list[list[Any]], where: dict[Any, int], key: Any, entry: list[Any]) -> None:
    """``entry`` in place of the kept one for ``key`` (``where`` says which), else at the end."""
    if key in where:
        entries[where[key]] = entry
    else:
        where[key] = len(entries)
        entries.append(entry)


# -- a sheet whose rows are made group by group (``RegisterSpec.grouped_by``)


def grouped(spec: RegisterSpec) -> bool:
    return spec.rows is not None and spec.grouped_by is not None and spec.order is None


def group_of(spec: RegisterSpec, view: RecordView) -> Any:
    return view.year if spec.grouped_by == "year" else view.values.get(spec.grouped_by or "")


def _group_rows(
    spec: RegisterSpec, writer: RegisterWriter, views: list[RecordView], today: date
) -> list[dict[str, Any]]:
    assert spec.rows is not None
    return [row for row in spec.rows(views, today) if spec.where is None or spec.where(row)]


def _group_entry(
    spec: RegisterSpec, writer: RegisterWriter, value: Any, first: int, rows: list[dict[str, Any]]
) -> list[Any]:
    """[group value, its place, its rows' digests]."""
    return [value, value if spec.groups_sorted else first, [writer.row_key(r) for r in rows]]


def _whole_groups(
    spec: RegisterSpec,
    writer: RegisterWriter,
    views: list[RecordView],
    today: date,
    raws: list[dict[str, Any]],
    first: Callable[[list[RecordView]], int],
) -> SheetRows:
    groups: dict[Any, list[RecordView]] = {}
    for view in views:
        groups.setdefault(group_of(spec, view), []).append(view)
    made = {value: _group_rows(spec, writer, members, today) for value, members in groups.items()}
    entries = [
        _group_entry(spec, writer, value, first(members), made[value])
        for value, members in groups.items()
    ]
    rows = [row for entry in sorted(entries, key=_place) for row in made[entry[0]]] + raws
    keys = [writer.row_key(row) for row in rows]
    return SheetRows(writer, keys, lambda start, end: rows[start:end], None if raws else entries)


def _place(entry: list[Any]) -> Any:
    return entry[1]


def grown_groups(
    kind: FormKind,
    spec: RegisterSpec,
    writer: RegisterWriter,
    kept: list[list[Any]],
    changed: list[RecordView],
    store: Store,
    today: date,
) -> SheetRows:
    """The sheet from its ``kept`` groups, those of the records ``changed`` made again from
    all their records (read by their value)."""
    source = spec.source or kind
    entries = kept
    earlier = [key for entry in sorted(entries, key=_place) for key in entry[2]]
    where = places(entries)
    made: dict[Any, list[dict[str, Any]]] = {}

    def rows_of(value: Any) -> list[dict[str, Any]]:
        if value not in made:
            members, first = _group_records(store, source, spec, value)
            made[value] = _group_rows(spec, writer, members, today)
            put(entries, where, value, _group_entry(spec, writer, value, first, made[value]))
        return made[value]

    for value in dict.fromkeys(group_of(spec, v) for v in changed if v.kind == source.key):
        rows_of(value)
    order = sorted(entries, key=_place)
    keys = [key for entry in order for key in entry[2]]
    starts = [0]
    for entry in order:
        starts.append(starts[-1] + len(entry[2]))

    def rows_at(start: int, end: int) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for entry, at, after in zip(order, starts, starts[1:], strict=False):
            if at < end and after > start:
                rows = rows_of(entry[0])
                found += rows[max(start - at, 0) : end - at]
        return found

    return SheetRows(writer, keys, rows_at, entries, earlier)


def _group_records(
    store: Store, source: FormKind, spec: RegisterSpec, value: Any
) -> tuple[list[RecordView], int]:
    """The records of a group, with their families, and the id of the first."""
    if spec.grouped_by == "year":
        # A kind of its own (not a follow-up) is read by the index of its serials.
        top = " AND parent_id IS NULL" if source.parent is None else ""
        sql = f"SELECT id FROM records WHERE kind = ? AND year = ?{top} ORDER BY id"
        ids = [row[0] for row in store.execute(sql, (source.key, value)).fetchall()]
    else:
        ids = [row["id"] for row in store.records_with(source.key, spec.grouped_by or "", value)]
    if not ids:
        raise Stale("a kept group has no records any more")
    views = [view for view in families(store, ids) if view.kind == source.key]
    return views, ids[0]
