"""The store: SQLite in the local state folder. Registers are exported from it, never read back.

Tables (``pipeline.schema``): ``submissions`` (every file received: hash, name, time, kind,
stage, outcome, errors), ``records`` (every accepted form: kind, serial, data) and ``events``
(the audit log). A record and its serial are written in one transaction with the submission's
progress, so a crash leaves either no serial or a serial whose submission says where to resume.

Every SQLite error becomes a ``PipelineError``: a database locked by another program is
``StoreLocked`` (the batch stops at once instead of every form waiting its own timeout), any
other is ``StoreUnavailable`` (a fault of the machine, never of a form). Commands that only
read open the database read-only and without the processing lock.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pipeline.errors import NoStore, StoreLocked, StoreUnavailable
from pipeline.files import private_dir
from pipeline.privacy import redact
from pipeline.schema import prepare

DATABASE_NAME = "unionforms.sqlite3"
KEY = re.compile(r"[a-z_][a-z0-9_]*")  # a field key: safe to write into SQL as it is


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
    subfolder: str = ""
    kind: str | None = None
    stuck: str | None = None
    releasing: str | None = None


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
    kind_version: str = "1"


def database_path(state_dir: Path) -> Path:
    return state_dir / DATABASE_NAME


def require_store(state_dir: Path) -> None:
    """Raises NoStore unless ``state_dir`` holds a store (``init`` or a first run made it)."""
    path = database_path(state_dir)
    if not path.is_file():
        raise NoStore(
            f"这里不是 unionforms 的工作文件夹：找不到状态数据库 {path}；"
            "请在工作文件夹中运行，或用 --config 指定它的 unionforms.toml"
        )


def count_records(state_dir: Path) -> int:
    """How many records the state folder's store holds (0 when there is no store yet)."""
    if not database_path(state_dir).is_file():
        return 0
    store = Store(state_dir, read_only=True)
    try:
        return store.record_count()
    finally:
        store.close()


def _translate(exc: sqlite3.Error, path: Path) -> StoreUnavailable:
    text = str(exc)
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
        return StoreLocked(
            f"状态数据库 {path} 正被其他程序锁住（例如用数据库工具打开着），无法写入；"
            "本次处理已停止，表单仍留在收件箱。请关闭那个程序后再运行"
        )
    return StoreUnavailable(f"状态数据库 {path} 无法读写（{text}）；表单仍留在收件箱")


class Store:
    """One SQLite database in the state folder."""

    def __init__(self, state_dir: Path, read_only: bool = False, timeout: float = 30) -> None:
        self.path = database_path(state_dir)
        self.read_only = read_only
        self._indexed: set[str] = set()
        try:
            self.db = self._connect(state_dir, timeout)
            self.db.row_factory = sqlite3.Row
            if not read_only:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=FULL")
                self.db.execute("PRAGMA foreign_keys=ON")
            prepare(self.db, self.path, read_only)
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from None

    def _connect(self, state_dir: Path, timeout: float) -> sqlite3.Connection:
        if self.read_only:
            require_store(state_dir)
            uri = f"file:{quote(str(self.path))}?mode=ro"
            return sqlite3.connect(uri, uri=True, isolation_level=None, timeout=timeout)
        private_dir(state_dir)
        old_umask = os.umask(0o077)
        try:
            return sqlite3.connect(self.path, isolation_level=None, timeout=timeout)
        finally:
            os.umask(old_umask)

    def close(self) -> None:
        self.db.close()

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        try:
            return self.db.execute(sql, params)
        except sqlite3.Error as exc:
            raise _translate(exc, self.path) from None

    @contextmanager
    def transaction(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE: a second process waits instead of taking the same serial.

        A commit is synced to disk before it returns (each sync costs milliseconds). One that
        is not ``durable`` is not synced by itself: the write-ahead log is written in order,
        so the next durable commit syncs it too, and until then a power cut (never a crash
        of the program) may lose it. That suits what nothing depends on before a later
        durable step: a file received, its kind (a lost one is received again next time).
        """
        if not durable:
            self.execute("PRAGMA synchronous=NORMAL")
        try:
            self.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise
            self.execute("COMMIT")
        finally:
            if not durable:
                self.execute("PRAGMA synchronous=FULL")

    def log(self, event: str, detail: str = "", submission_id: int | None = None) -> None:
        """An audit-log entry; ID and phone numbers in ``detail`` (a file named after a person's
        ID number) are masked."""
        self.execute(
            "INSERT INTO events (at, submission_id, event, detail) VALUES (?, ?, ?, ?)",
            (datetime.now().isoformat(timespec="seconds"), submission_id, event, redact(detail)),
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
            row["subfolder"],
            row["kind"],
            row["stuck"],
            row["releasing"],
        )

    def unfinished(self, sha256: str) -> list[Submission]:
        """Submissions of these bytes whose file never left the inbox, latest first."""
        rows = self.execute(
            "SELECT * FROM submissions WHERE sha256 = ? AND released_at IS NULL ORDER BY id DESC",
            (sha256,),
        ).fetchall()
        return [s for s in map(self._submission, rows) if s is not None]

    def moved(self, submission_id: int, source_path: str, subfolder: str) -> None:
        """The file of an interrupted submission now lives at ``source_path``."""
        with self.transaction():
            self.execute(
                "UPDATE submissions SET source_path = ?, subfolder = ? WHERE id = ?",
                (source_path, subfolder, submission_id),
            )
            self.log("moved", source_path, submission_id)

    def numbered_before(self, sha256: str, submission_id: int) -> tuple[Submission, str] | None:
        """Another submission of the same bytes that was given a record, with its ident."""
        row = self.execute(
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
        with self.transaction(durable=False):
            cursor = self.execute(
                "INSERT INTO submissions"
                " (sha256, original_name, source_path, subfolder, received_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (sha256, name, source, subfolder, at.isoformat(timespec="seconds")),
            )
            submission_id = int(cursor.lastrowid or 0)
            self.log("received", name, submission_id)
        return submission_id

    def set_kind(self, submission_id: int, kind: str) -> None:
        with self.transaction(durable=False):
            self.execute("UPDATE submissions SET kind = ? WHERE id = ?", (kind, submission_id))

    def plan_rejection(self, submission_id: int, original: str) -> None:
        """Record where the returned original will go before anything is written there."""
        self.execute(
            "UPDATE submissions SET stage = 'rejecting', outputs = ? WHERE id = ?",
            (to_json([original]), submission_id),
        )

    def planned_rejections(self) -> dict[int, str]:
        """Returned originals planned by rejections that a crash interrupted, by submission."""
        rows = self.execute(
            "SELECT id, outputs FROM submissions WHERE stage = 'rejecting' AND outcome IS NULL"
        ).fetchall()
        return {row["id"]: json.loads(row["outputs"])[0] for row in rows}

    def finish(
        self, submission_id: int, outcome: str, errors: list[str], outputs: list[str], detail: str
    ) -> None:
        with self.transaction():
            self.execute(
                "UPDATE submissions SET stage = 'done', outcome = ?, errors = ?, outputs = ?"
                " WHERE id = ?",
                (outcome, to_json(errors), to_json(outputs), submission_id),
            )
            self.log(outcome, detail, submission_id)

    def stuck(self, submission_id: int, signature: str) -> None:
        """The finished submission's file cannot leave the inbox (no write permission): it is
        remembered with its size and time, so later runs leave it alone instead of reporting
        it again, until the file changes."""
        with self.transaction():
            self.execute(
                "UPDATE submissions SET stuck = ? WHERE id = ?", (signature, submission_id)
            )
            self.log("stuck", signature, submission_id)

    def releasing(self, submission_id: int, identity: str) -> None:
        """The submission's file, this very one, is about to leave the inbox."""
        self.execute("UPDATE submissions SET releasing = ? WHERE id = ?", (identity, submission_id))

    def interrupted_releases(self) -> list[Submission]:
        """Submissions whose file was about to leave the inbox when a run stopped."""
        rows = self.execute(
            "SELECT * FROM submissions WHERE releasing IS NOT NULL AND released_at IS NULL"
        ).fetchall()
        return [s for s in map(self._submission, rows) if s is not None]

    def released(self, submission_id: int) -> None:
        with self.transaction():
            self.execute(
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
                parent = self.execute(
                    "SELECT id FROM records WHERE serial = ?", (new.parent_serial,)
                ).fetchone()
                parent_id = parent["id"]
                seq = self._next(kind=new.kind, parent_id=parent_id)
                serial, ident = None, f"{new.parent_serial}-{new.child_suffix}{seq}"
            else:
                seq = self._next(kind=new.kind, year=new.year)
                serial = f"{new.prefix}-{new.year}-{seq:04d}" if new.prefix else None
                ident = serial or f"{new.kind}-{new.year}-{seq:04d}"
            cursor = self.execute(
                "INSERT INTO records (kind, kind_version, serial, ident, year, seq, parent_id,"
                " data, derived, submission_id, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.kind,
                    new.kind_version,
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
            self.execute(
                "UPDATE submissions SET stage = 'numbered', record_id = ? WHERE id = ?",
                (cursor.lastrowid, submission_id),
            )
            self.log("numbered", ident, submission_id)
        return self.record_row(int(cursor.lastrowid or 0)), None

    def _next(
        self, kind: str | None = None, year: int | None = None, parent_id: int | None = None
    ) -> int:
        if parent_id is not None:
            row = self.execute(
                "SELECT MAX(seq) FROM records WHERE parent_id = ? AND kind = ?", (parent_id, kind)
            ).fetchone()
            return int(row[0] or 0) + 1
        # The counter outlives purged records; the records' own maximum covers a counter
        # that fell behind (a store written by a version without counters).
        row = self.execute(
            "SELECT MAX(last) FROM (SELECT last FROM serials WHERE kind = ? AND year = ?"
            " UNION ALL SELECT MAX(seq) FROM records"
            " WHERE kind = ? AND year = ? AND parent_id IS NULL)",
            (kind, year, kind, year),
        ).fetchone()
        seq = int(row[0] or 0) + 1
        self.execute(
            "INSERT INTO serials (kind, year, last) VALUES (?, ?, ?)"
            " ON CONFLICT (kind, year) DO UPDATE SET last = excluded.last",
            (kind, year, seq),
        )
        return seq

    RECORD_QUERY = (
        "SELECT r.*, p.serial AS parent_serial, s.original_name, s.subfolder, s.received_at,"
        " s.outputs AS submission_outputs, s.outcome AS submission_outcome"
        " FROM records r JOIN submissions s ON s.id = r.submission_id"
        " LEFT JOIN records p ON p.id = r.parent_id"
    )

    def record_row(self, record_id: int) -> sqlite3.Row:
        return self.execute(f"{self.RECORD_QUERY} WHERE r.id = ?", (record_id,)).fetchone()

    def record_rows(self, kinds: Collection[str] | None = None) -> list[sqlite3.Row]:
        """Every record, or those of ``kinds``, oldest first."""
        if kinds is None:
            return self.execute(f"{self.RECORD_QUERY} ORDER BY r.id").fetchall()
        marks = ", ".join("?" * len(kinds))
        return self.execute(
            f"{self.RECORD_QUERY} WHERE r.kind IN ({marks}) ORDER BY r.id", tuple(kinds)
        ).fetchall()

    def record_rows_after(self, kind: str, last_id: int) -> list[sqlite3.Row]:
        """The records of ``kind`` added after record ``last_id``, oldest first."""
        return self.execute(
            f"{self.RECORD_QUERY} WHERE r.kind = ? AND r.id > ? ORDER BY r.id", (kind, last_id)
        ).fetchall()

    def record_by_serial(self, serial: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.execute(
            f"{self.RECORD_QUERY} WHERE r.serial = ?", (serial,)
        ).fetchone()
        return row

    def children_rows(self, record_id: int) -> list[sqlite3.Row]:
        return self.execute(
            f"{self.RECORD_QUERY} WHERE r.parent_id = ? ORDER BY r.seq", (record_id,)
        ).fetchall()

    def serials_with(self, kind: str, key: str, value: Any, year: int) -> list[str]:
        field = self._looked_up(key)
        rows = self.execute(
            f"SELECT ident FROM records WHERE kind = ? AND {field} = ? AND year = ? ORDER BY id",
            (kind, value, year),
        ).fetchall()
        return [row["ident"] for row in rows]

    def records_with(self, kind: str, key: str, value: Any) -> list[sqlite3.Row]:
        """Records of ``kind`` (any year) whose field ``key`` is ``value``."""
        field = self._looked_up(key, "r.")
        return self.execute(
            f"{self.RECORD_QUERY} WHERE r.kind = ? AND {field} = ? ORDER BY r.id", (kind, value)
        ).fetchall()

    def _looked_up(self, key: str, table: str = "") -> str:
        """The SQL for field ``key`` of a record, indexed: a rule looks a value up for every
        form (an ID number among earlier applications), and without an index that would scan
        every record, so each form would cost more as the store grows. The index is made the
        first time a key is looked up (once per store; a read-only store scans instead)."""
        if not KEY.fullmatch(key):
            raise ValueError(f"not a field key: {key!r}")
        expression = f"json_extract(data, '$.{key}')"
        if not self.read_only and key not in self._indexed:
            self.execute(
                f"CREATE INDEX IF NOT EXISTS records_by_{key} ON records(kind, {expression})"
            )
            self._indexed.add(key)
        return f"json_extract({table}data, '$.{key}')"

    def kind_counts(self) -> dict[str, list[int]]:
        """``kind -> [number of records, last record id]``: records are never changed, and
        deleted only by a purge, so these change exactly when records of the kind are added
        or purged."""
        rows = self.execute("SELECT kind, COUNT(*), MAX(id) FROM records GROUP BY kind")
        return {row[0]: [int(row[1]), int(row[2])] for row in rows.fetchall()}

    def record_count(self) -> int:
        return int(self.execute("SELECT COUNT(*) FROM records").fetchone()[0])

    def leftovers(self) -> list[Submission]:
        """Submissions a crash or a vanished file left unfinished, and finished ones whose file
        could not leave the inbox: what ``unionforms doctor`` reports."""
        rows = self.execute(
            "SELECT * FROM submissions WHERE released_at IS NULL"
            " AND (stage IN ('numbered', 'rejecting') OR stuck IS NOT NULL) ORDER BY id"
        ).fetchall()
        return [s for s in map(self._submission, rows) if s is not None]

    def ident_of(self, record_id: int) -> str:
        return str(
            self.execute("SELECT ident FROM records WHERE id = ?", (record_id,)).fetchone()[0]
        )

    def accepted_records(self) -> list[sqlite3.Row]:
        """Records whose submission finished as accepted: those that must be archived."""
        return self.execute(
            f"{self.RECORD_QUERY} WHERE s.outcome = 'accepted' ORDER BY r.id"
        ).fetchall()

    def idents_mentioning(self, text: str) -> list[str]:
        """Records whose data holds ``text`` anywhere (a field, a table row, a free text)."""
        rows = self.execute(
            "SELECT ident FROM records WHERE instr(data, ?) > 0 ORDER BY id", (text,)
        ).fetchall()
        return [row["ident"] for row in rows]

    def returned_mentioning(self, text: str, idents: list[str]) -> list[sqlite3.Row]:
        """Returned submissions whose reports or file names hold ``text``, and the copies of
        the records ``idents`` returned as 重复提交."""
        marks = _marks([0] * len(idents))
        return self.execute(
            "SELECT * FROM submissions WHERE outcome IN ('rejected', 'duplicate')"
            " AND (instr(errors, ?) > 0 OR instr(original_name, ?) > 0 OR sha256 IN"
            " (SELECT s.sha256 FROM submissions s JOIN records r ON r.submission_id = s.id"
            f" WHERE r.ident IN ({marks}))) ORDER BY id",
            (text, text, *idents),
        ).fetchall()

    def returned_before(self, cutoff: str) -> list[sqlite3.Row]:
        """Returned submissions (mistakes, 重复提交) received before ``cutoff``."""
        return self.execute(
            "SELECT * FROM submissions WHERE outcome IN ('rejected', 'duplicate')"
            " AND received_at < ? ORDER BY id",
            (cutoff,),
        ).fetchall()

    def purge(self, record_ids: list[int], submission_ids: list[int], detail: str) -> None:
        """Delete records (follow-ups first), their submissions and those submissions' audit
        entries, in one transaction with a ``purged`` entry saying what went."""
        records, submissions = _marks(record_ids), _marks(submission_ids)
        with self.transaction():
            self.execute(
                f"UPDATE submissions SET record_id = NULL WHERE record_id IN ({records})",
                tuple(record_ids),
            )
            for children in ("IS NOT NULL", "IS NULL"):
                self.execute(
                    f"DELETE FROM records WHERE id IN ({records}) AND parent_id {children}",
                    tuple(record_ids),
                )
            for table, column in (("events", "submission_id"), ("submissions", "id")):
                self.execute(
                    f"DELETE FROM {table} WHERE {column} IN ({submissions})",
                    tuple(submission_ids),
                )
            self.log("purged", detail)

    # -- document numbers and batches ----------------------------------------------------

    def next_document_number(self, year: int, title: str, target: str) -> int:
        """The union's next document number of ``year`` (one sequence for every document)."""
        with self.transaction():
            row = self.execute(
                "SELECT MAX(number) FROM document_numbers WHERE year = ?", (year,)
            ).fetchone()
            number = int(row[0] or 0) + 1
            self.execute(
                "INSERT INTO document_numbers (year, number, title, issued_at, target)"
                " VALUES (?, ?, ?, ?, ?)",
                (year, number, title, datetime.now().isoformat(timespec="seconds"), target),
            )
            self.log("document_number", f"{year}-{number} {title}")
        return number

    def expect(
        self, kind: str, batch: str, year: int, key: str, label: str, choice: str, at: datetime
    ) -> bool:
        """Record that a batch sent ``key`` a form to return; False if it was already."""
        with self.transaction():
            cursor = self.execute(
                "INSERT OR IGNORE INTO expected"
                " (kind, batch, year, key, label, choice, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (kind, batch, year, key, label, choice, at.isoformat()),
            )
        return cursor.rowcount == 1

    def expected(self, kind: str | None = None) -> list[sqlite3.Row]:
        """What batches sent out (of one kind, or all), in the order they were sent."""
        if kind is None:
            return self.execute("SELECT * FROM expected ORDER BY id").fetchall()
        return self.execute("SELECT * FROM expected WHERE kind = ? ORDER BY id", (kind,)).fetchall()

    def counts(self) -> dict[str, int]:
        rows = self.execute(
            "SELECT outcome, COUNT(*) AS n FROM submissions GROUP BY outcome"
        ).fetchall()
        return {str(row["outcome"]): int(row["n"]) for row in rows}


def _marks(values: list[int]) -> str:
    """``?, ?, ?`` for an IN clause (at least one, so an empty list matches nothing)."""
    return ", ".join("?" * len(values)) or "NULL"
