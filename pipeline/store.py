"""The store: SQLite in the local state folder. Registers are exported from it, never read back.

Tables: ``submissions`` (every file received: hash, name, time, kind, stage, outcome, errors),
``records`` (every accepted form: kind, serial, data) and ``events`` (the audit log). A record
and its serial are written in one transaction with the submission's progress, so a crash
leaves either no serial or a serial whose submission says where to resume.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipeline.errors import StoreUnavailable
from pipeline.files import private_dir

SCHEMA_VERSION = 2
SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL,
    original_name TEXT NOT NULL,
    source_path TEXT NOT NULL,
    subfolder TEXT NOT NULL DEFAULT '',
    received_at TEXT NOT NULL,
    kind TEXT,
    stage TEXT NOT NULL DEFAULT 'received',
    outcome TEXT,
    record_id INTEGER REFERENCES records(id),
    errors TEXT NOT NULL DEFAULT '[]',
    outputs TEXT NOT NULL DEFAULT '[]',
    released_at TEXT
);
CREATE INDEX IF NOT EXISTS submissions_sha256 ON submissions(sha256);
CREATE INDEX IF NOT EXISTS submissions_rejecting ON submissions(id) WHERE stage = 'rejecting';
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    serial TEXT UNIQUE,
    ident TEXT NOT NULL UNIQUE,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    parent_id INTEGER REFERENCES records(id),
    data TEXT NOT NULL,
    derived TEXT NOT NULL,
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS records_serial_seq
    ON records(kind, year, seq) WHERE parent_id IS NULL;
-- Follow-ups are numbered per kind under their parent (KN-2026-0001-走访1, …-复核1); version 1
-- numbered all the children of a parent in one sequence.
DROP INDEX IF EXISTS records_child_seq;
CREATE UNIQUE INDEX IF NOT EXISTS records_child_kind_seq
    ON records(parent_id, kind, seq) WHERE parent_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    submission_id INTEGER,
    event TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
"""


def to_json(value: Any) -> str:
    def default(item: Any) -> Any:
        if isinstance(item, Decimal):
            return str(item)
        if isinstance(item, date | datetime):
            return item.isoformat()
        raise TypeError(f"cannot store {type(item).__name__}")

    return json.dumps(value, ensure_ascii=False, default=default)


@dataclass(frozen=True)
class Submission:
    id: int
    sha256: str
    original_name: str
    source_path: str
    received_at: str
    stage: str
    outcome: str | None
    record_id: int | None
    released_at: str | None


@dataclass(frozen=True)
class NewRecord:
    """What the number stage stores: the record's kind, data and, for a child, its parent."""

    kind: str
    prefix: str | None
    year: int
    data: dict[str, Any]
    derived: dict[str, Any]
    parent_serial: str | None = None
    child_suffix: str = ""


class Store:
    """One SQLite database in the state folder."""

    def __init__(self, state_dir: Path) -> None:
        private_dir(state_dir)
        self.path = state_dir / "unionforms.sqlite3"
        try:
            old_umask = os.umask(0o077)
            try:
                self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
            finally:
                os.umask(old_umask)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.executescript(SCHEMA)
            self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"无法打开状态数据库 {self.path}：{exc}") from None

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE: a second process waits instead of taking the same serial."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def log(self, event: str, detail: str = "", submission_id: int | None = None) -> None:
        self.db.execute(
            "INSERT INTO events (at, submission_id, event, detail) VALUES (?, ?, ?, ?)",
            (datetime.now().isoformat(timespec="seconds"), submission_id, event, detail),
        )

    # -- submissions ---------------------------------------------------------------------

    def _submission(self, row: sqlite3.Row | None) -> Submission | None:
        if row is None:
            return None
        return Submission(
            row["id"],
            row["sha256"],
            row["original_name"],
            row["source_path"],
            row["received_at"],
            row["stage"],
            row["outcome"],
            row["record_id"],
            row["released_at"],
        )

    def unfinished(self, sha256: str) -> list[Submission]:
        """Submissions of these bytes whose file never left the inbox, latest first."""
        rows = self.db.execute(
            "SELECT * FROM submissions WHERE sha256 = ? AND released_at IS NULL ORDER BY id DESC",
            (sha256,),
        ).fetchall()
        return [s for s in map(self._submission, rows) if s is not None]

    def moved(self, submission_id: int, source_path: str, subfolder: str) -> None:
        """The file of an interrupted submission now lives at ``source_path``."""
        with self.transaction():
            self.db.execute(
                "UPDATE submissions SET source_path = ?, subfolder = ? WHERE id = ?",
                (source_path, subfolder, submission_id),
            )
            self.log("moved", source_path, submission_id)

    def numbered_before(self, sha256: str, submission_id: int) -> tuple[Submission, str] | None:
        """Another submission of the same bytes that was given a record, with its ident."""
        row = self.db.execute(
            "SELECT s.*, r.ident FROM submissions s JOIN records r ON r.id = s.record_id"
            " WHERE s.sha256 = ? AND s.id != ? ORDER BY s.id LIMIT 1",
            (sha256, submission_id),
        ).fetchone()
        if row is None:
            return None
        submission = self._submission(row)
        assert submission is not None
        return submission, row["ident"]

    def receive(self, sha256: str, name: str, source: str, subfolder: str, at: datetime) -> int:
        with self.transaction():
            cursor = self.db.execute(
                "INSERT INTO submissions"
                " (sha256, original_name, source_path, subfolder, received_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (sha256, name, source, subfolder, at.isoformat(timespec="seconds")),
            )
            submission_id = int(cursor.lastrowid or 0)
            self.log("received", name, submission_id)
        return submission_id

    def set_kind(self, submission_id: int, kind: str) -> None:
        self.db.execute("UPDATE submissions SET kind = ? WHERE id = ?", (kind, submission_id))

    def plan_rejection(self, submission_id: int, original: str) -> None:
        """Record where the returned original will go before anything is written there."""
        self.db.execute(
            "UPDATE submissions SET stage = 'rejecting', outputs = ? WHERE id = ?",
            (to_json([original]), submission_id),
        )

    def planned_rejections(self) -> dict[int, str]:
        """Returned originals planned by rejections that a crash interrupted, by submission."""
        rows = self.db.execute(
            "SELECT id, outputs FROM submissions WHERE stage = 'rejecting' AND outcome IS NULL"
        ).fetchall()
        return {row["id"]: json.loads(row["outputs"])[0] for row in rows}

    def finish(
        self, submission_id: int, outcome: str, errors: list[str], outputs: list[str], detail: str
    ) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE submissions SET stage = 'done', outcome = ?, errors = ?, outputs = ?"
                " WHERE id = ?",
                (outcome, to_json(errors), to_json(outputs), submission_id),
            )
            self.log(outcome, detail, submission_id)

    def released(self, submission_id: int) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE submissions SET released_at = ? WHERE id = ?",
                (datetime.now().isoformat(timespec="seconds"), submission_id),
            )
            self.log("released", "", submission_id)

    # -- records -------------------------------------------------------------------------

    def number(
        self, submission_id: int, sha256: str, new: NewRecord
    ) -> tuple[sqlite3.Row | None, tuple[Submission, str] | None]:
        """Store the record with the next serial, in the transaction that marks the submission.

        Returns ``(record, None)``, or ``(None, earlier)`` when the same bytes were numbered
        before (checked inside the transaction, so two processes cannot both number them).
        """
        with self.transaction():
            earlier = self.numbered_before(sha256, submission_id)
            if earlier is not None:
                return None, earlier
            parent_id = None
            if new.parent_serial is not None:
                parent = self.db.execute(
                    "SELECT id FROM records WHERE serial = ?", (new.parent_serial,)
                ).fetchone()
                parent_id = parent["id"]
                seq = self._next(kind=new.kind, parent_id=parent_id)
                serial, ident = None, f"{new.parent_serial}-{new.child_suffix}{seq}"
            else:
                seq = self._next(kind=new.kind, year=new.year)
                serial = f"{new.prefix}-{new.year}-{seq:04d}" if new.prefix else None
                ident = serial or f"{new.kind}-{new.year}-{seq:04d}"
            cursor = self.db.execute(
                "INSERT INTO records (kind, serial, ident, year, seq, parent_id, data, derived,"
                " submission_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.kind,
                    serial,
                    ident,
                    new.year,
                    seq,
                    parent_id,
                    to_json(new.data),
                    to_json(new.derived),
                    submission_id,
                    datetime.now().isoformat(timespec="seconds"),
                ),
            )
            self.db.execute(
                "UPDATE submissions SET stage = 'numbered', record_id = ? WHERE id = ?",
                (cursor.lastrowid, submission_id),
            )
            self.log("numbered", ident, submission_id)
        return self.record_row(int(cursor.lastrowid or 0)), None

    def _next(
        self, kind: str | None = None, year: int | None = None, parent_id: int | None = None
    ) -> int:
        if parent_id is not None:
            row = self.db.execute(
                "SELECT MAX(seq) FROM records WHERE parent_id = ? AND kind = ?", (parent_id, kind)
            ).fetchone()
        else:
            row = self.db.execute(
                "SELECT MAX(seq) FROM records WHERE kind = ? AND year = ? AND parent_id IS NULL",
                (kind, year),
            ).fetchone()
        return int(row[0] or 0) + 1

    RECORD_QUERY = (
        "SELECT r.*, p.serial AS parent_serial, s.original_name, s.subfolder, s.received_at"
        " FROM records r JOIN submissions s ON s.id = r.submission_id"
        " LEFT JOIN records p ON p.id = r.parent_id"
    )

    def record_row(self, record_id: int) -> sqlite3.Row:
        return self.db.execute(f"{self.RECORD_QUERY} WHERE r.id = ?", (record_id,)).fetchone()

    def record_rows(self) -> list[sqlite3.Row]:
        return self.db.execute(f"{self.RECORD_QUERY} ORDER BY r.id").fetchall()

    def record_by_serial(self, serial: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute(
            f"{self.RECORD_QUERY} WHERE r.serial = ?", (serial,)
        ).fetchone()
        return row

    def children_rows(self, record_id: int) -> list[sqlite3.Row]:
        return self.db.execute(
            f"{self.RECORD_QUERY} WHERE r.parent_id = ? ORDER BY r.seq", (record_id,)
        ).fetchall()

    def serials_with(self, kind: str, key: str, value: Any, year: int) -> list[str]:
        rows = self.db.execute(
            "SELECT ident FROM records WHERE kind = ? AND year = ? AND json_extract(data, ?) = ?"
            " ORDER BY id",
            (kind, year, f"$.{key}", value),
        ).fetchall()
        return [row["ident"] for row in rows]

    def counts(self) -> dict[str, int]:
        rows = self.db.execute(
            "SELECT outcome, COUNT(*) AS n FROM submissions GROUP BY outcome"
        ).fetchall()
        return {str(row["outcome"]): int(row["n"]) for row in rows}
