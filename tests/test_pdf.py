"""PDF for printing: --pdf on process (and the configuration switch), what a failed conversion
leaves, and ``unionforms print`` for documents already issued."""

from __future__ import annotations

import shutil
import stat
import subprocess
from pathlib import Path

import click
from click.testing import CliRunner

from pipeline.cli import main
from tests.conftest import Workspace, needs_soffice

A4_SIZE = "pts (A4)"  # pdfinfo names the paper size


def config_file(root: Path, extra: str = "") -> Path:
    path = root / "unionforms.toml"
    path.write_text(
        '[folders]\ninbox = "in"\noutbox = "out"\nstate = "st"\n' + extra, encoding="utf-8"
    )
    (root / "in").mkdir(exist_ok=True)
    return path


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def pages_text(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True)
    return text.stdout.split("\f")[:-1]


def info(pdf: Path) -> str:
    return subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout


def fonts_embedded(pdf: Path) -> list[bool]:
    listing = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    return [line.split()[-5] == "yes" for line in listing.splitlines()[2:]]


@needs_soffice
def test_process_pdf_makes_a4_pdfs_with_fonts_embedded(ws: Workspace, tmp_path: Path) -> None:
    config = config_file(tmp_path)
    (tmp_path / "in" / "隐患.xlsx").write_bytes(ws.xlsx("hazard"))
    (tmp_path / "in" / "责任状.xlsx").write_bytes(ws.xlsx("fp_pledge"))
    result = run("--config", str(config), "process", "--pdf")
    assert result.exit_code == 0, result.output
    documents = sorted((tmp_path / "out" / "documents").rglob("*.docx"))
    pdfs = sorted((tmp_path / "out" / "documents").rglob("*.pdf"))
    assert [p.with_suffix(".docx") for p in pdfs] == documents and len(pdfs) == 2
    notice, pledge = sorted(pdfs, key=lambda p: "责任状" in p.name)
    for pdf in pdfs:
        assert A4_SIZE in info(pdf) and "Page size:       595" in info(pdf)
        assert fonts_embedded(pdf) and all(fonts_embedded(pdf))
    # a short notice is one page: its slip on it, to be torn off
    (page,) = pages_text(notice)
    assert "YH-2026-0001" in page and "一号锅炉燃油泵房" in page and "事故隐患整改回执" in page
    # the second copy of the pledge starts a sheet of its own: an odd page, numbered 1 again
    pages = pages_text(pledge)
    second = next(n for n, text in enumerate(pages, 1) if "乙方存" in text)
    copy = len(pages) - (second - 1)  # pages of one copy
    assert second % 2 == 1 and copy in (second - 1, second - 2)
    if copy == second - 2:  # an odd number of pages: a blank page keeps them apart
        assert pages[second - 2].strip() == ""
    assert "JS-2026-0001" in pages[second - 1] and "运行部一值" in pages[second - 1]
    archive = sorted((tmp_path / "out" / "archive").rglob("*.pdf"))
    assert archive == []  # print copies, not records: the archive keeps the .docx


@needs_soffice
def test_long_notice_prints_its_slip_on_an_odd_page(ws: Workspace, tmp_path: Path) -> None:
    config = config_file(tmp_path, "[documents]\npdf = true\n")
    (tmp_path / "in" / "隐患.xlsx").write_bytes(ws.xlsx("hazard", 2))  # the stress sample
    assert run("--config", str(config), "process").exit_code == 0
    (pdf,) = (tmp_path / "out" / "documents").rglob("*.pdf")
    pages = pages_text(pdf)
    slip = [n for n, text in enumerate(pages, 1) if "事故隐患整改回执" in text]
    assert slip == [len(pages)] and len(pages) % 2 == 1  # alone on the last, odd, page
    assert "沿此线剪下" not in "".join(pages[:-1])


def fake_soffice(root: Path) -> Path:
    """A LibreOffice that runs and makes nothing (as a broken installation would)."""
    script = root / "soffice-broken"
    script.write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


def test_failed_conversion_leaves_the_document_and_says_so(ws: Workspace, tmp_path: Path) -> None:
    broken = fake_soffice(tmp_path)
    config = config_file(tmp_path, f'[documents]\npdf = true\n[limits]\nsoffice = "{broken}"\n')
    (tmp_path / "in" / "隐患.xlsx").write_bytes(ws.xlsx("hazard"))
    result = run("--config", str(config), "process")
    # the form is accepted all the same; the missing PDF is a warning (exit status 3)
    assert result.exit_code == 3, result.output
    (document,) = (tmp_path / "out" / "documents").rglob("*.docx")
    assert not list((tmp_path / "out" / "documents").rglob("*.pdf"))
    assert f"{document.name} 未能生成PDF（LibreOffice没有生成PDF" in result.output
    assert "Word文书已生成" in result.output and "unionforms print YH-2026-0001" in result.output
    assert not list((tmp_path / "in").iterdir())  # the form left the inbox: it is done


def test_pdf_option_without_libreoffice_stops_before_any_form(tmp_path: Path) -> None:
    config = config_file(tmp_path, '[limits]\nsoffice = "/nonexistent/soffice"\n')
    (tmp_path / "in" / "a.xlsx").write_bytes(b"not processed")
    result = run("--config", str(config), "process", "--pdf")
    assert result.exit_code == 2 and "生成PDF需要LibreOffice" in result.output
    assert (tmp_path / "in" / "a.xlsx").exists()


@needs_soffice
def test_print_makes_pdfs_of_issued_documents(ws: Workspace, tmp_path: Path) -> None:
    config = config_file(tmp_path)
    (tmp_path / "in" / "a.xlsx").write_bytes(ws.xlsx("hardship"))
    assert run("--config", str(config), "process").exit_code == 0
    documents = tmp_path / "out" / "documents"
    assert not list(documents.rglob("*.pdf"))
    result = run("--config", str(config), "print", "kn-2026-0001", "KN-2026-0009")
    assert result.exit_code == 1  # one of the two does not exist
    assert "没有编号为 KN-2026-0009 的记录" in result.output
    pdfs = sorted(documents.rglob("*.pdf"))
    assert [p.name for p in pdfs] == [
        "KN-2026-0001-困难职工档案表-张示例.pdf",
        "KN-2026-0001-困难职工补助审批表-张示例.pdf",
    ]
    assert "张示例" in "".join(pages_text(pdfs[1]))
    # a document deleted from the outbox prints from its archive copy
    shutil.rmtree(documents)
    elsewhere = tmp_path / "打印"
    result = run("--config", str(config), "print", "KN-2026-0001", "--out", str(elsewhere))
    assert result.exit_code == 0, result.output
    assert len(list(elsewhere.glob("*.pdf"))) == 2
