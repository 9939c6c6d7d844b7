"""The prepared render path makes exactly what plain docxtpl makes, for every template and
sample: the same parts in the same order, each byte for byte (so the same text, styles and
structure), after whatever ``pipeline.render`` does to every document."""

from __future__ import annotations

import io
import os
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from forms import KINDS
from forms.base import DocumentSpec, FormKind, RecordView
from pipeline import render, template_cache
from pipeline.batches import generate
from pipeline.cli.reports import period_of
from pipeline.config import Config, Fonts
from pipeline.engine import BatchResult
from pipeline.errors import TemplateProblem
from pipeline.prepared import PreparedTemplate
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


# -- prepared templates kept between runs (``pipeline.template_cache``) ---------------------


@pytest.fixture
def cache_at(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path | None], None]]:
    """Points the template cache at a folder (None: neither XDG_CACHE_HOME nor LOCALAPPDATA
    set) as a new run finds it: no template prepared in this process yet."""

    def point(where: Path | None) -> None:
        for name in ("XDG_CACHE_HOME", "LOCALAPPDATA"):
            if where is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, str(where))
        render._prepared.cache_clear()

    yield point
    render._prepared.cache_clear()


@pytest.fixture
def cache(tmp_path: Path, cache_at: Callable[[Path | None], None]) -> Path:
    """An empty cache folder, and no template prepared in this process yet."""
    cache_at(tmp_path / "cache")
    where = template_cache.folder()
    assert where is not None
    return where


def no_preparing(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, a template that is prepared rather than read from the cache fails."""

    def refused(*args: Any) -> Any:
        raise AssertionError("a template was prepared again instead of read from the cache")

    monkeypatch.setattr(PreparedTemplate, "prepare", staticmethod(refused))


def test_templates_read_from_the_cache_render_what_fresh_ones_render(
    by_format: dict[str, BatchResult], cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every template with a sample of each kind: prepared and kept by one "run", read back
    by the next, which makes every document byte for byte as docxtpl does."""
    config = Config(fonts=Fonts(body="楷体", table="黑体", latin="Arial"))
    records = [(kind, accepted(by_format["xlsx"], kind)[0]) for kind in KINDS]
    for kind, record in records:
        assert_same_document(config, kind, record)
    templates = {spec.template for kind in KINDS for spec in kind.documents}
    assert len(list(cache.glob("*.prepared"))) == len(templates)
    render._prepared.cache_clear()  # the next run
    no_preparing(monkeypatch)
    for kind, record in records:
        assert_same_document(config, kind, record)


def test_a_damaged_cache_file_is_prepared_again_and_replaced(
    by_format: dict[str, BatchResult], cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kind = next(k for k in KINDS if k.key == "hazard")
    record = accepted(by_format["xlsx"], kind)[0]
    assert_same_document(Config(), kind, record)
    kept = sorted(cache.glob("*.prepared"))
    assert len(kept) == len(kind.documents)
    for number, path in enumerate(kept):  # one cut short, one with a byte changed
        data = path.read_bytes()
        if number % 2:
            middle = len(data) // 2
            path.write_bytes(data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :])
        else:
            path.write_bytes(data[: len(data) // 3])
        assert template_cache.read(path.stem) is None
    render._prepared.cache_clear()
    assert_same_document(Config(), kind, record)
    for path in kept:
        assert template_cache.read(path.stem) is not None  # replaced by a whole one
    render._prepared.cache_clear()
    no_preparing(monkeypatch)
    assert_same_document(Config(), kind, record)


def test_a_cache_that_cannot_be_written_only_costs_time(
    by_format: dict[str, BatchResult],
    tmp_path: Path,
    cache_at: Callable[[Path | None], None],
    caplog: pytest.LogCaptureFixture,
) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    cache_at(blocked)
    kind = next(k for k in KINDS if k.key == "hardship")
    with caplog.at_level("INFO", logger="unionforms"):
        assert_same_document(Config(), kind, accepted(by_format["xlsx"], kind)[0])
    assert "无法缓存准备好的文书模板" in caplog.text


def test_the_cache_keeps_a_template_apart_per_template_fonts_and_program(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = render.builtin_template("hazard_notice.docx")
    fonts = Fonts().model_dump_json()
    first = template_cache.key(template, fonts)
    assert template_cache.key(template, fonts) == first
    assert template_cache.key(template + b"\0", fonts) != first
    assert template_cache.key(template, Fonts(body="楷体").model_dump_json()) != first
    try:
        with monkeypatch.context() as patched:
            patched.setattr(template_cache.metadata, "version", lambda name: "0.0-other")
            template_cache._program.cache_clear()
            assert template_cache.key(template, fonts) != first  # another docxtpl, say
    finally:
        template_cache._program.cache_clear()
    assert template_cache.key(template, fonts) == first


def test_cached_templates_not_used_for_long_are_removed(cache: Path) -> None:
    template_cache.write("old", b"old")
    template_cache.write("recent", b"recent")
    days = template_cache.UNUSED_DAYS
    long_ago = time.time() - (days + 1) * 86400
    os.utime(cache / f"old{template_cache.SUFFIX}", (long_ago, long_ago))
    lately = time.time() - (days - 1) * 86400
    os.utime(cache / f"recent{template_cache.SUFFIX}", (lately, lately))
    assert template_cache.read("recent") == b"recent"  # used: kept another UNUSED_DAYS
    template_cache.write("new", b"new")
    assert sorted(path.name for path in cache.iterdir()) == [
        f"new{template_cache.SUFFIX}",
        f"recent{template_cache.SUFFIX}",
    ]


def test_an_account_without_a_home_renders_without_a_cache(
    by_format: dict[str, BatchResult],
    cache_at: Callable[[Path | None], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A service account with no home folder and no XDG_CACHE_HOME: nothing is kept."""

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    cache_at(None)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert template_cache.folder() is None
    kind = next(k for k in KINDS if k.key == "visit")
    assert_same_document(Config(), kind, accepted(by_format["xlsx"], kind)[0])
