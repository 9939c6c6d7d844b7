"""The engine: the loop that runs the stages (``pipeline.stages``) over a batch.

Intake stages run for every file first (load, screen, identify) so the batch can be ordered
by kind: a hazard is numbered before a follow-up that names it. Only the kind, the hash and
the path are kept from intake (with workers, also the values a worker read from the file,
``pipeline.pipelined``); each file's bytes are read again when its turn comes, so a batch of
large forms never sits in memory at once. A ``FormRejected`` returns the file with its report.
Anything else that goes wrong with one form is a fault of ours: that form stays in the inbox,
the log has the traceback, and the forms behind it go on — except a store that another
program has locked, which stops the batch at once (every form would wait for it in turn).
A file leaves the inbox only after its outputs are durable and the store says so, and the
store records each form's progress, so after a crash the same file resumes where it stopped.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from forms import KINDS
from pipeline import checkpoints
from pipeline.errors import Duplicate, FormRejected, InvalidForm, PipelineError, StoreLocked
from pipeline.exports import export_changed
from pipeline.files import safe_path, unique_path
from pipeline.inputs import Collected, Source, collect, collect_inbox
from pipeline.job import Job
from pipeline.logs import FILE_ONLY, log_path
from pipeline.registers import ExportResult
from pipeline.reject import returned_name, write_rejection
from pipeline.runtime import Runtime, open_runtime
from pipeline.stages import INTAKE, STAGES, blamed, reload, settle_releases
from pipeline.stages import release as release_file

__all__ = [
    "BatchResult",
    "Collected",
    "Runtime",
    "Source",
    "collect",
    "collect_inbox",
    "export_all",
    "open_runtime",
    "process_batch",
]

log = logging.getLogger("unionforms")
OUTCOMES = {
    "accepted": "通过",
    "rejected": "退回",
    "duplicate": "重复",
    "failed": "出错",
    "changed": "稍后",
}
KIND_ORDER = {kind.key: index for index, kind in enumerate(KINDS)}
STOPPED = "已按要求停止，其余表单仍留在收件箱，下次处理"


# -- one form ---------------------------------------------------------------------------


def run_stages(job: Job, rt: Runtime, stages: Iterable[Callable[[Job, Runtime], None]]) -> bool:
    """Run ``stages``; on a rejection, return the file with its report. True if it went on."""
    for stage in stages:
        if job.resumed_stage == "finished":
            return True  # outputs were written before an interruption; only the release is left
        if job.outcome == "skipped":
            return False
        started = time.perf_counter()
        try:
            stage(job, rt)
        except Exception as exc:
            rejection = blamed(stage, exc)
            if rejection is None:
                raise
            if rejection is not exc:
                log.warning("无法解析 %s：%r", job.source, exc, exc_info=True, extra=FILE_ONLY)
            reject(job, rt, rejection)
            return False
        finally:
            rt.timed(stage.__name__, started)
        checkpoints.reached(f"after:{stage.__name__}")
    return True


def reject(job: Job, rt: Runtime, error: FormRejected) -> None:
    job.outcome = "duplicate" if isinstance(error, Duplicate) else "rejected"
    job.message = error.message
    if isinstance(error, InvalidForm):
        job.problems = error.problems
    if job.submission_id is None:
        job.submission_id = rt.store.receive(
            job.sha256, job.name, str(job.source), job.subfolder, job.received_at
        )
    target = rejection_target(job, rt)
    checkpoints.reached("after:plan_rejection")
    job.outputs = write_rejection(job, error, target, rt.sharing)
    checkpoints.reached("after:write_rejection")
    errors = [p.sentence() for p in job.problems] or [error.message]
    rt.store.finish(
        job.submission_id, job.outcome, errors, [str(p) for p in job.outputs], error.code
    )
    checkpoints.reached("after:finish")
    release_file(job, rt)


def rejection_target(job: Job, rt: Runtime) -> Path:
    """Where the returned original goes, stored before it is written: a rejection redone after
    a crash rewrites the same files instead of returning the form twice as ``name(2)``.
    A form from ``inbox/运行部/`` goes back to ``rejected/运行部/``."""
    assert job.submission_id is not None
    planned = rt.store.planned_rejections()
    if job.submission_id in planned:
        return Path(planned[job.submission_id])
    taken = {Path(path) for path in planned.values()}
    folder = rt.outbox / "rejected" / safe_path(job.subfolder)
    target = unique_path(folder, returned_name(job.name), taken)
    rt.store.plan_rejection(job.submission_id, str(target))
    return target


def accept(job: Job, rt: Runtime) -> None:
    assert job.record is not None and job.submission_id is not None
    started = time.perf_counter()
    job.outcome = "accepted"
    job.outputs = [*job.documents, *([job.archive_dir] if job.archive_dir else [])]
    rt.store.finish(
        job.submission_id, "accepted", [], [str(p) for p in job.outputs], job.record.ident
    )
    checkpoints.reached("after:finish")
    release_file(job, rt)
    rt.timed("release", started)


def _intake(job: Job, rt: Runtime) -> bool:
    return run_stages(job, rt, INTAKE)


def resume_or_reload(job: Job, rt: Runtime) -> bool:
    """Whether stages are left to run: a form finished before an interruption is only
    released, and a file that changed since intake is left for the next run."""
    if job.resumed_stage == "finished":
        release_file(job, rt)
        return False
    return reload(job, rt)


def _finish(job: Job, rt: Runtime) -> bool:
    if resume_or_reload(job, rt) and run_stages(job, rt, STAGES):
        accept(job, rt)
    return True


def _isolated(job: Job, rt: Runtime, work: Callable[[Job, Runtime], bool]) -> bool:
    """Run one form's work; an unexpected error fails that form only.

    The file stays in the inbox untouched (its progress is in the store) and the next run
    tries again, so one form that trips over a bug or a broken template cannot hold up the
    forms behind it. A locked store and interrupts (Ctrl+C, kill) stop the batch.
    """
    try:
        return work(job, rt)
    except StoreLocked:
        raise
    except Exception as exc:
        _log_failure(job, rt, exc)
        reason = exc.message if isinstance(exc, PipelineError) else "程序内部错误"
        job.outcome = "failed"
        job.message = (
            f"系统故障（{reason}），不是表单的问题；表单仍留在收件箱，下次处理时重试。"
            f"详细信息见 {log_path(rt.config.folders.state)}"
        )
        return False
    finally:
        job.forget_bytes()  # only kind, hash and path wait for the form's turn


def _log_failure(job: Job, rt: Runtime, exc: Exception) -> None:
    """The traceback once per file and cause; a repeat (the watcher retrying) in one line."""
    cause = f"{type(exc).__name__}: {exc}"
    if rt.failures.get(job.source) == cause:
        log.error("%s 再次处理失败，原因同前（%s）", job.source, cause, extra=FILE_ONLY)
    else:
        log.error("处理 %s 时出现系统故障", job.source, exc_info=exc, extra=FILE_ONLY)
    rt.failures[job.source] = cause


# -- a batch ----------------------------------------------------------------------------


@dataclass
class BatchResult:
    jobs: list[Job] = field(default_factory=list)
    export: ExportResult = field(default_factory=ExportResult)
    stopped: str = ""  # why the batch stopped before its end, in Chinese

    def count(self, outcome: str) -> int:
        return sum(1 for job in self.jobs if job.outcome == outcome)

    @property
    def all_accepted(self) -> bool:
        return all(job.outcome in ("accepted", "skipped") for job in self.jobs)

    @property
    def warnings(self) -> list[str]:
        """Things a person must know that did not stop the forms: registers not written,
        files that changed while they were read, files that could not leave the inbox."""
        said = [failure.message for failure in self.export.failures]
        said += [warning for job in self.jobs for warning in job.warnings]
        return said


def process_files(
    sources: list[Source],
    rt: Runtime,
    on_done: Callable[[Job], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> BatchResult:
    """Process ``sources`` as one batch; the registers are not exported.

    ``should_stop`` is asked before each file: a stop request lets the form in hand finish
    and leaves the others in the inbox untouched (an intake already recorded resumes later).
    """
    result = BatchResult()
    try:
        settle_releases(rt)
        if rt.pool is not None and len(sources) > 1:
            from pipeline.pipelined import PooledBatch  # (it builds on this module)

            batch = PooledBatch(rt, result, on_done, should_stop)
            ready = batch.take_in(sources)
            batch.finish(sorted(ready, key=_kind_order))
            return result
        ready = _take_in(sources, rt, result, on_done, should_stop)
        ready.sort(key=_kind_order)
        for job in ready:
            if should_stop():
                result.stopped = STOPPED
                break
            _isolated(job, rt, _finish)
            if on_done and job.outcome != "skipped":
                on_done(job)
    except StoreLocked as exc:
        result.stopped = exc.message
    return result


def _kind_order(job: Job) -> int:
    return KIND_ORDER.get(job.kind.key, 0) if job.kind else 0


def _take_in(
    sources: list[Source],
    rt: Runtime,
    result: BatchResult,
    on_done: Callable[[Job], None] | None,
    should_stop: Callable[[], bool],
) -> list[Job]:
    ready = []
    for source in sources:
        if should_stop():
            result.stopped = STOPPED
            break
        job = Job.from_source(source, rt.clock())
        result.jobs.append(job)
        if _isolated(job, rt, _intake):
            ready.append(job)
        elif on_done and job.outcome != "skipped":
            on_done(job)
    return ready


def process_batch(
    sources: list[Source] | Collected,
    rt: Runtime,
    on_done: Callable[[Job], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> BatchResult:
    """Process ``sources`` as one batch, then export the registers once."""
    if isinstance(sources, Collected):
        sources = sources.sources
    result = process_files(sources, rt, on_done, should_stop)
    started = time.perf_counter()
    checkpoints.reached("before:export")
    result.export = export_all(rt)
    rt.timed("export", started)
    return result


def export_all(rt: Runtime, force: bool = False) -> ExportResult:
    """The registers whose rows may have changed (every one when ``force``), each on its own:
    one that cannot be written is reported, not fatal (``pipeline.exports``). A kind that
    sends forms out in batches shows who has returned them on its register."""
    return export_changed(rt, force)
