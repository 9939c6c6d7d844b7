"""Helpers for tests that process whole batches of forms and compare the records they give."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from forms import KINDS, get_kind
from forms.base import FormKind, RecordView
from forms.samples import Sample
from pipeline.config import Config
from pipeline.engine import BatchResult, collect_inbox, open_runtime, process_batch
from pipeline.files import safe_name
from pipeline.job import Job
from pipeline.samples import run_samples
from tests.conftest import NOW, make_config


def drop_files(config: Config, files: dict[str, bytes]) -> None:
    """Put ``{relative path: bytes}`` into the inbox, subfolders made as needed."""
    for name, data in files.items():
        path = config.folders.inbox / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def run_batch(root: Path, files: dict[str, bytes], config: Config | None = None) -> BatchResult:
    """Process ``{relative path: bytes}`` as one batch in a fresh inbox, outbox and store."""
    config = config or make_config(root)
    drop_files(config, files)
    rt = open_runtime(config, clock=lambda: NOW)
    try:
        return process_batch(collect_inbox(config), rt)
    finally:
        rt.close()


def jobs_by_sample(result: BatchResult, kind: FormKind) -> dict[str, Job]:
    """The jobs of ``kind`` (its samples sit in a subfolder named by its key) by file stem."""
    return {Path(job.name).stem: job for job in result.jobs if job.subfolder == kind.key}


def process_samples(root: Path, fmt: str) -> BatchResult:
    """Every sample of every kind, in the format ``fmt``, processed the way the demo does it:
    round by round, so a follow-up names the hazard accepted before it."""
    config = make_config(root)
    inbox = config.folders.inbox
    rt = open_runtime(config, clock=lambda: NOW)
    try:
        run = run_samples(
            config,
            NOW.date(),
            inbox,
            lambda: process_batch(collect_inbox(config), rt),
            per_kind_folders=True,
            formats=(fmt,),
        )
    finally:
        rt.close()
    return BatchResult(jobs=run.jobs)


def samples_of(kind: FormKind, reference: BatchResult) -> list[Sample]:
    """The samples of ``kind`` as ``process_samples`` made them for ``reference``: a kind with a
    parent names the first accepted sample of its parent kind."""
    parent: RecordView | None = None
    if kind.parent is not None:
        parent_kind = get_kind(kind.parent.kind)
        jobs = jobs_by_sample(reference, parent_kind)
        for sample in samples_of(parent_kind, reference):
            job = jobs.get(safe_name(sample.name))
            if job is not None and job.outcome == "accepted":
                parent = job.record
                break
    return kind.samples(NOW.date(), parent)


def good_samples(kind: FormKind, reference: BatchResult) -> list[tuple[str, dict[str, Any]]]:
    """File stem and values of each good sample of ``kind`` (see ``samples_of``)."""
    return [(safe_name(s.name), s.values) for s in samples_of(kind, reference) if s.good]


def every_good_sample(
    reference: BatchResult, make: Callable[[FormKind, dict[str, Any]], bytes], suffix: str
) -> dict[str, bytes]:
    """``{kind/stem.suffix: make(kind, values)}`` for every good sample of every kind: one
    batch of them numbers parents before children, as the reference run did."""
    return {
        f"{kind.key}/{name}.{suffix}": make(kind, values)
        for kind in KINDS
        for name, values in good_samples(kind, reference)
    }


def assert_same_records(result: BatchResult, reference: BatchResult, kind: FormKind) -> None:
    """Every job of ``kind`` was accepted with the values of the same sample in ``reference``."""
    expected = jobs_by_sample(reference, kind)
    found = jobs_by_sample(result, kind)
    assert found
    for stem, job in found.items():
        assert job.outcome == "accepted", [p.sentence() for p in job.problems] or job.message
        assert job.record is not None and expected[stem].record is not None
        assert job.record.values == expected[stem].record.values
        assert job.record.derived == expected[stem].record.derived


def replaced_in_part(data: bytes, part: str, old: bytes, new: bytes) -> bytes:
    """A copy of an Office package with ``old`` replaced by ``new`` in one part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for entry in source.infolist():
            content = source.read(entry)
            target.writestr(entry, content.replace(old, new) if entry.filename == part else content)
    return buffer.getvalue()
