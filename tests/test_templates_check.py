"""Templates the office edits: ``templates export`` writes the built-in ones out,
``templates check`` catches each way an edited one breaks, and exits 1 when any does."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from forms import get_kind
from pipeline.cli import main
from pipeline.config import Folders
from pipeline.errors import TemplateProblem
from pipeline.render import builtin_template, render_documents
from pipeline.samples import sample_record
from pipeline.template_check import template_names
from tests.conftest import NOW, Workspace, docx_text

CORE = "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"
ODD_CORE = (
    "http://schemas.openxmlformats.org/officedocument/2006/relationships/metadata/core-properties"
)


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def edited(name: str, part: str, old: str, new: str) -> bytes:
    """A built-in template as a clerk might have left it: ``old`` changed to ``new``."""
    source = zipfile.ZipFile(io.BytesIO(builtin_template(name)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == part:
                assert old.encode() in data, old
                data = data.replace(old.encode(), new.encode(), 1)
            target.writestr(entry, data)
    return buffer.getvalue()


def config_with_templates(root: Path) -> Path:
    path = root / "unionforms.toml"
    path.write_text('[folders]\ntemplates = "模板"\nstate = "st"\n', encoding="utf-8")
    return path


def test_export_writes_every_template_and_keeps_edited_ones(tmp_path: Path) -> None:
    folder = tmp_path / "模板"
    result = run("templates", "export", str(folder))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(template_names())
    for name in template_names():
        assert (folder / name).read_bytes() == builtin_template(name)
    assert "[folders] 中写：templates" in result.output
    (folder / "hazard_notice.docx").write_bytes(b"edited")
    result = run("templates", "export", str(folder))
    assert "hazard_notice.docx：已存在且内容不同" in result.output
    assert (folder / "hazard_notice.docx").read_bytes() == b"edited"
    run("templates", "export", str(folder), "--force")
    assert (folder / "hazard_notice.docx").read_bytes() == builtin_template("hazard_notice.docx")


def test_check_passes_the_built_in_templates(tmp_path: Path) -> None:
    run("templates", "export", str(tmp_path / "模板"))
    result = run("--config", str(config_with_templates(tmp_path)), "templates", "check")
    assert result.exit_code == 0, result.output
    assert f"检查了{len(template_names())}个模板，0个有问题" in result.output
    assert "hazard_notice.docx（" in result.output and "模板/hazard_notice.docx" in result.output


BROKEN = [
    (
        "a misspelt value",
        ("hazard_notice.docx", "word/document.xml", "{{ location }}", "{{ locaton }}"),
        ["模板用到了“locaton”，但文书没有这个值", "可以使用的有：", "location"],
    ),
    (
        "full-width quotes in a tag",
        ("hazard_acceptance.docx", "word/document.xml", "{{ org.union }}", "{{ org[＂union＂] }}"),
        ["有无法识别的字符“＂”", "全角引号", "出错处附近的文字：", "{{ org[＂union＂] }}"],
    ),
    (
        "a tag that is never closed",
        ("accident_report.docx", "word/document.xml", "{%p endif %}", "{%p end %}"),
        ["有无法识别的标签“end”", "（调查中，未结案）"],
    ),
    (
        "a tag typed with full-width braces",
        ("hardship_file.docx", "word/document.xml", "{{ name }}", "｛｛ name ｝｝"),
        ["标签没有生效，原样印在了文书上：“｛｛ name ｝｝”", "全角"],
    ),
    (
        "a file saved by newer LibreOffice",
        ("fp_pledge.docx", "_rels/.rels", CORE, ODD_CORE),
        ["由新版LibreOffice保存", "另存为.docx"],
    ),
]


@pytest.mark.parametrize(
    ("edit", "said"), [case[1:] for case in BROKEN], ids=[c[0] for c in BROKEN]
)
def test_check_reports_each_kind_of_broken_template(
    tmp_path: Path, edit: tuple[str, str, str, str], said: list[str]
) -> None:
    folder = tmp_path / "模板"
    run("templates", "export", str(folder))
    name = edit[0]
    (folder / name).write_bytes(edited(*edit))
    result = run(
        "--config", str(config_with_templates(tmp_path)), "templates", "check", str(folder)
    )
    assert result.exit_code == 1
    broken = result.output.split(f"有问题  {name}")[1].split("正常")[0]
    for words in said:
        assert words in broken, result.output
    assert f"检查了{len(template_names())}个模板，1个有问题" in result.output


def test_check_reports_a_file_that_is_no_word_document(tmp_path: Path) -> None:
    folder = tmp_path / "模板"
    folder.mkdir()
    (folder / "hardship_approval.docx").write_bytes(b"PK\x03\x04 not really")
    result = run("templates", "check", str(folder))
    assert result.exit_code == 1 and "不是有效的Word文件（.docx）" in result.output
    assert "hardship_file.docx（内置模板）" in result.output  # the others come from the package


def test_rendering_refuses_a_template_it_would_corrupt(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "模板"
    folder.mkdir()
    (folder / "hazard_notice.docx").write_bytes(
        edited("hazard_notice.docx", "_rels/.rels", CORE, ODD_CORE)
    )
    folders = Folders(templates=folder)
    config = ws.config.model_copy(update={"folders": folders})
    kind = get_kind("hazard")
    record = sample_record(kind, config, kind.samples(NOW.date())[0].values, NOW)
    with pytest.raises(TemplateProblem, match="由新版LibreOffice保存"):
        render_documents(kind, record, config, tmp_path / "out", NOW.date())


def test_a_tag_split_by_formatting_is_joined_again(tmp_path: Path, ws: Workspace) -> None:
    """Word splits a tag into runs when part of it is formatted; docxtpl joins it again, so
    the check has nothing to report and the document prints the value."""
    folder = tmp_path / "模板"
    run("templates", "export", str(folder))
    split = "{</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>{ location }}"
    notice = edited("hazard_notice.docx", "word/document.xml", "{{ location }}", split)
    (folder / "hazard_notice.docx").write_bytes(notice)
    assert run("templates", "check", str(folder)).exit_code == 0
    config = ws.config.model_copy(update={"folders": Folders(templates=folder)})
    kind = get_kind("hazard")
    record = sample_record(kind, config, kind.samples(NOW.date())[0].values, NOW)
    (path,) = render_documents(kind, record, config, tmp_path / "out", NOW.date())
    assert "一号锅炉燃油泵房" in docx_text(path) and "{" not in docx_text(path)
