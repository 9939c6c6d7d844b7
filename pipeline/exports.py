"""Exporting the registers after a batch, at a cost that does not grow with the store.

A register's rows follow from its kind's records, the records they belong to and those that
belong to them (a hazard and its follow-ups), the configuration, the program, and, for a kind
whose values change with the date (overdue hazards), today. Records are never changed, and
deleted only by ``unionforms purge`` (which makes every register again), so the number and
last id of each kind's records say whether any were added. All
that is summed up in a fingerprint per register, kept in ``state/registers.json`` with the
size and time of the file the export left. Then, per register:

- nothing changed (and the file is as it was left): it is not written;
- only new records of its own kind came (a register of one row per record, in record order,
  whose kind belongs to no other record): the rows of earlier exports are kept compressed in
  ``state/register-rows/`` and reused as they are; only the new rows are made
  (``pipeline.sheet_file``);
- anything else: the register is made again from all its records. So is a register with more
  than its own sheet: one whose texts are too long for their cells (its 详情 sheet) or whose
  kind sends forms out in batches (its 交回情况 sheets, which change with what was sent:
  ``pipeline.batches``).

``unionforms registers`` makes them all again. A crash between writing a register and noting
it leaves the kept rows and the note disagreeing, and the next export makes it again.
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from forms import KINDS
from forms.base import FormKind, RegisterSpec
from pipeline import records
from pipeline.batches import returns_sheets
from pipeline.files import private_dir, safe_name, write_atomic
from pipeline.records import AllRecords
from pipeline.registers import (
    HEADER_ROW,
    ExportResult,
    ExtraSheet,
    RegisterWriter,
    guarded,
    raw_rows,
    register_path,
    register_rows,
    write_register,
)
from pipeline.runtime import Runtime
from pipeline.sheet_file import Segment, assemble, joined, sheet_segment

STATE_FILE = "registers.json"
ROWS_FOLDER = "register-rows"
# Whatever a register's rows are made by: a change to any of them (an upgrade) exports again.
CODE = ("forms", "pipeline.registers", "pipeline.records", "pipeline.exports")


@cache
def code_version() -> str:
    digest = hashlib.sha256()
    for name, module in sorted(sys.modules.items()):
        if name.split(".")[0] == "forms" or name in CODE:
            source = getattr(module, "__file__", None)
            if source and Path(source).is_file():
                digest.update(name.encode() + Path(source).read_bytes())
    return digest.hexdigest()


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


def appendable(kind: FormKind, spec: RegisterSpec) -> bool:
    """Whether a new record only adds a row at the end of the register's one sheet."""
    plain = spec.rows is None and spec.where is None and not spec.order and not spec.sheets
    return plain and kind.parent is None and spec.source in (None, kind)


def _digest(parts: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def fingerprints(
    kind: FormKind, spec: RegisterSpec, rt: Runtime, counts: dict[str, Any], now: datetime
) -> tuple[str, str]:
    """The register's fingerprint, and the same without its own kind's records (equal from
    one export to the next when only records of its own kind came)."""
    daily = type(kind).live is not FormKind.live or spec.rows is not None
    parts = {
        "code": code_version(),
        "register": [kind.key, kind.version, spec.title],
        "config": rt.config.model_dump(mode="json", exclude={"folders"}),
        "records": {k: counts.get(k) for k in sorted(depends_on(kind, spec) - {kind.key})},
        "today": now.date().isoformat() if daily else None,
        "sent": [list(row) for row in rt.store.expected(kind.key)] if kind.batches else None,
    }
    return _digest(parts | {"own": counts.get(kind.key)}), _digest(parts)


def _file_signature(path: Path) -> list[int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return [status.st_size, status.st_mtime_ns]


class Exporter:
    """One export of the registers (see the module docstring)."""

    def __init__(self, rt: Runtime, force: bool) -> None:
        self.rt = rt
        self.force = force
        self.now = rt.clock()
        self.folder = rt.outbox / "registers"
        self.state_path = rt.config.folders.state / STATE_FILE
        self.rows_folder = rt.config.folders.state / ROWS_FOLDER
        self.counts = rt.store.kind_counts()
        self.state = _read(self.state_path)
        self.result = ExportResult()
        self._loaded: dict[frozenset[str], AllRecords] = {}
        self._extra: dict[str, list[ExtraSheet]] | None = None

    def run(self) -> ExportResult:
        for kind in KINDS:
            for spec in kind.registers:
                self._register(kind, spec)
        if self.result.written:
            write_atomic(self.state_path, json.dumps(self.state, indent=1).encode("utf-8"))
        return self.result

    def _register(self, kind: FormKind, spec: RegisterSpec) -> None:
        full, base = fingerprints(kind, spec, self.rt, self.counts, self.now)
        path = register_path(self.folder, spec)
        kept = self.state.get(spec.title, {})
        if kept.get("file") != _file_signature(path) or self.force:
            kept = {}
        if kept.get("fingerprint") == full:
            return
        can_append = appendable(kind, spec) and kept.get("base") == base
        noted = guarded(
            spec, path, self.result, lambda: self._write(kind, spec, path, kept, can_append)
        )
        if noted is not None:
            signature = {"file": _file_signature(path)}
            self.state[spec.title] = {"fingerprint": full, "base": base} | noted | signature

    def _write(
        self, kind: FormKind, spec: RegisterSpec, path: Path, kept: dict[str, Any], append: bool
    ) -> dict[str, Any]:
        """Write the register; returns what to note about it."""
        if not appendable(kind, spec) or self._extra_sheets(spec):
            return self._whole(kind, spec, path)
        writer = RegisterWriter(kind, spec, self.rt.config)
        earlier = self._kept_rows(spec, kept) if append else None
        if earlier is not None:
            rows = self._rows_after(kind, spec, kept["last_id"])
            own = self.counts.get(kind.key, [0, 0])[0]
            if rows is not None and kept["rows"] + len(rows) == own:  # none removed meanwhile
                return self._put(kind, spec, path, writer, kept["rows"], earlier, rows)
        everything = self._load(needed(kind, spec))
        rows = register_rows(kind, spec, everything.by_kind, self.now.date())
        raws = raw_rows(everything.raw.get(kind.key, []))
        noted = self._put(kind, spec, path, writer, 0, None, rows + raws)
        return noted if not raws else noted | {"base": None}  # raw rows come last: no appending

    def _put(
        self,
        kind: FormKind,
        spec: RegisterSpec,
        path: Path,
        writer: RegisterWriter,
        before: int,
        earlier: Segment | None,
        rows: list[dict[str, Any]],
    ) -> dict[str, Any]:
        new = sheet_segment(writer.rows_xml(rows, HEADER_ROW + 1 + before))
        if writer.details:  # a 详情 sheet: not a register of one sheet any more
            return self._whole(kind, spec, path)
        body = [earlier, new] if earlier is not None else [new]
        count = before + len(rows)
        write_atomic(path, assemble(writer.skeleton(count, self.now), body), self.rt.sharing)
        kept_rows = private_dir(self.rows_folder) / f"{safe_name(spec.title)}.deflate"
        if earlier is None:
            write_atomic(kept_rows, new.compressed)
        else:
            with kept_rows.open("ab") as handle:  # the note says how much of it is whole
                handle.write(new.compressed)
        whole = joined(body)
        return {
            "rows": count,
            "last_id": self.counts.get(kind.key, [0, 0])[1],
            "crc": whole.crc,
            "size": whole.size,
            "length": len(whole.compressed),
        }

    def _whole(self, kind: FormKind, spec: RegisterSpec, path: Path) -> dict[str, Any]:
        """The register made again from all its records, with all its sheets; the next
        export makes it whole again too."""
        everything = self._load(needed(kind, spec))
        extra = tuple(self._extra_sheets(spec))
        config, sharing = self.rt.config, self.rt.sharing
        write_register(kind, spec, everything, config, path, self.now, sharing, extra)
        return {"base": None}

    def _extra_sheets(self, spec: RegisterSpec) -> list[ExtraSheet]:
        """The sheets of what batches sent out and what came back, on the register of a kind
        that sends forms out (none when nothing was ever sent: nothing is loaded then)."""
        if self._extra is None:
            self._extra = {}
            if self.rt.store.expected():
                batched = {kind.key for kind in KINDS if kind.batches}
                self._extra = returns_sheets(self.rt, self._load(batched).by_kind)
        return self._extra.get(spec.title, [])

    def _kept_rows(self, spec: RegisterSpec, kept: dict[str, Any]) -> Segment | None:
        path = self.rows_folder / f"{safe_name(spec.title)}.deflate"
        try:
            data = path.read_bytes()
        except OSError:
            return None
        if len(data) != kept.get("length"):
            return None  # a crash between writing the rows and noting them
        return Segment(data, kept["crc"], kept["size"])

    def _rows_after(
        self, kind: FormKind, spec: RegisterSpec, last_id: int
    ) -> list[dict[str, Any]] | None:
        """The rows of the kind's records added since ``last_id``; None when one of them
        cannot be read (its raw row goes at the end: the register is made again)."""
        added = []
        for row in self.rt.store.record_rows_after(kind.key, last_id):
            try:
                added.append(records.view(row))
            except Exception:
                return None
        return register_rows(kind, spec, {kind.key: added}, self.now.date())

    def _load(self, kinds: set[str]) -> AllRecords:
        key = frozenset(kinds)
        if key not in self._loaded:
            self._loaded[key] = records.load_all(self.rt.store, kinds)
            notes = self._loaded[key].warnings()
            self.result.notes += [note for note in notes if note not in self.result.notes]
        return self._loaded[key]


def export_changed(rt: Runtime, force: bool = False) -> ExportResult:
    """Export the registers whose rows may have changed since their last export (every one
    when ``force``), each on its own as ``registers.guarded`` does."""
    return Exporter(rt, force).run()


def _read(path: Path) -> dict[str, Any]:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: every register is exported
    return found if isinstance(found, dict) else {}
