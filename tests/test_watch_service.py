"""``unionforms watch`` as a real child process on a temporary inbox: watchdog's events, the
polling observer, the lock held by another process, SIGTERM and kill -9.

Every wait is bounded (a hang fails the test instead of stalling the suite) and every child
is killed in teardown. Nothing here asserts how long anything takes.
"""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pipeline.archive import verify_archive
from pipeline.store import Store
from tests.conftest import Workspace, register_rows

TIMEOUT = 120.0  # a bound for a loaded machine, not an expectation
FORM_LINE = re.compile(r"  (通过|退回|重复)  ")
LOCK_FILES = ["~$申请.xlsx", ".~lock.申请.xlsx#", "Thumbs.db"]
CONFIG = """\
[folders]
inbox = "in"
outbox = "out"
state = "st"

[watch]
stability_seconds = 0.3
register_debounce_seconds = 1.0
polling_interval_seconds = 0.2
"""


class Service:
    """Watchers started on ``root/in``; ``kill_all`` leaves no process behind."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.inbox = root / "in"
        self.inbox.mkdir(parents=True)
        self.config = root / "unionforms.toml"
        self.config.write_text(CONFIG, encoding="utf-8")
        self.processes: list[subprocess.Popen[bytes]] = []

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "pipeline", "--config", str(self.config), "watch", *args]

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        lines_before = self.log().count("开始监视收件箱")
        console = (self.root / f"console-{len(self.processes)}.txt").open("wb")
        process = subprocess.Popen(
            self.command(*args),
            stdout=console,
            stderr=subprocess.STDOUT,
            cwd=self.root,
            start_new_session=True,
        )
        console.close()
        self.processes.append(process)
        self.wait_for(lambda: self.log().count("开始监视收件箱") > lines_before, "the start")
        return process

    def stop(self, process: subprocess.Popen[bytes], how: int = signal.SIGTERM) -> int:
        process.send_signal(how)
        return process.wait(TIMEOUT)

    def kill_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def log(self) -> str:
        path = self.root / "st" / "unionforms.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def form_lines(self) -> int:
        return len(FORM_LINE.findall(self.log()))

    def forms_in_inbox(self) -> list[Path]:
        return [p for p in self.inbox.rglob("*") if p.is_file() and p.name not in LOCK_FILES]

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not condition():
            for process in self.processes:
                if process.poll() not in (None, 0, -signal.SIGKILL):
                    pytest.fail(f"watcher exited with {process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}; log:\n{self.log()}")
            time.sleep(0.1)

    def database(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.root / "st" / "unionforms.sqlite3")
        db.row_factory = sqlite3.Row
        return db


@pytest.fixture
def service(tmp_path: Path) -> Iterator[Service]:
    svc = Service(tmp_path / "service")
    try:
        yield svc
    finally:
        svc.kill_all()


def forms(ws: Workspace, count: int, **changes: str) -> list[bytes]:
    return [ws.xlsx("hardship", address=f"阿拉尔市示例路{n}号", **changes) for n in range(count)]


def assert_each_form_done_once(svc: Service, accepted: int, rejected: int) -> None:
    """One submission, outcome and output set per form; serials gapless; nothing stray."""
    out = svc.root / "out"
    db = svc.database()
    outcomes = [row["outcome"] for row in db.execute("SELECT outcome FROM submissions")]
    assert sorted(outcomes) == ["accepted"] * accepted + ["rejected"] * rejected
    seqs = [row["seq"] for row in db.execute("SELECT seq FROM records ORDER BY seq")]
    assert seqs == list(range(1, accepted + 1))
    db.close()
    _, rows = register_rows(out / "registers" / "困难职工档案台账.xlsx")
    assert len(rows) == accepted
    assert len(list((out / "documents").rglob("*.docx"))) == 2 * accepted
    store = Store(svc.root / "st", read_only=True)
    check = verify_archive(out / "archive", store)
    store.close()
    assert (check.checked, check.faults) == (accepted, [])
    returned = sorted(p.name for p in (out / "rejected").glob("*")) if rejected else []
    assert len(returned) == 3 * rejected and not any("(2)" in name for name in returned)
    assert not [p for p in out.rglob(".~tmp-*")], "a half-written file was left behind"
    assert svc.forms_in_inbox() == []


def test_polling_a_slow_copy_into_a_subfolder_and_a_second_watcher(
    service: Service, ws: Workspace
) -> None:
    watcher = service.start("--polling", "--interval", "0.2")
    second = subprocess.run(service.command(), capture_output=True, timeout=TIMEOUT)
    assert second.returncode == 2
    assert "已有另一个 unionforms 进程（watch" in second.stderr.decode("utf-8")

    for name in LOCK_FILES:
        (service.inbox / name).write_bytes(b"lock")
    data = ws.xlsx("hardship")
    target = service.inbox / "运行部" / "申请.xlsx"
    target.parent.mkdir()
    with target.open("wb") as handle:
        step = len(data) // 5 + 1
        for start in range(0, len(data), step):
            handle.write(data[start : start + step])
            handle.flush()
            time.sleep(0.5)  # longer than the stability delay: the watcher sees a stalled copy
    service.wait_for(lambda: service.form_lines() == 1, "the form")
    assert service.stop(watcher, signal.SIGINT) == 0  # Ctrl+C

    console = (service.root / "console-0.txt").read_text(encoding="utf-8")
    line = r"\n\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  运行部/申请.xlsx  通过  KN-\d{4}-0001\n"
    assert re.search(line, console), console  # time, file, outcome, serial

    assert_each_form_done_once(service, accepted=1, rejected=0)
    db = service.database()
    (row,) = db.execute("SELECT subfolder, original_name FROM submissions").fetchall()
    assert (row["subfolder"], row["original_name"]) == ("运行部", "申请.xlsx")
    db.close()
    assert sorted(p.name for p in service.inbox.iterdir() if p.is_file()) == sorted(LOCK_FILES)


def test_fifty_files_dropped_at_once_are_each_processed_once(
    service: Service, ws: Workspace
) -> None:
    batch = forms(ws, 50)
    watcher = service.start()
    for number, data in enumerate(batch):
        (service.inbox / f"申请{number:02d}.xlsx").write_bytes(data)
    service.wait_for(lambda: service.form_lines() == 50, "50 forms")
    assert service.stop(watcher) == 0
    assert_each_form_done_once(service, accepted=50, rejected=0)
    assert service.log().count("台账已更新") < 25  # debounced, not once per form


def test_sigterm_mid_batch_loses_nothing(service: Service, ws: Workspace) -> None:
    names = [f"申请{number:02d}.xlsx" for number in range(12)]
    for name, data in zip(names, forms(ws, 12), strict=True):
        (service.inbox / name).write_bytes(data)  # already there: processed on start
    watcher = service.start()
    service.wait_for(lambda: service.form_lines() >= 1, "the first form")
    assert service.stop(watcher) == 0
    assert "收到停止信号" in service.log()

    left = {p.name for p in service.forms_in_inbox()}
    db = service.database()
    finished = db.execute("SELECT original_name FROM submissions WHERE outcome IS NOT NULL")
    done = {row["original_name"] for row in finished}
    db.close()
    assert left | done == set(names) and not left & done
    _, rows = register_rows(service.root / "out" / "registers" / "困难职工档案台账.xlsx")
    assert len(rows) == len(done)  # exported on the way out
    assert len(list((service.root / "out" / "documents").rglob("*.docx"))) == 2 * len(done)

    watcher = service.start()
    service.wait_for(lambda: not service.forms_in_inbox(), "the rest")
    assert service.stop(watcher) == 0
    assert_each_form_done_once(service, accepted=12, rejected=0)


def test_kill_9_mid_form_then_restart_yields_one_record_per_form(
    service: Service, ws: Workspace
) -> None:
    seed = int(os.environ.get("UNIONFORMS_KILL_SEED", time.time_ns() % 10_000))
    rng = random.Random(seed)
    good, bad = forms(ws, 8), forms(ws, 2, phone="12345")
    files = [*good[:4], bad[0], *good[4:], bad[1]]  # killed while returning a form, too
    for number, data in enumerate(files):
        (service.inbox / f"表{number:02d}.xlsx").write_bytes(data)
    for _ in range(2):
        watcher = service.start()
        seen = service.form_lines()
        service.wait_for(
            lambda seen=seen: service.form_lines() > seen or not service.forms_in_inbox(),
            "processing to be under way",
        )
        time.sleep(rng.uniform(0, 1.0))
        os.killpg(watcher.pid, signal.SIGKILL)
        watcher.wait(TIMEOUT)
    watcher = service.start()  # the lock of the killed one is gone with it
    service.wait_for(lambda: not service.forms_in_inbox(), "every form")
    assert service.stop(watcher) == 0, f"seed {seed}"
    assert_each_form_done_once(service, accepted=8, rejected=2)


def test_the_inbox_disappearing_and_coming_back_is_survived(
    service: Service, ws: Workspace
) -> None:
    first, second = forms(ws, 2)
    watcher = service.start()
    (service.inbox / "一.xlsx").write_bytes(first)
    service.wait_for(lambda: service.form_lines() == 1, "the first form")

    service.inbox.rmdir()  # the share is gone
    service.wait_for(lambda: "收件箱无法访问" in service.log(), "the outage to be noticed")
    time.sleep(1.5)
    service.inbox.mkdir()  # and back, as a new folder
    service.wait_for(lambda: "收件箱已恢复" in service.log(), "the inbox to be taken up again")
    (service.inbox / "二.xlsx").write_bytes(second)
    service.wait_for(lambda: service.form_lines() == 2, "a form dropped after the outage")

    assert watcher.poll() is None
    assert service.stop(watcher) == 0
    assert service.log().count("收件箱无法访问") == 1  # logged once, retried quietly
    assert_each_form_done_once(service, accepted=2, rejected=0)
