"""Registers are written again only when their rows may have changed, so a batch costs the
same however many records the store holds; and a rule's lookup of earlier records uses an
index instead of reading every record."""

from __future__ import annotations

import gc
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from forms import KINDS, get_kind
from forms.samples import fictional_id
from pipeline import exports
from pipeline.engine import export_all
from pipeline.store import Store
from tests.conftest import NOW, Workspace, register_rows

HARDSHIP = "困难职工档案台账"
HAZARDS = "事故隐患整改跟踪台账"
FOLLOWUPS = "事故隐患整改回执台账"
HARDSHIP_KIND = get_kind("hardship")
# A query plan that reads every record of a kind through an index of (kind, …).
WALKS_A_KIND = re.compile(r"SEARCH records USING (COVERING )?INDEX \w+ \(kind=\?\)")


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
    touched = {path.stem for path in ws.process().export.written}
    assert HARDSHIP in touched and not touched & {HAZARDS, FOLLOWUPS}  # those that list hardship
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
    assert touched == {s.title for k in KINDS for s in k.registers if exports.dated(k, s)}
    assert HAZARDS in touched and "计划生育责任状签订台账" not in touched
    workers = ws.rt.config.performance.model_copy(update={"workers": 7})
    ws.rt.config = ws.rt.config.model_copy(update={"performance": workers})
    assert written(ws) == set()  # how many processes make the rows does not change them
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


def sheet(path: Path) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read("xl/worksheets/sheet1.xml")


def test_rows_added_to_a_register_read_as_if_it_were_made_again(ws: Workspace) -> None:
    """Batch after batch only the new rows are made; the register is the same as one made
    from all the records at once, and a crash between writing and noting is made good."""
    people = [("张示例", 1), ("王示例", 3), ("李示例", 5), ("赵示例", 7)]
    kept = ws.rt.config.folders.state / "register-rows" / f"{HARDSHIP}.blocks"
    path = ws.outbox / "registers" / f"{HARDSHIP}.xlsx"
    for number, (name, sequence) in enumerate(people):
        values = {"name": name, "id_number": fictional_id("19800315", sequence)}
        ws.drop(f"{number}.xlsx", ws.xlsx("hardship", **values))
        ws.process()
    appended = sheet(path)
    _, rows = register_rows(path)
    assert [row[1] for row in rows] == [name for name, _ in people]
    assert written(ws, force=True) == every_register(ws)
    assert sheet(path) == appended  # made again from all records: the very same sheet
    with kept.open("ab") as handle:
        handle.write(b"half a write")
    ws.drop("x.xlsx", ws.xlsx("hardship", name="钱示例", id_number=fictional_id("19800315", 9)))
    ws.process()
    _, rows = register_rows(path)
    assert [row[1] for row in rows][-2:] == ["赵示例", "钱示例"] and len(rows) == 5


def test_stored_values_read_back_as_the_model_reads_them(by_format: dict[str, Any]) -> None:
    """Registers read stored records without building models; the values are the same."""
    checked = 0
    for job in by_format["xlsx"].jobs:
        if job.outcome == "accepted" and job.form is not None and job.kind is not None:
            data = json.loads(json.dumps(job.form.model_dump(mode="json")))
            model = job.kind.model
            assert model.record_values(data) == model.from_record(data).values()
            checked += 1
    assert checked >= 5


def test_only_receiving_a_file_is_left_unsynced(ws: Workspace) -> None:
    """Receiving a file and noting its kind are not synced on their own (the next durable
    commit syncs them); every other commit is, and the connection is left that way."""
    store = ws.rt.store
    submission = store.receive("0" * 64, "a.xlsx", "/in/a.xlsx", "", NOW)
    store.set_kind(submission, "hardship")
    assert store.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL again
    assert store.unfinished("0" * 64)[0].kind == "hardship"


def test_a_text_too_long_for_its_cell_keeps_its_details_sheet_batch_after_batch(
    ws: Workspace,
) -> None:
    """Every text too long for its cell stays on the 详情 sheet, batch after batch, as the
    register grows from its kept rows."""
    long = "挡煤墙出现多条竖向裂缝，最宽处约5毫米，堆煤侧压力大，有局部坍塌的危险。" * 40
    path = ws.outbox / "registers" / f"{HAZARDS}.xlsx"
    for number, description in enumerate(
        ["东侧挡煤墙有一条细小的竖向裂缝。", long, "西侧挡煤墙有两条细小的竖向裂缝。"]
    ):
        values = {"description": description, "location": f"示例地点{number}"}
        ws.drop(f"{number}.xlsx", ws.xlsx("hazard", **values))
        ws.process()
    book = load_workbook(path)
    assert book.sheetnames[-1] == "详情"
    details = [row[:2] for row in book["详情"].iter_rows(min_row=2, values_only=True)]
    assert details == [("YH-2026-0002", "隐患描述"), ("YH-2026-0002", "隐患描述（续）")]
    _, rows = register_rows(path)
    assert len(rows) == 3


def test_a_purged_record_leaves_the_register_even_when_rows_are_kept(ws: Workspace) -> None:
    """Rows of earlier exports are reused while records are only added; a purge removes some,
    and the next export (even one not forced, as a batch's is) must not keep their rows."""
    ws.drop("a.xlsx", ws.xlsx("hardship"))
    ws.process()
    ws.drop("b.xlsx", ws.xlsx("hardship", name="王示例", id_number=fictional_id("19800315", 3)))
    ws.process()
    _, rows = register_rows(ws.outbox / "registers" / f"{HARDSHIP}.xlsx")
    assert len(rows) == 2
    first = ws.rt.store.record_by_serial("KN-2026-0001")
    assert first is not None
    ws.rt.store.purge([first["id"]], [], "测试：删除一条记录")
    assert HARDSHIP in written(ws)
    _, rows = register_rows(ws.outbox / "registers" / f"{HARDSHIP}.xlsx")
    assert len(rows) == 1 and "KN-2026-0001" not in {str(v) for row in rows for v in row}


def test_rows_kept_by_the_earlier_version_are_removed_when_the_register_is_written(
    ws: Workspace,
) -> None:
    """Before kept blocks, a register's rows were kept in ``<title>.deflate``: nothing reads
    them now, and they hold names and ID numbers that a purge must not leave behind."""
    folder = ws.config.folders.state / "register-rows"
    folder.mkdir(parents=True, exist_ok=True)
    old = folder / f"{HARDSHIP}.deflate"
    old.write_bytes(b"rows of an earlier version")
    ws.drop("a.xlsx", ws.xlsx("hardship"))
    ws.process()
    assert not old.exists()
    assert (folder / f"{HARDSHIP}.blocks").is_file()


def test_a_batch_s_export_reads_what_changed_without_walking_a_kind_s_records(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the first export, a batch's export finds the records it adds, their families and
    a year's group through the store's indexes: no statement walks the records of a kind (at
    100,000 records each such walk cost 1-20 ms), except the one count of every kind."""
    for index, kind in enumerate(KINDS):
        if kind.parent is None:
            ws.drop(f"{index}.xlsx", ws.xlsx(kind.key))
    ws.process()
    for index, kind in enumerate(KINDS):
        ws.drop(f"again-{index}.xlsx", ws.xlsx(kind.key, 1))
    ws.process()  # the follow-ups find their parents; every register is kept now
    issued: list[tuple[str, tuple[Any, ...]]] = []
    real = Store.execute

    def noting(store: Store, sql: str, params: tuple[Any, ...] = ()) -> Any:
        issued.append((sql, params))
        return real(store, sql, params)

    for index, kind in enumerate(KINDS):
        ws.drop(f"third-{index}.xlsx", ws.xlsx(kind.key, 2))
    monkeypatch.setattr(Store, "execute", noting)
    written = ws.process().export.written
    monkeypatch.undo()
    assert len(written) >= 10  # the export ran, from kept rows
    walks = []
    for sql, params in issued:
        if not sql.lstrip().upper().startswith("SELECT") or "GROUP BY kind" in sql:
            continue
        plan = " ".join(row[-1] for row in ws.rt.store.execute(f"EXPLAIN QUERY PLAN {sql}", params))
        if "SCAN records" in plan or re.search(
            r"SEARCH records USING (COVERING )?INDEX \w+ \(kind=\?\)", plan
        ):
            walks.append((sql, plan))
    assert any("id >" in sql for sql, _ in issued) and walks == []


def test_the_cycle_collector_waits_while_registers_are_exported(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kept rows of big registers are many small lists without cycles: the collector is
    held off while registers are exported, in one process and in a worker's share (with the
    main process's counts of records), and is as it was after."""
    seen: list[bool] = []
    real = exports.Exporter._register

    def noting(self: exports.Exporter, *args: Any) -> None:
        seen.append(gc.isenabled())
        real(self, *args)

    monkeypatch.setattr(exports.Exporter, "_register", noting)
    ws.drop("a.xlsx", ws.xlsx("hardship"))
    assert ws.process().export.written and seen and not any(seen)
    assert gc.isenabled()
    seen.clear()
    counts = ws.rt.store.kind_counts()
    noted, result = exports.export_kind(ws.rt, "hardship", True, NOW, counts)
    assert result.written and set(noted) == {spec.title for spec in HARDSHIP_KIND.registers}
    assert seen and not any(seen) and gc.isenabled()
    gc.disable()
    try:
        export_all(ws.rt, True)
        assert not gc.isenabled()  # left off, as it was
    finally:
        gc.enable()


def test_a_value_that_turns_with_the_year_is_exported_without_a_new_form(ws: Workspace) -> None:
    """本年度未复核 comes from the reviews a file has (a follow-up's ``parent_live``) and today:
    a file of 2026 with no review is due in 2027. The registers that show it are exported
    again on a new day, though no form came in; one that shows nothing of the date is not."""
    ws.drop("a.xlsx", ws.xlsx("hardship"))
    ws.drop("b.xlsx", ws.xlsx("fp_pledge"))
    ws.process()
    header, rows = register_rows(ws.outbox / "registers" / f"{HARDSHIP}.xlsx")
    assert rows[0][header.index("本年度未复核")] == "否"
    ws.rt.clock = lambda: NOW.replace(year=NOW.year + 1, month=1, day=2)
    touched = written(ws)
    assert {HARDSHIP, "困难职工档案复核台账"} <= touched and "计划生育责任状签订台账" not in touched
    header, rows = register_rows(ws.outbox / "registers" / f"{HARDSHIP}.xlsx")
    assert rows[0][header.index("本年度未复核")] == "是"
    book = load_workbook(ws.outbox / "registers" / "困难职工档案复核台账.xlsx")
    due = [row for row in book["本年度未复核的在档困难职工档案"].iter_rows(values_only=True)]
    assert any("KN-2026-0001" in row for row in due)
    assert written(ws) == set()  # the same day again: nothing changed
