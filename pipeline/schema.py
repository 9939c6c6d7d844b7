"""The store's schema, its version and the migrations between versions.

``PRAGMA user_version`` says which schema a state folder holds. A newer program upgrades an
older folder in one transaction, after copying the database aside (``*.v1.bak``); an older
program refuses a newer folder with a message saying to upgrade, instead of misreading it.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from pipeline.errors import StoreUnavailable

SCHEMA_VERSION = 4
# #11: the union's document numbers; what a batch sent out, to see what came back.
REPORTING_TABLES = """
CREATE TABLE IF NOT EXISTS document_numbers (
    year INTEGER NOT NULL,
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (year, number)
);
CREATE TABLE IF NOT EXISTS expected (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    batch TEXT NOT NULL,
    year INTEGER NOT NULL,
    key TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    choice TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    UNIQUE (kind, batch, year, key, choice)
);
"""
SCHEMA = (
    REPORTING_TABLES
    + """
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
    released_at TEXT,
    stuck TEXT,
    releasing TEXT
);
CREATE INDEX IF NOT EXISTS submissions_sha256 ON submissions(sha256);
CREATE INDEX IF NOT EXISTS submissions_rejecting ON submissions(id) WHERE stage = 'rejecting';
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    kind_version TEXT NOT NULL DEFAULT '1',
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
-- Follow-ups are numbered per kind under their parent (KN-2026-0001-走访1, …-复核1).
CREATE UNIQUE INDEX IF NOT EXISTS records_child_kind_seq
    ON records(parent_id, kind, seq) WHERE parent_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS serials (
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (kind, year)
);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    submission_id INTEGER,
    event TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
"""
)

# MIGRATIONS[n] takes a database of version n to version n + 1.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        # #9: each record remembers the version of its kind's definition it was stored under;
        # a finished submission whose file cannot leave the inbox is remembered, not retried.
        "ALTER TABLE records ADD COLUMN kind_version TEXT NOT NULL DEFAULT '1'",
        "ALTER TABLE submissions ADD COLUMN stuck TEXT",
        # #12: follow-ups numbered per kind under their parent; version 1 numbered all the
        # children of a parent in one sequence.
        "DROP INDEX IF EXISTS records_child_seq",
        "CREATE UNIQUE INDEX IF NOT EXISTS records_child_kind_seq"
        " ON records(parent_id, kind, seq) WHERE parent_id IS NOT NULL",
    ),
    2: tuple(statement for statement in REPORTING_TABLES.split(";") if statement.strip()),
    3: (
        # #13: the file about to leave the inbox is recorded before it is removed, so a crash
        # in between is told apart from the same bytes dropped in again.
        "ALTER TABLE submissions ADD COLUMN releasing TEXT",
        # #13: the last serial of each kind and year, kept when records are purged, so a
        # serial is never given twice.
        "CREATE TABLE serials (kind TEXT NOT NULL, year INTEGER NOT NULL,"
        " last INTEGER NOT NULL, PRIMARY KEY (kind, year))",
        "INSERT INTO serials (kind, year, last) SELECT kind, year, MAX(seq) FROM records"
        " WHERE parent_id IS NULL GROUP BY kind, year",
    ),
}


def newer_message(path: Path, found: int) -> str:
    return (
        f"状态数据库 {path} 由较新版本的 unionforms 建立（数据格式第{found}版），"
        f"本程序只认识到第{SCHEMA_VERSION}版；为免读错数据，请把 unionforms 升级到最新版本后再运行"
    )


def prepare(db: sqlite3.Connection, path: Path, read_only: bool = False) -> None:
    """Create the schema in a new database, or upgrade an older one; refuse a newer one."""
    found = db.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise StoreUnavailable(newer_message(path, found))
    tables = db.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    if read_only:
        if tables and max(found, 1) < SCHEMA_VERSION:
            raise StoreUnavailable(
                f"状态数据库 {path} 是旧版本的数据格式，需要先升级一次："
                "请运行 unionforms process（没有表单时也会升级），再运行本命令"
            )
        return
    if tables == 0:
        db.executescript(SCHEMA)
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        return
    found = max(found, 1)  # the first version did not always stamp itself
    if found == SCHEMA_VERSION:
        return
    _back_up(db, path, found)
    db.execute("BEGIN IMMEDIATE")
    try:
        for version in range(found, SCHEMA_VERSION):
            for statement in MIGRATIONS[version]:
                db.execute(statement)
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _back_up(db: sqlite3.Connection, path: Path, version: int) -> None:
    """A copy of the database as it was, before an upgrade changes it."""
    target = path.with_name(f"{path.name}.v{version}.bak")
    if not target.exists():
        backup = sqlite3.connect(target)
        try:
            db.backup(backup)
        finally:
            backup.close()
        shutil.copymode(path, target)
