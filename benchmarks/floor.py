"""The floor: the bare library work on the same forms, as anyone would script it.

For each form: ``openpyxl.load_workbook`` of the file, then each of its kind's templates
rendered by plain docxtpl (a fresh ``DocxTemplate`` per document, as its documentation shows)
and saved to a file. No validation, no store, no registers, no archive, no fsync. The
documents are rendered with the pipeline's own context for the record, so the work is the
same the pipeline does; the pipeline has to beat this while doing more.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

from docxtpl import DocxTemplate
from openpyxl import load_workbook

from forms import get_kind
from pipeline.config import Config
from pipeline.job import Job
from pipeline.render import ENVIRONMENT, full_context, template_bytes


def floor_seconds(config: Config, jobs: list[Job], forms: dict[str, bytes], out: Path) -> float:
    """Seconds the bare work takes for every job's form (``forms`` by file name)."""
    out.mkdir(parents=True, exist_ok=True)
    total = 0.0
    for number, job in enumerate(jobs):
        assert job.record is not None
        kind = get_kind(job.record.kind)
        context = full_context(kind, config, job.record, job.received_at.date())
        data = forms[job.name]
        templates = [template_bytes(config, spec.template) for spec in kind.documents]
        started = time.perf_counter()
        load_workbook(io.BytesIO(data))
        for index, template in enumerate(templates):
            document = DocxTemplate(io.BytesIO(template))
            document.render(context, ENVIRONMENT, autoescape=True)
            document.save(out / f"{number}-{index}.docx")
        total += time.perf_counter() - started
    return total
