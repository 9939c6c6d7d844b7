"""Faults that lost or misplaced work (#9): files outside the inbox, our errors blamed on the
clerk, a register open in Excel, file names that looked like markup, LibreOffice and Ctrl+C,
a whole batch in memory, the store's version and leftovers, records a kind cannot rebuild.

Each test reproduces what happened on main before #9 and checks what happens now.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import sys
import textwrap
import threading
import time
import warnings
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from pipeline import files as files_module
from pipeline.convert import Converter
from pipeline.errors import ConverterStuck
from pipeline.job import Job
from pipeline.lock import processing_lock
from pipeline.schema import SCHEMA_VERSION
from pipeline.store import Store
from tests.conftest import Workspace, office, register_rows
from tests.conftest import run_cli as run

ROOT = Path(__file__).resolve().parent.parent


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# -- 1. paths outside the inbox ------------------------------------------------------------


def test_folders_outside_the_inbox_are_read_never_moved(ws: Workspace, tmp_path: Path) -> None:
    """``process scripts templates`` moved every .py and template into rejected/."""
    config = office(tmp_path)
    mine = tmp_path / "我的文件"
    (mine / "子目录").mkdir(parents=True)
    (mine / "notes.py").write_text("print('mine')\n", encoding="utf-8")
    (mine / "说明.txt").write_text("不是表单", encoding="utf-8")
    (mine / "子目录" / "申请.xlsx").write_bytes(ws.xlsx("hardship"))
    before = files_under(mine)
    result = run(config, "process", str(mine))
    assert result.exit_code == 0, result.output
    assert "KN-2026-0001" in result.output and "notes.py" not in result.output
    assert files_under(mine) == before  # nothing moved, nothing deleted
    assert not (tmp_path / "out" / "rejected").exists()
    archived = list((tmp_path / "out" / "archive").rglob("原件-申请.xlsx"))
    assert [p.read_bytes() for p in archived] == [before["子目录/申请.xlsx"]]


def test_a_file_named_that_is_not_a_form_is_skipped_saying_so(tmp_path: Path) -> None:
    config = office(tmp_path)
    script = tmp_path / "notes.py"
    script.write_text("x = 1\n", encoding="utf-8")
    result = run(config, "process", str(script))
    assert "不是表单文件" in result.output and script.read_text(encoding="utf-8") == "x = 1\n"


@pytest.mark.parametrize("folder", ["out", "st", "out/registers", "templates-of-office"])
def test_outbox_state_and_templates_are_refused_as_inputs(tmp_path: Path, folder: str) -> None:
    config = office(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(text + 'templates = "templates-of-office"\n', encoding="utf-8")
    target = tmp_path / folder
    target.mkdir(parents=True, exist_ok=True)
    (target / "x.xlsx").write_bytes(b"PK\x03\x04")
    result = run(config, "process", str(target))
    assert result.exit_code == 2 and "不能作为要处理的表单" in result.output
    assert (target / "x.xlsx").exists()


def test_the_built_in_templates_are_refused_as_inputs(tmp_path: Path) -> None:
    config = office(tmp_path)
    before = files_under(ROOT / "templates")
    result = run(config, "process", str(ROOT / "templates"))
    assert result.exit_code == 2 and "模板文件夹" in result.output
    assert files_under(ROOT / "templates") == before


# -- 2. our failures are not the clerk's ----------------------------------------------------


def test_a_database_error_while_reading_leaves_the_form_in_the_inbox(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk I/O error while recording the kind returned a good form as 已损坏."""
    config = office(tmp_path)
    form = tmp_path / "in" / "申请.xlsx"
    form.write_bytes(ws.xlsx("hardship"))

    def disk_error(*args: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(Store, "set_kind", disk_error)
    result = run(config, "process")
    assert result.exit_code == 2 and "系统故障" in result.output
    assert "损坏" not in result.output and "重新保存" not in result.output
    assert form.exists() and not (tmp_path / "out" / "rejected").exists()
    monkeypatch.undo()
    assert run(config, "process").exit_code == 0 and not form.exists()


def test_a_bug_in_a_reader_leaves_the_form_in_the_inbox(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline import stages

    config = office(tmp_path)
    form = tmp_path / "in" / "申请.xlsx"
    form.write_bytes(ws.xlsx("hardship"))

    def buggy_reader(content: bytes, kind: Any) -> Any:
        return content.no_such_attribute  # type: ignore[attr-defined]

    monkeypatch.setitem(stages.READERS, "xlsx", buggy_reader)
    result = run(config, "process")
    assert result.exit_code == 2 and "系统故障" in result.output
    assert form.exists() and not (tmp_path / "out" / "rejected").exists()
    log = (tmp_path / "st" / "unionforms.log").read_text(encoding="utf-8")
    assert "AttributeError" in log and "buggy_reader" in log


def test_a_library_stumbling_on_a_valid_file_is_not_called_damage(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A TypeError deep inside openpyxl on a workbook that opens in Excel: our limit."""
    import types

    import openpyxl.worksheet._reader as sheet_reader

    def stumble(self: Any, element: Any) -> None:
        raise TypeError("expected <class 'float'>")

    ws.drop("别人的表.xlsx", ws.xlsx("hardship"))
    inside_openpyxl = types.FunctionType(stumble.__code__, vars(sheet_reader))  # from openpyxl
    monkeypatch.setattr(sheet_reader.WorkSheetParser, "parse_cell", inside_openpyxl)
    (job,) = ws.process().jobs
    assert job.outcome == "rejected" and "暂时无法读取" in job.message
    assert "损坏" not in job.message


# -- 3. a register open in Excel -----------------------------------------------------------


def open_in_excel(monkeypatch: pytest.MonkeyPatch, title: str) -> None:
    """Replacing the register fails as it does on Windows while Excel has it open."""
    real_replace = os.replace

    def replace(source: Any, target: Any) -> None:
        if Path(target).name == f"{title}.xlsx":
            raise PermissionError(13, "Permission denied", str(target))
        real_replace(source, target)

    monkeypatch.setattr(files_module.os, "replace", replace)


def test_a_register_open_in_excel_is_a_warning_not_a_failure(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = office(tmp_path)
    (tmp_path / "in" / "a.xlsx").write_bytes(ws.xlsx("hardship"))
    (tmp_path / "in" / "b.xlsx").write_bytes(ws.xlsx("hazard"))
    open_in_excel(monkeypatch, "困难职工档案台账")
    result = run(config, "process")
    assert result.exit_code == 3, result.output
    assert "台账“困难职工档案台账”正被其他程序打开" in result.output
    assert "Traceback" not in result.output and "PermissionError" not in result.output
    registers = tmp_path / "out" / "registers"
    assert not (registers / "困难职工档案台账.xlsx").exists()
    _, rows = register_rows(registers / "事故隐患整改跟踪台账.xlsx")  # the others were written
    assert len(rows) == 1
    assert not list((tmp_path / "in").iterdir())  # both forms went through
    monkeypatch.undo()
    again = run(config, "process")  # no forms: the register is brought up to date
    assert again.exit_code == 0
    _, rows = register_rows(registers / "困难职工档案台账.xlsx")
    assert len(rows) == 1


def test_the_watcher_keeps_going_past_a_register_it_cannot_write(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from pipeline.watch import Watcher

    open_in_excel(monkeypatch, "困难职工档案台账")
    watcher = Watcher(ws.rt)
    try:
        ws.drop("a.xlsx", ws.xlsx("hardship"))
        watcher.tick(0)
        (job,) = watcher.tick(2.0)
        assert job.outcome == "accepted"
        watcher.export()
        watcher.export()
        assert watcher.retry_at == float("-inf")  # no global backoff
        assert watcher.failing_registers == {"困难职工档案台账"}
        said = [r.message for r in caplog.records if "正被其他程序打开" in r.message]
        assert len(said) == 1  # said once, not at every export
        ws.drop("b.xlsx", ws.xlsx("hardship", 1))  # forms keep flowing meanwhile
        watcher.tick(10)
        (second,) = watcher.tick(12)
        assert second.outcome == "accepted"
        monkeypatch.undo()
        watcher.export()
        assert watcher.failing_registers == set()
        _, rows = register_rows(ws.outbox / "registers" / "困难职工档案台账.xlsx")
        assert len(rows) == 2
    finally:
        watcher.close()


# -- 4. names that look like markup ---------------------------------------------------------


def test_file_and_folder_names_print_as_they_are(ws: Workspace, tmp_path: Path) -> None:
    config = office(tmp_path)
    (tmp_path / "in" / "表[a].xlsx").write_bytes(ws.xlsx("hardship"))
    odd = tmp_path / "in" / "运行部["
    odd.mkdir()
    (odd / "b].xlsx").write_bytes(ws.xlsx("hardship", 1))
    result = run(config, "process")
    assert result.exit_code == 0, result.output
    assert "表[a].xlsx" in result.output and "运行部[/b].xlsx" in result.output
    _, rows = register_rows(tmp_path / "out" / "registers" / "困难职工档案台账.xlsx")
    assert len(rows) == 2


# -- 5. LibreOffice and Ctrl+C --------------------------------------------------------------


def fake_soffice(folder: Path) -> Path:
    """A "soffice" that starts a child and hangs, like a LibreOffice stuck on a file."""
    script = folder / "soffice"
    script.write_text(
        textwrap.dedent(
            f"""\
            #!{sys.executable}
            import os, subprocess, sys, time
            child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
            open(os.path.join({str(folder)!r}, "pids"), "w").write(f"{{os.getpid()}} {{child.pid}}")
            time.sleep(600)
            """
        ),
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return not (status.exists() and status.read_text().split()[2] == "Z")


@pytest.mark.skipif(os.name != "posix", reason="process groups are POSIX")
def test_ctrl_c_during_a_conversion_kills_libreoffice_and_its_children(tmp_path: Path) -> None:
    converter = Converter(str(fake_soffice(tmp_path)), timeout=300)
    pids_file = tmp_path / "pids"

    def interrupt_when_started() -> None:
        for _ in range(200):
            if pids_file.exists() and pids_file.read_text():
                break
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)

    # Ctrl+C as Python answers it by default, however the tests were started: a shell that
    # starts a command in the background (``.ci/run &``) makes it ignore SIGINT, Python keeps
    # it ignored, and the conversion then ran into its 300 s timeout.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    if previous is not signal.default_int_handler:  # said in the warnings summary
        warnings.warn(f"SIGINT was handled by {previous!r} in this process", stacklevel=1)
    try:
        threading.Thread(target=interrupt_when_started, daemon=True).start()
        with pytest.raises(KeyboardInterrupt):
            converter.convert(b"\xd0\xcf\x11\xe0", ".xls", "xlsx")
    finally:
        signal.signal(signal.SIGINT, previous)
    profile = Path(converter._profile.name) if converter._profile else None
    converter.close()  # must not raise
    for pid in map(int, pids_file.read_text().split()):
        for _ in range(100):
            if not alive(pid):
                break
            time.sleep(0.05)
        assert not alive(pid), f"process {pid} survived the interruption"
    assert profile is not None and not profile.exists()


def test_a_timeout_kills_the_group_too(tmp_path: Path) -> None:
    converter = Converter(str(fake_soffice(tmp_path)), timeout=1)
    with pytest.raises(ConverterStuck, match="超时"):  # the form waits (test_fault_points)
        converter.convert(b"\xd0\xcf\x11\xe0", ".xls", "xlsx")
    converter.close()
    for pid in map(int, (tmp_path / "pids").read_text().split()):
        time.sleep(0.1)
        assert not alive(pid)


def test_the_runtime_closes_the_store_even_when_the_converter_fails(ws: Workspace) -> None:
    def broken_close() -> None:
        raise OSError("profile busy")

    ws.rt.converter.close = broken_close  # type: ignore[method-assign]
    ws.rt.close()
    with pytest.raises(sqlite3.ProgrammingError):
        ws.rt.store.db.execute("SELECT 1")  # closed


# -- 7. a batch does not hold every file in memory ------------------------------------------


def test_only_the_form_in_hand_is_held_in_memory(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline import stages

    made: list[Job] = []
    real_from_source = Job.from_source.__func__  # type: ignore[attr-defined]

    def recording(cls: type[Job], *args: Any) -> Job:
        job = real_from_source(cls, *args)
        made.append(job)
        return job

    monkeypatch.setattr(Job, "from_source", classmethod(recording))
    holding: list[int] = []
    real_read = stages.read

    def read(job: Job, rt: Any) -> None:
        holding.append(sum(1 for other in made if other.data or other.content))
        real_read(job, rt)

    from pipeline import engine

    monkeypatch.setattr(engine, "STAGES", (read, *stages.STAGES[1:]))
    for number in range(4):
        ws.drop(f"{number}.xlsx", ws.xlsx("hardship", number % 2, address=f"示例路{number}号"))
    result = ws.process()
    assert result.count("accepted") == 4
    assert holding == [1, 1, 1, 1]  # only the form being read
    assert not any(job.data or job.content for job in result.jobs)


# -- 8. the store: versions, leftovers, read-only commands ---------------------------------


def test_a_newer_state_folder_is_refused(tmp_path: Path) -> None:
    config = office(tmp_path)
    (tmp_path / "st").mkdir()
    db = sqlite3.connect(tmp_path / "st" / "unionforms.sqlite3")
    db.execute("CREATE TABLE future (x)")
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    result = run(config, "process")
    assert result.exit_code == 2 and "较新版本" in result.output and "升级" in result.output


V1_SCHEMA = """
CREATE TABLE submissions (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL,
    original_name TEXT NOT NULL, source_path TEXT NOT NULL, subfolder TEXT NOT NULL DEFAULT '',
    received_at TEXT NOT NULL, kind TEXT, stage TEXT NOT NULL DEFAULT 'received', outcome TEXT,
    record_id INTEGER, errors TEXT NOT NULL DEFAULT '[]', outputs TEXT NOT NULL DEFAULT '[]',
    released_at TEXT);
CREATE TABLE records (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, serial TEXT UNIQUE,
    ident TEXT NOT NULL UNIQUE, year INTEGER NOT NULL, seq INTEGER NOT NULL,
    parent_id INTEGER, data TEXT NOT NULL, derived TEXT NOT NULL,
    submission_id INTEGER NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE events (id INTEGER PRIMARY KEY, at TEXT NOT NULL, submission_id INTEGER,
    event TEXT NOT NULL, detail TEXT NOT NULL DEFAULT '');
PRAGMA user_version=1;
"""


def test_an_older_state_folder_is_upgraded_and_kept(ws: Workspace, tmp_path: Path) -> None:
    config = office(tmp_path)
    (tmp_path / "in" / "a.xlsx").write_bytes(ws.xlsx("hardship"))
    assert run(config, "process").exit_code == 0
    database = tmp_path / "st" / "unionforms.sqlite3"
    old = sqlite3.connect(database)
    rows = old.execute("SELECT * FROM records").fetchall()
    submissions = old.execute("SELECT * FROM submissions").fetchall()
    old.close()
    database.unlink()
    v1 = sqlite3.connect(database)
    v1.executescript(V1_SCHEMA)
    v1.executemany(
        "INSERT INTO submissions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [s[:13] for s in submissions],
    )
    v1.executemany(
        "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [r[:2] + r[3:] for r in rows],
    )
    v1.commit()
    v1.close()
    result = run(config, "registers")
    assert result.exit_code == 0, result.output
    upgraded = sqlite3.connect(database)
    assert upgraded.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert upgraded.execute("SELECT kind_version FROM records").fetchall() == [("1",)]
    upgraded.close()
    assert (tmp_path / "st" / "unionforms.sqlite3.v1.bak").is_file()
    _, register = register_rows(tmp_path / "out" / "registers" / "困难职工档案台账.xlsx")
    assert register[0][0] == "KN-2026-0001"


def crash_after_numbering(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import stages

    def crash(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(stages, "render_documents", crash)


def test_doctor_lists_a_serial_whose_file_vanished(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = office(tmp_path)
    form = tmp_path / "in" / "申请.xlsx"
    form.write_bytes(ws.xlsx("hardship"))
    crash_after_numbering(monkeypatch)
    interrupted = run(config, "process")
    assert interrupted.exit_code == 1 and "已中断" in interrupted.output
    monkeypatch.undo()
    healthy = run(config, "doctor")
    assert healthy.exit_code == 1 and "运行 unionforms process 即可接着完成" in healthy.output
    form.unlink()  # the clerk took it back before the next run
    result = run(config, "doctor")
    assert result.exit_code == 1
    assert "KN-2026-0001" in result.output and "原文件已不在收件箱" in result.output


def test_read_only_commands_work_while_a_watcher_holds_the_lock(
    ws: Workspace, tmp_path: Path
) -> None:
    config = office(tmp_path)
    (tmp_path / "in" / "a.xlsx").write_bytes(ws.xlsx("hazard"))
    assert run(config, "process").exit_code == 0
    with processing_lock(tmp_path / "st", tmp_path / "in", "watch"):
        assert run(config, "process").exit_code == 2  # writing needs the lock
        for command in (["hazards"], ["doctor"], ["archive", "verify"]):
            result = run(config, *command)
            assert result.exit_code == 0, (command, result.output)
    assert "YH-2026-0001" in run(config, "hazards").output


# -- 9. records a kind cannot rebuild ------------------------------------------------------


def test_records_the_kinds_cannot_rebuild_are_shown_raw_and_the_rest_exported(
    ws: Workspace, tmp_path: Path
) -> None:
    config = office(tmp_path)
    (tmp_path / "in" / "a.xlsx").write_bytes(ws.xlsx("hardship"))
    (tmp_path / "in" / "b.xlsx").write_bytes(ws.xlsx("hardship", 1))
    (tmp_path / "in" / "c.xlsx").write_bytes(ws.xlsx("hazard"))
    assert run(config, "process").exit_code == 0
    db = sqlite3.connect(tmp_path / "st" / "unionforms.sqlite3")
    data = json.loads(db.execute("SELECT data FROM records WHERE id = 2").fetchone()[0])
    data["employment_date"] = "一九九六年九月"  # as if the field had been text in an old version
    db.execute("UPDATE records SET data = ? WHERE id = 2", (json.dumps(data, ensure_ascii=False),))
    db.execute("UPDATE records SET kind = 'retired_kind' WHERE id = 3")
    db.commit()
    db.close()
    result = run(config, "registers")
    assert result.exit_code == 0, result.output
    assert "无法按当前的表单定义读取" in result.output and "retired_kind" in result.output
    path = tmp_path / "out" / "registers" / "困难职工档案台账.xlsx"
    header, rows = register_rows(path)
    assert [row[0] for row in rows] == ["KN-2026-0001", "KN-2026-0002"]
    raw = dict(zip(header, rows[1], strict=True))
    assert raw["参加工作时间"] == "一九九六年九月" and raw["姓名"] == "王样例"
    fill = load_workbook(path).active.cell(5, 1).fill.fgColor.rgb
    assert fill.endswith("FCE4D6")  # highlighted
