"""``process_files`` with the output stages in the worker pool (``pipeline.pool``).

Each form is read, checked and numbered in the main process in turn, exactly as in a serial
run, while the workers write the documents and archive copies of the forms before it; forms
are then finished (recorded, released, reported) in the same order, so a batch gives the same
serials, outputs and console lines with or without workers. At most two forms per worker
wait in hand. A locked store stops the batch after the workers' files are written (those
forms resume on the next run); a second Ctrl+C stops the workers at once (so do they).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, wait
from functools import partial
from typing import Any

from pipeline import engine, pool
from pipeline.engine import STOPPED, BatchResult, _isolated, accept, run_stages
from pipeline.errors import StoreLocked
from pipeline.job import Job
from pipeline.runtime import Runtime
from pipeline.stages import number

Stage = Callable[[Job, Runtime], None]


def split_stages() -> tuple[tuple[Stage, ...], tuple[Stage, ...]]:
    """The stages up to numbering, which run in order here, and the output stages after it,
    which write files only and may run in a worker (``pipeline.pool``)."""
    stages = tuple(engine.STAGES)  # as the engine has them (tests replace some)
    if number not in stages:
        return stages, ()
    cut = stages.index(number) + 1
    return stages[:cut], stages[cut:]


def _number_then_submit(job: Job, rt: Runtime, queued: dict[int, Future[Any]]) -> bool:
    """``engine._finish`` up to numbering; the output stages go to a worker."""
    in_order, output = split_stages()
    if engine.resume_or_reload(job, rt) and run_stages(job, rt, in_order):
        assert rt.pool is not None
        queued[id(job)] = rt.pool.submit(job, output)
    return True


def _receive_outputs(job: Job, rt: Runtime, future: Future[Any]) -> bool:
    pool.outcome(job, future.result(), rt.timings)
    accept(job, rt)
    return True


def in_workers(
    ready: list[Job],
    rt: Runtime,
    result: BatchResult,
    on_done: Callable[[Job], None] | None,
    should_stop: Callable[[], bool],
) -> None:
    """``process_files`` with the output stages in the worker pool: each form is read,
    checked and numbered here in turn while the workers write the documents of the forms
    before it; forms are finished (recorded, released, reported) in the same order."""
    assert rt.pool is not None
    queued: dict[int, Future[Any]] = {}
    waiting: deque[Job] = deque()
    try:
        for job in ready:
            if should_stop():
                result.stopped = STOPPED
                break
            _isolated(job, rt, partial(_number_then_submit, queued=queued))
            waiting.append(job)
            _finish_in_order(waiting, queued, rt, on_done, 2 * rt.pool.size)
        _finish_in_order(waiting, queued, rt, on_done, 0)
    except StoreLocked:
        wait(queued.values())  # nothing keeps writing after the batch; those forms resume
        raise
    except BaseException:  # a second Ctrl+C: stop the workers too, the forms resume
        rt.pool.kill()
        raise


def _finish_in_order(
    waiting: deque[Job],
    queued: dict[int, Future[Any]],
    rt: Runtime,
    on_done: Callable[[Job], None] | None,
    keep: int,
) -> None:
    """Finish the forms at the head of ``waiting`` whose outputs are written, waiting for
    them while more than ``keep`` forms are in hand."""
    while waiting:
        future = queued.get(id(waiting[0]))
        if future is not None and not future.done() and len(waiting) <= keep:
            return
        job = waiting.popleft()
        if future is not None:
            del queued[id(job)]
            _isolated(job, rt, partial(_receive_outputs, future=future))
        if on_done and job.outcome != "skipped":
            on_done(job)
