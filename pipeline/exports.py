"""Exporting the registers after a batch: only those whose rows may have changed.

Rewriting a register costs time in proportion to its rows, so exporting every register after
every batch would make each form cost more as the store grows. A register's rows follow from
its kind's records, the records they belong to and those that belong to them (a hazard and
its follow-ups), the configuration, the program, and, for a kind whose values change with
the date (overdue hazards), today. Records are never changed or deleted, so the number and the
last id of each kind's records say whether any were added. That, and the rest, is summed up
in a fingerprint per register, kept in the state folder with the size and time of the file
the export left; a register whose fingerprint and file are unchanged is not written again.
``unionforms registers`` writes them all.
"""

from __future__ import annotations

import hashlib
import json
import sys
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from forms import KINDS
from forms.base import FormKind, RegisterSpec
from pipeline import records
from pipeline.files import write_atomic
from pipeline.registers import ExportResult, export_registers, register_path
from pipeline.runtime import Runtime

STATE_FILE = "registers.json"
# Whatever a register's rows are made by: a change to any of them (an upgrade) exports again.
CODE = ("forms", "pipeline.registers", "pipeline.records")


@cache
def code_version() -> str:
    digest = hashlib.sha256()
    for name, module in sorted(sys.modules.items()):
        if name.split(".")[0] == "forms" or name in CODE:
            source = getattr(module, "__file__", None)
            if source and Path(source).is_file():
                digest.update(name.encode() + Path(source).read_bytes())
    return digest.hexdigest()


def linked_kinds(kind: FormKind) -> set[str]:
    """The kinds whose records a register of ``kind`` may show: its own, its parent's, and
    the kinds whose records belong to either."""
    linked = {kind.key} | ({kind.parent.kind} if kind.parent else set())
    linked |= {k.key for k in KINDS if k.parent and k.parent.kind in linked}
    return linked


def changes_daily(kind: FormKind, spec: RegisterSpec) -> bool:
    return type(kind).live is not FormKind.live or spec.rows is not None


def fingerprint(
    kind: FormKind, spec: RegisterSpec, rt: Runtime, counts: dict[str, Any], today: date
) -> str:
    parts = {
        "code": code_version(),
        "register": [kind.key, kind.version, spec.title],
        "config": rt.config.model_dump(mode="json", exclude={"folders"}),
        "records": {key: counts.get(key) for key in sorted(linked_kinds(kind))},
        "today": today.isoformat() if changes_daily(kind, spec) else None,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def _file_signature(path: Path) -> list[int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return [status.st_size, status.st_mtime_ns]


def export_changed(rt: Runtime, force: bool = False) -> ExportResult:
    """Export the registers whose rows may have changed since their last export (all of them
    when ``force``); each on its own, as ``export_registers`` does."""
    folder = rt.outbox / "registers"
    state = rt.config.folders.state / STATE_FILE
    now = rt.clock()
    counts = rt.store.kind_counts()
    previous = _read(state)
    due: dict[str, dict[str, Any]] = {}
    for kind in KINDS:
        for spec in kind.registers:
            current = {"fingerprint": fingerprint(kind, spec, rt, counts, now.date())}
            seen = previous.get(spec.title, {})
            unchanged = seen.get("file") == _file_signature(register_path(folder, spec))
            if force or seen.get("fingerprint") != current["fingerprint"] or not unchanged:
                due[spec.title] = current
    if not due:
        return ExportResult()
    kinds = set().union(*(linked_kinds(_kind_of(title)) for title in due))
    everything = records.load_all(rt.store, kinds)
    result = export_registers(everything, rt.config, folder, now, rt.sharing, set(due))
    for path in result.written:
        title = next(t for t in due if register_path(folder, _spec_of(t)) == path)
        previous[title] = due[title] | {"file": _file_signature(path)}
    write_atomic(state, json.dumps(previous, ensure_ascii=False, indent=1).encode("utf-8"))
    return result


def _kind_of(title: str) -> FormKind:
    return next(kind for kind in KINDS for spec in kind.registers if spec.title == title)


def _spec_of(title: str) -> RegisterSpec:
    return next(spec for spec in _kind_of(title).registers if spec.title == title)


def _read(path: Path) -> dict[str, Any]:
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # none yet, or unreadable: every register is exported
    return found if isinstance(found, dict) else {}
