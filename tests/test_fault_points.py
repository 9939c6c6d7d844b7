"""Faults (#13): a full disk or a read-only outbox while documents, registers, the archive or
a return are written; the state database full or locked by another program; a template missing
or broken; LibreOffice hanging. Each leaves the form in the inbox saying it was a system fault
(never the submitter's mistake), says so once in the log, and a later run completes it.

Then a kill at every boundary ``pipeline.checkpoints`` names, injected there (the process ends
on the spot as ``kill -9`` ends it, in a forked child), followed by a rerun: exactly one record,
one set of documents, one archive entry, one returned copy — including the window between
removing a file from the inbox and recording that it left.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline import checkpoints, render
from pipeline.archive import verify_archive
from pipeline.config import Config
from pipeline.engine import BatchResult, collect_inbox, open_runtime, process_batch
from pipeline.files import TEMP_PREFIX
from pipeline.logs import log_path, setup_logging
from tests.conftest import NOW, Workspace, make_config, register_rows
from tests.hostile import fake_converter, packed, parts_of, with_bomb
from tests.test_faults import fake_soffice

SYSTEM_FAULT = "系统故障"


def process(ws: Workspace) -> BatchResult:
    return process_batch(collect_inbox(ws.config), ws.rt)


def files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def assert_waits_in_the_inbox(ws: Workspace, result: BatchResult, name: str) -> None:
    (job,) = [job for job in result.jobs if job.name == name]
    assert job.outcome == "failed", job.message
    assert SYSTEM_FAULT in job.message and "不是表单的问题" in job.message
    assert (ws.inbox / name).exists()
    assert not (ws.outbox / "rejected" / name).exists()


def assert_completed_once(ws: Workspace, name: str, documents: int) -> None:
    """The rerun finished the form: one record, its documents once, one archive entry."""
    assert not (ws.inbox / name).exists()
    assert ws.rt.store.record_count() == 1
    assert len(files(ws.outbox / "documents")) == documents
    check = verify_archive(ws.outbox / "archive", ws.rt.store)
    assert check.checked == 1 and check.faults == []
    assert not [p for p in files(ws.outbox) if p.name.startswith(TEMP_PREFIX)]


@pytest.fixture
def logged(ws: Workspace) -> Callable[[], str]:
    """The state folder's log, as the commands set it up."""
    import io

    setup_logging(ws.config.folders.state, io.StringIO())

    def read() -> str:
        return log_path(ws.config.folders.state).read_text("utf-8")

    return read


# -- the disk ----------------------------------------------------------------------------------


def broken_disk(monkeypatch: pytest.MonkeyPatch, under: Path, code: int) -> None:
    """Writing under ``under`` fails as the operating system fails it: a full disk (ENOSPC)
    when the written data is flushed, a read-only mount (EROFS) when a file or folder is made."""
    real_fsync, real_open, real_mkdir = os.fsync, os.open, os.mkdir

    def inside(path: Any) -> bool:
        return Path(os.fsdecode(path)).resolve().is_relative_to(under.resolve())

    def fsync(fd: int) -> None:
        if code == errno.ENOSPC and inside(os.readlink(f"/proc/self/fd/{fd}")):
            raise OSError(code, os.strerror(code))
        real_fsync(fd)

    def open_(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if code == errno.EROFS and flags & os.O_CREAT and inside(path):
            raise OSError(code, os.strerror(code), os.fsdecode(path))
        return real_open(path, flags, *args, **kwargs)

    def mkdir(path: Any, *args: Any, **kwargs: Any) -> None:
        if code == errno.EROFS and inside(path):
            raise OSError(code, os.strerror(code), os.fsdecode(path))
        real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "open", open_)
    monkeypatch.setattr(os, "mkdir", mkdir)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="Linux /proc")
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS], ids=["disk-full", "read-only"])
@pytest.mark.parametrize("folder", ["documents", "archive", "rejected"])
def test_a_write_that_fails_leaves_the_form_waiting(
    ws: Workspace,
    monkeypatch: pytest.MonkeyPatch,
    logged: Callable[[], str],
    folder: str,
    code: int,
) -> None:
    good = folder != "rejected"
    name = "申请.xlsx"
    ws.drop(name, ws.xlsx("hardship") if good else ws.xlsx("hardship", phone="1"))
    (ws.outbox / folder).mkdir(parents=True)
    broken_disk(monkeypatch, ws.outbox / folder, code)
    assert_waits_in_the_inbox(ws, process(ws), name)
    assert_waits_in_the_inbox(ws, process(ws), name)  # still broken: waits again
    monkeypatch.undo()
    log = logged()  # the traceback once; the same failure again in one line
    assert log.count(f"处理 {ws.inbox / name} 时出现系统故障") == 1
    assert log.count("再次处理失败，原因同前") == 1
    assert os.strerror(code) in log
    (job,) = process(ws).jobs
    if good:
        assert job.outcome == "accepted" and job.record and job.record.serial == "KN-2026-0001"
        assert_completed_once(ws, name, documents=2)
    else:
        assert job.outcome == "rejected"
        assert [p.name for p in files(ws.outbox / "rejected")] == [
            name,
            f"{name}.标注.xlsx",
            f"{name}.错误说明.txt",
        ]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="Linux /proc")
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS], ids=["disk-full", "read-only"])
def test_registers_that_cannot_be_written_are_said_and_written_later(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    ws.drop("申请.xlsx", ws.xlsx("hardship"))
    (ws.outbox / "registers").mkdir(parents=True)
    broken_disk(monkeypatch, ws.outbox / "registers", code)
    result = process(ws)
    assert [job.outcome for job in result.jobs] == ["accepted"]  # the form went through
    assert result.export.failures and not result.export.written
    assert os.strerror(code) in result.export.failures[0].message
    monkeypatch.undo()
    later = process(ws)
    assert not later.export.failures
    _, rows = register_rows(ws.outbox / "registers" / "困难职工档案台账.xlsx")
    assert [row[0] for row in rows] == ["KN-2026-0001"]


# -- the state database ------------------------------------------------------------------------


def test_a_full_state_database_leaves_the_form_waiting(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch, logged: Callable[[], str]
) -> None:
    from pipeline.store import Store

    real_number = Store.number

    def full(*args: Any) -> Any:
        raise sqlite3.OperationalError("database or disk is full")

    ws.drop("申请.xlsx", ws.xlsx("hardship"))
    monkeypatch.setattr(Store, "number", full)
    assert_waits_in_the_inbox(ws, process(ws), "申请.xlsx")
    assert "database or disk is full" in logged()
    monkeypatch.setattr(Store, "number", real_number)
    process(ws)
    assert_completed_once(ws, "申请.xlsx", documents=2)


def test_a_store_locked_in_the_middle_of_a_batch_stops_it_there(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another program takes the database's write lock once the first form is finished."""
    config = ws.config.model_copy(
        update={"limits": ws.config.limits.model_copy(update={"database_wait_seconds": 0.2})}
    )
    rt = open_runtime(config, clock=lambda: NOW)
    ws.drop("a.xlsx", ws.xlsx("hardship"))
    ws.drop("b.xlsx", ws.xlsx("hazard"))
    other = sqlite3.connect(config.folders.state / "unionforms.sqlite3", isolation_level=None)

    def lock_after_first(point: str) -> None:
        if point == "after:unlink" and not other.in_transaction:
            other.execute("BEGIN IMMEDIATE")

    monkeypatch.setattr(checkpoints, "reached", lock_after_first)
    try:
        result = process_batch(collect_inbox(config), rt)
        assert [job.outcome for job in result.jobs] == ["accepted", ""]
        assert "锁住" in result.stopped and (ws.inbox / "b.xlsx").exists()
        other.execute("ROLLBACK")
        monkeypatch.undo()
        again = process_batch(collect_inbox(config), rt)
        assert [job.outcome for job in again.jobs] == ["accepted"]
        assert rt.store.record_count() == 2
    finally:
        other.close()
        rt.close()


# -- templates --------------------------------------------------------------------------------


def with_templates(ws: Workspace, folder: Path) -> None:
    folders = ws.config.folders.model_copy(update={"templates": folder})
    ws.rt.config = ws.config = ws.config.model_copy(update={"folders": folders})


def _document_xml(good: bytes, change: Callable[[bytes], bytes]) -> bytes:
    parts = parts_of(good)
    return packed(parts | {"word/document.xml": change(parts["word/document.xml"])})


BROKEN_TEMPLATES: dict[str, Callable[[bytes], bytes]] = {
    "不是zip": lambda good: b"PK\x03\x04 not really a Word file",
    "未闭合的标签": lambda good: _document_xml(
        good, lambda xml: xml.replace(b"{{", b"{% if %}{{", 1)
    ),
    "未知的变量": lambda good: _document_xml(
        good, lambda xml: xml.replace(b"{{", b"{{ no_such_name }}{{", 1)
    ),
    "含DTD": lambda good: _document_xml(good, with_bomb),
}


@pytest.mark.parametrize("broken", sorted(BROKEN_TEMPLATES))
def test_a_broken_template_leaves_the_form_waiting_then_renders(
    ws: Workspace, tmp_path: Path, broken: str, logged: Callable[[], str]
) -> None:
    folder = tmp_path / "本单位模板"
    folder.mkdir()
    good = render.builtin_template("hardship_file.docx")
    (folder / "hardship_file.docx").write_bytes(BROKEN_TEMPLATES[broken](good))
    with_templates(ws, folder)
    ws.drop("申请.xlsx", ws.xlsx("hardship"))
    result = process(ws)
    assert_waits_in_the_inbox(ws, result, "申请.xlsx")
    assert "hardship_file.docx" in result.jobs[0].message
    (folder / "hardship_file.docx").unlink()  # the office takes its broken copy away
    process(ws)
    assert_completed_once(ws, "申请.xlsx", documents=2)


def test_a_missing_built_in_template_leaves_the_form_waiting(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "装坏了的安装"
    empty.mkdir()
    render.builtin_template.cache_clear()
    monkeypatch.setattr(render, "builtin_templates", lambda: empty)
    ws.drop("申请.xlsx", ws.xlsx("hardship"))
    result = process(ws)
    assert_waits_in_the_inbox(ws, result, "申请.xlsx")
    assert "重新安装" in result.jobs[0].message
    monkeypatch.undo()
    render.builtin_template.cache_clear()
    process(ws)
    assert_completed_once(ws, "申请.xlsx", documents=2)


# -- LibreOffice ------------------------------------------------------------------------------


def test_libreoffice_hanging_leaves_the_form_waiting_then_converts(
    ws: Workspace, tmp_path: Path
) -> None:
    (tmp_path / "hung").mkdir()
    ws.rt.converter.command = str(fake_soffice(tmp_path / "hung"))
    ws.rt.converter.timeout = 1
    legacy = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"conv" + bytes(2048)
    ws.drop("旧表.xls", legacy)
    result = process(ws)
    assert_waits_in_the_inbox(ws, result, "旧表.xls")
    assert "LibreOffice转换超时" in result.jobs[0].message
    ws.rt.converter.close()
    working = fake_converter(tmp_path / "works", {b"conv": ws.xlsx("hardship")})
    ws.rt.converter.command, ws.rt.converter.timeout = str(working), 60
    (job,) = process(ws).jobs
    assert job.outcome == "accepted", job.message
    (original,) = (ws.outbox / "archive").rglob("原件-*")
    assert original.read_bytes() == legacy  # the archive keeps the .xls as it came


# -- killed at every boundary ------------------------------------------------------------------

KILLED = 77
ACCEPTED_POINTS = [p for p in checkpoints.POINTS if "rejection" not in p]
# A returned form stops at the check that finds its mistake, then takes the rejection's steps.
RETURNED_POINTS = [
    p
    for p in checkpoints.POINTS
    if p.removeprefix("after:") not in ("check", "number", "render", "print_pdfs", "archive")
]


def killed_at(config: Config, point: str) -> int:
    """Process the inbox in a forked child that ends on the spot at ``point``."""
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        code = 1
        try:
            checkpoints.reached = lambda p: os._exit(KILLED) if p == point else None  # type: ignore[assignment]
            rt = open_runtime(config, clock=lambda: NOW)
            process_batch(collect_inbox(config), rt)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


@pytest.fixture
def fresh(tmp_path: Path) -> Any:
    """A working folder of its own (the ``ws`` fixture only makes the sample forms)."""
    root = tmp_path / "killed"
    config = make_config(root)
    config.folders.inbox.mkdir(parents=True)
    made: list[Workspace] = []

    def workspace() -> Workspace:
        made.append(Workspace(root, config, open_runtime(config, clock=lambda: NOW)))
        return made[-1]

    yield workspace
    for ws in made:
        ws.rt.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("point", ACCEPTED_POINTS)
def test_killed_at_each_boundary_then_rerun_gives_one_of_everything(
    ws: Workspace, fresh: Callable[[], Workspace], point: str
) -> None:
    data = ws.xlsx("hardship")
    mine = fresh()
    mine.drop("申请.xlsx", data)
    assert killed_at(mine.config, point) == KILLED, f"{point} was never reached"
    process(mine)
    assert_completed_once(mine, "申请.xlsx", documents=2)
    assert not files(mine.outbox / "rejected")
    _, rows = register_rows(mine.outbox / "registers" / "困难职工档案台账.xlsx")
    assert [row[0] for row in rows] == ["KN-2026-0001"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("point", RETURNED_POINTS)
def test_killed_at_each_boundary_of_a_return_then_it_is_returned_once(
    ws: Workspace, fresh: Callable[[], Workspace], point: str
) -> None:
    data = ws.xlsx("hardship", phone="1")
    mine = fresh()
    mine.drop("申请.xlsx", data)
    assert killed_at(mine.config, point) == KILLED, f"{point} was never reached"
    process(mine)
    assert not (mine.inbox / "申请.xlsx").exists() and mine.rt.store.record_count() == 0
    returned = [p.name for p in files(mine.outbox / "rejected")]
    assert returned == ["申请.xlsx", "申请.xlsx.标注.xlsx", "申请.xlsx.错误说明.txt"]
    assert (mine.outbox / "rejected" / "申请.xlsx").read_bytes() == data


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("good", [True, False], ids=["accepted", "returned"])
def test_the_same_bytes_dropped_again_after_a_kill_between_removal_and_record(
    ws: Workspace, fresh: Callable[[], Workspace], good: bool
) -> None:
    """Killed after the file left the inbox, before the store recorded it; then someone drops
    the very same file in again. It is a new submission: returned as 重复提交 after an
    accepted form, returned again after a returned one — never silently deleted."""
    data = ws.xlsx("hardship") if good else ws.xlsx("hardship", phone="1")
    mine = fresh()
    mine.drop("申请.xlsx", data)
    assert killed_at(mine.config, "after:unlink") == KILLED
    assert not (mine.inbox / "申请.xlsx").exists()
    mine.drop("申请.xlsx", data)
    (job,) = process(mine).jobs
    assert job.outcome == ("duplicate" if good else "rejected"), job.message
    assert not (mine.inbox / "申请.xlsx").exists()
    reports = [p for p in files(mine.outbox / "rejected") if p.name.endswith("错误说明.txt")]
    assert len(reports) == (1 if good else 2)
    if good:
        assert "重复提交" in reports[0].read_text("utf-8-sig") and "KN-2026-0001" in job.message


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_killed_before_the_removal_the_file_is_released_not_reprocessed(
    ws: Workspace, fresh: Callable[[], Workspace]
) -> None:
    mine = fresh()
    mine.drop("申请.xlsx", ws.xlsx("hardship"))
    assert killed_at(mine.config, "after:releasing") == KILLED
    assert (mine.inbox / "申请.xlsx").exists()  # recorded as leaving, still there
    (job,) = process(mine).jobs
    assert job.outcome == "accepted" and not files(mine.outbox / "rejected")
    assert_completed_once(mine, "申请.xlsx", documents=2)


def test_every_checkpoint_is_exercised_by_a_kill_test() -> None:
    assert set(ACCEPTED_POINTS) | set(RETURNED_POINTS) == set(checkpoints.POINTS)
