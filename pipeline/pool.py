"""Worker processes for the output stages: documents (and their PDFs), archive copies.

Reading, checking and numbering stay in the main process, in order, so serials and every rule
that looks at earlier records come out as in a serial run; the stages after numbering write
files only, so they run in a pool of processes while the main process reads the next form.
Workers open the store read-only (a follow-up's documents show its hazard): the main process
is the one writer. Each worker has its own LibreOffice profile, and the templates it prepares
stay prepared for its lifetime.

Workers ignore Ctrl+C (the terminal sends it to the whole process group): the main process
decides, letting the forms in hand finish on the first and stopping them on the second.
On Linux a worker also dies with the main process, so after ``kill -9`` none keeps writing
the outbox while the next run resumes the same forms.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from copy import copy
from dataclasses import dataclass
from typing import Any

from forms import get_kind
from pipeline import errors
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.job import Job

log = logging.getLogger("unionforms")
Stage = Callable[[Job, Any], None]
# What the main process keeps of its own job: the worker's copy never had these, or has its
# own (a kind travels as its key: its registers hold functions that do not pickle).
LOCAL_FIELDS = frozenset({"data", "content", "raw", "form", "kind"})
PR_SET_PDEATHSIG = 1

_runtime: Any = None  # the worker's own runtime, opened by ``_start_worker``


def pool_size(config: Config) -> int:
    """How many worker processes ``[performance] workers`` asks for (0: one per core)."""
    return config.performance.workers or os.cpu_count() or 1


@dataclass
class Done:
    """A job's fields after its output stages, and the seconds each stage took."""

    fields: dict[str, Any]
    timings: dict[str, float]


@dataclass
class Failed:
    """An exception in a worker, in terms that survive the trip back to the main process."""

    name: str  # the class name, or the PipelineError subclass to raise again
    message: str
    pipeline_error: bool
    trace: str


class WorkerFault(Exception):
    """An unexpected exception in a worker (a bug of ours), with the worker's traceback."""


def _start_worker(config: Config) -> None:
    global _runtime
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    from pipeline.runtime import open_runtime

    _runtime = open_runtime(config, read_only=True)


def _run(job: Job, kind: str | None, stages: Sequence[Stage]) -> Done | Failed:
    timings: dict[str, float] = {}
    try:
        job.kind = get_kind(kind) if kind else None
        for stage in stages:
            started = time.perf_counter()
            stage(job, _runtime)
            timings[stage.__name__] = time.perf_counter() - started
    except Exception as exc:
        return Failed(
            type(exc).__name__,
            exc.message if isinstance(exc, PipelineError) else str(exc),
            isinstance(exc, PipelineError),
            traceback.format_exc(),
        )
    fields = {k: v for k, v in vars(job).items() if k not in LOCAL_FIELDS}
    return Done(fields, timings)


def _noop() -> None:
    return None


class WorkerPool:
    """A process pool for the output stages of one runtime."""

    def __init__(self, config: Config, size: int) -> None:
        self.config = config
        self.size = size
        self.executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        executor = ProcessPoolExecutor(
            self.size,
            multiprocessing.get_context(method),
            initializer=_start_worker,
            initargs=(self.config,),
        )
        # Start the workers now, before the caller starts threads (the progress bar, the
        # file watcher): forking a process with running threads is asking for deadlocks.
        executor.submit(_noop).result()
        return executor

    def submit(self, job: Job, stages: Sequence[Stage]) -> Future[Done | Failed]:
        """Run ``stages`` on a copy of ``job`` in a worker. The copy carries the file's bytes
        for the archive but not what reading made of them."""
        order = copy(job)
        order.content, order.raw, order.form, order.kind = b"", None, None, None
        kind = job.kind.key if job.kind else None
        try:
            return self.executor.submit(_run, order, kind, tuple(stages))
        except RuntimeError:  # a worker died (killed, out of memory): start afresh
            log.warning("生成文书的工作进程意外退出，已重新启动", exc_info=True)
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = self._start()
            return self.executor.submit(_run, order, kind, tuple(stages))

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def kill(self) -> None:
        """Stop at once (a second Ctrl+C): the forms in hand resume on the next run."""
        processes = list((getattr(self.executor, "_processes", None) or {}).values())
        self.executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()


def outcome(job: Job, result: Done | Failed, timings: dict[str, float]) -> None:
    """Bring a worker's result into the main process's ``job`` (or raise its exception)."""
    if isinstance(result, Failed):
        cls = getattr(errors, result.name, None)
        if result.pipeline_error and isinstance(cls, type) and issubclass(cls, PipelineError):
            try:
                error = cls(result.message)
            except TypeError:  # a subclass that takes more than a message
                error = PipelineError(result.message)
            raise error
        raise WorkerFault(f"{result.name}: {result.message}\n{result.trace}")
    for key, value in result.fields.items():
        setattr(job, key, value)
    for name, seconds in result.timings.items():
        timings[name] = timings.get(name, 0.0) + seconds
