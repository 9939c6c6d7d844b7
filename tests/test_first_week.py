"""What a new office hit in its first week (#16), through the public command line.

Each test is one numbered item of the issue: one form named twice, ``process | head``, the
demo in a live folder, an archive check that missed a lost folder, long names, permissions,
configuration mistakes, English on the console, one ID number under two names, department
subfolders, the smaller things, and files from other programs.
"""

from __future__ import annotations

import io
import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from msoffcrypto.format.ooxml import OOXMLFile

from pipeline.cli import main
from pipeline.permissions import group_id
from tests.conftest import Workspace, office, register_rows
from tests.conftest import run_cli as run


def serials(db: Path) -> list[str]:
    connection = sqlite3.connect(db)
    try:
        return [row[0] for row in connection.execute("SELECT ident FROM records ORDER BY id")]
    finally:
        connection.close()


# -- 1. one file named twice is one submission ----------------------------------------------


def test_one_file_named_twice_is_numbered_once(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = office(tmp_path)
    inbox = tmp_path / "in"
    (inbox / "运行部").mkdir()
    (inbox / "b.xlsx").write_bytes(ws.xlsx("hardship"))
    (inbox / "运行部" / "c.xlsx").write_bytes(ws.xlsx("hardship", 1))
    (inbox / "d.xlsx").write_bytes(ws.xlsx("hazard"))
    os.link(inbox / "d.xlsx", inbox / "d-硬链接.xlsx")  # one file, two names
    monkeypatch.chdir(tmp_path)
    result = run(
        config,
        "process",
        "in/b.xlsx",
        "in/b.xlsx",
        "in",
        "in/运行部",
        "in/d.xlsx",
        str(inbox / "d.xlsx"),
    )
    assert result.exit_code == 0, result.output
    assert serials(tmp_path / "st" / "unionforms.sqlite3") == [
        "KN-2026-0001",
        "KN-2026-0002",
        "YH-2026-0001",
    ]
    assert len(list((tmp_path / "out" / "documents").rglob("*.docx"))) == 5
    _, rows = register_rows(tmp_path / "out" / "registers" / "困难职工档案台账.xlsx")
    assert len(rows) == 2
    assert "运行部/c.xlsx" in result.output  # its subfolder counts from the inbox


# -- 2. output that cannot be written ------------------------------------------------------


def test_process_piped_into_head_finishes_the_batch(ws: Workspace, tmp_path: Path) -> None:
    config = office(tmp_path)
    for number in range(6):
        (tmp_path / "in" / f"申请{number}.xlsx").write_bytes(
            ws.xlsx("hardship", number % 2, address=f"示例路{number}号")
        )
    child = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "--config", str(config), "process"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.readline()  # ``head -n 1``: read one line, then close the pipe
    child.stdout.close()
    errors = child.stderr.read().decode("utf-8")
    assert child.wait(timeout=300) == 0, errors
    assert "BrokenPipe" not in errors and "Traceback" not in errors
    assert not list((tmp_path / "in").iterdir())
    _, rows = register_rows(tmp_path / "out" / "registers" / "困难职工档案台账.xlsx")
    assert len(rows) == 6


def test_plain_lines_are_never_wrapped_and_have_no_boxes(ws: Workspace, tmp_path: Path) -> None:
    config = office(tmp_path)
    name = "运行部锅炉专业二〇二六年度困难职工帮扶申请表（张示例，含家庭成员情况及附件）最终版.xlsx"
    (tmp_path / "in" / name).write_bytes(ws.xlsx("hardship"))
    result = run(config, "process")
    line = next(line for line in result.output.splitlines() if name in line)
    assert "KN-2026-0001" in line  # the serial stays on the file's line
    assert not re.search(r"[─━│┃┏┓┗┛┡┩╇╍╭╮╰╯]", result.output)
    assert "收到\t通过\t退回" in result.output


# -- 3. the demo and a live working folder -------------------------------------------------


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_demo_refuses_a_folder_with_records_and_runs_in_its_own(
    ws: Workspace, tmp_path: Path
) -> None:
    config = office(tmp_path / "工会")
    (tmp_path / "工会" / "in" / "a.xlsx").write_bytes(ws.xlsx("hardship"))
    assert run(config, "process").exit_code == 0
    database = tmp_path / "工会" / "st" / "unionforms.sqlite3"
    refused = run(config, "demo")
    assert refused.exit_code == 2 and "已有1条正式记录" in refused.output
    assert "demo --dir" in refused.output and "--yes" in refused.output
    assert serials(database) == ["KN-2026-0001"]
    assert not list((tmp_path / "工会" / "in").iterdir())  # no samples were put in
    elsewhere = run(config, "demo", "--dir", str(tmp_path / "演示"))
    assert elsewhere.exit_code == 0, elsewhere.output
    assert serials(database) == ["KN-2026-0001"]
    assert (tmp_path / "演示" / "unionforms.toml").is_file()
    assert "KN-2026-0001" in serials(tmp_path / "演示" / "state" / "unionforms.sqlite3")


# -- 4. archive verify from the store ------------------------------------------------------


def test_archive_verify_names_a_lost_archive_folder(ws: Workspace, tmp_path: Path) -> None:
    config = office(tmp_path)
    (tmp_path / "in" / "a.xlsx").write_bytes(ws.xlsx("hardship"))
    (tmp_path / "in" / "b.xlsx").write_bytes(ws.xlsx("hardship", 1))
    assert run(config, "process").exit_code == 0
    lost = next((tmp_path / "out" / "archive").rglob("KN-2026-0002"))
    for path in sorted(lost.rglob("*"), reverse=True):
        path.unlink()
    lost.rmdir()
    result = run(config, "archive", "verify")
    assert result.exit_code == 1
    assert "KN-2026-0002：归档文件夹不见了" in result.output and "核对了2份归档" in result.output


@pytest.mark.parametrize(
    "command",
    [
        ("archive", "verify"),
        ("report", "hazards"),
        ("generate", "visits", "--year", "2026"),
        ("registers",),
        ("doctor",),
    ],
    ids=" ".join,
)
def test_a_command_outside_a_working_folder_says_so_and_makes_nothing(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    config = office(tmp_path)
    result = run(config, *command)
    assert result.exit_code == 2 and "不是 unionforms 的工作文件夹" in result.output
    assert not (tmp_path / "st").exists() and not (tmp_path / "out").exists()


def test_a_folder_made_by_init_is_a_working_folder_from_the_first_day(tmp_path: Path) -> None:
    assert run(tmp_path / "none.toml", "init", str(tmp_path / "office")).exit_code == 0
    config = tmp_path / "office" / "unionforms.toml"
    verify = run(config, "archive", "verify")
    assert verify.exit_code == 0 and "核对了0份归档" in verify.output
    report = run(config, "report", "hazards")
    assert report.exit_code == 0 and "所选期间没有记录" in report.output


# -- 5. long names keep their extension ---------------------------------------------------


def test_a_long_file_name_keeps_its_extension_in_the_archive(ws: Workspace, tmp_path: Path) -> None:
    config = office(tmp_path)
    name = (
        "关于运行部锅炉专业二〇二六年度困难职工帮扶申请的补充材料及附件说明第二次修改稿"
        "最终版本请审阅后签字确认并上报一师电力公司工会统一归档备查（张示例，共两页）.xlsx"
    )
    assert len(name) >= 80
    data = ws.xlsx("hardship")
    (tmp_path / "in" / name).write_bytes(data)
    assert run(config, "process").exit_code == 0
    (original,) = (tmp_path / "out" / "archive").rglob("原件-*")
    assert original.suffix == ".xlsx" and original.read_bytes() == data
    assert original.name.startswith("原件-关于运行部") and "…" in original.name
    assert len(original.name.encode("utf-8")) <= 150
    assert run(config, "archive", "verify").exit_code == 0


# -- 6. permissions -------------------------------------------------------------------------


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_blank_forms_follow_the_umask_and_personal_data_stays_private(
    ws: Workspace, tmp_path: Path
) -> None:
    old = os.umask(0o022)
    try:
        config = office(tmp_path)
        assert run(config, "forms", "build").exit_code == 0
        blanks = list((tmp_path / "out" / "blank-forms").iterdir())
        assert blanks and all(mode(p) == 0o644 for p in blanks)
        (tmp_path / "in" / "good.xlsx").write_bytes(ws.xlsx("hardship"))
        (tmp_path / "in" / "bad.xlsx").write_bytes(ws.xlsx("hardship", 1, phone="1"))
        run(config, "process")
        out = tmp_path / "out"
        for folder in ("documents", "registers", "rejected", "archive"):
            files = [p for p in (out / folder).rglob("*") if p.is_file()]
            assert files and all(mode(p) == 0o600 for p in files), folder
            folders = [out / folder, *(p for p in (out / folder).rglob("*") if p.is_dir())]
            assert all(mode(p) == 0o700 for p in folders), folder
    finally:
        os.umask(old)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_share_group_can_read_documents_registers_and_returns(
    ws: Workspace, tmp_path: Path
) -> None:
    config = office(tmp_path, '\n[permissions]\nshare_group = "daemon"\n')
    gid = group_id("daemon")
    (tmp_path / "in" / "good.xlsx").write_bytes(ws.xlsx("hardship"))
    (tmp_path / "in" / "bad.xlsx").write_bytes(ws.xlsx("hardship", 1, phone="1"))
    run(config, "process")
    out = tmp_path / "out"
    for folder in ("documents", "registers", "rejected"):
        for path in (out / folder).rglob("*"):
            assert path.stat().st_gid == gid, path
            assert mode(path) == (0o750 if path.is_dir() else 0o640), path
    archive = [p for p in (out / "archive").rglob("*") if p.is_file()]
    assert archive and all(mode(p) == 0o600 for p in archive)  # the archive stays private
    assert "share_group" in CliRunner().invoke(main, ["init", str(tmp_path / "新")]).output


def test_an_unknown_share_group_is_a_clear_error(tmp_path: Path) -> None:
    config = office(tmp_path, '\n[permissions]\nshare_group = "no-such-group-here"\n')
    result = run(config, "process")
    assert result.exit_code == 2 and "用户组“no-such-group-here”在本机不存在" in result.output


# -- 7. configuration mistakes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "[watch]\npolling_interval_seconds = 0\n",
            "第2行 [watch] polling_interval_seconds：应不小于0.1",
        ),
        ("[limits]\nmax_file_mb = 0\n", "第2行 [limits] max_file_mb：应不小于1"),
        ("[rules\nsubsidy_cap = 1\n", "第1行第7列不符合TOML格式"),
        ("[rules]\nsubsidy_cap = -5\n", "第2行 [rules] subsidy_cap：应大于0"),
        ("[folders]\ninbox = 3\n", "第2行 [folders] inbox：应为文件夹路径"),
    ],
)
def test_config_mistakes_are_named_with_file_line_and_key(
    tmp_path: Path, text: str, said: str
) -> None:
    value = tmp_path / "value.toml"
    value.write_text(text, encoding="utf-8")
    for command in (["process"], ["kinds"], ["watch"], ["forms", "build"], ["hazards"]):
        result = run(value, *command)
        assert result.exit_code == 2, command
        assert f"配置文件 {value}" in result.output and said in result.output, result.output
        assert "Expected" not in result.output and "unionforms.toml" not in result.output


# -- 8. no English reaches the clerk -------------------------------------------------------

# What may stay Latin in Chinese text: commands, options, settings, names of programs.
ALLOWED = re.compile(
    r"[A-Za-z_]*\.(toml|log|xlsx|docx|xls|doc)\b|\[[a-z_]+\]\s+[a-z_]+|unionforms|(?<![A-Za-z])--?[a-z][a-z-]*|"
    r"UNIONFORMS_CONFIG|"
    r"Ctrl\+C|SIGTERM|LibreOffice|Excel|Word|WPS|PDF|SHA-256|TOML|UTF-8|README|"
    r"polling_interval_seconds|watch|share_group|departments|outbox|inbox|state|blank-forms|"
    r"rejected|registers|documents|archive|templates|Installing for an office|[A-Z]{2}\b|"
    r"\[[a-z_]+\]"  # a section of unionforms.toml
)


def english_words(text: str) -> list[str]:
    """Latin words other than the command names, options, programs and files people type."""
    text = re.sub(r"-\n\s*", "-", text)  # click wraps help lines after a hyphen
    text = ALLOWED.sub("", text)
    names = sorted({name for path in all_commands() for name in path}, key=len, reverse=True)
    for name in names:  # whole tokens only: "forms" is a command, "unionforms" the program
        text = re.sub(rf"(?<![A-Za-z-]){re.escape(name)}(?![A-Za-z-])", "", text)
    return re.findall(r"[A-Za-z]{3,}", text)


def all_commands() -> list[list[str]]:
    found: list[list[str]] = []

    def walk(command: click.Command, path: list[str]) -> None:
        found.append(path)
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])

    walk(main, [])
    return found


def test_every_help_and_usage_error_is_chinese(tmp_path: Path) -> None:
    config = office(tmp_path)
    for path in all_commands():
        help_text = run(config, *path, "--help").output
        assert help_text.startswith("用法:"), path
        assert english_words(help_text) == [], (path, english_words(help_text))
    for args in (["process", "--nosuch"], ["nosuch"], ["watch", "--interval", "x"], ["archive"]):
        output = run(config, *args).output.replace("nosuch", "")  # what the person typed
        assert english_words(output) == [], (args, output)
    assert "Show this message" not in run(config, "--help").output


def test_a_missing_or_wrong_option_is_named_in_chinese_quotes(tmp_path: Path) -> None:
    """click writes an option's name in ASCII quotes and ends "missing" with an ASCII stop."""
    config = office(tmp_path)
    said = {
        args: run(config, *args).output.strip().splitlines()[-1]
        for args in (("generate", "pledges"), ("watch", "--interval", "x"), ("export-person",))
    }
    assert said == {
        ("generate", "pledges"): "错误：缺少选项“--roster”。",
        ("watch", "--interval", "x"): "错误：“--interval”的取值不正确：“x”不是有效的数字。",
        ("export-person",): "错误：缺少参数“身份证号码”。",
    }


def test_ctrl_c_says_so_in_chinese(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.cli import admin

    def interrupted(*args: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(admin, "write_blank_forms", interrupted)
    result = run(office(tmp_path), "forms", "build")
    assert "已中断" in result.output and "Aborted" not in result.output


# -- 9. one ID number under two names -------------------------------------------------------


def test_the_same_id_number_under_another_name_is_returned(ws: Workspace) -> None:
    ws.drop("a.xlsx", ws.xlsx("hardship"))
    ws.drop("b.xlsx", ws.xlsx("hardship", address="示例路2号"))  # same person again: 复核
    ws.drop("c.xlsx", ws.xlsx("hardship", name="张另名", address="示例路3号"))
    first, again, other = ws.process().jobs
    assert (first.outcome, again.outcome, other.outcome) == ("accepted", "accepted", "rejected")
    assert again.record is not None and again.record.derived["recheck"] is True
    report = (ws.outbox / "rejected" / "c.xlsx.错误说明.txt").read_text(encoding="utf-8-sig")
    assert "KN-2026-0001" in report and "“张示例”" in report and "张另名" in report
    assert "核对" in report


# -- 10. department subfolders on the way back ----------------------------------------------


def test_a_returned_form_keeps_its_department_folder(ws: Workspace, tmp_path: Path) -> None:
    config = office(tmp_path)
    department = tmp_path / "in" / "运行部"
    department.mkdir()
    (department / "错表.xlsx").write_bytes(ws.xlsx("hardship", phone="1"))
    (department / "好表.xlsx").write_bytes(ws.xlsx("hardship", 1))
    result = run(config, "process")
    assert "运行部/错表.xlsx" in result.output
    back = tmp_path / "out" / "rejected" / "运行部"
    assert sorted(p.name for p in back.iterdir()) == [
        "错表.xlsx",
        "错表.xlsx.标注.xlsx",
        "错表.xlsx.错误说明.txt",
    ]
    header, (row,) = register_rows(tmp_path / "out" / "registers" / "困难职工档案台账.xlsx")
    assert dict(zip(header, row, strict=True))["原文件名"] == "运行部/好表.xlsx"


# -- 11. smaller things ---------------------------------------------------------------------


def test_an_id_number_excel_stored_as_a_number_shows_what_excel_shows(ws: Workspace) -> None:
    ws.drop("a.xlsx", ws.xlsx("hardship", id_number=659002198801010039))
    (job,) = ws.process().jobs
    (problem,) = [p for p in job.problems if p.label == "身份证号码"]
    sentence = problem.sentence()
    assert (
        "659002198801010000" in sentence and "010176" not in sentence and "010039" not in sentence
    )
    assert "文本" in sentence


@pytest.mark.parametrize("number", ["990426199112010074", "382322199004122340"])
def test_an_id_number_needs_a_real_province(ws: Workspace, number: str) -> None:
    ws.drop("a.xlsx", ws.xlsx("hardship", id_number=number))
    (job,) = ws.process().jobs
    assert job.outcome == "rejected"
    assert any("GB/T 2260" in p.sentence() and number[:2] in p.sentence() for p in job.problems)


def test_a_form_that_cannot_leave_the_inbox_is_said_once(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = office(tmp_path)
    form = tmp_path / "in" / "申请.xlsx"
    form.write_bytes(ws.xlsx("hardship"))
    real_unlink = Path.unlink

    def read_only_inbox(self: Path, missing_ok: bool = False) -> None:
        if self.parent == tmp_path / "in":
            raise PermissionError(13, "Permission denied", str(self))
        real_unlink(self, missing_ok)

    monkeypatch.setattr(Path, "unlink", read_only_inbox)
    first = run(config, "process")
    assert first.exit_code == 3 and "无法从收件箱删除" in first.output
    assert "KN-2026-0001" in first.output
    second = run(config, "process")
    assert second.exit_code == 0, second.output
    assert "KN-2026-0001" not in second.output and "已跳过" in second.output
    assert "1份表单以前已处理完毕" in second.output
    doctor = run(config, "doctor")
    assert doctor.exit_code == 1 and "无法从收件箱删除" in doctor.output
    assert serials(tmp_path / "st" / "unionforms.sqlite3") == ["KN-2026-0001"]


def test_a_return_interrupted_and_renamed_is_returned_once(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline import engine

    config = office(tmp_path)
    form = tmp_path / "in" / "a.xlsx"
    form.write_bytes(ws.xlsx("hardship", phone="1"))
    real_write = engine.write_rejection

    def write_then_killed(*args: Any) -> Any:
        real_write(*args)
        raise KeyboardInterrupt  # killed after writing the return, before recording it

    monkeypatch.setattr(engine, "write_rejection", write_then_killed)
    run(config, "process")
    monkeypatch.undo()
    form.rename(tmp_path / "in" / "a-改名.xlsx")  # the clerk renamed it meanwhile
    result = run(config, "process")
    assert result.exit_code == 1
    rejected = tmp_path / "out" / "rejected"
    assert sorted(p.name for p in rejected.iterdir()) == [
        "a.xlsx",
        "a.xlsx.标注.xlsx",
        "a.xlsx.错误说明.txt",
    ]
    assert not list(tmp_path.rglob(".~tmp-*")) and not list((tmp_path / "in").iterdir())


def test_a_store_locked_by_another_program_stops_the_batch_once(
    ws: Workspace, tmp_path: Path
) -> None:
    config = office(tmp_path, "\n[limits]\ndatabase_wait_seconds = 0.2\n")
    assert run(config, "process").exit_code == 0  # makes the store
    for number in range(3):
        (tmp_path / "in" / f"{number}.xlsx").write_bytes(
            ws.xlsx("hardship", number % 2, address=f"示例路{number}号")
        )
    other = sqlite3.connect(tmp_path / "st" / "unionforms.sqlite3")
    other.execute("BEGIN EXCLUSIVE")  # a database tool holding a write lock
    try:
        result = run(config, "process")
    finally:
        other.rollback()
        other.close()
    assert result.exit_code == 2 and result.output.count("正被其他程序锁住") == 1
    assert len(list((tmp_path / "in").iterdir())) == 3
    assert run(config, "process").exit_code == 0


def test_the_soffice_marker_selects_the_libreoffice_tests() -> None:
    from tests import test_other_programs

    marked = [
        name
        for name, test in vars(test_other_programs).items()
        if name.startswith("test_")
        and any(mark.name == "soffice" for mark in getattr(test, "pytestmark", []))
    ]
    assert len(marked) >= 5


# -- 12. files from other programs ----------------------------------------------------------


def test_two_files_with_one_stem_keep_a_report_each(ws: Workspace) -> None:
    ws.drop("张三.xls", b"\x09\x04\x06\x00\x00\x00\x10\x00" + bytes(200))  # Excel 4
    ws.drop("张三.docx", b"not a document at all")
    ws.drop("张三.xlsx", b"")
    jobs = ws.process().jobs
    assert [job.outcome for job in jobs] == ["rejected"] * 3
    reports = sorted(p.name for p in (ws.outbox / "rejected").glob("*.错误说明.txt"))
    assert reports == ["张三.docx.错误说明.txt", "张三.xls.错误说明.txt", "张三.xlsx.错误说明.txt"]


def encrypted(data: bytes, password: str) -> bytes:
    buffer = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, buffer)
    return buffer.getvalue()


def test_excels_default_password_is_not_a_password(ws: Workspace) -> None:
    ws.drop("默认密码.xlsx", encrypted(ws.xlsx("hardship"), "VelvetSweatshop"))
    ws.drop("真密码.xlsx", encrypted(ws.xlsx("hardship", 1), "1234"))
    jobs = {job.name: job for job in ws.process().jobs}
    default, real = jobs["默认密码.xlsx"], jobs["真密码.xlsx"]
    assert default.outcome == "accepted", default.message
    assert real.outcome == "rejected" and "密码" in real.message


@pytest.mark.parametrize(
    ("name", "head", "program"),
    [
        ("旧表.xls", b"\x09\x04\x06\x00\x00\x00\x10\x00", "Excel 4.0"),
        ("旧表2.xls", b"\x09\x00\x04\x00\x02\x00\x10\x00", "Excel 2.0"),
        ("旧文.doc", b"\xdb\xa5\x2d\x00\x00\x00", "Word 2.0"),
    ],
)
def test_very_old_formats_are_called_too_old(
    ws: Workspace, name: str, head: bytes, program: str
) -> None:
    ws.drop(name, head + bytes(600))
    (job,) = ws.process().jobs
    assert job.outcome == "rejected" and program in job.message and "格式太旧" in job.message
    assert "不是Office文档" not in job.message


def test_a_broken_conversion_is_not_blamed_on_the_file(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.convert import Converter

    monkeypatch.setattr(Converter, "convert", lambda self, data, suffix, target: b"PK\x03\x04xx")
    ws.drop("旧版.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1024))
    (job,) = ws.process().jobs
    assert (
        job.outcome == "rejected"
        and "转换" in job.message
        and "不一定是原文件的问题" in job.message
    )
