"""The engine: the loop that runs the stages (``pipeline.stages``) over a batch.

Intake stages run for every file first (load, screen, identify) so the batch can be ordered
by kind: a hazard is numbered before a follow-up that names it. Then each file runs the
remaining stages. A ``FormRejected`` from any stage returns the file with its report; any other
``PipelineError`` stops the batch and leaves the file where it is. A file leaves the inbox only
after its outputs are durable and the store says so, and the store records each form's progress,
so after a crash the same file resumes where it stopped: no serial, document or register row twice.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from forms import KINDS
from pipeline import records
from pipeline.errors import DamagedFile, Duplicate, FormRejected, InvalidForm, PipelineError
from pipeline.files import is_ignored, unique_path
from pipeline.job import Job
from pipeline.logs import FILE_ONLY, log_path
from pipeline.registers import export_registers
from pipeline.reject import returned_name, write_rejection
from pipeline.runtime import Runtime, open_runtime
from pipeline.stages import INTAKE, PARSING_STAGES, STAGES

__all__ = ["BatchResult", "Runtime", "collect", "export_all", "open_runtime", "process_batch"]

log = logging.getLogger("unionforms")
OUTCOMES = {"accepted": "通过", "rejected": "退回", "duplicate": "重复", "failed": "出错"}
KIND_ORDER = {kind.key: index for index, kind in enumerate(KINDS)}


# -- the loop ----------------------------------------------------------------------------


def run_stages(job: Job, rt: Runtime, stages: Iterable[Callable[[Job, Runtime], None]]) -> bool:
    """Run ``stages``; on a rejection, return the file with its report. True if it went on."""
    for stage in stages:
        if job.resumed_stage == "finished":
            break  # outputs were written before an interruption; only the release is left
        try:
            stage(job, rt)
        except FormRejected as error:
            reject(job, rt, error)
            return False
        except Exception as exc:
            if stage not in PARSING_STAGES or isinstance(exc, MemoryError):
                raise
            # These stages work on bytes in memory: a library choking on a malformed package
            # (even with an OSError) is the file's fault, not the machine's.
            log.warning("could not parse %s: %r", job.source, exc)
            reject(
                job,
                rt,
                DamagedFile(
                    f"文件内容无法解析（{type(exc).__name__}），可能已损坏；请重新保存后再提交"
                ),
            )
            return False
    return True


def reject(job: Job, rt: Runtime, error: FormRejected) -> None:
    job.outcome = "duplicate" if isinstance(error, Duplicate) else "rejected"
    job.message = error.message
    if isinstance(error, InvalidForm):
        job.problems = error.problems
    if not job.data and job.source.exists():
        job.data = job.source.read_bytes()
    if job.submission_id is None:
        job.submission_id = rt.store.receive(
            job.sha256, job.name, str(job.source), job.subfolder, job.received_at
        )
    job.outputs = write_rejection(job, error, rejection_target(job, rt))
    errors = [p.sentence() for p in job.problems] or [error.message]
    rt.store.finish(
        job.submission_id, job.outcome, errors, [str(p) for p in job.outputs], error.code
    )
    release(job, rt)


def rejection_target(job: Job, rt: Runtime) -> Path:
    """Where the returned original goes, stored before it is written: a rejection redone after
    a crash rewrites the same files instead of returning the form twice as ``name(2)``."""
    assert job.submission_id is not None
    planned = rt.store.planned_rejections()
    if job.submission_id in planned:
        return Path(planned[job.submission_id])
    taken = {Path(path) for path in planned.values()}
    target = unique_path(rt.outbox / "rejected", returned_name(job.name), taken)
    rt.store.plan_rejection(job.submission_id, str(target))
    return target


def accept(job: Job, rt: Runtime) -> None:
    assert job.record is not None and job.submission_id is not None
    job.outcome = "accepted"
    job.outputs = [*job.documents, *([job.archive_dir] if job.archive_dir else [])]
    rt.store.finish(
        job.submission_id, "accepted", [], [str(p) for p in job.outputs], job.record.ident
    )
    release(job, rt)


def release(job: Job, rt: Runtime) -> None:
    """Remove the file from the inbox, unless it changed since it was read."""
    try:
        if job.source.exists() and job.source.read_bytes() != job.data:
            log.warning("%s changed while it was processed; left for the next run", job.source)
            return
        job.source.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("could not remove %s from the inbox: %s", job.source, exc)
        return
    assert job.submission_id is not None
    rt.store.released(job.submission_id)


@dataclass
class BatchResult:
    jobs: list[Job] = field(default_factory=list)
    registers: list[Path] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for job in self.jobs if job.outcome == outcome)

    @property
    def all_accepted(self) -> bool:
        return all(job.outcome == "accepted" for job in self.jobs)


def process_files(
    files: list[tuple[Path, str]],
    rt: Runtime,
    on_done: Callable[[Job], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> BatchResult:
    """Process ``(path, subfolder)`` pairs as one batch; the registers are not exported.

    ``should_stop`` is asked before each file: a stop request lets the form in hand finish
    and leaves the others in the inbox untouched (an intake already recorded resumes later).
    """
    result = BatchResult()
    ready = []
    for path, subfolder in files:
        if should_stop():
            return result
        job = Job(source=path, name=path.name, subfolder=subfolder, received_at=rt.clock())
        result.jobs.append(job)
        if _isolated(job, rt, _intake):
            ready.append(job)
        elif on_done:
            on_done(job)
    ready.sort(key=lambda job: KIND_ORDER[job.kind.key] if job.kind else 0)
    for job in ready:
        if should_stop():
            break
        _isolated(job, rt, _finish)
        if on_done:
            on_done(job)
    return result


def _intake(job: Job, rt: Runtime) -> bool:
    return run_stages(job, rt, INTAKE)


def _finish(job: Job, rt: Runtime) -> bool:
    if job.resumed_stage == "finished":
        release(job, rt)
    elif run_stages(job, rt, STAGES):
        accept(job, rt)
    return True


def _isolated(job: Job, rt: Runtime, work: Callable[[Job, Runtime], bool]) -> bool:
    """Run one form's work; an unexpected error fails that form only.

    The file stays in the inbox untouched (its progress is in the store) and the next run
    tries again, so one form that trips over a bug or a broken template cannot hold up the
    forms behind it. Interrupts (Ctrl+C, kill) are not caught: they stop the batch.
    """
    try:
        return work(job, rt)
    except Exception as exc:
        log.error("处理 %s 时出现系统故障", job.source, exc_info=True, extra=FILE_ONLY)
        reason = exc.message if isinstance(exc, PipelineError) else "程序内部错误"
        job.outcome = "failed"
        job.message = (
            f"系统故障（{reason}），不是表单的问题；表单仍留在收件箱，下次处理时重试。"
            f"详细信息见 {log_path(rt.config.folders.state)}"
        )
        return False


def process_batch(
    files: list[tuple[Path, str]], rt: Runtime, on_done: Callable[[Job], None] | None = None
) -> BatchResult:
    """Process ``files`` as one batch, then export the registers once."""
    result = process_files(files, rt, on_done)
    result.registers = export_all(rt)
    return result


def export_all(rt: Runtime) -> list[Path]:
    return export_registers(
        records.all_views(rt.store), rt.config, rt.outbox / "registers", rt.clock()
    )


def collect(paths: Iterable[Path], skip: Iterable[Path] = ()) -> list[tuple[Path, str]]:
    """Form files under ``paths`` (files or folders, searched recursively) with their subfolder.

    Lock, temp, hidden and system files, symbolic links (which could point anywhere on this
    machine) and anything inside ``skip`` (the outbox and the state folder when they sit inside
    the inbox) are left alone.
    """
    skipped = {p.resolve() for p in skip}
    found: list[tuple[Path, str]] = []
    for root in paths:
        if root.is_symlink() or is_ignored(root):
            continue
        if root.is_file():
            found.append((root.resolve(), ""))
            continue
        root = root.resolve()
        for folder, dirs, names in os.walk(root):
            here = Path(folder)
            dirs[:] = sorted(
                d
                for d in dirs
                if not is_ignored(Path(d))
                and (here / d) not in skipped
                and not (here / d).is_symlink()
            )
            relative = here.relative_to(root).as_posix()
            for name in sorted(names):
                path = here / name
                if not is_ignored(path) and not path.is_symlink() and path.is_file():
                    found.append((path, "" if relative == "." else relative))
    return found
