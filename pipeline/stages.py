"""The stages: plain functions over one job, in the order the engine runs them.

Intake (load, screen, identify) runs for every file of a batch first, so the batch can be
ordered by kind; then each form is read, checked, numbered, rendered and archived. A stage
that finds the job already numbered by an interrupted earlier run does nothing, so a resumed
form goes straight to its documents.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from forms import KINDS, get_kind
from pipeline import checkpoints, docx_form, records, xlsx_form
from pipeline.archive import archive_record
from pipeline.errors import Duplicate, FormRejected, InvalidForm, UnknownKind
from pipeline.faults import file_fault
from pipeline.job import Job
from pipeline.logs import FILE_ONLY
from pipeline.package import PackageLimits
from pipeline.pdf import print_pdfs
from pipeline.render import document_folder, render_documents
from pipeline.runtime import Runtime
from pipeline.screen import screen
from pipeline.store import NewRecord, Submission
from pipeline.validate import validate

log = logging.getLogger("unionforms")

# -- intake ------------------------------------------------------------------------------


def load(job: Job, rt: Runtime) -> None:
    """Read the bytes; find an interrupted earlier attempt or an accepted duplicate."""
    job.data = job.source.read_bytes()
    job.sha256 = hashlib.sha256(job.data).hexdigest()
    earlier = _interrupted(job, rt)
    if earlier is not None:
        job.submission_id = earlier.id
        if earlier.stuck is not None and earlier.stuck == file_signature(job.source):
            job.outcome = "skipped"  # done before; the file cannot leave the inbox (said once)
            return
        if earlier.record_id is not None:
            job.record = records.view(rt.store.record_row(earlier.record_id))
        if earlier.outcome is not None:
            job.resumed_stage = "finished"
            job.outcome = earlier.outcome
        elif earlier.record_id is not None:
            job.resumed_stage = "numbered"
        return
    job.submission_id = rt.store.receive(
        job.sha256, job.name, str(job.source), job.subfolder, job.received_at
    )
    _refuse_duplicate(rt.store.numbered_before(job.sha256, job.submission_id))


def _interrupted(job: Job, rt: Runtime) -> Submission | None:
    """The unfinished earlier attempt at these bytes from this path, if a crash left one.

    A form numbered (or being returned) before a crash and then moved or renamed within the
    inbox is the same form: it resumes from its new place, or its serial would never get its
    documents, or it would be returned twice.
    """
    candidates = rt.store.unfinished(job.sha256)
    for submission in candidates:
        if submission.source_path == str(job.source):
            return submission
    for submission in candidates:
        if submission.outcome is None and not Path(submission.source_path).exists():
            rt.store.moved(submission.id, str(job.source), job.subfolder)
            return submission
    return None


def _refuse_duplicate(earlier: tuple[Submission, str] | None) -> None:
    if earlier is not None:
        submission, ident = earlier
        raise Duplicate(
            ident, submission.original_name, submission.received_at.replace("T", " ")[:16]
        )


def screen_file(job: Job, rt: Runtime) -> None:
    limits = rt.config.limits
    package = PackageLimits.configured(limits)
    job.fmt, job.content = screen(
        job.name, job.data, limits.max_file_mb * 1048576, package, rt.converter
    )
    job.converted = job.content is not job.data


IDENTIFIERS = {"xlsx": xlsx_form.identify, "docx": docx_form.identify}
READERS = {"xlsx": xlsx_form.read, "docx": docx_form.read}


def identify(job: Job, rt: Runtime) -> None:
    if job.record is not None:
        job.kind = get_kind(job.record.kind)
        return
    identifier = IDENTIFIERS.get(job.fmt)
    kind = identifier(job.content, KINDS) if identifier else None
    if kind is None:
        titles = "、".join(k.title for k in KINDS)
        raise UnknownKind(
            f"无法识别这是哪一种表单（未找到表单类型标记或表单标题）；"
            f"请使用系统生成的空白表单填写：{titles}"
        )
    job.kind = kind


def record_kind(job: Job, rt: Runtime) -> None:
    """Note the kind in the store (outside the parsing stages: a store error there would be
    taken for the file's fault)."""
    if job.record is None and job.kind is not None and job.submission_id is not None:
        rt.store.set_kind(job.submission_id, job.kind.key)


# -- per form ----------------------------------------------------------------------------


def read(job: Job, rt: Runtime) -> None:
    if job.record is None and job.raw is None:  # (a worker may have read it at intake)
        assert job.kind is not None
        job.raw = READERS[job.fmt](job.content, job.kind)


def check(job: Job, rt: Runtime) -> None:
    if job.record is not None:
        return
    assert job.kind is not None and job.raw is not None
    ctx = records.StoreContext(rt.store, rt.config.settings(), job.received_at)
    form, problems = validate(job.kind.model, job.raw, ctx)
    if form is None:
        raise InvalidForm(problems)
    job.form = form
    job.derived = job.kind.derive(form, ctx)


def number(job: Job, rt: Runtime) -> None:
    if job.record is not None:
        return
    kind, form = job.kind, job.form
    assert kind is not None and form is not None and job.submission_id is not None
    parent = getattr(form, kind.parent.key) if kind.parent else None
    row, earlier = rt.store.number(
        job.submission_id,
        job.sha256,
        NewRecord(
            kind=kind.key,
            prefix=kind.serial_prefix,
            year=job.received_at.year,
            data=form.model_dump(mode="json"),
            derived=job.derived,
            parent_serial=parent,
            child_suffix=kind.parent.suffix if kind.parent else "",
            kind_version=kind.version,
        ),
    )
    _refuse_duplicate(earlier)
    assert row is not None
    job.record = records.view(row)


def render(job: Job, rt: Runtime) -> None:
    kind, record = job.kind, job.record
    assert kind is not None and record is not None
    if record.parent:
        ctx = records.StoreContext(rt.store, rt.config.settings(), job.received_at)
        record.parent_record = ctx.record(record.parent)
    folder = document_folder(rt.outbox, kind, record)
    job.documents = render_documents(
        kind, record, rt.config, folder, job.received_at.date(), rt.sharing
    )


def archive(job: Job, rt: Runtime) -> None:
    assert job.kind is not None and job.record is not None
    job.archive_dir = archive_record(
        rt.outbox / "archive", job.kind, job.record, job.data, job.documents
    )


# -- around the stages ------------------------------------------------------------------


def reload(job: Job, rt: Runtime) -> bool:
    """Read the file again when its turn comes (intake kept only its hash and kind).

    A file changed since intake is left for the next run: it is no longer what was screened.
    """
    try:
        data = job.source.read_bytes()
    except FileNotFoundError:
        job.outcome, job.message = "changed", "文件在处理前被移走或删除，未处理"
        job.warnings.append(f"“{job.display_name}”在处理前被移走或删除，未处理")
        return False
    if hashlib.sha256(data).hexdigest() != job.sha256:
        job.outcome, job.message = "changed", "文件在处理过程中被修改，留待下次处理"
        job.warnings.append(f"“{job.display_name}”在处理过程中被修改，留待下次处理")
        return False
    job.data = data
    if job.converted:
        screen_file(job, rt)  # LibreOffice's conversion is cached by content
    else:
        job.content = data
    return True


def file_signature(path: Path) -> str:
    status = path.stat()
    return f"{status.st_size}:{status.st_mtime_ns}"


def file_identity(path: Path) -> str:
    """This very file: its inode, size and times. A copy dropped again under the same name has
    another (the change time cannot be set back), even when the disk reuses the inode."""
    status = path.stat()
    return (
        f"{status.st_dev}:{status.st_ino}:{status.st_size}:"
        f"{status.st_mtime_ns}:{status.st_ctime_ns}"
    )


def release(job: Job, rt: Runtime) -> None:
    """Remove the file from the inbox (unless it is not ours, or it changed meanwhile), then
    record the release. A file that cannot be removed is said once and left alone after.

    Which file is about to go is recorded first: a crash between the removal and the record
    (``settle_releases``) is then told apart from the same bytes dropped in again later, which
    must be reported as 重复提交 rather than silently taken for the finished one.
    """
    assert job.submission_id is not None
    if job.owned:
        try:
            if job.source.exists():
                if hashlib.sha256(job.source.read_bytes()).hexdigest() != job.sha256:
                    log.warning("%s 在处理过程中被修改，留待下次处理", job.source)
                    return
                rt.store.releasing(job.submission_id, file_identity(job.source))
                checkpoints.reached("after:releasing")
                job.source.unlink()
                checkpoints.reached("after:unlink")
        except OSError as exc:
            _stuck(job, rt, exc)
            return
    rt.store.released(job.submission_id)


def settle_releases(rt: Runtime) -> None:
    """Finish the releases a crash interrupted: a file that is gone, or replaced by another
    file of the same name, was removed; one still there as it was is released with its form."""
    for submission in rt.store.interrupted_releases():
        path = Path(submission.source_path)
        try:
            same = file_identity(path) == submission.releasing
        except OSError:
            same = False
        if not same:
            rt.store.released(submission.id)


def _stuck(job: Job, rt: Runtime, exc: OSError) -> None:
    assert job.submission_id is not None
    warning = (
        f"“{job.display_name}”已处理完毕，但无法从收件箱删除（{exc.strerror or exc}）；"
        "以后不再处理它，请管理员检查收件箱的写权限后把它删掉"
    )
    job.warnings.append(warning)
    log.warning("%s", warning, extra=FILE_ONLY)
    try:
        signature = file_signature(job.source)
    except OSError:
        return  # gone after all: the next run finds nothing to skip
    rt.store.stuck(job.submission_id, signature)


INTAKE = (load, screen_file, identify, record_kind)
STAGES = (read, check, number, render, print_pdfs, archive)
# Reading the file, which a worker process may do for the engine at intake (``pipelined``).
PARSING_STAGES = (screen_file, identify, read)


def blamed(stage: object, exc: Exception) -> FormRejected | None:
    """The rejection that ``exc``, raised by ``stage``, amounts to; None when it is ours.
    A parsing stage's exception may be the file's fault (``pipeline.faults``)."""
    if isinstance(exc, FormRejected):
        return exc
    return file_fault(exc) if stage in PARSING_STAGES else None
