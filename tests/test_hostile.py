"""Hostile input (#13): whatever someone with write access to the inbox drops there.

Every hostile file of ``tests.hostile`` — for every kind, as .xlsx and as .docx, and on the
legacy path — is refused by screening with a clear Chinese message before any reader opens it
(the readers are replaced by ones that fail the test if reached: that is the proof the refusal
costs no parsing), the original comes back byte for byte, and nothing else is touched. Each
library that parses XML is shown to refuse a DTD by itself too (defence in depth). Links and
file names that could lead outside the inbox, forge a log line or break a Windows share are
handled where the files are collected.
"""

from __future__ import annotations

import io
import logging
import os
import sqlite3
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError

import docx
import msoffcrypto.format.ooxml
import pytest
from defusedxml import DefusedXmlException
from openpyxl import load_workbook

from forms import KINDS
from pipeline import docx_form, hardening, xlsx_form
from pipeline.config import Limits
from pipeline.engine import BatchResult, collect_inbox, open_runtime, process_batch
from pipeline.errors import TemplateProblem
from pipeline.files import UNPRINTABLE, WINDOWS_RESERVED
from pipeline.render import SafeTemplate, builtin_template, load_template
from pipeline.template_check import template_problems
from tests.conftest import NOW, Workspace, make_config
from tests.hostile import (
    SECRET,
    Hostile,
    fake_converter,
    legacy_cases,
    legacy_conversions,
    link_outside,
    package_cases,
    packed,
    parts_of,
    size_cases,
    with_bomb,
    with_external_entity,
    xml_parts,
)
from tests.test_first_week import office, run

KIND_KEYS = [kind.key for kind in KINDS]
FORMATS = ("xlsx", "docx")
TIGHT = Limits(max_file_mb=1, max_unpacked_mb=2, max_parts=60)


def tight_workspace(root: Path, **limits: Any) -> Workspace:
    base = make_config(root)
    config = base.model_copy(update={"limits": TIGHT.model_copy(update=limits)})
    config.folders.inbox.mkdir(parents=True, exist_ok=True)
    return Workspace(root, config, open_runtime(config, clock=lambda: NOW))


@pytest.fixture
def tight(tmp_path: Path) -> Any:
    workspace = tight_workspace(tmp_path)
    yield workspace
    workspace.rt.close()


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A file outside every folder unionforms uses, which an external entity points at."""
    path = tmp_path / "elsewhere" / "secret.txt"
    path.parent.mkdir()
    path.write_bytes(SECRET)
    return path


def readers_must_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Replace the functions that hand a file to openpyxl and python-docx: reaching one fails
    the form as a fault of ours (screening and the kind property use zipfile and defusedxml)."""

    def reached(*args: Any) -> None:
        raise AssertionError("an Office library opened a file screening should have refused")

    for module in (xlsx_form, docx_form):
        monkeypatch.setattr(module, "load", reached)


def form(ws: Workspace, key: str, fmt: str) -> bytes:
    return ws.xlsx(key) if fmt == "xlsx" else ws.docx(key)


def drop_and_process(ws: Workspace, cases: list[Hostile]) -> BatchResult:
    for case in cases:
        ws.drop(case.name, case.data)
    return process_batch(collect_inbox(ws.config), ws.rt)


def assert_refused(ws: Workspace, cases: list[Hostile], result: BatchResult) -> None:
    """Each case returned with its message, byte for byte, and nothing else written."""
    by_name = {job.name: job for job in result.jobs}
    assert sorted(by_name) == sorted(case.name for case in cases)
    for case in cases:
        job = by_name[case.name]
        assert (job.outcome, case.says in job.message) == ("rejected", True), (case.name, job)
        returned = ws.outbox / "rejected" / case.name
        assert returned.read_bytes() == case.data, case.name
        report = (ws.outbox / "rejected" / f"{case.name}.错误说明.txt").read_text("utf-8-sig")
        assert case.says in report and "结论：未登记" in report
    assert not list(ws.inbox.iterdir())
    assert not (ws.outbox / "documents").exists() and not (ws.outbox / "archive").exists()
    assert ws.rt.store.record_count() == 0
    for path in (ws.outbox / "rejected").iterdir():
        if path.name.endswith(".错误说明.txt"):
            assert SECRET.decode() not in path.read_text("utf-8-sig")


# -- the packages --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("key", KIND_KEYS)
def test_hostile_packages_are_refused_before_any_reader(
    tight: Workspace, key: str, fmt: str, secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = form(tight, key, fmt)
    other = form(tight, key, "docx" if fmt == "xlsx" else "xlsx")
    cases = package_cases(mine, other, fmt, secret) + size_cases(mine, fmt, 1048576, 60)
    readers_must_not_run(monkeypatch)
    assert_refused(tight, cases, drop_and_process(tight, cases))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("key", KIND_KEYS)
def test_the_same_form_unharmed_passes_the_tight_limits(
    tight: Workspace, key: str, fmt: str
) -> None:
    """The limits of the hostile tests are no reason for the refusals: a form itself passes."""
    data = form(tight, key, fmt)
    tight.drop(f"原样.{fmt}", data)
    (job,) = process_batch(collect_inbox(tight.config), tight.rt).jobs
    assert job.outcome != "failed" and "压缩炸弹" not in job.message and "部件" not in job.message


def test_the_legacy_path_refuses_hostile_files_and_conversions(
    tmp_path: Path, secret: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = tight_workspace(tmp_path / "w")
    try:
        xlsx, docx_form = ws.xlsx("hardship"), ws.docx("hazard")
        soffice = fake_converter(tmp_path / "lo", legacy_conversions(xlsx, docx_form, secret))
        limits = ws.config.limits.model_copy(update={"soffice": str(soffice)})
        ws.rt.config = ws.config.model_copy(update={"limits": limits})
        ws.rt.converter.command = str(soffice)
        cases = legacy_cases(xlsx, docx_form, secret)
        readers_must_not_run(monkeypatch)
        assert_refused(ws, cases, drop_and_process(ws, cases))
    finally:
        ws.rt.close()


def test_an_encryption_header_is_parsed_with_defusedxml(ws: Workspace) -> None:
    with pytest.raises(DefusedXmlException):
        msoffcrypto.format.ooxml.parseString(with_bomb(b"<encryption/>"))


# -- each library's own parser --------------------------------------------------------------


def _loaded_text_xlsx(data: bytes) -> str:
    wb = load_workbook(io.BytesIO(data))
    values = [str(cell.value) for ws in wb.worksheets for row in ws.iter_rows() for cell in row]
    values += [str(v) for v in vars(wb.properties).values()] + list(wb.defined_names)
    return "".join(values)


def _loaded_text_docx(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    props = document.core_properties
    return "".join(texts) + str(props.title) + str(props.author)


LOADERS = {"xlsx": _loaded_text_xlsx, "docx": _loaded_text_docx}


def _defused(exc: BaseException | None) -> bool:
    """Whether defusedxml refused, however the library wrapped its exception."""
    while exc is not None:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


# The parts each library must refuse by itself; the others it does not parse at all.
MUST_REFUSE = {
    "xlsx": {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"},
    "docx": {"[Content_Types].xml", "_rels/.rels", "word/document.xml"},
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("key", KIND_KEYS)
def test_openpyxl_and_python_docx_refuse_a_dtd_by_themselves(
    ws: Workspace, key: str, fmt: str, secret: Path
) -> None:
    """Bypassing screening: every part the library parses refuses a DTD (defusedxml's
    exceptions); a part it does not parse cannot expand anything into what it returns."""
    data = form(ws, key, fmt)
    parts = parts_of(data)
    refused = set()
    for name in xml_parts(data):
        for variant in (with_bomb(parts[name]), with_external_entity(parts[name], secret)):
            try:
                text = LOADERS[fmt](packed(parts | {name: variant}))
            except Exception as exc:
                assert _defused(exc), (name, exc)
                refused.add(name)
                continue
            assert "EXPANDED-MARKER" not in text and SECRET.decode() not in text, name
    assert MUST_REFUSE[fmt] <= refused
    assert any(name.startswith(("xl/worksheets/", "word/styles")) for name in refused)
    assert hardening.unguarded_bindings() == []


@pytest.mark.parametrize("template", sorted({d.template for k in KINDS for d in k.documents}))
def test_docxtpl_refuses_a_hostile_template(tmp_path: Path, template: str) -> None:
    parts = parts_of(builtin_template(template))
    hostile = packed(parts | {"word/document.xml": with_bomb(parts["word/document.xml"])})
    with pytest.raises(DefusedXmlException):
        SafeTemplate(io.BytesIO(hostile)).init_docx()  # docxtpl loads through python-docx
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / template).write_bytes(hostile)
    config = make_config(tmp_path).model_copy(
        update={"folders": make_config(tmp_path).folders.model_copy(update={"templates": folder})}
    )
    with pytest.raises(TemplateProblem, match="被禁止的XML"):
        load_template(config, template)
    (problem,) = template_problems(hostile, [])  # unionforms templates check
    assert "被禁止的XML" in problem


@pytest.mark.parametrize("hostile", ["bomb", "external entity", "external DTD", "malformed"])
def test_docxtpl_s_second_parse_of_the_rendered_body_is_defused(
    tmp_path: Path, hostile: str
) -> None:
    template = SafeTemplate(io.BytesIO(builtin_template(KINDS[0].documents[0].template)))
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET", encoding="utf-8")
    body = b'<w:body xmlns:w="urn:w"><w:p/></w:body>'
    xml = {
        "bomb": with_bomb(body),
        "external entity": with_external_entity(body, secret),
        "external DTD": b'<!DOCTYPE w:body SYSTEM "%s">' % secret.as_uri().encode() + body,
        "malformed": body.replace(b"</w:body>", b"</w:p>"),
    }[hostile]
    refused = ParseError if hostile == "malformed" else DefusedXmlException
    with pytest.raises(refused) as raised:
        template.fix_tables(xml.decode())
    assert "SECRET" not in str(raised.value)
    template.fix_tables(body.decode())  # the same body, harmless, passes


def test_forms_are_not_processed_when_openpyxl_lost_defusedxml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import openpyxl.xml

    config = office(tmp_path)
    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    result = run(config, "process")
    assert result.exit_code == 2 and "defusedxml" in result.output


# -- links and names in the inbox ------------------------------------------------------------


def test_links_never_bring_in_files_from_outside_the_inbox(
    ws: Workspace, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = office(tmp_path / "w")
    inbox = tmp_path / "w" / "in"
    elsewhere = tmp_path / "别处"
    elsewhere.mkdir()
    private = elsewhere / "别人的申请.xlsx"
    private.write_bytes(ws.xlsx("hardship"))
    (inbox / "符号链接.xlsx").symlink_to(private)
    (inbox / "链到文件夹").symlink_to(elsewhere, target_is_directory=True)
    link_outside(inbox, private, "硬链接.xlsx")
    before = private.read_bytes()
    result = run(config, "process")
    assert "硬链接.xlsx”：它是收件箱以外某个文件的硬链接" in result.output
    assert private.read_bytes() == before and private.stat().st_nlink == 2
    assert sorted(p.name for p in inbox.iterdir()) == ["硬链接.xlsx", "符号链接.xlsx", "链到文件夹"]
    out = tmp_path / "w" / "out"
    assert not (out / "rejected").exists() and not (out / "archive").exists()
    database = sqlite3.connect(tmp_path / "w" / "st" / "unionforms.sqlite3")
    assert database.execute("SELECT COUNT(*) FROM submissions").fetchone()[0] == 0
    database.close()


def test_the_watcher_says_once_that_it_leaves_a_hard_link_alone(
    ws: Workspace, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from pipeline.watch import Watcher

    outside = tmp_path / "outside.xlsx"
    outside.write_bytes(ws.xlsx("hardship"))
    link_outside(ws.inbox, outside, "硬链接.xlsx")
    watcher = Watcher(ws.rt)
    try:
        with caplog.at_level(logging.WARNING, logger="unionforms"):
            for moment in (0, 5, 10):
                assert watcher.tick(moment) == []
        said = [r for r in caplog.records if "硬链接" in r.getMessage()]
        assert len(said) == 1 and (ws.inbox / "硬链接.xlsx").exists()
    finally:
        watcher.close()


NAMES = {
    "反斜杠": "申请..\\..\\上级.xlsx",
    "终端转义": "申请\x1b[31m红字\x1b[0m.xlsx",
    "换行": "申请\n2026-01-01 00:00:00 ERROR 伪造的日志行.xlsx",
    "响铃和退格": "申请\x07\x08.xlsx",
    "双向覆盖": "申请\u202excod.xlsx",
    "保留名CON": "CON.xlsx",
    "保留名nul": "nul.docx",
    "保留名LPT1": "LPT1.xlsx",
    "保留名aux无扩展名": "aux",
    "255字节": "长" * 83 + ".xlsx",
    "255字节ASCII": "a" * 250 + ".xlsx",
}


def test_names_that_could_forge_a_log_line_or_break_a_share_are_returned_safely(
    ws: Workspace, tmp_path: Path
) -> None:
    """Each a form with a mistake, so it comes back: under a safe name, its report beside it,
    the original's bytes kept; the console and the log show the names, never their controls."""
    config = office(tmp_path / "w")
    inbox = tmp_path / "w" / "in"
    deep = inbox.joinpath(*["运行部锅炉专业二〇二六年度困难职工帮扶申请材料"] * 14, "CON")
    deep.mkdir(parents=True)
    assert len(str(deep.relative_to(inbox))) > 300
    bad = {name: ws.xlsx("hardship", phone="1") for name in NAMES.values()}
    bad["长" * 83 + ".xlsx"] = ws.docx("hardship", phone="1")
    for name, data in bad.items():
        (inbox / name).write_bytes(data)
    deep_form = ws.xlsx("hazard", description="短")
    (deep / "深处.xlsx").write_bytes(deep_form)
    undecodable = os.fsencode(inbox) + b"/\xff\xfe\xe7\x94\xb3.xlsx"
    with open(undecodable, "wb") as handle:
        handle.write(ws.xlsx("hardship"))
    result = run(config, "process")
    assert result.exit_code == 1, result.output
    assert not UNPRINTABLE.search(result.output.replace("\n", "").replace("\t", ""))
    assert "文件名中有无法识别的字符" in result.output and os.path.exists(undecodable)
    returned = tmp_path / "w" / "out" / "rejected"
    originals = [p for p in returned.rglob("*") if p.is_file() and "错误说明" not in p.name]
    originals = [p for p in originals if ".标注." not in p.name]
    assert sorted(p.read_bytes() for p in originals) == sorted([*bad.values(), deep_form])
    for path in returned.rglob("*"):
        part = path.relative_to(returned).parts[-1]
        assert not UNPRINTABLE.search(part) and "\\" not in part, path
        assert not WINDOWS_RESERVED.match(part), path
        assert len(part.encode("utf-8")) <= 255
    for original in originals:
        assert (original.parent / f"{original.name}.错误说明.txt").is_file()
    log = (tmp_path / "w" / "st" / "unionforms.log").read_text("utf-8")
    assert "\n2026-01-01 00:00:00 ERROR 伪造" not in log and "\x1b" not in log


def test_a_configured_part_limit_is_the_one_applied(tmp_path: Path, ws: Workspace) -> None:
    roomy = tight_workspace(tmp_path / "roomy", max_parts=5000, max_unpacked_mb=200)
    try:
        data = packed(parts_of(ws.xlsx("hazard")) | {f"customXml/i{n}.bin": b"" for n in range(80)})
        roomy.drop("部件较多.xlsx", data)
        (job,) = process_batch(collect_inbox(roomy.config), roomy.rt).jobs
        assert job.outcome == "accepted", job.message
    finally:
        roomy.rt.close()
