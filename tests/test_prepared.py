"""The prepared render path makes exactly what plain docxtpl makes, for every template and
sample: the same parts in the same order, each byte for byte (so the same text, styles and
structure), after whatever ``pipeline.render`` does to every document."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from forms import KINDS
from forms.base import DocumentSpec, FormKind, RecordView
from pipeline import render
from pipeline.batches import generate
from pipeline.cli.reports import period_of
from pipeline.config import Config, Fonts
from pipeline.engine import BatchResult
from pipeline.errors import TemplateProblem
from pipeline.render import docxtpl_package, full_context, record_stamp, render_package
from pipeline.reporting import make_report
from pipeline.runs import write_report
from tests.batches import replaced_in_part
from tests.conftest import NOW, Workspace, docx_text

KIND_IDS = [kind.key for kind in KINDS]
# Free-text fields: values the documents print as typed (ID numbers and dates are parsed).
TEXTS = {
    spec.key
    for kind in KINDS
    for spec in kind.model.field_defs()
    if type(spec.type).__name__ == "Text"
}


def parts(package: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        assert archive.testzip() is None
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def accepted(result: BatchResult, kind: FormKind) -> list[RecordView]:
    found = [
        job.record
        for job in result.jobs
        if job.kind is kind and job.outcome == "accepted" and job.record is not None
    ]
    assert found, f"no accepted sample of {kind.key}"
    return found


def assert_same_document(config: Config, kind: FormKind, record: RecordView) -> None:
    context = full_context(kind, config, record, NOW.date())
    for spec in kind.documents:
        stamp = record_stamp(spec, record)
        expected = parts(docxtpl_package(config, spec.template, context, stamp))
        found = parts(render_package(config, spec.template, context, stamp))
        assert [name for name, _ in found] == [name for name, _ in expected], spec.template
        for (name, data), (_, reference) in zip(found, expected, strict=True):
            assert data == reference, f"{spec.template}: {name} differs from docxtpl's"
        document = dict(found)["word/document.xml"].decode("utf-8")
        assert record.ident in document  # rendered, not the template as it was


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_every_sample_renders_as_docxtpl_renders_it(
    by_format: dict[str, BatchResult], fmt: str, kind: FormKind
) -> None:
    for record in accepted(by_format[fmt], kind):
        assert_same_document(Config(), kind, record)


def test_other_fonts_and_markup_in_values_render_as_docxtpl_renders_them(
    by_format: dict[str, BatchResult],
) -> None:
    """Fonts from the configuration are applied per template, and values that look like XML
    or Jinja, with tabs, line breaks and blank lines, still come out as docxtpl makes them."""
    config = Config(fonts=Fonts(body="楷体", table="黑体", latin="Arial"))
    typed = '<w:t>A & B</w:t> {{ serial }} {% if x %}"引号"\n\n第二行\t制表\n  缩进的第三行'
    for kind in KINDS:
        record = accepted(by_format["xlsx"], kind)[0]
        values = {
            key: typed if isinstance(value, str) and len(value) >= 10 and key in TEXTS else value
            for key, value in record.values.items()
        }
        assert_same_document(config, kind, replace(record, values=values))


def test_a_template_changed_on_disk_is_prepared_again(ws: Workspace) -> None:
    """An office edits a template while the program runs: the next document uses the edit."""
    folder = ws.root / "templates"
    folder.mkdir()
    config = ws.config.model_copy(
        update={"folders": ws.config.folders.model_copy(update={"templates": folder})}
    )
    kind = next(k for k in KINDS if k.key == "hazard")
    spec = kind.documents[0]
    original = render.builtin_template(spec.template)
    ws.drop("h.xlsx", ws.xlsx("hazard"))
    record = ws.process().jobs[0].record
    assert record is not None
    context = full_context(kind, config, record, NOW.date())
    edited = replaced_in_part(
        original, "word/document.xml", "整改通知书".encode(), "整改通知单".encode()
    )
    assert edited != original
    for data, expected in ((original, "整改通知书"), (edited, "整改通知单")):
        (folder / spec.template).write_bytes(data)
        out = ws.root / f"{expected}.docx"
        out.write_bytes(render_package(config, spec.template, context, record_stamp(spec, record)))
        assert expected in docx_text(out)


def test_a_broken_template_is_a_template_problem(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    config = ws.config.model_copy(
        update={"folders": ws.config.folders.model_copy(update={"templates": folder})}
    )
    kind = next(k for k in KINDS if k.key == "hazard")
    spec = DocumentSpec("坏模板", kind.documents[0].template)
    data = replaced_in_part(
        render.builtin_template(spec.template), "word/document.xml", b"{{", b"{{ ("
    )
    (folder / spec.template).write_bytes(data)
    ws.drop("h.xlsx", ws.xlsx("hazard"))
    record = ws.process().jobs[0].record
    assert record is not None
    with pytest.raises(TemplateProblem, match=spec.template):
        context = full_context(kind, config, record, NOW.date())
        render_package(config, spec.template, context, record_stamp(spec, record))


def test_report_letters_and_batch_documents_render_as_docxtpl_renders_them(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The report letters (``report.docx``) and a batch's pre-filled documents, which are not
    a record's, go through the prepared path too, and come out as docxtpl makes them."""
    compared: list[str] = []
    prepared = render.render_package

    def both(config: Config, name: str, context: dict[str, Any], stamp: render.Stamp) -> bytes:
        found = prepared(config, name, context, stamp)
        assert parts(found) == parts(docxtpl_package(config, name, context, stamp)), name
        compared.append(name)
        return found

    monkeypatch.setattr(render, "render_package", both)
    lettered = [(k, r) for k in KINDS for r in k.reports if r.letter is not None]
    for number, kind in enumerate({kind.key: kind for kind, _ in lettered}.values()):
        ws.drop(f"{number}.xlsx", ws.xlsx(kind.key))
    assert all(job.outcome == "accepted" for job in ws.process().jobs)
    for kind, report in lettered:
        options = {"quarter": "2026Q2"} if "quarter" in report.periods else {}
        period = period_of(report, options, NOW.date())
        write_report(ws.rt, make_report(ws.rt, kind, report, period))
    assert compared.count("report.docx") == len(lettered)
    roster = tmp_path / "名单.xlsx"
    for kind, batch in [(k, b) for k in KINDS for b in k.batches if b.documents]:
        book = Workbook()
        book.active.append([column.header for column in batch.roster])
        for row in range(2):
            book.active.append([f"示例{column.key}{row}" for column in batch.roster])
        book.save(roster)
        choice = batch.choice.default if batch.choice else ""
        generate(ws.rt, kind, batch, 2026, choice, roster if batch.roster else None)
        assert compared.count(kind.documents[0].template) >= 2, kind.key
