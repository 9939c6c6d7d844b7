"""The whole pipeline on an inbox: accepted, rejected, duplicate, bad and hostile files."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook

from pipeline.archive import verify_archive
from tests.conftest import Workspace, docx_text, register_rows


def test_accepted_form_produces_documents_register_and_archive(ws: Workspace) -> None:
    data = ws.xlsx("hardship")
    ws.drop("申请.xlsx", data, subfolder="运行部")
    result = ws.process()
    (job,) = result.jobs
    assert job.outcome == "accepted" and job.record is not None
    assert job.record.serial == "KN-2026-0001"
    assert not (ws.inbox / "运行部" / "申请.xlsx").exists()

    documents = ws.outputs("documents")
    assert [p.name for p in documents] == [
        "KN-2026-0001-困难职工档案表-张示例.docx",
        "KN-2026-0001-困难职工补助审批表-张示例.docx",
    ]
    archive_text = docx_text(documents[0])
    assert "张示例" in archive_text and "1,666.67元" in archive_text  # per-capita 5000 / 3
    assert "1980年3月15日" in archive_text and "2026年6月15日" in archive_text
    properties = docx.Document(str(documents[1])).core_properties
    assert (properties.title, properties.subject) == ("困难职工补助审批表", "KN-2026-0001")
    assert (
        properties.author == ws.config.organisation.union
        and "python-docx" not in properties.comments
    )
    approval = docx_text(documents[1])
    assert "人民币叁仟元整" in approval and "¥3,000.00" in approval
    assert "工会主席审批" in approval

    header, rows = register_rows(ws.outbox / "registers" / "困难职工档案台账.xlsx")
    assert header[:4] == ["编号", "姓名", "性别", "身份证号码"]
    (row,) = rows
    record = dict(zip(header, row, strict=True))
    assert record["编号"] == "KN-2026-0001"
    assert record["身份证号码"] == ws.sample_values("hardship")["id_number"]
    assert record["人均月收入（元）"] == pytest.approx(1666.67)
    assert record["复核"] == "否"
    assert record["来源文件夹" if "来源文件夹" in record else "原文件名"]

    folder = ws.outbox / "archive" / "困难职工帮扶申请表" / "2026" / "KN-2026-0001"
    assert (folder / "原件-申请.xlsx").read_bytes() == data
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["files"]) == {"原件-申请.xlsx", *(p.name for p in documents)}
    check = verify_archive(ws.outbox / "archive", ws.rt.store)
    assert (check.checked, check.faults) == (1, [])


def test_register_types_and_print_setup(ws: Workspace) -> None:
    ws.drop("a.xlsx", ws.xlsx("hardship"))
    ws.process()
    wb = load_workbook(ws.outbox / "registers" / "困难职工档案台账.xlsx")
    sheet = wb.active
    header = [str(c.value).replace("\n", "") for c in sheet[3]]
    data = {h: c for h, c in zip(header, sheet[4], strict=True)}
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref.startswith("A3:")
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$3:$3"
    # too wide for one page at a readable size: several pages wide, the serial on each
    assert int(sheet.page_setup.fitToWidth) >= 2 and sheet.print_title_cols == "$A:$A"
    assert data["申请日期"].is_date and data["申请日期"].number_format == "yyyy-mm-dd"
    assert isinstance(data["申请补助金额（元）"].value, int | float)
    assert data["申请补助金额（元）"].number_format == "#,##0.00"
    assert data["身份证号码"].data_type == "s" and data["联系电话"].number_format == "@"


def test_rejected_form_comes_back_marked_with_a_report(ws: Workspace) -> None:
    data = ws.xlsx("hardship", phone="12345", requested_amount="30000", name=None)
    ws.drop("错表.xlsx", data)
    (job,) = ws.process().jobs
    assert job.outcome == "rejected" and len(job.problems) == 3
    rejected = ws.outbox / "rejected"
    assert (rejected / "错表.xlsx").read_bytes() == data
    report = (rejected / "错表.xlsx.错误说明.txt").read_text(encoding="utf-8-sig")
    assert "共3处需要修改" in report
    assert "「联系电话」（“困难职工帮扶申请表”工作表B10单元格）填写为“12345”" in report
    assert "「姓名」（“困难职工帮扶申请表”工作表B4单元格）未填写" in report
    marked = load_workbook(rejected / "错表.xlsx.标注.xlsx")
    sheet = marked["困难职工帮扶申请表"]
    for coordinate in ("B4", "B10", "B18"):
        assert sheet[coordinate].fill.fgColor.rgb.endswith("FFC7CE")
        assert sheet[coordinate].comment is not None
    assert "12345" in sheet["B10"].comment.text
    assert sheet["B5"].comment is None
    assert marked.sheetnames[0] == "错误说明"
    assert not ws.outputs("documents") and not ws.outputs("archive")


def test_serials_stay_gapless_around_rejections(ws: Workspace) -> None:
    ws.drop("1.xlsx", ws.xlsx("hardship"))
    ws.drop("2.xlsx", ws.xlsx("hardship", phone="1"))
    ws.drop("3.xlsx", ws.xlsx("hardship", 1))
    jobs = ws.process().jobs
    assert [j.record.serial if j.record else None for j in jobs] == [
        "KN-2026-0001",
        None,
        "KN-2026-0002",
    ]


def test_duplicate_in_the_same_batch_and_a_later_one(ws: Workspace) -> None:
    data = ws.xlsx("hardship")
    ws.drop("a.xlsx", data)
    ws.drop("b.xlsx", data)
    first, second = ws.process().jobs
    assert (first.outcome, second.outcome) == ("accepted", "duplicate")
    report = (ws.outbox / "rejected" / "b.xlsx.错误说明.txt").read_text(encoding="utf-8-sig")
    assert "重复提交" in report and "KN-2026-0001" in report and "“a.xlsx”" in report
    ws.drop("c.xlsx", data)
    (third,) = ws.process().jobs
    assert third.outcome == "duplicate"
    _, rows = register_rows(ws.outbox / "registers" / "困难职工档案台账.xlsx")
    assert len(rows) == 1


def test_second_application_in_a_year_is_flagged_for_recheck(ws: Workspace) -> None:
    ws.drop("a.xlsx", ws.xlsx("hardship"))
    ws.drop("b.xlsx", ws.xlsx("hardship", requested_amount="1000"))
    jobs = ws.process().jobs
    assert [j.outcome for j in jobs] == ["accepted", "accepted"]
    header, rows = register_rows(ws.outbox / "registers" / "困难职工档案台账.xlsx")
    flags = [dict(zip(header, row, strict=True))["复核"] for row in rows]
    assert flags == ["否", "是"]
    assert "KN-2026-0001" in docx_text(
        ws.outputs("documents", "KN-2026-0002-困难职工补助审批表*")[0]
    )


def test_lock_temp_and_hidden_files_are_left_alone(ws: Workspace) -> None:
    names = [
        "~$申请.xlsx",
        ".~lock.申请.xlsx#",
        "~申请.tmp",
        ".hidden.xlsx",
        "Thumbs.db",
        "desktop.ini",
        ".DS_Store",
        "申请.xlsx.tmp",
    ]
    for name in names:
        ws.drop(name, b"lock")
    assert ws.process().jobs == []
    assert sorted(p.name for p in ws.inbox.iterdir()) == sorted(names)
    assert not ws.outputs("rejected")


def _zip(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(name, data)
    return buffer.getvalue()


def _with_part(data: bytes, name: str, content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    return _zip(parts | {name: content})


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>'
)


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("空.xlsx", lambda ws: b"", "文件是空的"),
        ("假表格.xlsx", lambda ws: "这不是表格".encode(), "不是Office文档"),
        ("半截.xlsx", lambda ws: ws.xlsx("hardship")[:3000], "不完整或已损坏"),
        ("宏.xlsm", lambda ws: ws.xlsx("hardship"), "启用宏"),
        (
            "藏宏.xlsx",
            lambda ws: _with_part(ws.xlsx("hardship"), "xl/vbaProject.bin", b"x"),
            "含有宏",
        ),
        (
            "炸弹.xlsx",
            lambda ws: _with_part(ws.xlsx("hardship"), "xl/bomb.xml", BILLION_LAUGHS),
            "被禁止的XML",
        ),
        (
            "巨型.xlsx",
            lambda ws: _with_part(ws.xlsx("hardship"), "xl/big.bin", b"\0" * 5_000_000),
            "压缩炸弹",
        ),
        ("照片.jpg", lambda ws: b"\xff\xd8\xff\xe0", "不是可处理的表单文件"),
        (
            "别的.xlsx",
            lambda ws: _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<w/>"}),
            "无法",
        ),
        ("陌生表.xlsx", lambda ws: _plain_workbook(), "无法识别这是哪一种表单"),
    ],
)
def test_bad_files_are_rejected_and_kept(ws: Workspace, name: str, make, message: str) -> None:  # type: ignore[no-untyped-def]
    data = make(ws)
    ws.drop(name, data)
    (job,) = ws.process().jobs
    assert job.outcome == "rejected"
    assert message in job.message
    assert (ws.outbox / "rejected" / name).read_bytes() == data
    report = (ws.outbox / "rejected" / f"{name}.错误说明.txt").read_text(encoding="utf-8-sig")
    assert message in report
    assert not (ws.inbox / name).exists()


def _plain_workbook() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "随便一张表"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_password_protected_file_is_refused(ws: Workspace) -> None:
    import msoffcrypto  # noqa: F401 - the same library screens the files

    encrypted = _encrypt(ws.xlsx("hardship"))
    ws.drop("加密.xlsx", encrypted)
    (job,) = ws.process().jobs
    assert job.outcome == "rejected" and "密码" in job.message


def _encrypt(data: bytes) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt("secret", out)
    return out.getvalue()


def test_formula_like_values_stay_text_in_registers(ws: Workspace) -> None:
    ws.drop(
        "a.xlsx",
        ws.xlsx(
            "hardship", address='=HYPERLINK("http://x")', position="+1+1", department="@SUM(A1)"
        ),
    )
    assert ws.process().jobs[0].outcome == "accepted"
    path = ws.outbox / "registers" / "困难职工档案台账.xlsx"
    with zipfile.ZipFile(path) as package:
        sheet_xml = package.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    sheet = load_workbook(path).active
    header = [c.value for c in sheet[3]]
    row = {h: c for h, c in zip(header, sheet[4], strict=True)}
    assert row["家庭住址"].value == '=HYPERLINK("http://x")' and row["家庭住址"].data_type == "s"
    assert row["岗位"].value == "+1+1" and row["所在部门"].value == "@SUM(A1)"


def test_markup_characters_print_as_typed(ws: Workspace) -> None:
    text = "<b>加粗</b> & \"引号\" 'x' {{ org.name }} {% if 1 %}"
    ws.drop("a.xlsx", ws.xlsx("hardship", hardship_description=text, address="A&B<C>"))
    (job,) = ws.process().jobs
    assert job.outcome == "accepted", job.message
    archive_text = docx_text(ws.outputs("documents", "*档案表*")[0])
    assert text in archive_text and "A&B<C>" in archive_text


def test_file_names_from_values_are_sanitised(ws: Workspace) -> None:
    ws.drop("a.xlsx", ws.xlsx("hardship", name="../../CON"))
    (job,) = ws.process().jobs
    assert job.outcome == "accepted"
    names = [p.name for p in ws.outputs("documents")]
    assert all("/" not in n and ".." not in n for n in names)
    assert all(p.resolve().is_relative_to(ws.outbox / "documents") for p in ws.outputs("documents"))


def test_id_number_stored_as_a_number_gets_a_fix_it_message(ws: Workspace) -> None:
    ws.drop("a.xlsx", ws.xlsx("hardship", id_number=659002198003150000))
    (job,) = ws.process().jobs
    (problem,) = job.problems
    assert "被Excel存成了数字" in problem.sentence() and "“文本”格式" in problem.sentence()


def crash_after_numbering(ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Drop a good form and kill the run after it got its serial, before its documents."""
    from pipeline import stages

    ws.drop("a.xlsx", ws.xlsx("hardship"))

    def crash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt

    monkeypatch.setattr(stages, "render_documents", crash)
    with pytest.raises(KeyboardInterrupt):
        ws.process()


def test_resume_after_a_crash_between_numbering_and_documents(ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    crash_after_numbering(ws, monkeypatch)
    assert (ws.inbox / "a.xlsx").exists()
    monkeypatch.undo()
    (job,) = ws.process().jobs
    assert job.outcome == "accepted" and job.record and job.record.serial == "KN-2026-0001"
    _, rows = register_rows(ws.outbox / "registers" / "困难职工档案台账.xlsx")
    assert len(rows) == 1 and len(ws.outputs("documents")) == 2
    assert not (ws.inbox / "a.xlsx").exists()


def test_resume_after_a_crash_before_the_file_left_the_inbox(ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pipeline import engine

    ws.drop("a.xlsx", ws.xlsx("hardship"))
    real_release = engine.release_file
    monkeypatch.setattr(engine, "release_file", lambda job, rt: None)
    ws.process()
    assert (ws.inbox / "a.xlsx").exists()
    monkeypatch.setattr(engine, "release_file", real_release)
    (job,) = ws.process().jobs
    assert job.outcome == "accepted"  # finished earlier, now only released: not a duplicate
    assert not (ws.inbox / "a.xlsx").exists() and not ws.outputs("rejected")


def test_a_rejection_redone_after_a_crash_returns_the_form_once(ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pipeline import engine

    ws.drop("a.xlsx", ws.xlsx("hardship", phone="1"))
    real_write = engine.write_rejection

    def write_then_crash(*args):  # type: ignore[no-untyped-def]
        real_write(*args)
        raise KeyboardInterrupt  # killed after writing, before the store recorded it

    monkeypatch.setattr(engine, "write_rejection", write_then_crash)
    with pytest.raises(KeyboardInterrupt):
        ws.process()
    monkeypatch.undo()
    (job,) = ws.process().jobs
    assert job.outcome == "rejected" and not (ws.inbox / "a.xlsx").exists()
    assert [p.name for p in ws.outputs("rejected")] == [
        "a.xlsx",
        "a.xlsx.标注.xlsx",
        "a.xlsx.错误说明.txt",
    ]


def test_a_planned_rejection_keeps_its_name(ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pipeline import engine

    # Both names are returned as "a_.xlsx"; the second sorts first, so it would take the name.
    first = ws.drop("a_.xlsx", ws.xlsx("hardship", phone="1"))

    def crash(*args):  # type: ignore[no-untyped-def]
        raise KeyboardInterrupt  # killed after choosing the name, before writing

    monkeypatch.setattr(engine, "write_rejection", crash)
    with pytest.raises(KeyboardInterrupt):
        ws.process()
    monkeypatch.undo()
    second = ws.drop("a?.xlsx", ws.xlsx("hardship", phone="2"))
    first_data, second_data = first.read_bytes(), second.read_bytes()
    assert [job.outcome for job in ws.process().jobs] == ["rejected", "rejected"]
    assert (ws.outbox / "rejected" / "a_.xlsx").read_bytes() == first_data
    assert (ws.outbox / "rejected" / "a_(2).xlsx").read_bytes() == second_data


def test_a_file_changed_while_processed_stays_in_the_inbox(ws: Workspace, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from pipeline import engine, stages

    path = ws.drop("a.xlsx", ws.xlsx("hardship"))
    newer = ws.xlsx("hardship", 1)
    real_archive = stages.archive

    def archive_then_overwrite(job, rt):  # type: ignore[no-untyped-def]
        real_archive(job, rt)
        path.write_bytes(newer)

    monkeypatch.setattr(engine, "STAGES", (*engine.STAGES[:-1], archive_then_overwrite))
    ws.process()
    assert path.read_bytes() == newer


def test_state_and_archive_are_private(ws: Workspace) -> None:
    ws.drop("a.xlsx", ws.xlsx("hardship"))
    ws.process()
    assert (ws.config.folders.state.stat().st_mode & 0o077) == 0
    assert ((ws.config.folders.state / "unionforms.sqlite3").stat().st_mode & 0o077) == 0
    assert ((ws.outbox / "archive").stat().st_mode & 0o077) == 0


def test_masked_id_numbers_in_registers(tmp_path: Path) -> None:
    from pipeline.engine import collect_inbox, open_runtime, process_batch
    from tests.conftest import NOW, make_config

    config = make_config(tmp_path, mask_id_numbers=True)
    rt = open_runtime(config, clock=lambda: NOW)
    workspace = Workspace(tmp_path, config, rt)
    workspace.drop("a.xlsx", workspace.xlsx("hardship"))
    process_batch(collect_inbox(config), rt)
    rt.close()
    header, (row,) = register_rows(config.folders.outbox / "registers" / "困难职工档案台账.xlsx")
    assert dict(zip(header, row, strict=True))["身份证号码"] == "659002********0011"


def test_a_very_long_file_name_still_gets_its_report(ws: Workspace) -> None:
    name = ("很长的文件名" * 14)[:83] + ".xlsx"  # 254 bytes: just within the 255-byte limit
    ws.drop(name, ws.xlsx("hardship", phone="1"))
    (job,) = ws.process().jobs
    assert job.outcome == "rejected"
    reports = list((ws.outbox / "rejected").glob("*.错误说明.txt"))
    assert len(reports) == 1 and len(reports[0].name.encode()) <= 255


def test_a_form_renamed_after_a_crash_resumes_under_its_new_name(
    ws: Workspace, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    crash_after_numbering(ws, monkeypatch)
    monkeypatch.undo()
    (ws.inbox / "运行部").mkdir()
    (ws.inbox / "a.xlsx").rename(ws.inbox / "运行部" / "改名.xlsx")
    (job,) = ws.process().jobs
    assert job.outcome == "accepted" and job.record and job.record.serial == "KN-2026-0001"
    assert len(ws.outputs("documents")) == 2 and not ws.outputs("rejected")
    assert not any(ws.inbox.rglob("*.xlsx"))
