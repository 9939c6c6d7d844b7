"""A store that already holds many records: years of an office's work, made in seconds.

Records cannot be made fast enough through the pipeline (100,000 forms would take hours), so
they are copied in SQL from real records: a seed batch of every kind goes through the engine
once, and its rows are written again with new serials, past years, other fictional ID numbers
(born decades earlier, so no new form meets its own number under another name) and a
submission each, as the pipeline would have left them. Follow-ups hang under hazards.
"""

from __future__ import annotations

import json
import sqlite3
from itertools import cycle
from typing import Any

from benchmarks.makeforms import new_id
from forms import get_kind
from forms.fields import IdNumber
from pipeline.config import Config
from pipeline.store import DATABASE_NAME, Store

FIRST_YEAR = 2000


def seed_rows(config: Config) -> list[sqlite3.Row]:
    """The records of a folder that went through the pipeline (the seed)."""
    db = sqlite3.connect(config.folders.state / DATABASE_NAME)
    db.row_factory = sqlite3.Row
    try:
        return db.execute("SELECT * FROM records ORDER BY id").fetchall()
    finally:
        db.close()


def seed_indexes(config: Config) -> list[str]:
    """The indexes the seed's store made as its forms looked values up (``Store._looked_up``):
    a store that grew through the pipeline made them while it was small."""
    db = sqlite3.connect(config.folders.state / DATABASE_NAME)
    try:
        sql = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name LIKE 'records_by_%'"
        return [row[0] for row in db.execute(sql).fetchall()]
    finally:
        db.close()


def _other_person(kind_key: str, data: dict[str, Any], number: int) -> dict[str, Any]:
    kind = get_kind(kind_key)
    for spec in kind.model.field_defs():
        value = data.get(spec.key)
        if isinstance(spec.type, IdNumber) and isinstance(value, str) and len(value) == 18:
            data[spec.key] = new_id(value, number, birth_shift_years=30)
    return data


class Numbering:
    """Serials as the store gives them: per kind and year, and per parent for follow-ups."""

    def __init__(self) -> None:
        self.sequences: dict[tuple[str, int], int] = {}
        self.last_parent: dict[str, tuple[int, str, int]] = {}  # kind -> (id, serial, children)

    def next(self, kind_key: str, year: int) -> tuple[int, str | None, str, int | None] | None:
        """``(seq, serial, ident, parent id)``, or None for a follow-up with no parent yet."""
        parent = get_kind(kind_key).parent
        if parent is None:
            seq = self.sequences.get((kind_key, year), 0) + 1
            self.sequences[kind_key, year] = seq
            prefix = get_kind(kind_key).serial_prefix or kind_key
            serial = f"{prefix}-{year}-{seq:04d}"
            return seq, serial, serial, None
        if parent.kind not in self.last_parent:
            return None
        parent_id, parent_serial, children = self.last_parent[parent.kind]
        self.last_parent[parent.kind] = (parent_id, parent_serial, children + 1)
        return children + 1, None, f"{parent_serial}-{parent.suffix}{children + 1}", parent_id


def prefill(
    config: Config, seeds: list[sqlite3.Row], count: int, last_year: int, indexes: list[str]
) -> None:
    """Add ``count`` records of the seeds' kinds, spread over the years before ``last_year``,
    to a store with the seed's ``indexes``."""
    years = list(range(FIRST_YEAR, last_year))
    numbering = Numbering()
    Store(config.folders.state).close()  # the schema, as the first run would make it
    db = sqlite3.connect(config.folders.state / DATABASE_NAME)
    for index in indexes:
        db.execute(index)
    db.execute("BEGIN")
    for number, seed in zip(range(count), cycle(seeds), strict=False):
        year = years[number * len(years) // count]
        numbered = numbering.next(seed["kind"], year)
        if numbered is None:
            continue
        seq, serial, ident, parent_id = numbered
        received = f"{year}-06-15T10:30:00"
        when = (received, seed["kind"], received)
        submission = db.execute(
            "INSERT INTO submissions (sha256, original_name, source_path, subfolder,"
            " received_at, kind, stage, outcome, released_at)"
            " VALUES (?, ?, ?, '', ?, ?, 'done', 'accepted', ?)",
            (f"prefill-{number:056d}", f"往年-{number}.xlsx", f"/往年/{number}.xlsx", *when),
        ).lastrowid
        data = _other_person(seed["kind"], json.loads(seed["data"]), number)
        stored = (json.dumps(data, ensure_ascii=False), seed["derived"], submission, received)
        record = db.execute(
            "INSERT INTO records (kind, kind_version, serial, ident, year, seq, parent_id,"
            " data, derived, submission_id, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (seed["kind"], seed["kind_version"], serial, ident, year, seq, parent_id, *stored),
        ).lastrowid
        db.execute("UPDATE submissions SET record_id = ? WHERE id = ?", (record, submission))
        if serial is not None:
            numbering.last_parent[seed["kind"]] = (int(record or 0), serial, 0)
    db.execute("COMMIT")
    db.close()
