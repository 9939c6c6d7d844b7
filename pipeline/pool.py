"""Worker processes for the stages that need no store writes: reading a file at intake (screen,
identify, read) and, after numbering, the documents (and their PDFs) and archive copies.

Checking and numbering stay in the main process, in order, so serials and every rule that
looks at earlier records come out as in a serial run; reading a file needs nothing of the
others, and the stages after numbering write files only, so they run in a pool of processes
while the main process takes the next form (``pipeline.pipelined``). Workers open the store
read-only (a follow-up's documents show its hazard): the main process is the one writer, and
a file a worker finds wrong comes back as a rejection for the main process to return. Each
worker has its own LibreOffice profile, and the templates it prepares stay prepared for its
lifetime.

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
import multiprocessing.util
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from copy import copy
from dataclasses import dataclass, field
from typing import Any, TypeVar

from forms import get_kind
from pipeline.config import Config
from pipeline.errors import FormRejected, PipelineError
from pipeline.job import Job
from pipeline.logs import FILE_ONLY
from pipeline.stages import blamed

log = logging.getLogger("unionforms")
Stage = Callable[[Job, Any], None]
T = TypeVar("T")
# What the main process keeps of its own job: the worker's copy never had these (the kind
# travels as its key: its registers hold functions that do not pickle).
LOCAL_FIELDS = frozenset({"data", "content", "form", "kind"})
PR_SET_PDEATHSIG = 1

_runtime: Any = None  # the worker's own runtime, opened by ``_start_worker``


def pool_size(config: Config) -> int:
    """How many worker processes ``[performance] workers`` asks for (0: one per core)."""
    return config.performance.workers or os.cpu_count() or 1


@dataclass
class Done:
    """What stages in a worker made of a job: its fields and the seconds each stage took;
    when a stage did not finish, which one and why: the rejection the file earned (with the
    library's traceback when a library's exception was blamed on the file), or the exception,
    a ``PipelineError`` as it was raised and anything else (a bug of ours) as its traceback."""

    fields: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    stopped_at: str = ""
    rejection: FormRejected | None = None
    error: PipelineError | None = None
    trace: str = ""
    converted: bytes = b""  # a legacy file's conversion, when the worker made one


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
    # A worker leaves by multiprocessing's exit, which runs its finalizers but not atexit's
    # (nor the weakref finalizers behind ``TemporaryDirectory``): close the runtime there, or
    # each worker that made a PDF leaves its LibreOffice profile behind in the temp folder.
    multiprocessing.util.Finalize(None, _runtime.close, exitpriority=10)


def _run(job: Job, kind: str | None, stages: Sequence[Stage]) -> Done:
    """``engine.run_stages`` in a worker, up to the first stage that does not finish; the
    engine decides what follows (the worker never writes to the store)."""
    done = Done()
    job.kind = get_kind(kind) if kind else None
    for stage in stages:
        started = time.perf_counter()
        try:
            stage(job, _runtime)
        except Exception as exc:
            done.stopped_at = stage.__name__
            done.rejection = blamed(stage, exc)
            if done.rejection is None and isinstance(exc, PipelineError):
                done.error = exc
            done.trace = "" if done.rejection is exc else traceback.format_exc()
            break
        finally:
            done.timings[stage.__name__] = time.perf_counter() - started
    done.fields = {k: v for k, v in vars(job).items() if k not in LOCAL_FIELDS}
    done.fields["kind"] = job.kind.key if job.kind else None
    if job.converted and job.content:  # LibreOffice's work, not to be done twice
        done.converted = job.content
    return done


def _call(function: Callable[..., T], args: tuple[Any, ...]) -> T:
    return function(_runtime, *args)


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

    def submit(self, job: Job, stages: Sequence[Stage]) -> Future[Done]:
        """Run ``stages`` on a copy of ``job`` in a worker. The copy carries the file's bytes
        (to read, or to archive) but not what reading made of them."""
        order = copy(job)
        order.content, order.raw, order.form, order.kind = b"", None, None, None
        kind = job.kind.key if job.kind else None
        return self._submit(_run, order, kind, tuple(stages))

    def call(self, function: Callable[..., T], *args: Any) -> Future[T]:
        """``function(runtime, *args)`` in a worker, with the worker's runtime (its store
        read-only); ``function`` is a module's own function, as it travels by name."""
        return self._submit(_call, function, args)

    def _submit(self, function: Callable[..., T], *args: Any) -> Future[T]:
        try:
            return self.executor.submit(function, *args)
        except RuntimeError:  # a worker died (killed, out of memory): start afresh
            log.warning("生成文书的工作进程意外退出，已重新启动", exc_info=True)
            self.executor.shutdown(wait=False, cancel_futures=True)
            self.executor = self._start()
            return self.executor.submit(function, *args)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)

    def kill(self) -> None:
        """Stop at once (a second Ctrl+C): the forms in hand resume on the next run."""
        processes = list((getattr(self.executor, "_processes", None) or {}).values())
        self.executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.kill()


def apply(job: Job, done: Done, timings: dict[str, float]) -> None:
    """Bring a worker's fields into the main process's ``job``, and the time it took."""
    for key, value in done.fields.items():
        setattr(job, key, get_kind(value) if key == "kind" and value else value)
    for name, seconds in done.timings.items():
        timings[name] = timings.get(name, 0.0) + seconds


def failure(job: Job, done: Done) -> FormRejected | None:
    """The rejection the file earned in a worker; a worker's exception is raised again."""
    if done.rejection is not None:
        if done.trace:
            log.warning("无法解析 %s：%s", job.source, done.trace, extra=FILE_ONLY)
        return done.rejection
    if done.error is not None:
        raise done.error
    if done.trace:
        raise WorkerFault(done.trace)
    return None


def outcome(job: Job, done: Done, timings: dict[str, float]) -> FormRejected | None:
    """``apply`` then ``failure``."""
    apply(job, done, timings)
    return failure(job, done)
