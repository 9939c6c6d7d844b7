"""The framework for kinds that follow up other kinds' records, checked over the registry: what a
follow-up adds to its parent, row follow-ups, pre-filled sheets, registers made from another
kind's records and extra sheets, and follow-ups numbered per kind under their parent."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from forms import KINDS, get_kind
from forms.base import FormKind, RegisterSpec
from pipeline.schema import SCHEMA_VERSION
from pipeline.store import Store
from tests.conftest import Workspace
from tests.test_faults import V1_SCHEMA

KIND_IDS = [kind.key for kind in KINDS]
FOLLOWUPS = [kind for kind in KINDS if kind.parent]


def every_sheet(kind: FormKind) -> list[RegisterSpec]:
    specs = [*kind.registers, *(listing.register for listing in kind.listings)]
    return [sheet for spec in specs for sheet in (spec, *spec.sheets)]


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_every_column_of_every_sheet_has_a_type(kind: FormKind) -> None:
    for sheet in every_sheet(kind):
        for column in sheet.columns:
            assert sheet.value_type(kind, column.key), f"{sheet.title}: {column.key}"
        if sheet.highlight:
            assert sheet.value_type(kind, sheet.highlight), f"{sheet.title}: {sheet.highlight}"


def test_register_files_and_sheets_have_distinct_names() -> None:
    titles = [spec.title for kind in KINDS for spec in kind.registers]
    assert len(titles) == len(set(titles)), "two registers would write the same file"
    for kind in KINDS:
        for spec in kind.registers:
            names = [sheet.title[:31] for sheet in (spec, *spec.sheets)]
            assert len(names) == len(set(names)), spec.title


@pytest.mark.parametrize("kind", FOLLOWUPS, ids=[k.key for k in FOLLOWUPS])
def test_a_follow_up_extends_its_parents_registers(kind: FormKind) -> None:
    assert kind.parent is not None
    parent = get_kind(kind.parent.kind)
    assert kind in parent.followups
    sheets = {sheet.title: sheet for sheet in every_sheet(parent)}
    for title, columns in kind.parent_columns.items():
        assert title in sheets, f"{kind.key} adds columns to {title}, no register of {parent.key}"
        assert set(columns) <= set(sheets[title].columns)
        assert {column.key for column in columns} <= set(kind.parent_values)


@pytest.mark.parametrize("kind", FOLLOWUPS, ids=[k.key for k in FOLLOWUPS])
def test_what_a_follow_up_carries_and_matches_are_fields(kind: FormKind) -> None:
    assert kind.parent is not None
    parent = get_kind(kind.parent.kind)
    mine = {spec.key: spec for spec in kind.model.field_defs()}
    theirs = {spec.key: spec for spec in parent.model.field_defs()}
    assert set(kind.parent.carry) <= set(mine) and set(kind.parent.carry.values()) <= set(theirs)
    ref = kind.parent.row
    if ref is not None:
        table = theirs[ref.table]
        assert table.is_table
        assert set(ref.match) <= set(mine)
        assert set(ref.match.values()) <= {column.key for column in table.columns}


def test_follow_ups_are_numbered_per_kind_under_their_parent(ws: Workspace) -> None:
    ws.drop("1-申请.xlsx", ws.xlsx("hardship"))
    ws.drop("2-走访.xlsx", ws.xlsx("visit"))
    ws.drop("3-复核.xlsx", ws.xlsx("hardship_review"))
    ws.drop("4-走访.docx", ws.docx("visit", gifts="棉被1床"))
    idents = [job.record.ident for job in ws.process().jobs if job.record]
    assert idents == [  # in the order the files were found
        "KN-2026-0001",
        "KN-2026-0001-走访1",
        "KN-2026-0001-复核1",
        "KN-2026-0001-走访2",
    ]


def test_a_version_1_store_numbers_follow_ups_per_kind_after_opening(tmp_path: Path) -> None:
    """Version 1 numbered all the children of a record in one sequence (one unique index)."""
    db = sqlite3.connect(tmp_path / "unionforms.sqlite3")
    db.executescript(V1_SCHEMA)
    db.execute(
        "CREATE UNIQUE INDEX records_child_seq ON records(parent_id, seq)"
        " WHERE parent_id IS NOT NULL"
    )
    db.commit()
    db.close()
    store = Store(tmp_path)
    indexes = {row[1] for row in store.db.execute("PRAGMA index_list(records)")}
    version = store.db.execute("PRAGMA user_version").fetchone()[0]
    store.close()
    assert "records_child_seq" not in indexes and "records_child_kind_seq" in indexes
    assert version == SCHEMA_VERSION
