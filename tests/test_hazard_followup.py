"""SPEC §3.3 (事故隐患整改回执): its rules, and the hazard's life from report to rectified."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from click.testing import CliRunner

from forms import get_kind
from forms.base import RecordView
from pipeline.cli import app, main
from pipeline.engine import open_runtime
from tests.conftest import NOW, Workspace, docx_text, register_rows
from tests.rules import TODAY, Checker, Ctx

KIND = get_kind("hazard_followup")
HAZARD = get_kind("hazard")
FOUND = TODAY - timedelta(days=12)  # the first hazard sample's found_date


def hazard_record(*closing_effects: str) -> RecordView:
    hazard = RecordView(
        "hazard", "YH-2026-0001", "YH-2026-0001", 2026, HAZARD.samples(TODAY)[0].values, {}, NOW, ""
    )
    for number, effect in enumerate(closing_effects, 1):
        values = KIND.samples(TODAY)[0].values | {"effect": effect}
        ident = f"YH-2026-0001-回执{number}"
        hazard.children.append(
            RecordView("hazard_followup", None, ident, 2026, values, {}, NOW, "")
        )
    return hazard


OPEN = Ctx({"YH-2026-0001": hazard_record()})
CHECK = Checker(KIND, ctx=OPEN)


def sample(**changes: Any) -> dict[str, Any]:
    return CHECK.sample(**changes)


def test_the_sample_passes_against_an_open_hazard() -> None:
    assert CHECK.problems(sample()) == []


@pytest.mark.parametrize("typed", ["YH-2026-0001", "yh-2026-1", " YH－2026－0001 ", "YH 2026 0001"])
def test_the_serial_is_read_as_copied(typed: str) -> None:
    assert CHECK.form(sample(hazard_serial=typed)).hazard_serial == "YH-2026-0001"


@pytest.mark.parametrize("typed", ["KN-2026-0001", "2026-0001", "YH-2026-0001-回执1"])
def test_a_serial_that_is_no_hazard_serial(typed: str) -> None:
    assert "应为编号，格式如 YH-2026-0001" in CHECK.only_problem(sample(hazard_serial=typed))


def test_unknown_serial() -> None:
    sentence = CHECK.only_problem(sample(hazard_serial="YH-2026-0009"))
    assert sentence.startswith("「隐患编号」（cell-hazard_serial）填写为“YH-2026-0009”")
    assert "系统中没有这个编号的事故隐患" in sentence


def test_a_closed_hazard_takes_no_more_follow_ups() -> None:
    closed = Ctx({"YH-2026-0001": hazard_record("部分消除，继续跟踪", "隐患已消除")})
    sentence = CHECK.only_problem(sample(), closed)
    assert "该隐患已整改完毕（回执YH-2026-0001-回执2" in sentence
    still_open = Ctx({"YH-2026-0001": hazard_record("未消除", "部分消除，继续跟踪")})
    assert CHECK.problems(sample(), still_open) == []


def test_completed_not_before_the_hazard_was_found() -> None:
    assert CHECK.problems(sample(completed_date=FOUND, verify_date=FOUND)) == []
    early = FOUND - timedelta(days=1)
    sentence = CHECK.only_problem(sample(completed_date=early, verify_date=FOUND))
    assert sentence.startswith("「整改完成日期」（cell-completed_date）")
    assert f"不能早于该隐患的发现日期（{FOUND.isoformat()}）" in sentence


def test_verified_not_before_completion() -> None:
    done = TODAY - timedelta(days=2)
    assert CHECK.problems(sample(completed_date=done, verify_date=done)) == []
    sentence = CHECK.only_problem(sample(completed_date=done, verify_date=done - timedelta(1)))
    assert "「验收日期」" in sentence and f"不能早于整改完成日期（{done.isoformat()}）" in sentence


@pytest.mark.parametrize(
    ("key", "good", "bad", "message"),
    [
        ("completed_date", TODAY, TODAY + timedelta(days=1), "不能晚于今天"),
        ("verify_date", TODAY, TODAY + timedelta(days=1), "不能晚于今天"),
        ("effect", "未消除", "已消除", "隐患已消除、部分消除，继续跟踪、未消除"),
    ],
)
def test_field_rule(key: str, good: Any, bad: Any, message: str) -> None:
    assert CHECK.problems(sample(**{key: good})) == []
    assert message in CHECK.only_problem(sample(**{key: bad}))


@pytest.mark.parametrize(
    "key",
    [
        "hazard_serial",
        "completed_date",
        "rectifier",
        "measures_taken",
        "effect",
        "verifier",
        "verify_date",
    ],
)
def test_required_fields(key: str) -> None:
    assert "未填写，此项为必填项" in CHECK.only_problem(sample(**{key: None}))


def test_effect_description_is_optional() -> None:
    assert CHECK.problems(sample(effect_description=None)) == []


# -- the life of a hazard, through the pipeline -------------------------------------------


def outcomes(ws: Workspace) -> dict[str, tuple[str, str]]:
    return {
        job.name: (job.outcome, job.record.ident if job.record else job.message)
        for job in ws.process().jobs
    }


def hazard_row(ws: Workspace, serial: str = "YH-2026-0001") -> dict[str, Any]:
    header, rows = register_rows(ws.outbox / "registers" / "事故隐患整改跟踪台账.xlsx")
    table = [dict(zip(header, row, strict=True)) for row in rows]
    return next(row for row in table if row["编号"] == serial)


def test_follow_up_in_a_later_batch(ws: Workspace) -> None:
    ws.drop("隐患.xlsx", ws.xlsx("hazard"))
    assert outcomes(ws) == {"隐患.xlsx": ("accepted", "YH-2026-0001")}
    assert hazard_row(ws)["整改状态"] == "待整改"
    ws.drop("回执.xlsx", ws.xlsx("hazard_followup"))
    assert outcomes(ws) == {"回执.xlsx": ("accepted", "YH-2026-0001-回执1")}
    row = hazard_row(ws)
    assert (row["整改状态"], row["整改回执份数"], row["整改效果"]) == (
        "整改中",
        1,
        "部分消除，继续跟踪",
    )
    assert row["最近整改负责人"] == "王样例" and "接油盘已订货" in row["所采取的措施"]
    (sheet,) = ws.outputs("documents", "*验收单*")
    assert sheet.name == "YH-2026-0001-回执1-事故隐患整改验收单.docx"
    text = docx_text(sheet)
    assert "编号：YH-2026-0001-回执1" in text and "隐患地点 | 一号锅炉燃油泵房" in text
    assert "经验收，隐患尚未消除，继续跟踪整改。" in text and "按期完成" in text
    assert "验收后状态：整改中" in text


def test_follow_up_in_the_same_batch(ws: Workspace) -> None:
    ws.drop("1-隐患.xlsx", ws.xlsx("hazard"))
    ws.drop("2-回执.xlsx", ws.xlsx("hazard_followup", effect="隐患已消除"))
    assert outcomes(ws) == {
        "1-隐患.xlsx": ("accepted", "YH-2026-0001"),
        "2-回执.xlsx": ("accepted", "YH-2026-0001-回执1"),
    }
    assert hazard_row(ws)["整改状态"] == "已整改"
    assert "同意销号" in docx_text(ws.outputs("documents", "*验收单*")[0])


def test_follow_up_sorted_before_its_hazard_in_the_inbox(ws: Workspace) -> None:
    ws.drop("a-回执.xlsx", ws.xlsx("hazard_followup"))
    ws.drop("z-隐患.xlsx", ws.xlsx("hazard"))
    result = ws.process()
    assert [job.name for job in result.jobs] == ["a-回执.xlsx", "z-隐患.xlsx"]  # found so
    assert [job.record.ident for job in result.jobs if job.record] == [
        "YH-2026-0001-回执1",
        "YH-2026-0001",
    ]
    assert hazard_row(ws)["整改状态"] == "整改中"


def test_unknown_serial_is_rejected_naming_the_cell(ws: Workspace) -> None:
    ws.drop("隐患.xlsx", ws.xlsx("hazard"))
    ws.drop("回执.xlsx", ws.xlsx("hazard_followup", hazard_serial="YH-2026-0002"))
    assert outcomes(ws)["回执.xlsx"][0] == "rejected"
    report = (ws.outbox / "rejected" / "回执.xlsx.错误说明.txt").read_text(encoding="utf-8-sig")
    assert "「隐患编号」（“事故隐患整改回执”工作表B4单元格）填写为“YH-2026-0002”" in report
    assert "系统中没有这个编号的事故隐患" in report
    assert hazard_row(ws)["整改状态"] == "待整改"


def test_second_follow_up_on_a_closed_hazard(ws: Workspace) -> None:
    ws.drop("1-隐患.xlsx", ws.xlsx("hazard"))
    ws.drop("2-回执.xlsx", ws.xlsx("hazard_followup", effect="隐患已消除"))
    ws.process()
    ws.drop("3-回执.xlsx", ws.xlsx("hazard_followup", effect="隐患已消除", verifier="吴示例"))
    outcome, _ = outcomes(ws)["3-回执.xlsx"]
    assert outcome == "rejected"
    report = (ws.outbox / "rejected" / "3-回执.xlsx.错误说明.txt").read_text(encoding="utf-8-sig")
    assert "该隐患已整改完毕（回执YH-2026-0001-回执1" in report
    assert hazard_row(ws)["整改回执份数"] == 1


def test_every_follow_up_is_kept_in_the_history(ws: Workspace) -> None:
    ws.drop("1-隐患.xlsx", ws.xlsx("hazard"))
    ws.drop("2-回执.xlsx", ws.xlsx("hazard_followup", effect="未消除"))
    ws.drop("3-回执.xlsx", ws.xlsx("hazard_followup", effect="隐患已消除", rectifier="郑样例"))
    ws.drop("4-回执.xlsx", ws.xlsx("hazard_followup", effect="隐患已消除", rectifier="冯演示"))
    results = outcomes(ws)
    assert [results[f"{n}-回执.xlsx"][0] for n in (2, 3, 4)] == [
        "accepted",
        "accepted",
        "rejected",
    ]
    header, rows = register_rows(ws.outbox / "registers" / "事故隐患整改回执台账.xlsx")
    history = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(r["编号"], r["整改效果"], r["验收后状态"]) for r in history] == [
        ("YH-2026-0001-回执1", "未消除", "整改中"),
        ("YH-2026-0001-回执2", "隐患已消除", "已整改"),
    ]
    assert history[0]["隐患地点（作业点）"] == "一号锅炉燃油泵房"
    row = hazard_row(ws)
    assert (row["整改状态"], row["最近整改负责人"], row["整改回执份数"]) == ("已整改", "郑样例", 2)


def test_late_completion_is_noted(ws: Workspace) -> None:
    ws.drop("1-隐患.xlsx", ws.xlsx("hazard", deadline=FOUND + timedelta(days=2)))
    ws.drop("2-回执.xlsx", ws.xlsx("hazard_followup", completed_date=FOUND + timedelta(days=5)))
    ws.process()
    assert "超期3天完成" in docx_text(ws.outputs("documents", "*验收单*")[0])


def test_hazards_command_lists_open_hazards_overdue_first(
    ws: Workspace, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws.drop("a.xlsx", ws.xlsx("hazard", 0))  # YH-2026-0001, deadline in 8 days
    ws.drop("b.xlsx", ws.xlsx("hazard", 1))  # YH-2026-0002, 10 days overdue
    ws.drop("c.xlsx", ws.xlsx("hazard", 0, location="化学水处理间"))  # YH-2026-0003
    ws.drop("d.xlsx", ws.xlsx("hazard_followup", hazard_serial="YH-2026-0003", effect="隐患已消除"))
    ws.process()
    config = tmp_path / "listing.toml"
    config.write_text(
        f'[folders]\ninbox = "{ws.inbox}"\noutbox = "{ws.outbox}"\nstate = "{ws.root / "state"}"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(
        app, "open_runtime", lambda config, **kw: open_runtime(config, lambda: NOW, **kw)
    )
    result = CliRunner().invoke(main, ["--config", str(config), "hazards"])
    assert result.exit_code == 0, result.output
    output = result.output
    assert "未整改完毕的事故隐患" in output and "共2项" in output
    assert output.index("YH-2026-0002") < output.index("YH-2026-0001")
    assert "逾期10天" in output and "YH-2026-0003" not in output


def test_hazards_command_with_nothing_open(tmp_path: Any) -> None:
    config = tmp_path / "empty.toml"
    config.write_text('[folders]\nstate = "st"\n', encoding="utf-8")
    (tmp_path / "inbox").mkdir()
    result = CliRunner().invoke(main, ["--config", str(config), "hazards"])
    assert result.exit_code == 2 and "不是 unionforms 的工作文件夹" in result.output
    assert not (tmp_path / "st").exists()  # a listing in the wrong folder creates nothing
    assert CliRunner().invoke(main, ["--config", str(config), "process"]).exit_code == 0
    result = CliRunner().invoke(main, ["--config", str(config), "hazards"])
    assert result.exit_code == 0 and "没有未整改完毕的事故隐患" in result.output


def test_hazard_serial_defaults_to_the_first_of_the_year_without_a_parent() -> None:
    assert KIND.samples(date(2027, 3, 1))[0].values["hazard_serial"] == "YH-2027-0001"
