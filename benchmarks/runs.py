"""Running the pipeline on a batch of forms in a fresh working folder, and timing it.

``cli_run`` is what a person does: ``unionforms process`` as a process of its own, timed from
start to exit (Python starting and importing included), with the peak memory of the largest
of its processes. ``inprocess_run`` runs the same batch through the engine in this process,
for the time each stage took (``Runtime.timings``) and the records, which the floor renders.
"""

from __future__ import annotations

import compileall
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from forms.base import RecordView
from pipeline import engine, records
from pipeline.config import CONFIG_NAME, Config, Performance, commented_config, load_config
from pipeline.workfolder import init_folder

TIME = Path("/usr/bin/time")


def unionforms_command() -> list[str]:
    """The installed ``unionforms`` beside this Python, else ``python -m pipeline``."""
    script = Path(sys.executable).with_name("unionforms")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "pipeline"]


def byte_compiled() -> None:
    """Byte-compile unionforms' own modules, as installing a wheel does: a checkout run with
    ``PYTHONDONTWRITEBYTECODE`` set would otherwise compile them at every start (0.15 s)."""
    import forms
    import pipeline

    for package in (forms, pipeline):
        compileall.compile_dir(Path(package.__file__).parent, quiet=1)


def working_folder(root: Path, workers: int = 0) -> Config:
    """A fresh folder made by ``unionforms init``, with ``[performance] workers`` set."""
    if root.exists():
        shutil.rmtree(root)
    init_folder(root)
    path = root / CONFIG_NAME
    config = load_config(path)
    config = config.model_copy(update={"performance": Performance(workers=workers)})
    path.write_text(commented_config(config), encoding="utf-8")
    return load_config(path)


def copied_folder(config: Config, root: Path) -> Config:
    """A copy of ``config``'s working folder (its files' times kept, so the registers are
    known as the ones last exported) at ``root``, its configuration pointing there."""
    assert config.source is not None
    source = config.source.parent
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(source, root)
    path = root / CONFIG_NAME
    path.write_text(
        path.read_text(encoding="utf-8").replace(str(source), str(root)), encoding="utf-8"
    )
    return load_config(path)


def drop(config: Config, forms: list[tuple[str, bytes]]) -> None:
    for name, data in forms:
        (config.folders.inbox / name).write_bytes(data)


@dataclass
class Timed:
    seconds: float
    forms: int
    peak_rss_mb: float = 0.0
    cpu_seconds: float = 0.0  # user and system, the process and its workers
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage, all forms
    accepted: int = 0

    @property
    def ms_per_form(self) -> float:
        return 1000 * self.seconds / max(self.forms, 1)


def cli_command(config: Config, *args: str) -> float:
    """Run ``unionforms ARGS`` on the folder; its seconds."""
    assert config.source is not None
    started = time.perf_counter()
    subprocess.run(
        [*unionforms_command(), "--config", str(config.source), *args],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def cli_run(config: Config, forms: list[tuple[str, bytes]]) -> Timed:
    """``unionforms process`` on ``forms`` dropped into the inbox beforehand."""
    drop(config, forms)
    return cli_process(config, len(forms))


def cli_process(config: Config, count: int) -> Timed:
    """``unionforms process`` on the ``count`` forms in the inbox, which it must empty.

    The peak memory is the largest resident size of the process or of one of its workers, as
    GNU time reports it: a process started straight from this one would count this one's
    memory, which Linux records as the child's own when it starts the new program."""
    assert config.source is not None
    command = [*unionforms_command(), "--config", str(config.source), "process"]
    report = config.folders.state / "time.txt"
    if TIME.is_file():
        command = [str(TIME), "-f", "%M %U %S", "-o", str(report), *command]
    started = time.perf_counter()
    child = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - started
    if child.returncode not in (0, 3):
        errors = child.stderr.decode("utf-8", "replace")
        raise RuntimeError(f"unionforms process exited {child.returncode}: {errors[-2000:]}")
    left = list(config.folders.inbox.iterdir())
    if left:
        raise RuntimeError(f"{len(left)} forms were not processed, e.g. {left[0].name}")
    peak, cpu = _time_report(report)
    return Timed(seconds, count, peak, cpu, accepted=count)


def _time_report(report: Path) -> tuple[float, float]:
    """The peak memory (MB) and CPU seconds GNU time wrote (its last line)."""
    if not report.is_file():
        return 0.0, 0.0
    memory, user, system = report.read_text().split("\n")[-2].split()
    return int(memory) / 1024, float(user) + float(system)


def inprocess_run(
    config: Config, forms: list[tuple[str, bytes]], workers: bool = True
) -> tuple[Timed, list[engine.Job]]:
    """The same batch through the engine here: the time per stage, and the jobs."""
    drop(config, forms)
    rt = engine.open_runtime(config)
    try:
        started = time.perf_counter()
        if workers:
            rt.start_workers()
        result = engine.process_batch(engine.collect_inbox(config), rt)
        seconds = time.perf_counter() - started
        timings = dict(rt.timings)
    finally:
        rt.close()
    accepted = result.count("accepted")
    if accepted != len(forms):
        problems = [job.message for job in result.jobs if job.outcome != "accepted"]
        raise RuntimeError(f"only {accepted} of {len(forms)} accepted: {problems[:3]}")
    return Timed(seconds, len(forms), stages=timings, accepted=accepted), result.jobs


def stored_records(config: Config, kind: str) -> list[RecordView]:
    """The records of ``kind`` in the folder's store, oldest first."""
    rt = engine.open_runtime(config, read_only=True)
    try:
        return records.all_views(rt.store)[kind]
    finally:
        rt.close()
