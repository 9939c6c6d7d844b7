"""Watch latency: from a file complete in the inbox to its documents in the outbox.

``unionforms watch`` runs as a process of its own on a fresh folder. Forms arrive one at a
time, a trickle: each is written beside the inbox and renamed into it (so it is complete at
that instant, as a finished copy onto the share is), then the outbox is polled until the
form's documents are all there. The watcher waits ``watch.stability_seconds`` (2 s by
default) before it takes a file, so the latency cannot be less than that.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.runs import unionforms_command
from forms import get_kind
from pipeline.config import Config
from pipeline.logs import log_path

POLL = 0.01
TIMEOUT = 60.0


@dataclass
class Latency:
    seconds: list[float]
    stability: float

    @property
    def p50(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p95(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _documents(outbox: Path) -> int:
    folder = outbox / "documents"
    if not folder.exists():
        return 0
    return sum(1 for path in folder.rglob("*.docx") if not path.name.startswith("."))


def _wait_for(predicate: object, what: str) -> float:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return time.perf_counter()
        time.sleep(POLL)
    raise RuntimeError(f"timed out waiting for {what}")


def watch_latency(config: Config, forms: list[tuple[str, bytes]], pause: float) -> Latency:
    """Drop ``forms`` one by one, ``pause`` seconds after the previous one came out."""
    assert config.source is not None
    command = [*unionforms_command(), "--config", str(config.source), "watch"]
    log = log_path(config.folders.state)
    watcher = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: log.exists() and "开始监视收件箱" in log.read_text("utf-8"), "watch")
        time.sleep(1.0)  # the start-up export and the observer are under way
        staging = config.folders.inbox.parent / "staging"
        staging.mkdir(exist_ok=True)
        seconds = []
        for name, data in forms:
            documents = len(get_kind(name.split("-")[0]).documents)
            before = _documents(config.folders.outbox)
            (staging / name).write_bytes(data)
            os.rename(staging / name, config.folders.inbox / name)
            complete = time.perf_counter()
            out = _wait_for(
                lambda n=before + documents: _documents(config.folders.outbox) >= n, name
            )
            seconds.append(out - complete)
            time.sleep(pause)
    finally:
        watcher.send_signal(signal.SIGINT)
        watcher.wait(timeout=120)
    return Latency(seconds, config.watch.stability_seconds)
