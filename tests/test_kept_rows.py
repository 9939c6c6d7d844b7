"""A register grown from its kept rows is the register made whole from all its records: the
same sheets, cells, styles, row heights and print layout, for every kind of register (one row
per record, sorted or filtered, a summary, several sheets, a 详情 sheet), after follow-ups
change a parent's row, after a purge, and after a crash between writing and noting."""

from __future__ import annotations

import json
import zipfile
import zlib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from forms import KINDS
from forms.samples import fictional_id
from pipeline import kept_details, kept_rows, records, sheet_rows
from pipeline.config import Config
from pipeline.exports import STATE_FILE, export_changed
from pipeline.kept_rows import FOLDER
from pipeline.registers import HEADER_ROW, RegisterWriter, register_path, write_register
from pipeline.samples import run_samples
from pipeline.sheet_file import joined, sheet_segment
from pipeline.sheet_rows import SheetRows
from tests.conftest import NOW, Workspace

HARDSHIP = "困难职工档案台账"
HAZARDS = "事故隐患整改跟踪台账"
STYLE = ("font", "fill", "border", "alignment", "number_format", "protection", "quotePrefix")


def sheet_facts(ws: Any) -> dict[str, Any]:
    """What a person sees and prints of a sheet, as openpyxl reads it."""
    cells = [
        [(cell.value, *(repr(getattr(cell, name)) for name in STYLE)) for cell in row]
        for row in ws.iter_rows()
    ]
    heights = {n: d.height for n, d in ws.row_dimensions.items() if d.height is not None}
    return {
        "cells": cells,
        "heights": heights,
        "widths": {key: d.width for key, d in ws.column_dimensions.items()},
        "merged": sorted(str(r) for r in ws.merged_cells.ranges),
        "freeze": ws.freeze_panes,
        "filter": ws.auto_filter.ref,
        "titles": ws.print_title_rows,
        "setup": repr(ws.page_setup),
        "fit": repr(ws.sheet_properties.pageSetUpPr),
        "margins": repr(ws.page_margins),
        "options": repr(ws.print_options),
    }


def book_facts(path: Path) -> dict[str, Any]:
    book = load_workbook(path)
    return {name: sheet_facts(book[name]) for name in book.sheetnames}


def assert_as_if_whole(ws: Workspace, tmp_path: Path) -> int:
    """Every register equals the one ``write_register`` makes from all the records at once
    (through openpyxl alone, as every register was made before rows were kept)."""
    everything = records.load_all(ws.rt.store)
    compared = 0
    for kind in KINDS:
        for spec in kind.registers:
            path = register_path(ws.outbox / "registers", spec)
            whole = tmp_path / "whole" / path.name
            whole.parent.mkdir(exist_ok=True)
            write_register(kind, spec, everything, ws.rt.config, whole, NOW)
            assert book_facts(path) == book_facts(whole), spec.title
            compared += 1
    return compared


def note(ws: Workspace) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((ws.rt.config.folders.state / STATE_FILE).read_text())
    return found


def test_every_register_grown_batch_after_batch_reads_as_made_whole(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every kind's samples, parents first and their follow-ups in a later batch (a hazard's
    row changes with its follow-up), then more forms: each register as if made whole."""
    monkeypatch.setattr(sheet_rows, "BLOCK", 2)  # several blocks of rows even in a test
    run_samples(ws.config, NOW.date(), ws.inbox, ws.process)
    assert assert_as_if_whole(ws, tmp_path) == sum(len(kind.registers) for kind in KINDS)
    grown = [title for title, noted in note(ws).items() if noted.get("rows")]
    assert HAZARDS in grown and "劳模档案台账" in grown  # kept: the next batch grows them
    for number, sequence in enumerate((11, 13, 15)):
        values = {"name": f"新示例{number}", "id_number": fictional_id("19800315", sequence)}
        ws.drop(f"h{number}.xlsx", ws.xlsx("hardship", **values))
        ws.drop(f"z{number}.xlsx", ws.xlsx("hazard", location=f"新地点{number}"))
        ws.drop(f"m{number}.xlsx", ws.xlsx("model_worker", **values))
        ws.drop(f"p{number}.xlsx", ws.xlsx("proposal", title=f"新建议{number}"))
    ws.process()
    ws.drop("f.xlsx", ws.xlsx("hazard_followup"))
    latest = "SELECT serial FROM records WHERE kind = 'proposal' ORDER BY id DESC LIMIT 1"
    serial = ws.rt.store.execute(latest).fetchone()[0]
    review = ws.xlsx("proposal_review", proposal_serial=serial)
    ws.drop("r.xlsx", review)  # a year's summary rows change
    ws.drop("m.xlsx", ws.xlsx("model_worker", department="示例新部门"))  # a person's row too
    jobs = ws.process().jobs
    assert [(job.source.name, job.problems) for job in jobs if job.outcome != "accepted"] == []
    assert assert_as_if_whole(ws, tmp_path) > 15


def test_only_the_blocks_whose_rows_changed_are_made(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With rows kept, a new record makes its own row alone: the earlier blocks are copied as
    they were compressed, and the last block, which it joins, takes its other row from the
    kept block rather than from its record."""
    monkeypatch.setattr(sheet_rows, "BLOCK", 2)
    people = [(f"示例{n}", 2 * n + 1) for n in range(5)]
    for number, (name, sequence) in enumerate(people):
        values = {"name": name, "id_number": fictional_id("19800315", sequence)}
        ws.drop(f"{number}.xlsx", ws.xlsx("hardship", **values))
    ws.process()
    kept = ws.rt.config.folders.state / FOLDER / f"{HARDSHIP}.blocks"
    earlier = kept.read_bytes()
    made: list[int] = []
    real = RegisterWriter.rows_xml

    def counted(self: RegisterWriter, rows: list[dict[str, Any]], first: int) -> bytes:
        made.append(first) if self.spec.title == HARDSHIP else None
        return real(self, rows, first)

    monkeypatch.setattr(RegisterWriter, "rows_xml", counted)
    values = {"name": "示例新", "id_number": fictional_id("19800315", 21)}
    ws.drop("new.xlsx", ws.xlsx("hardship", **values))
    ws.process()
    assert made == [4 + 5]  # rows 4..8 are kept in blocks of 2 (rows 8, 9: the new block)
    assert kept.read_bytes().startswith(earlier[: len(earlier) * 2 // 3])


def test_a_purge_and_a_crash_make_the_register_whole_again(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheet_rows, "BLOCK", 2)
    for number in range(4):
        values = {"name": f"示例{number}", "id_number": fictional_id("19800315", 2 * number + 1)}
        ws.drop(f"{number}.xlsx", ws.xlsx("hardship", **values))
        ws.drop(f"z{number}.xlsx", ws.xlsx("hazard", location=f"地点{number}"))
    ws.process()
    first = ws.rt.store.record_by_serial("KN-2026-0002")
    assert first is not None
    ws.rt.store.purge([first["id"]], [], "测试：删除一条记录")
    export_changed(ws.rt)
    assert_as_if_whole(ws, tmp_path)
    rows = load_workbook(register_path(ws.outbox / "registers", KINDS[0].registers[0])).active
    assert "KN-2026-0002" not in {str(cell.value) for row in rows.iter_rows() for cell in row}
    # A crash after the registers and their kept rows were written, before the note was.
    noted = (ws.rt.config.folders.state / STATE_FILE).read_bytes()
    ws.drop("a.xlsx", ws.xlsx("hardship", name="示例甲", id_number=fictional_id("19800315", 31)))
    ws.process()
    (ws.rt.config.folders.state / STATE_FILE).write_bytes(noted)
    ws.drop("b.xlsx", ws.xlsx("hardship", name="示例乙", id_number=fictional_id("19800315", 33)))
    ws.process()
    assert_as_if_whole(ws, tmp_path)
    # Kept rows changed by hand (or half written): not used.
    kept = ws.rt.config.folders.state / FOLDER / f"{HARDSHIP}.blocks"
    kept.write_bytes(kept.read_bytes()[:-3])
    ws.drop("c.xlsx", ws.xlsx("hardship", name="示例丙", id_number=fictional_id("19800315", 35)))
    ws.process()
    assert_as_if_whole(ws, tmp_path)
    assert kept.stat().st_mode & 0o077 == 0  # personal data: the owner's alone
    # Kept rows are not synced: after a power cut they may be older than noted, or gone.
    described = kept.with_suffix(".json")
    older = described.read_bytes()
    ws.drop("d.xlsx", ws.xlsx("hardship", name="示例丁", id_number=fictional_id("19800315", 37)))
    ws.process()
    described.write_bytes(older)  # the last export's rename never reached the disk
    ws.drop("e.xlsx", ws.xlsx("hardship", name="示例戊", id_number=fictional_id("19800315", 39)))
    ws.process()
    assert_as_if_whole(ws, tmp_path)
    described.unlink()
    kept.unlink()
    ws.drop("f.xlsx", ws.xlsx("hardship", name="示例己", id_number=fictional_id("19800315", 41)))
    ws.process()
    assert_as_if_whole(ws, tmp_path)


PERSONS = "育龄人员基础资料档案"


def test_a_person_moves_to_the_latest_pledge_reading_only_the_new_records(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The persons over all pledges (``latest_by``): a later pledge naming a person moves
    that person's row to its place, a visit changes a row of an earlier pledge, and the
    register reads as made whole, from the new pledge and the visited one alone."""
    monkeypatch.setattr(sheet_rows, "BLOCK", 2)
    for number in range(3):
        ws.drop(f"{number}.xlsx", ws.xlsx("fp_pledge", party_b=f"示例部门{number}"))
    ws.process()
    # the sample roster: the same four persons in each pledge, each row that of the latest
    roster = json.loads(
        ws.rt.store.execute("SELECT data FROM records WHERE kind = 'fp_pledge'").fetchone()[0]
    )["roster"]
    moved = {k: v for k, v in roster[1].items() if v is not None} | {"children": 3}
    newcomer = {"person_name": "孔样例", "person_department": "运行部"}
    ws.drop("late.xlsx", ws.xlsx("fp_pledge", party_b="示例新部门", roster=[moved, newcomer]))
    ws.drop("visit.xlsx", ws.xlsx("fp_visit", pledge_serial="JS-2026-0003"))
    read: list[str] = []
    real = records.view

    def counted(row: Any) -> Any:
        found = real(row)
        read.append(found.ident) if found.kind == "fp_pledge" else None
        return found

    monkeypatch.setattr(records, "view", counted)
    jobs = ws.process().jobs
    assert [(job.source.name, job.problems) for job in jobs if job.outcome != "accepted"] == []
    assert "JS-2026-0001" not in read and "JS-2026-0002" not in read
    assert {"JS-2026-0003", "JS-2026-0004"} <= set(read)
    assert assert_as_if_whole(ws, tmp_path) > 15


def test_kept_sort_keys_read_back_comparing_as_made(tmp_path: Path) -> None:
    """Sort keys are kept as JSON (dates and amounts tagged) and read back as lists, which
    compare as the tuples they were made from."""
    made = [
        (date(2026, 3, 1), "b"),
        (date(2025, 12, 31), "z"),
        (datetime(2026, 3, 1, 8, 30), Decimal("2.50")),
        ((False, date(2024, 1, 2)), ("a", 1)),
    ]
    entries = [[f"KN-{n}", kept_rows.listed(key), "digest"] for n, key in enumerate(made)]
    kept = kept_rows.Kept([kept_rows.KeptSheet([], entries)], {}, "2026-03-01")
    digest = kept_rows.write(tmp_path, "示例台账", kept)
    found = kept_rows.read(tmp_path, "示例台账", digest)
    assert found is not None and found.sheets[0].entries == entries
    back = [entry[1] for entry in found.sheets[0].entries]
    assert type(back[0][0]) is date and back[1] < back[0]  # dates, not their text
    assert back[2][0] == datetime(2026, 3, 1, 8, 30) and back[2][1] == Decimal("2.5")
    assert back[3] == [[False, date(2024, 1, 2)], ["a", 1]]


def test_rows_moved_down_are_renumbered_from_their_kept_blocks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A new row sorting first moves every row down: each moved row is taken from its kept
    block and renumbered, with its text too long for a cell, and only the new row is made;
    the rows read as ``rows_xml`` makes them all at once."""
    monkeypatch.setattr(sheet_rows, "BLOCK", 2)
    kind = KINDS[0]
    spec = kind.registers[0]
    config = Config()

    def row(number: int) -> dict[str, Any]:
        name = "示例" * (400 if number == 2 else 1)  # row 2: too long for its cell
        return {"serial": f"KN-2026-{number:04d}", "ident": f"KN-2026-{number:04d}", "name": name}

    writer = RegisterWriter(kind, spec, config)
    old = [row(n) for n in range(1, 6)]
    old_keys = [writer.row_key(r) for r in old]
    earlier = sheet_rows.blocks(SheetRows(writer, old_keys, lambda s, e: old[s:e]), [])
    assert any(block.details for block in earlier)
    new = [row(9), *old]
    made: list[tuple[int, int]] = []

    def rows_at(start: int, end: int) -> list[dict[str, Any]]:
        made.append((start, end))
        return new[start:end]

    keys = [writer.row_key(r) for r in new]
    grown = sheet_rows.blocks(SheetRows(writer, keys, rows_at, None, old_keys), earlier)
    assert made == [(0, 1)]
    whole = RegisterWriter(kind, spec, config)
    xml = b"".join(zlib.decompressobj(-15).decompress(b.segment.compressed) for b in grown)
    assert xml == whole.rows_xml(new, HEADER_ROW + 1)
    assert [d for block in grown for d in block.details] == whole.details
    places = [(n * 2 + row + HEADER_ROW + 1) for n, b in enumerate(grown) for row in b.detail_rows]
    assert places == whole.detail_rows


def test_the_details_of_kept_blocks_are_kept_with_them(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A text too long for its cell in every row: a new record with a long text of its own
    joins a block, which takes its other row's 详情 rows from the kept block, renumbered, and
    writes the new record's alone; the 详情 sheet is, byte for byte, the one made whole, and
    reads as ``write_register`` makes it."""
    monkeypatch.setattr(sheet_rows, "BLOCK", 2)
    long = "挡煤墙出现多条竖向裂缝，最宽处约5毫米，堆煤侧压力大，有局部坍塌的危险。" * 40
    for number in range(5):
        values = {"description": f"{number}号{long}", "location": f"示例地点{number}"}
        ws.drop(f"{number}.xlsx", ws.xlsx("hazard", **values))
    ws.process()
    made: list[int] = []
    real = kept_details.details_xml

    def counted(details: list[Any], first: int) -> bytes:
        made.append(first)
        return real(details, first)

    monkeypatch.setattr(kept_details, "details_xml", counted)
    ws.drop("new.xlsx", ws.xlsx("hazard", description=f"新{long}", location="示例新地点"))
    ws.process()
    path = register_path(ws.outbox / "registers", HAZARD_SPEC)
    texts = [row[2] for row in load_workbook(path)["详情"].iter_rows(min_row=2, values_only=True)]
    assert len(texts) == 12 and made == [2 + texts.index(f"新{long}"[:1300])]
    grown = _last_sheet(path)
    export_changed(ws.rt, force=True)  # made whole, every 详情 row made again
    assert _last_sheet(path) == grown
    assert_as_if_whole(ws, tmp_path)


HAZARD_KIND = next(kind for kind in KINDS if kind.key == "hazard")
HAZARD_SPEC = HAZARD_KIND.registers[0]


def _last_sheet(path: Path) -> bytes:
    with zipfile.ZipFile(path) as package:
        sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
        return package.read(f"xl/worksheets/sheet{len(sheets)}.xml")


@pytest.mark.parametrize("sizes", [[0, 5], [1, 255, 256, 257], [70_000, 3, 131_072, 16_777_217]])
def test_pieces_joined_have_the_crc_of_their_data_joined(sizes: list[int]) -> None:
    """A register's sheet is deflated pieces joined; its CRC-32 is combined from theirs, a
    length's power taken byte by byte (each byte value's power kept): it must be zlib's."""
    pieces = [(bytes(range(n, 251)) * (size // 200 + 1))[:size] for n, size in enumerate(sizes)]
    segments = [sheet_segment(piece) for piece in pieces]
    whole = joined(segments)
    assert whole.size == sum(sizes)
    assert whole.crc == zlib.crc32(b"".join(pieces))
    assert zlib.decompressobj(-15).decompress(whole.compressed) == b"".join(pieces)
