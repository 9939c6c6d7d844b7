"""Registers are written again only when their rows may have changed, so a batch costs the
same however many records the store holds; and a rule's lookup of earlier records uses an
index instead of reading every record."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from forms.samples import fictional_id
from pipeline.engine import export_all
from tests.conftest import NOW, Workspace, register_rows

HARDSHIP = "困难职工档案台账"
HAZARDS = "事故隐患整改跟踪台账"
FOLLOWUPS = "事故隐患整改回执台账"


def written(ws: Workspace, force: bool = False) -> set[str]:
    return {path.stem for path in export_all(ws.rt, force).written}


def every_register(ws: Workspace) -> set[str]:
    return {path.stem for path in (ws.outbox / "registers").glob("*.xlsx")}


def test_only_the_registers_a_batch_touched_are_written(ws: Workspace) -> None:
    ws.drop("a.xlsx", ws.xlsx("hardship"))
    ws.drop("b.xlsx", ws.xlsx("hazard"))
    first = ws.process()
    assert {path.stem for path in first.export.written} == every_register(ws)  # all, at first
    assert written(ws) == set()  # nothing came in: nothing is written
    ws.drop("c.xlsx", ws.xlsx("hardship", name="王示例", id_number=fictional_id("19800315", 3)))
    assert {path.stem for path in ws.process().export.written} == {HARDSHIP}
    _, rows = register_rows(ws.outbox / "registers" / f"{HARDSHIP}.xlsx")
    assert len(rows) == 2


def test_a_follow_up_rewrites_its_hazards_register_too(ws: Workspace) -> None:
    ws.drop("a.xlsx", ws.xlsx("hazard"))
    ws.drop("h.xlsx", ws.xlsx("hardship"))
    ws.process()
    ws.drop("b.xlsx", ws.xlsx("hazard_followup"))
    touched = {path.stem for path in ws.process().export.written}
    assert {HAZARDS, FOLLOWUPS} <= touched and HARDSHIP not in touched
    _, rows = register_rows(ws.outbox / "registers" / f"{HAZARDS}.xlsx")
    assert "整改中" in rows[0]  # the hazard's row shows its follow-up


def test_a_register_deleted_or_changed_is_written_again(ws: Workspace) -> None:
    ws.drop("a.xlsx", ws.xlsx("hardship"))
    ws.process()
    path = ws.outbox / "registers" / f"{HARDSHIP}.xlsx"
    path.unlink()
    assert written(ws) == {HARDSHIP}
    path.write_bytes(path.read_bytes() + b"\0")  # saved by someone else
    assert written(ws) == {HARDSHIP}
    assert written(ws) == set()


def test_the_date_the_configuration_and_the_registers_command(ws: Workspace) -> None:
    ws.drop("a.xlsx", ws.xlsx("hardship"))
    ws.drop("b.xlsx", ws.xlsx("hazard"))
    ws.process()
    ws.rt.clock = lambda: NOW + timedelta(days=1)  # overdue hazards change with the date
    touched = written(ws)
    assert HAZARDS in touched and HARDSHIP not in touched
    ws.rt.config = ws.rt.config.model_copy(
        update={"rules": ws.rt.config.rules.model_copy(update={"mask_id_numbers": True})}
    )
    assert written(ws) == every_register(ws)
    assert written(ws) == set()
    assert written(ws, force=True) == every_register(ws)


def test_looking_up_an_id_number_uses_an_index(ws: Workspace) -> None:
    ws.drop("a.xlsx", ws.xlsx("hardship"))
    ws.process()
    store = ws.rt.store
    value = ws.sample_values("hardship")["id_number"]
    assert [row["ident"] for row in store.records_with("hardship", "id_number", value)] == [
        "KN-2026-0001"
    ]
    plan = store.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM records"
        " WHERE kind = ? AND json_extract(data, '$.id_number') = ?",
        ("hardship", value),
    ).fetchall()
    assert "records_by_id_number" in " ".join(str(row[-1]) for row in plan)
    assert Path(store.path).is_file()
