"""Exporting the registers after a batch, at a cost that depends on what changed.

A register's rows follow from its kind's records, the records they belong to and those that
belong to them (a hazard and its follow-ups), the configuration, the program, and, for a
register whose rows may change with the date (``dated``: overdue hazards, a file due for its
yearly review), today. Records are never changed, and deleted only by ``unionforms purge``,
so the number and last id of each kind's records say whether any were added. All that is
summed up in a fingerprint per register, kept in ``state/registers.json`` with the size and
time of the file the export left. Then, per register:

- nothing changed (and the file is as it was left): it is not written;
- otherwise it is written from blocks of rows (``pipeline.sheet_rows``), each sheet's kept in
  ``state/register-rows/`` (``pipeline.kept_rows``) and reused where its rows are the same.
  A sheet of one row per record finds its rows from what was kept and the families that
  gained records; a sheet made by a ``rows`` builder (a summary, a person over several forms)
  is made from all its kind's records, and only its changed blocks are written again.
- The kept rows of one day are not used on another when the register's rows may change
  with the date (``dated``: overdue hazards, a summary, what follow-ups add): the first
  export of a day makes every row again (blocks of the same rows are still reused).

Kept rows are not used either after a purge (records fewer than noted), when a kept row's
record is gone, when a sheet had rows of records its kind cannot rebuild (listed raw at its
end), or when the kept files are not those noted (a crash between writing the register and
noting it, a file changed by hand): the register is then made whole from all its records.
``unionforms registers`` makes them all whole.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forms import KINDS, get_kind
from forms.base import FormKind, RegisterSpec
from pipeline import kept_rows, records
from pipeline.batches import returns_sheets
from pipeline.code_digest import code_digest
from pipeline.families import added_after, first_of
from pipeline.files import write_atomic
from pipeline.kept_details import with_details
from pipeline.kept_rows import Block, Kept, KeptSheet
from pipeline.latest_rows import grown_latest, latest, whole_latest
from pipeline.logs import FILE_ONLY
from pipeline.records import AllRecords
from pipeline.registers import (
    ExportResult,
    ExtraSheet,
    RegisterWriter,
    guarded,
    raw_rows,
    register_path,
    register_skeleton,
)
from pipeline.runtime import Runtime
from pipeline.sheet_file import assemble
from pipeline.sheet_rows import (
    SheetRows,
    Stale,
    blocks,
    families,
    grouped,
    grown,
    grown_groups,
    whole,
)

if TYPE_CHECKING:
    from pipeline.pool import WorkerPool

log = logging.getLogger("unionforms")
STATE_FILE = "registers.json"
# Whatever a register's rows are made by: a change to any of them (an upgrade) exports again.
CODE = (
    "forms",
    "pipeline.registers",
    "pipeline.records",
    "pipeline.exports",
    "pipeline.sheet_rows",
    "pipeline.families",
    "pipeline.sheet_file",
    "pipeline.kept_rows",
    "pipeline.latest_rows",
    "pipeline.kept_xml",
    "pipeline.kept_details",
)


@cache
def code_version() -> str:
    return code_digest(lambda name: name.split(".")[0] == "forms" or name in CODE)


def _follow(key: str) -> set[str]:
    """``key`` and the kinds whose records belong to its records, and so on down."""
    found = {key}
    for kind in KINDS:
        if kind.parent and kind.parent.kind == key:
            found |= _follow(kind.key)
    return found


def depends_on(kind: FormKind, spec: RegisterSpec) -> set[str]:
    """The kinds whose new records may change the rows of a register: the kind of each of its
    sheets' records, the kinds that belong to those records (a hazard's follow-ups) and to
    the same parent (siblings). Not the parent's kind: a new parent has no children yet."""
    found = {kind.key}
    for sheet in (spec, *spec.sheets):
        source = sheet.source or kind
        found |= _follow(source.key)
        if source.parent:
            found |= _follow(source.parent.kind) - {source.parent.kind}
    return found


def needed(kind: FormKind, spec: RegisterSpec) -> set[str]:
    """The kinds to load to make the register: those it depends on, and their parents."""
    found = depends_on(kind, spec)
    return found | {k.parent.kind for k in KINDS if k.key in found and k.parent}


def dated(kind: FormKind, spec: RegisterSpec) -> bool:
    """Whether the register's rows may change with the date: a sheet made by a ``rows``
    builder, or a kind it reads computing values when rows are made (``live``, or what its
    follow-ups add to it)."""
    if any(sheet.rows is not None for sheet in (spec, *spec.sheets)):
        return True
    kinds = [get_kind(key) for key in needed(kind, spec)]
    return any(
        type(k).live is not FormKind.live or type(k).parent_live is not FormKind.parent_live
        for k in kinds
    )


def _digest(parts: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def fingerprints(
    kind: FormKind, spec: RegisterSpec, rt: Runtime, counts: dict[str, Any], now: datetime
) -> tuple[str, str]:
    """The register's fingerprint, and the same without its records and the date (equal from
    one export to the next when the kept rows still hold, ``Exporter._write``)."""
    parts = {
        "code": code_version(),
        "register": [kind.key, kind.version, spec.title],
        # Not [performance]: how many workers a batch has does not change a row, and 100,000
        # rows made again would cost minutes.
        "config": rt.config.model_dump(mode="json", exclude={"folders", "performance"}),
    }
    changing = {
        "records": {k: counts.get(k) for k in sorted(depends_on(kind, spec))},
        "today": now.date().isoformat() if dated(kind, spec) else None,
        "sent": [list(row) for row in rt.store.expected(kind.key)] if kind.batches else None,
    }
    return _digest(parts | changing), _digest(parts)


def _file_signature(path: Path) -> list[int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return [status.st_size, status.st_mtime_ns]


class Exporter:
    """One export of the registers (see the module docstring)."""

    def __init__(
        self,
        rt: Runtime,
        force: bool,
        now: datetime | None = None,
        counts: dict[str, list[int]] | None = None,
    ) -> None:
        self.rt = rt
        self.force = force
        self.now = now or rt.clock()
        self.today = self.now.date()
        self.folder = rt.outbox / "registers"
        self.state_folder = rt.config.folders.state
        self.state_path = self.state_folder / STATE_FILE
        self.counts = rt.store.kind_counts() if counts is None else counts
        self.state = _read(self.state_path)
        self.result = ExportResult()
        self._loaded: dict[frozenset[str], AllRecords] = {}
        self._extra: dict[str, list[ExtraSheet]] | None = None

    def run(self) -> ExportResult:
        if self.rt.pool is None:
            for kind in KINDS:
                self.kind(kind)
        else:
            self._in_workers(self.rt.pool)
        if self.result.written:
            write_atomic(self.state_path, json.dumps(self.state, indent=1).encode("utf-8"))
        return self.result

    def kind(self, kind: FormKind) -> dict[str, Any]:
        """Export ``kind``'s registers; returns what is noted about them."""
        with collector_paused():
            for spec in kind.registers:
                self._register(kind, spec)
        return {s.title: self.state[s.title] for s in kind.registers if s.title in self.state}

    def _in_workers(self, pool: WorkerPool) -> None:
        """Each kind's registers exported by a worker, taken up in the order of the kinds (a
        kind a worker could not export, because it died, is exported here). The workers are
        given the main process's counts of records: the store does not change while they
        export, and counting 100,000 records takes 20 ms, which each kind paid."""
        parts = [
            (kind, pool.call(export_kind, kind.key, self.force, self.now, self.counts))
            for kind in KINDS
        ]
        for kind, part in parts:
            try:
                noted, result = part.result()
            except Exception:
                log.warning("工作进程未能导出 %s 的台账，改由主进程导出", kind.title, exc_info=True)
                noted, result = self.kind(kind), ExportResult()
            self.state |= noted
            self.result.written += result.written
            self.result.failures += result.failures
            self._note(result.notes)

    def _register(self, kind: FormKind, spec: RegisterSpec) -> None:
        full, base = fingerprints(kind, spec, self.rt, self.counts, self.now)
        path = register_path(self.folder, spec)
        note = self.state.get(spec.title, {})
        if note.get("file") != _file_signature(path) or self.force:
            note = {}
        if note.get("fingerprint") == full:
            return
        usable = note.get("base") == base
        kept = kept_rows.read(self.state_folder, spec.title, note.get("rows")) if usable else None
        noted = guarded(spec, path, self.result, lambda: self._write(kind, spec, path, kept))
        if noted is not None:
            signature = {"file": _file_signature(path)}
            self.state[spec.title] = {"fingerprint": full, "base": base} | noted | signature

    def _write(
        self, kind: FormKind, spec: RegisterSpec, path: Path, kept: Kept | None
    ) -> dict[str, Any]:
        """Write the register from its kept rows, or whole; returns what to note about it."""
        made = None
        same_day = kept is not None and kept.day == self.today.isoformat()
        if kept is not None and (same_day or not dated(kind, spec)):
            try:
                sheets = self._grown(kind, spec, kept)
                made = [blocks(s, k.blocks) for s, k in zip(sheets, kept.sheets, strict=True)]
            except Stale as exc:
                log.info("台账 %s 按全部记录重新生成：%s", spec.title, exc, extra=FILE_ONLY)
        if made is None:  # every row made again; a block of the same rows is still reused
            sheets = self._whole(kind, spec)
            earlier = [k.blocks for k in kept.sheets] if kept else []
            if len(earlier) != len(sheets):
                earlier = [[] for _ in sheets]
            made = [blocks(sheet, b) for sheet, b in zip(sheets, earlier, strict=True)]
        made, details = with_details(
            made, [b for k in (kept.sheets if kept else []) for b in k.blocks]
        )
        extra = tuple(self._extra_sheets(spec))
        skeleton = register_skeleton(
            [(s.writer, len(s.keys)) for s in sheets], self.now, extra, bool(details)
        )
        segments = {number: [b.segment for b in sheet] for number, sheet in enumerate(made, 1)}
        if details:  # the 详情 sheet, last
            segments[len(sheets) + len(extra) + 1] = details
        write_atomic(path, assemble(skeleton, segments), self.rt.sharing)
        return {"rows": self._keep(kind, spec, sheets, made)}

    def _keep(
        self, kind: FormKind, spec: RegisterSpec, sheets: list[SheetRows], made: list[list[Block]]
    ) -> str | None:
        """Keep the register's rows for the next export (not when a sheet of one row per
        record had rows of records its kind cannot rebuild: it is made whole each time)."""
        if any(
            s.entries is None
            and (s.writer.spec.rows is None or grouped(s.writer.spec) or latest(s.writer.spec))
            for s in sheets
        ):
            return None
        kept = [KeptSheet(b, s.entries) for s, b in zip(sheets, made, strict=True)]
        last = {key: self.counts.get(key, [0, 0]) for key in sorted(depends_on(kind, spec))}
        day = self.today.isoformat()
        return kept_rows.write(self.state_folder, spec.title, Kept(kept, last, day))

    def _whole(self, kind: FormKind, spec: RegisterSpec) -> list[SheetRows]:
        return [self._whole_sheet(kind, spec, sheet) for sheet in (spec, *spec.sheets)]

    def _whole_sheet(self, kind: FormKind, spec: RegisterSpec, sheet: RegisterSpec) -> SheetRows:
        """One sheet from all the records (the first with those its kind cannot rebuild)."""
        everything = self._load(needed(kind, spec))
        raws = raw_rows(everything.raw.get(kind.key, [])) if sheet is spec else []
        writer = self._writer(kind, sheet)
        first = first_of(self.rt.store, (sheet.source or kind).key)
        if latest(sheet) and not raws:
            views = everything.by_kind.get((sheet.source or kind).key, [])
            return whole_latest(sheet, writer, views, self.today, first)
        return whole(kind, sheet, writer, everything.by_kind, self.today, raws, first)

    def _grown(self, kind: FormKind, spec: RegisterSpec, kept: Kept) -> list[SheetRows]:
        """Each sheet from its kept rows and the families that gained records."""
        specs = (spec, *spec.sheets)
        if len(kept.sheets) != len(specs):
            raise Stale("the register's sheets changed")
        changed = families(self.rt.store, self._added(kind, spec, kept.last))
        sheets = []
        for sheet, was in zip(specs, kept.sheets, strict=True):
            writer, store = self._writer(kind, sheet), self.rt.store
            if sheet.rows is not None and not (grouped(sheet) or latest(sheet)):
                sheets.append(self._whole_sheet(kind, spec, sheet))  # from all the records
            elif was.entries is None:
                raise Stale("no rows were kept for a sheet")
            elif latest(sheet):
                source = sheet.source or kind
                made = grown_latest(sheet, writer, was.entries, changed, store, self.today, source)
                sheets.append(made)
            else:
                grow = grown_groups if grouped(sheet) else grown
                sheets.append(grow(kind, sheet, writer, was.entries, changed, store, self.today))
        return sheets

    def _added(self, kind: FormKind, spec: RegisterSpec, last: dict[str, list[int]]) -> list[int]:
        """The records added since the kept rows were made, of the kinds the register shows."""
        added = []
        for key in sorted(depends_on(kind, spec)):
            count, last_id = last.get(key, [0, 0])
            new = added_after(self.rt.store, key, last_id)
            if self.counts.get(key, [0, 0])[0] - count != len(new):
                raise Stale("records were deleted (unionforms purge)")
            added += new
        return added

    def _writer(self, kind: FormKind, sheet: RegisterSpec) -> RegisterWriter:
        return RegisterWriter(kind, sheet, self.rt.config)

    def _extra_sheets(self, spec: RegisterSpec) -> list[ExtraSheet]:
        """The sheets of what batches sent out and what came back, on the register of a kind
        that sends forms out (none when nothing was ever sent: nothing is loaded then)."""
        if self._extra is None:
            self._extra = {}
            if self.rt.store.expected():
                batched = {kind.key for kind in KINDS if kind.batches}
                self._extra = returns_sheets(self.rt, self._load(batched).by_kind)
        return self._extra.get(spec.title, [])

    def _load(self, kinds: set[str]) -> AllRecords:
        key = frozenset(kinds)
        if key not in self._loaded:
            self._loaded[key] = records.load_all(self.rt.store, kinds)
            self._note(self._loaded[key].warnings())
        return self._loaded[key]

    def _note(self, notes: list[str]) -> None:
        self.result.notes += [note for note in notes if note not in self.result.notes]


def export_changed(rt: Runtime, force: bool = False) -> ExportResult:
    """Export the registers whose rows may have changed since their last export (every one
    when ``force``), each on its own as ``registers.guarded`` does."""
    return Exporter(rt, force).run()


def export_kind(
    rt: Runtime, key: str, force: bool, now: datetime, counts: dict[str, list[int]]
) -> tuple[dict[str, Any], ExportResult]:
    """``Exporter.kind`` in a worker (``pipeline.pool``), at the main process's time and with
    its counts of records."""
    exporter = Exporter(rt, force, now, counts)
    return exporter.kind(get_kind(key)), exporter.result


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector held off while a kind's registers are exported. The kept rows
    of a register are tens of thousands of small lists, alive until its export ends and
    holding no cycles; every collection of the oldest generation walked them all again (two
    thirds of the time to read them at 100,000 records, measured). What the export leaves is
    collected after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _read(path: Path) -> dict[str, Any]:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: every register is exported
    return found if isinstance(found, dict) else {}
