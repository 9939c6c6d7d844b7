"""Helpers for tests that process whole batches of forms and compare the records they give."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

from forms.base import FormKind
from pipeline.config import Config
from pipeline.engine import BatchResult, collect, open_runtime, process_batch
from pipeline.files import safe_name
from pipeline.job import Job
from tests.conftest import NOW, make_config


def run_batch(root: Path, files: dict[str, bytes], config: Config | None = None) -> BatchResult:
    """Process ``{relative path: bytes}`` as one batch in a fresh inbox, outbox and store."""
    config = config or make_config(root)
    for name, data in files.items():
        path = config.folders.inbox / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    rt = open_runtime(config, clock=lambda: NOW)
    try:
        return process_batch(collect([config.folders.inbox]), rt)
    finally:
        rt.close()


def jobs_by_sample(result: BatchResult, kind: FormKind) -> dict[str, Job]:
    """The jobs of ``kind`` (its samples sit in a subfolder named by its key) by file stem."""
    return {Path(job.name).stem: job for job in result.jobs if job.subfolder == kind.key}


def good_samples(kind: FormKind) -> list[tuple[str, dict[str, Any]]]:
    return [(safe_name(s.name), s.values) for s in kind.samples(NOW.date()) if s.good]


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
