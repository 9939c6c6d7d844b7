"""The watcher driven tick by tick on a fake clock: no threads, no sleeping.

What only a real process can show (signals, kill -9, watchdog's events, the lock held by
another process) is in ``test_watch_service.py``.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from watchdog.events import (
    FileClosedNoWriteEvent,
    FileCreatedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
)

from pipeline import engine
from pipeline.cli import main
from pipeline.config import Folders
from pipeline.engine import open_runtime, process_files
from pipeline.errors import Busy
from pipeline.files import atomic_path, temp_name, write_atomic
from pipeline.lock import processing_lock
from pipeline.logs import setup_logging
from pipeline.watch import FILE_RETRY_FIRST, Hints, Watcher
from tests.conftest import NOW, Workspace, break_rendering_for, register_rows

STABLE = 2.0  # the default watch.stability_seconds; the clock is ours, so nothing waits
LOCK_FILES = ["~$申请.xlsx", ".~lock.申请.xlsx#", "~申请.tmp", "Thumbs.db", "desktop.ini"]


@pytest.fixture
def watcher(ws: Workspace) -> Iterator[Watcher]:
    w = Watcher(ws.rt)
    yield w
    w.close()


def register(ws: Workspace) -> list[list[object]]:
    return register_rows(ws.outbox / "registers" / "困难职工档案台账.xlsx")[1]


def test_a_file_written_in_chunks_is_processed_once_and_complete(
    ws: Workspace, watcher: Watcher
) -> None:
    data = ws.xlsx("hardship")
    path = ws.inbox / "运行部" / "申请.xlsx"
    path.parent.mkdir()
    with path.open("wb") as handle:
        handle.write(data[: len(data) // 2])
        handle.flush()
        assert watcher.tick(0) == []
        # Unchanged for longer than the stability delay but cut off: still being copied.
        assert watcher.tick(10) == [] and watcher.tick(20) == []
        handle.write(data[len(data) // 2 :])
    assert watcher.tick(21) == []  # it changed: the wait starts again
    assert watcher.tick(21 + STABLE / 2) == []
    (job,) = watcher.tick(21 + STABLE)
    assert job.outcome == "accepted" and job.subfolder == "运行部"
    assert not path.exists()
    (original,) = ws.outputs("archive", "原件-*")
    assert original.read_bytes() == data
    assert watcher.tick(40) == [] and watcher.tick(400) == []
    assert len(register(ws)) == 1 and not ws.outputs("rejected")


def test_a_file_that_stays_cut_off_is_returned_in_the_end(ws: Workspace, watcher: Watcher) -> None:
    data = ws.xlsx("hardship")
    ws.drop("断了.xlsx", data[: len(data) // 2])
    give_up = ws.config.watch.incomplete_seconds
    for now in (0, STABLE, give_up / 2, give_up - 1):
        assert watcher.tick(now) == []
    (job,) = watcher.tick(give_up)
    assert job.outcome == "rejected" and "不完整或已损坏" in job.message
    assert [p.name for p in ws.outputs("rejected", "*.xlsx")] == ["断了.xlsx"]


def test_a_file_left_in_the_inbox_is_not_queued_again_until_it_changes(
    ws: Workspace, watcher: Watcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A share may refuse to delete a processed file; it must not be processed every round.
    monkeypatch.setattr(engine, "release_file", lambda job, rt: None)
    path = ws.drop("申请.xlsx", ws.xlsx("hardship"))
    watcher.tick(0)
    assert [job.outcome for job in watcher.tick(STABLE)] == ["accepted"]
    for now in (STABLE * 2, 100, 1000):
        assert watcher.tick(now) == []
    path.write_bytes(ws.xlsx("hardship", 1))
    watcher.tick(1001)
    (job,) = watcher.tick(1001 + STABLE)
    assert job.outcome == "accepted" and job.record and job.record.serial == "KN-2026-0002"


def test_lock_files_and_an_outbox_inside_the_inbox_are_left_alone(ws: Workspace) -> None:
    inbox = ws.inbox
    folders = Folders(inbox=inbox, outbox=inbox / "outbox", state=inbox / "state")
    rt = open_runtime(ws.config.model_copy(update={"folders": folders}), clock=lambda: NOW)
    watcher = Watcher(rt)
    try:
        for name in LOCK_FILES:
            ws.drop(name, b"lock")
        ws.drop("退回.xlsx", ws.xlsx("hardship", phone="1"))
        ws.drop("申请.xlsx", ws.xlsx("hardship"), subfolder="运行部")
        watcher.tick(0)
        outcomes = sorted(job.outcome for job in watcher.tick(STABLE))
        for now in (STABLE * 2, STABLE * 3, 1000):
            assert watcher.tick(now) == []  # rejected copies in outbox/ are not new forms
    finally:
        watcher.close()
        rt.close()
    assert outcomes == ["accepted", "rejected"]
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == sorted(LOCK_FILES)
    assert (inbox / "outbox" / "rejected" / "退回.xlsx").exists()


def test_a_burst_writes_the_registers_a_few_times_not_once_per_form(
    ws: Workspace, watcher: Watcher
) -> None:
    debounce = ws.config.watch.register_debounce_seconds
    watcher.tick(0)  # the export at start: a crash may have left the registers behind
    assert watcher.exports == 1
    forms = 12
    for number in range(forms):  # one form arriving every half second
        now = 1 + number * 0.5
        ws.drop(f"申请{number}.xlsx", ws.xlsx("hardship", address=f"阿拉尔市示例路{number}号"))
        watcher.tick(now)
    now += STABLE
    watcher.tick(now)
    assert not list(ws.inbox.iterdir())
    now += debounce
    watcher.tick(now)
    assert 2 <= watcher.exports <= 1 + forms * 0.5 / debounce + 2
    assert len(register(ws)) == forms


def test_a_missing_inbox_is_retried_with_growing_pauses_and_taken_up_again(
    ws: Workspace, watcher: Watcher, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "unionforms")
    shutil.rmtree(ws.inbox)
    now, pauses = 0.0, []
    for _ in range(10):
        assert watcher.tick(now) == []
        pauses.append(watcher.next_wake(now))
        assert watcher.tick(now + pauses[-1] / 2) == []  # too early: nothing is even tried
        now += pauses[-1]
    assert pauses[:4] == [1, 2, 4, 8] and pauses[-1] == 60  # backs off, never spins
    assert sum("收件箱无法访问" in r.message for r in caplog.records) == 1
    ws.drop("申请.xlsx", ws.xlsx("hardship"))
    watcher.tick(now)
    (job,) = watcher.tick(now + STABLE)
    assert job.outcome == "accepted"
    assert any("收件箱已恢复" in r.message for r in caplog.records)


def test_a_form_that_fails_waits_with_backoff_and_does_not_hold_up_the_rest(
    ws: Workspace, watcher: Watcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws.drop("a.xlsx", ws.xlsx("hardship"))
    ws.drop("b.xlsx", ws.xlsx("hardship", 1))
    break_rendering_for(monkeypatch, "张示例", ZeroDivisionError("a bug"))
    log = ws.config.folders.state / "unionforms.log"
    setup_logging(ws.config.folders.state, io.StringIO())
    watcher.tick(0)
    failed, accepted = watcher.tick(STABLE)
    assert (failed.outcome, accepted.outcome) == ("failed", "accepted")
    assert "系统故障" in failed.message and (ws.inbox / "a.xlsx").exists()
    first = FILE_RETRY_FIRST
    a = ws.inbox / "a.xlsx"
    assert watcher.waiting == {a: STABLE + first}  # only the failing form waits
    assert watcher.next_wake(STABLE) > 1  # and the loop sleeps meanwhile
    ws.drop("c.xlsx", ws.xlsx("hardship", 1, address="示例路9号"))  # a new form does not wait
    watcher.tick(STABLE + 1)
    (newcomer,) = watcher.tick(2 * STABLE + 1)
    assert newcomer.name == "c.xlsx" and newcomer.outcome == "accepted"
    assert watcher.tick(STABLE + first - 1) == []  # a.xlsx is still waiting
    watcher.tick(STABLE + first)
    (again,) = watcher.tick(2 * STABLE + first)  # looked at again like a new file: fails again
    assert again.name == "a.xlsx" and again.outcome == "failed"
    assert watcher.waiting == {a: 2 * STABLE + first + 2 * first}  # and waits longer
    text = log.read_text(encoding="utf-8")
    assert text.count("ZeroDivisionError: a bug") == 2  # the traceback once, then one line
    assert text.count("Traceback") == 1 and "再次处理失败，原因同前" in text
    monkeypatch.undo()
    watcher.tick(2 * STABLE + 3 * first)
    (job,) = watcher.tick(3 * STABLE + 3 * first)
    # numbered before rendering failed: it keeps its serial
    assert job.outcome == "accepted" and job.record and job.record.serial == "KN-2026-0001"


def test_a_stop_request_finishes_the_form_in_hand_and_leaves_the_rest(ws: Workspace) -> None:
    for number in range(3):
        ws.drop(f"申请{number}.xlsx", ws.xlsx("hardship", address=f"示例路{number}号"))
    files = engine.collect_inbox(ws.config).sources
    finished: list[str] = []
    result = process_files(
        files, ws.rt, lambda job: finished.append(job.name), lambda: bool(finished)
    )
    assert [job.outcome for job in result.jobs if job.outcome] == ["accepted"]
    assert len(list(ws.inbox.iterdir())) == 2 and len(ws.outputs("documents")) == 2
    later = process_files(engine.collect_inbox(ws.config).sources, ws.rt)
    assert [job.outcome for job in later.jobs] == ["accepted", "accepted"]
    serials = sorted(job.record.serial for job in [*result.jobs, *later.jobs] if job.record)
    assert serials == ["KN-2026-0001", "KN-2026-0002", "KN-2026-0003"]


def test_only_news_about_forms_wakes_the_watcher(ws: Workspace) -> None:
    woken: list[int] = []
    outbox, state = ws.outbox, ws.config.folders.state
    hints = Hints(lambda: woken.append(1), (outbox, state))
    quiet = [
        FileOpenedEvent(str(ws.inbox / "a.xlsx")),  # our own reading
        FileClosedNoWriteEvent(str(ws.inbox / "a.xlsx")),
        FileCreatedEvent(str(ws.inbox / "~$a.xlsx")),
        FileModifiedEvent(str(ws.inbox / ".~lock.a.xlsx#")),
        FileCreatedEvent(str(outbox / "rejected" / "a.xlsx")),
        FileModifiedEvent(str(state / "unionforms.log")),
    ]
    for event in quiet:
        hints.dispatch(event)
    assert woken == []
    hints.dispatch(FileCreatedEvent(str(ws.inbox / "运行部" / "a.xlsx")))
    hints.dispatch(FileMovedEvent(str(ws.inbox / "~$tmp"), str(ws.inbox / "a.xlsx")))
    assert len(woken) == 2


def test_one_process_per_state_folder(tmp_path: Path) -> None:
    state, inbox = tmp_path / "state", tmp_path / "inbox"
    with processing_lock(state, inbox, "watch"):
        with pytest.raises(Busy) as refused, processing_lock(state, inbox, "process"):
            pass
        assert "已有另一个 unionforms 进程（watch，进程号" in refused.value.message
        assert str(inbox) in refused.value.message
    with processing_lock(state, inbox, "process"):  # released on leaving the block
        pass


def test_process_refuses_to_run_beside_a_watcher(ws: Workspace, tmp_path: Path) -> None:
    config = tmp_path / "unionforms.toml"
    config.write_text('[folders]\ninbox = "in"\nstate = "st"\n', encoding="utf-8")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "申请.xlsx").write_bytes(ws.xlsx("hardship"))
    with processing_lock(tmp_path / "st", tmp_path / "in", "watch"):
        result = CliRunner().invoke(main, ["--config", str(config), "process"])
    assert result.exit_code == 2 and "已有另一个 unionforms 进程（watch" in result.output
    assert (tmp_path / "in" / "申请.xlsx").exists()


def test_a_write_redone_after_a_crash_replaces_the_stray_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "KN-2026-0001-困难职工档案表.docx"
    stray = tmp_path / temp_name(target.name)
    stray.write_bytes(b"half a document")
    write_atomic(target, b"the whole document")
    assert target.read_bytes() == b"the whole document"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
@pytest.mark.parametrize("by_path", [False, True], ids=["bytes", "path"])
def test_a_link_left_at_the_temporary_name_is_never_written_through(
    tmp_path: Path, by_path: bool
) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_bytes(b"not ours")
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    target = outbox / "台账.xlsx"
    (outbox / temp_name(target.name)).symlink_to(elsewhere)
    if by_path:
        with atomic_path(target) as temp:
            temp.write_bytes(b"the register")
    else:
        write_atomic(target, b"the register")
    assert elsewhere.read_bytes() == b"not ours"
    assert target.read_bytes() == b"the register" and not target.is_symlink()
    assert [p.name for p in outbox.iterdir()] == [target.name]
    assert target.stat().st_mode & 0o077 == 0


def test_a_new_day_brings_the_registers_that_turn_with_the_date_up_to_date(
    ws: Workspace, watcher: Watcher
) -> None:
    """No form comes in over the new year, yet 本年度未复核 turns: the watcher exports once on
    the new day (only the registers whose rows change with the date are written)."""
    debounce = ws.config.watch.register_debounce_seconds
    ws.drop("申请.xlsx", ws.xlsx("hardship"))
    assert watcher.tick(0) == []
    (job,) = watcher.tick(STABLE)
    now = STABLE + debounce
    watcher.tick(now)
    exports = watcher.exports
    header, rows = register_rows(ws.outbox / "registers" / "困难职工档案台账.xlsx")
    assert job.outcome == "accepted" and rows[0][header.index("本年度未复核")] == "否"
    watcher.tick(now + 100)  # the same day: nothing to export
    assert watcher.exports == exports
    ws.rt.clock = lambda: NOW.replace(year=NOW.year + 1, month=1, day=2)
    watcher.tick(now + 200)
    watcher.tick(now + 200 + debounce)
    assert watcher.exports == exports + 1
    header, rows = register_rows(ws.outbox / "registers" / "困难职工档案台账.xlsx")
    assert rows[0][header.index("本年度未复核")] == "是"
    watcher.tick(now + 400 + debounce)  # once a day, not once a tick
    assert watcher.exports == exports + 1
