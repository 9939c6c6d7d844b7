"""The command line as a clerk uses it: exit codes, messages, every command documented."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from forms import KINDS
from pipeline import docx_form
from pipeline.cli import main
from tests.conftest import Workspace, break_rendering_for


def config_file(root: Path, extra: str = "") -> Path:
    path = root / "unionforms.toml"
    path.write_text(
        '[folders]\ninbox = "in"\noutbox = "out"\nstate = "st"\n' + extra, encoding="utf-8"
    )
    (root / "in").mkdir(exist_ok=True)
    return path


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_every_command_has_help() -> None:
    def walk(command: click.Command, path: list[str]) -> None:
        assert command.help, f"{' '.join(path)} has no help text"
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])

    walk(main, ["unionforms"])


def test_process_exit_codes(ws: Workspace, tmp_path: Path) -> None:
    config = config_file(tmp_path)
    (tmp_path / "in" / "good.xlsx").write_bytes(ws.xlsx("hardship"))
    result = run("--config", str(config), "process")
    assert result.exit_code == 0, result.output
    assert "通过" in result.output and "KN-" in result.output

    (tmp_path / "in" / "bad.xlsx").write_bytes(ws.xlsx("hardship", phone="1"))
    result = run("--config", str(config), "process")
    assert result.exit_code == 1
    assert "退回" in result.output and "rejected" in result.output

    result = run("--config", str(config), "process")
    assert result.exit_code == 0 and "没有待处理的表单" in result.output


def test_process_duplicate_exits_one(ws: Workspace, tmp_path: Path) -> None:
    config = config_file(tmp_path)
    data = ws.xlsx("hardship")
    (tmp_path / "in" / "a.xlsx").write_bytes(data)
    assert run("--config", str(config), "process").exit_code == 0
    (tmp_path / "in" / "a.xlsx").write_bytes(data)
    result = run("--config", str(config), "process")
    assert result.exit_code == 1 and "重复" in result.output


def test_process_given_files_and_folders(ws: Workspace, tmp_path: Path) -> None:
    config = config_file(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    data = ws.xlsx("hardship")
    (elsewhere / "a.xlsx").write_bytes(data)
    result = run("--config", str(config), "process", str(elsewhere / "a.xlsx"))
    assert result.exit_code == 0 and "KN-2026-0001" in result.output
    assert (elsewhere / "a.xlsx").read_bytes() == data  # the user's file stays where it was
    (elsewhere / "b.xlsx").write_bytes(ws.xlsx("hardship", 1))
    moved = run("--config", str(config), "process", "--move", str(elsewhere / "b.xlsx"))
    assert moved.exit_code == 0 and "KN-2026-0002" in moved.output
    assert not (elsewhere / "b.xlsx").exists()


def test_usage_and_environment_errors_exit_two(tmp_path: Path) -> None:
    missing_inbox = tmp_path / "nothing-here"
    result = run("--config", str(config_file(tmp_path)), "process", "--inbox", str(missing_inbox))
    assert result.exit_code == 2 and "收件箱文件夹不存在" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[rules]\nsubsidy_cap = 'lots'\n", encoding="utf-8")
    result = run("--config", str(bad), "process")
    assert result.exit_code == 2 and "subsidy_cap" in result.output
    unknown = tmp_path / "unknown.toml"
    unknown.write_text("[rules]\ncap = 1\n", encoding="utf-8")
    result = run("--config", str(unknown), "process")
    assert result.exit_code == 2 and "第2行 [rules] cap：无法识别的设置" in result.output
    assert run("process", "--no-such-option").exit_code == 2


def test_forms_build(tmp_path: Path) -> None:
    result = run(
        "--config", str(config_file(tmp_path)), "forms", "build", "--out", str(tmp_path / "blank")
    )
    assert result.exit_code == 0
    for kind in KINDS:
        wb = load_workbook(tmp_path / "blank" / f"{kind.title}.xlsx")
        assert wb.active["A1"].value == kind.title
        word = (tmp_path / "blank" / f"{kind.title}.docx").read_bytes()
        assert docx_form.identify(word, KINDS) is kind
    default = run("--config", str(config_file(tmp_path)), "forms", "build")
    assert default.exit_code == 0 and (tmp_path / "out" / "blank-forms").is_dir()
    refused = run(
        "--config", str(config_file(tmp_path)), "forms", "build", "--out", str(tmp_path / "in")
    )
    assert refused.exit_code == 2 and "不能写入收件箱" in refused.output


def test_archive_verify_finds_tampering(ws: Workspace, tmp_path: Path) -> None:
    config = config_file(tmp_path)
    (tmp_path / "in" / "a.xlsx").write_bytes(ws.xlsx("hardship"))
    run("--config", str(config), "process")
    result = run("--config", str(config), "archive", "verify")
    assert result.exit_code == 0 and "核对了1份归档，发现0处问题" in result.output
    document = next((tmp_path / "out" / "archive").rglob("*审批表*.docx"))
    document.write_bytes(document.read_bytes() + b"x")
    result = run("--config", str(config), "archive", "verify")
    assert result.exit_code == 1 and "SHA-256不符" in result.output


def test_registers_are_re_exported(ws: Workspace, tmp_path: Path) -> None:
    config = config_file(tmp_path)
    (tmp_path / "in" / "a.xlsx").write_bytes(ws.xlsx("hardship"))
    run("--config", str(config), "process")
    register = tmp_path / "out" / "registers" / "困难职工档案台账.xlsx"
    register.unlink()
    result = run("--config", str(config), "registers")
    assert result.exit_code == 0 and register.exists()


def test_kinds_lists_every_kind() -> None:
    result = run("kinds")
    assert result.exit_code == 0
    for kind in KINDS:
        assert kind.title in result.output


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_demo_shows_the_whole_flow(tmp_path: Path) -> None:
    config = config_file(tmp_path)
    result = run("--config", str(config), "demo")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert list((out / "documents").rglob("*.docx"))
    assert list((out / "registers").glob("*.xlsx"))
    assert list((out / "archive").rglob("manifest.json"))
    reports = list((out / "rejected").glob("*.错误说明.txt"))
    texts = [r.read_text(encoding="utf-8-sig") for r in reports]
    assert any("重复提交" in t for t in texts) and any("需要修改" in t for t in texts)
    assert not [p for p in (tmp_path / "in").iterdir()]
    for kind in KINDS:
        assert list((out / "documents" / kind.title).rglob("*.docx")), kind.title
    assert "-回执1" in result.output  # the follow-up sample was accepted


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_demo_runs_again_on_the_same_state(tmp_path: Path) -> None:
    config = config_file(tmp_path)
    assert run("--config", str(config), "demo").exit_code == 0
    again = run("--config", str(config), "demo", "--yes")
    assert again.exit_code == 0, again.output
    # the follow-up names the hazard numbered in this run, not the first one ever
    followups = sorted((tmp_path / "out" / "documents" / "事故隐患整改回执").rglob("*.docx"))
    hazards = {path.name[:12] for path in followups}  # two follow-up samples a run
    assert len(followups) == 4 and len(hazards) == 2


def test_a_form_that_fails_leaves_the_others_processed_and_exits_two(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = config_file(tmp_path)
    (tmp_path / "in" / "a.xlsx").write_bytes(ws.xlsx("hardship"))
    (tmp_path / "in" / "b.xlsx").write_bytes(ws.xlsx("hardship", 1))
    break_rendering_for(monkeypatch, "张示例", RuntimeError("模板坏了"))
    result = run("--config", str(config), "process")
    assert result.exit_code == 2
    assert "有1份表单因系统故障没有处理完" in result.output and "系统故障" in result.output
    assert "模板坏了" not in result.output and "RuntimeError" not in result.output
    log = (tmp_path / "st" / "unionforms.log").read_text(encoding="utf-8")
    assert "RuntimeError: 模板坏了" in log and "Traceback" in log
    assert (tmp_path / "in" / "a.xlsx").exists() and not (tmp_path / "in" / "b.xlsx").exists()
    monkeypatch.undo()
    result = run("--config", str(config), "process")
    assert result.exit_code == 0 and "KN-2026-0001" in result.output
