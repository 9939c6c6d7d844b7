"""The worker pool changes nothing but the time: the same forms give the same serials, outcomes
and order, the same documents byte for byte, archives, returns and registers, with one process
or with workers; a worker's failure fails its form only; a stop finishes the forms in hand;
and a killed run takes its workers with it and resumes every form exactly once."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from forms import KINDS, get_kind
from forms.samples import fictional_id
from pipeline import exports
from pipeline.config import Config, Documents, Limits
from pipeline.engine import BatchResult, collect_inbox, open_runtime, process_batch
from pipeline.exports import export_kind
from pipeline.job import Job
from pipeline.pool import pool_size
from pipeline.runtime import Runtime
from pipeline.samples import fill_xlsx
from tests.batches import drop_files, every_good_sample
from tests.conftest import (
    NOW,
    Workspace,
    break_rendering_for,
    make_config,
    office,
    register_rows,
)

DUPLICATE = "hardship/重复提交.xlsx"
HAZARD = get_kind("hazard")


def batch_files(by_format: dict[str, BatchResult], ws: Workspace) -> dict[str, bytes]:
    """Every good sample of every kind (follow-ups with their hazards in the same batch), a
    form with mistakes, a copy of a form and a file that is no form, in subfolders."""
    files = every_good_sample(by_format["xlsx"], lambda k, v: fill_xlsx(k, Config(), v), "xlsx")
    files[DUPLICATE] = files[next(iter(files))]
    files["运行部/有错误的申请.xlsx"] = ws.xlsx("hardship", id_number="659002198801010039")
    files["运行部/不是表单.xlsx"] = b"not a form"
    return files


def run(root: Path, files: dict[str, bytes], workers: int) -> tuple[Config, list[Job]]:
    config = make_config(root, workers=workers)
    drop_files(config, files)
    rt = open_runtime(config, clock=lambda: NOW)
    try:
        rt.start_workers()
        assert (rt.pool is not None) == (workers > 1)
        done: list[Job] = []
        process_batch(collect_inbox(config), rt, done.append)
    finally:
        rt.close()
    return config, done


def outputs(config: Config) -> dict[str, bytes]:
    outbox = config.folders.outbox
    return {
        str(path.relative_to(outbox)): path.read_bytes()
        for path in sorted(outbox.rglob("*"))
        if path.is_file() and "registers" not in path.parts and path.suffix != ".xlsx"
    }


def stored(config: Config) -> list[tuple[object, ...]]:
    db = sqlite3.connect(config.folders.state / "unionforms.sqlite3")
    try:
        return db.execute(
            "SELECT r.ident, r.kind, r.data, r.derived, s.original_name, s.outcome, s.errors"
            " FROM records r JOIN submissions s ON s.id = r.submission_id ORDER BY r.id"
        ).fetchall()
    finally:
        db.close()


def test_workers_give_what_one_process_gives(
    by_format: dict[str, BatchResult], ws: Workspace, tmp_path: Path
) -> None:
    files = batch_files(by_format, ws)
    serial_config, serial = run(tmp_path / "one", files, workers=1)
    pooled_config, pooled = run(tmp_path / "pool", files, workers=2)
    assert [(j.display_name, j.outcome, j.message) for j in pooled] == [
        (j.display_name, j.outcome, j.message) for j in serial
    ]
    assert [j.record.ident for j in pooled if j.record] == [
        j.record.ident for j in serial if j.record
    ]
    assert {j.outcome for j in serial} == {"accepted", "rejected", "duplicate"}
    assert stored(pooled_config) == stored(serial_config)
    found, expected = outputs(pooled_config), outputs(serial_config)
    assert list(found) == list(expected)
    assert sum(name.endswith(".docx") for name in found) > 2 * len(KINDS)
    for name, data in expected.items():
        assert found[name] == data, name  # documents, archives, returns: byte for byte
    assert_same_registers(pooled_config, serial_config)
    assert not list(pooled_config.folders.inbox.rglob("*.xlsx"))


def assert_same_registers(found: Config, expected: Config) -> None:
    registers = sorted((expected.folders.outbox / "registers").glob("*.xlsx"))
    assert len(registers) >= len(KINDS)
    for path in registers:
        twin = found.folders.outbox / "registers" / path.name
        assert register_rows(twin) == register_rows(path), path.name


def export_noting_who(rt: Runtime, key: str, *args: Any) -> Any:
    """``exports.export_kind`` noting which process exported which kind (in the worker), and
    whether the counts of records it was given are the store's."""
    given = args[-1] == rt.store.kind_counts()
    with (rt.config.folders.state / "exported-by.txt").open("a", encoding="utf-8") as note:
        note.write(f"{os.getpid()} {key} {given}\n")
    if key == "hazard" and os.environ.get("DIE_EXPORTING") == str(os.getppid()):
        os._exit(3)  # as a worker killed while it exports
    return export_kind(rt, key, *args)


@pytest.mark.parametrize("dies", [False, True], ids=["workers", "a worker dies"])
def test_workers_export_the_registers_and_the_main_process_takes_over_from_one_that_dies(
    ws: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    dies: bool,
) -> None:
    files = {f"{n}.xlsx": ws.xlsx("hazard", n) for n in range(3)}
    files["困难.xlsx"] = ws.xlsx("hardship")
    serial_config, _ = run(tmp_path / "one", files, workers=1)
    monkeypatch.setattr(exports, "export_kind", export_noting_who)  # before the fork
    if dies:
        monkeypatch.setenv("DIE_EXPORTING", str(os.getpid()))
    config, done = run(tmp_path / "pool", files, workers=2)
    assert {job.outcome for job in done} == {"accepted"}
    assert_same_registers(config, serial_config)
    noted = (config.folders.state / "exported-by.txt").read_text(encoding="utf-8").split("\n")
    exporters = dict(line.split()[1::-1] for line in noted if line)
    assert {line.split()[2] for line in noted if line} == {"True"}
    every = {kind.key for kind in KINDS}
    assert set(exporters) == every if not dies else "hazard" in set(exporters) <= every
    assert str(os.getpid()) not in exporters.values()  # the workers exported, or tried to
    assert ("改由主进程导出" in caplog.text) == dies
    if dies:  # the kinds the worker could not export are in the state, as if it had
        state = json.loads((config.folders.state / "registers.json").read_text("utf-8"))
        assert {spec.title for spec in HAZARD.registers} <= set(state)


def test_a_failure_in_a_worker_fails_that_form_only(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    break_rendering_for(monkeypatch, "张示例", RuntimeError("模板坏了"))  # before the fork
    files = {
        "a.xlsx": ws.xlsx("hardship", name="王示例", id_number=fictional_id("19800315", 3)),
        "b.xlsx": ws.xlsx("hardship"),
        "c.xlsx": ws.xlsx("hardship", name="李示例", id_number=fictional_id("19800315", 5)),
    }
    config, done = run(tmp_path / "pool", files, workers=2)
    outcomes = {job.name: job.outcome for job in done}
    assert outcomes == {"a.xlsx": "accepted", "b.xlsx": "failed", "c.xlsx": "accepted"}
    failed = next(job for job in done if job.outcome == "failed")
    assert "系统故障（程序内部错误）" in failed.message
    assert (config.folders.inbox / "b.xlsx").exists()
    assert "模板坏了" in caplog.text and "broken_for_one" in caplog.text  # the worker's traceback
    monkeypatch.undo()
    config, again = run(tmp_path / "pool", {}, workers=2)
    assert [(job.name, job.outcome) for job in again] == [("b.xlsx", "accepted")]


def test_a_file_a_worker_cannot_read_is_treated_as_one_process_treats_it(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Files are read by the workers at intake: a library that stumbles over one returns it
    (the library's traceback in the log), a bug of ours leaves it in the inbox, as in one
    process; the forms around them go on."""
    from openpyxl.utils.cell import column_index_from_string

    from pipeline import stages

    real_read = stages.READERS["xlsx"]

    def stumbling(content, kind):  # type: ignore[no-untyped-def]
        raw = real_read(content, kind)
        name = raw.fields["name"].value
        if name == "赵示例":
            column_index_from_string("不是列号")  # raises inside openpyxl
        if name == "钱示例":
            raise RuntimeError("读取时的程序错误")
        return raw

    monkeypatch.setitem(stages.READERS, "xlsx", stumbling)  # before the fork
    names = {"a.xlsx": "王示例", "b.xlsx": "赵示例", "c.xlsx": "钱示例"}
    files = {
        file: ws.xlsx("hardship", name=name, id_number=fictional_id("19800315", 3 + n))
        for n, (file, name) in enumerate(names.items())
    }
    results = {}
    for workers in (1, 2):
        caplog.clear()
        config, done = run(tmp_path / str(workers), files, workers=workers)
        here = str(tmp_path / str(workers))
        results[workers] = [(job.name, job.outcome, job.message.replace(here, "")) for job in done]
        assert "column_index_from_string" in caplog.text  # the library's traceback
        assert "读取时的程序错误" in caplog.text
        assert [path.name for path in config.folders.inbox.iterdir()] == ["c.xlsx"]
        returned = [path.name for path in (config.folders.outbox / "rejected").iterdir()]
        assert returned and all(name.startswith("b") for name in returned)
    assert results[2] == results[1]
    outcomes = [(name, outcome) for name, outcome, _ in results[2]]
    assert outcomes == [("a.xlsx", "accepted"), ("b.xlsx", "rejected"), ("c.xlsx", "failed")]
    assert "本程序暂时无法读取这个文件" in results[2][1][2]


def test_a_stop_finishes_the_forms_in_hand(ws: Workspace, tmp_path: Path) -> None:
    config = make_config(tmp_path, workers=2)
    for number in range(8):
        values = ws.sample_values("hazard") | {"location": f"燃油泵房{number}号"}
        path = config.folders.inbox / f"{number}.xlsx"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(fill_xlsx(HAZARD, config, values))
    rt = open_runtime(config, clock=lambda: NOW)
    done: list[Job] = []
    try:
        rt.start_workers()
        result = process_batch(collect_inbox(config), rt, done.append, lambda: len(done) >= 1)
        leftovers = rt.store.leftovers()
    finally:
        rt.close()
    assert result.stopped and 1 <= len(done) < 8
    assert all(job.outcome == "accepted" for job in done)
    assert leftovers == []  # every numbered form was finished, none left half done
    left = sorted(path.name for path in config.folders.inbox.iterdir())
    assert len(left) == 8 - len(done)
    assert [job.record.ident for job in done if job.record] == [
        f"YH-2026-{n:04d}" for n in range(1, len(done) + 1)
    ]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kill -9 and /proc: Linux")
def test_kill_9_takes_the_workers_along_and_every_form_is_numbered_once(
    ws: Workspace, tmp_path: Path
) -> None:
    config = office(tmp_path, "[performance]\nworkers = 2\n")
    inbox = tmp_path / "in"
    count = 24
    for number in range(count):
        values = ws.sample_values("hazard") | {"location": f"燃油泵房{number}号"}
        (inbox / f"{number:02d}.xlsx").write_bytes(fill_xlsx(HAZARD, Config(), values))
    command = [sys.executable, "-m", "pipeline", "--config", str(config), "process"]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    database = tmp_path / "st" / "unionforms.sqlite3"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((tmp_path / "out").rglob("*.docx"))) < 4:
        time.sleep(0.02)
    workers = children_of(child.pid)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert len(workers) == pool_size(Config()) or pool_size(Config()) == 1
    time.sleep(0.5)
    assert not [pid for pid in workers if alive(pid)], "workers outlived the main process"
    again = subprocess.run(command, capture_output=True, timeout=300)
    assert again.returncode == 0, again.stderr.decode()
    db = sqlite3.connect(database)
    idents = [row[0] for row in db.execute("SELECT ident FROM records ORDER BY seq")]
    db.close()
    year = idents[0].split("-")[1]
    assert idents == [f"YH-{year}-{n:04d}" for n in range(1, count + 1)]  # once each, no gaps
    assert not list(inbox.iterdir())
    verify = subprocess.run([*command[:-1], "archive", "verify"], capture_output=True, timeout=120)
    assert verify.returncode == 0, verify.stdout.decode()


def alive(pid: int) -> bool:
    """Running, not a zombie (a container's first process may never reap orphans)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def children_of(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process groups and /proc")
def test_ctrl_c_at_the_terminal_finishes_the_forms_in_hand(ws: Workspace, tmp_path: Path) -> None:
    """The terminal sends Ctrl+C to the main process and its workers alike: the workers
    carry on, the main process finishes the forms in hand, exports and exits 130."""
    config = office(tmp_path, "[performance]\nworkers = 2\n")
    inbox = tmp_path / "in"
    for number in range(24):
        values = ws.sample_values("hazard") | {"location": f"燃油泵房{number}号"}
        (inbox / f"{number:02d}.xlsx").write_bytes(fill_xlsx(HAZARD, Config(), values))
    command = [sys.executable, "-m", "pipeline", "--config", str(config), "process"]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list((tmp_path / "out").rglob("*.docx"))) < 2:
        time.sleep(0.02)
    workers = children_of(child.pid)
    os.killpg(child.pid, signal.SIGINT)
    output = child.communicate(timeout=120)[0].decode("utf-8")
    assert child.returncode == 130, output
    db = sqlite3.connect(tmp_path / "st" / "unionforms.sqlite3")
    stages = dict(db.execute("SELECT stage, COUNT(*) FROM submissions GROUP BY stage").fetchall())
    db.close()
    done = stages.get("done", 0)
    assert "numbered" not in stages and 0 < done < 24, stages  # none left half done
    assert len(list(inbox.iterdir())) == 24 - done
    _, rows = register_rows(tmp_path / "out" / "registers" / "事故隐患整改跟踪台账.xlsx")
    assert len(rows) == done  # the registers were brought up to date
    assert not [pid for pid in workers if alive(pid)]


def test_workers_that_made_pdfs_leave_no_libreoffice_profile_behind(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker leaves by multiprocessing's exit, which skips atexit: without closing its
    runtime there, each worker that converted left a LibreOffice profile in the temp folder."""
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))  # the workers, forked, inherit it
    soffice = tmp_path / "soffice"
    soffice.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")  # runs, makes no PDF
    soffice.chmod(0o755)
    config = make_config(tmp_path / "office", workers=2).model_copy(
        update={
            "documents": Documents(pdf=True),
            "limits": Limits(soffice=str(soffice)),
        }
    )
    drop_files(config, {f"{n}.xlsx": ws.xlsx("hazard", n) for n in range(3)})
    rt = open_runtime(config, clock=lambda: NOW)
    try:
        rt.start_workers()
        result = process_batch(collect_inbox(config), rt)
    finally:
        rt.close()
    assert result.count("accepted") == 3
    assert any("未能生成PDF" in warning for job in result.jobs for warning in job.warnings)
    assert sorted(path.name for path in temp.iterdir()) == []
