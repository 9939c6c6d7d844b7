"""PDF copies of the documents, for printing: beside each Word document, never instead of it.

LibreOffice makes them (``Converter.to_pdf``), one at a time in the converter's own profile,
with the fonts embedded so the PDF prints the same on any printer. A conversion that fails
leaves the Word document as it is and says so in Chinese: no form is held up or lost because
its PDF could not be made. ``unionforms print`` makes them later for documents already issued.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from forms import get_kind
from forms.base import RecordView
from pipeline import records
from pipeline.archive import record_folder
from pipeline.convert import Converter
from pipeline.errors import PdfFailed
from pipeline.files import write_atomic
from pipeline.job import Job
from pipeline.permissions import Sharing
from pipeline.render import document_folder, document_name
from pipeline.runtime import Runtime

log = logging.getLogger("unionforms")


def pdf_path(document: Path, folder: Path | None = None) -> Path:
    """Where the PDF of ``document`` goes: beside it, or into ``folder``."""
    return (folder or document.parent) / f"{document.stem}.pdf"


def write_pdf(
    converter: Converter, document: Path, target: Path, sharing: Sharing | None = None
) -> None:
    write_atomic(target, converter.to_pdf(document), sharing)


def failure(document: Path, ident: str, reason: str) -> str:
    return (
        f"{document.name} 未能生成PDF（{reason}）；Word文书已生成，可直接用Word或WPS打印，"
        f"或稍后运行 unionforms print {ident} 再试"
    )


def print_pdfs(job: Job, rt: Runtime) -> None:
    """The stage after rendering, when ``[documents] pdf`` (or ``--pdf``) asks for PDFs."""
    if not rt.config.documents.pdf:
        return
    assert job.record is not None
    for document in job.documents:
        try:
            write_pdf(rt.converter, document, pdf_path(document), rt.sharing)
        except PdfFailed as exc:
            warning = failure(document, job.record.ident, exc.message)
            job.warnings.append(warning)
            log.warning(warning)


@dataclass
class Printed:
    """What ``unionforms print`` did for one record."""

    ident: str
    pdfs: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def issued_documents(rt: Runtime, record: RecordView) -> list[Path]:
    """The record's Word documents as issued: in the outbox, or else the archive's copies."""
    kind = get_kind(record.kind)
    found = []
    for spec in kind.documents:
        name = document_name(kind, record, spec.title)
        issued = document_folder(rt.outbox, kind, record) / name
        archived = record_folder(rt.outbox / "archive", kind, record) / name
        found.append(issued if issued.is_file() or not archived.is_file() else archived)
    return found


def print_records(rt: Runtime, idents: list[str], folder: Path | None = None) -> list[Printed]:
    """PDFs of the documents issued for each record named (a serial, or a follow-up's number
    such as YH-2026-0001-回执1), beside the documents in the outbox or into ``folder``."""
    by_ident = {
        record.ident: record for views in records.all_views(rt.store).values() for record in views
    }
    results = []
    for ident in idents:
        printed = Printed(ident.strip().upper())  # yh-2026-0001 as typed is YH-2026-0001
        record = by_ident.get(printed.ident)
        if record is None:
            printed.problems.append(f"没有编号为 {ident} 的记录")
        else:
            _print_record(rt, record, folder, printed)
        results.append(printed)
    return results


def _print_record(rt: Runtime, record: RecordView, folder: Path | None, printed: Printed) -> None:
    outbox_folder = document_folder(rt.outbox, get_kind(record.kind), record)
    for document in issued_documents(rt, record):
        if not document.is_file():
            printed.problems.append(f"{document.name} 不在输出文件夹中，归档中也没有，无法打印")
            continue
        target = pdf_path(document, folder or outbox_folder)
        try:
            write_pdf(rt.converter, document, target)
        except PdfFailed as exc:
            printed.problems.append(failure(document, record.ident, exc.message))
        else:
            printed.pdfs.append(target)
