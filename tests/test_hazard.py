"""Every rule of SPEC §3.2 (事故隐患报告表), its flags, its status and its outputs."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import docx
import pytest
from openpyxl import load_workbook

from forms import get_kind
from forms.base import RecordView
from tests.conftest import Workspace, docx_text, register_rows
from tests.rules import TODAY, Checker, Ctx

KIND = get_kind("hazard")
FOLLOWUP = get_kind("hazard_followup")
CHECK = Checker(KIND)
NOW = datetime(2026, 6, 15, 10, 30)


def sample(**changes: Any) -> dict[str, Any]:
    return CHECK.sample(**changes)


def test_the_samples_pass() -> None:
    assert CHECK.problems(sample()) == []
    assert CHECK.problems(KIND.samples(TODAY)[1].values) == []


@pytest.mark.parametrize(
    ("key", "good", "bad", "message"),
    [
        ("found_date", TODAY, TODAY + timedelta(days=1), "不能晚于今天"),
        ("category", "职业危害", "火险", "应为以下选项之一：火灾、爆炸、坍塌、急性中毒"),
        ("level", "重大事故隐患", "较大隐患", "一般事故隐患、重大事故隐患"),
        ("description", "一" * 10, "一" * 9, "应为不少于10个字（现为9个字）"),
        ("plan_channel", "技术改造工程", "技改", "立即整改、安全措施计划、大修计划"),
    ],
)
def test_field_rule(key: str, good: Any, bad: Any, message: str) -> None:
    assert CHECK.problems(sample(**{key: good})) == []
    assert message in CHECK.only_problem(sample(**{key: bad}))


@pytest.mark.parametrize(
    "key",
    [
        "found_date",
        "reporter",
        "department",
        "location",
        "category",
        "level",
        "description",
        "proposed_measures",
        "plan_channel",
        "deadline",
        "responsible_department",
        "responsible_person",
    ],
)
def test_required_fields(key: str) -> None:
    assert "未填写，此项为必填项" in CHECK.only_problem(sample(**{key: "  "}))


def test_possible_consequence_is_optional() -> None:
    assert CHECK.problems(sample(possible_consequence=None)) == []


def test_deadline_not_before_the_day_found() -> None:
    found = date(2026, 6, 1)
    assert CHECK.problems(sample(found_date=found, deadline=found)) == []
    sentence = CHECK.only_problem(sample(found_date=found, deadline=found - timedelta(days=1)))
    assert sentence.startswith("「整改期限」（cell-deadline）填写为“2026-05-31”")
    assert "不能早于发现日期（2026-06-01）" in sentence


def test_departments_from_the_configured_list() -> None:
    listed = Ctx(departments=("运行部", "检修部"))
    assert CHECK.problems(sample(), listed) == []
    found = CHECK.problems(sample(department="后勤部", responsible_department="外包队"), listed)
    assert len(found) == 2 and all("应为本单位的部门之一" in s for s in found)


@pytest.mark.parametrize(
    ("category", "tracked"),
    [
        ("火灾", True),
        ("爆炸", True),
        ("坍塌", True),
        ("急性中毒", True),
        ("职业危害", True),
        ("设备设施", False),
        ("电气", False),
        ("其他", False),
    ],
)
def test_key_tracking_flag(category: str, tracked: bool) -> None:
    form = CHECK.form(sample(category=category))
    assert KIND.derive(form, Ctx())["key_tracking"] is tracked


def test_major_hazards_go_to_the_workers_congress() -> None:
    major = KIND.derive(CHECK.form(sample(level="重大事故隐患")), Ctx())
    ordinary = KIND.derive(CHECK.form(sample(level="一般事故隐患")), Ctx())
    assert major["to_congress"] is True and ordinary["to_congress"] is False


def hazard_view(deadline: date, *effects: str) -> RecordView:
    values = CHECK.form(sample(deadline=deadline)).values()
    hazard = RecordView("hazard", "YH-2026-0001", "YH-2026-0001", 2026, values, {}, NOW, "a")
    for number, effect in enumerate(effects, 1):
        followup = FOLLOWUP.samples(TODAY)[0].values | {"effect": effect}
        hazard.children.append(
            RecordView(
                "hazard_followup",
                None,
                f"YH-2026-0001-回执{number}",
                2026,
                followup,
                {},
                NOW,
                "b",
                parent="YH-2026-0001",
            )
        )
    return hazard


def test_status_follows_the_follow_ups() -> None:
    deadline = TODAY + timedelta(days=5)
    assert KIND.live(hazard_view(deadline), TODAY)["status"] == "待整改"
    assert KIND.live(hazard_view(deadline, "未消除"), TODAY)["status"] == "整改中"
    partly = KIND.live(hazard_view(deadline, "未消除", "部分消除，继续跟踪"), TODAY)
    assert partly["status"] == "整改中" and partly["followup_count"] == 2
    assert partly["last_effect"] == "部分消除，继续跟踪"
    done = KIND.live(hazard_view(deadline, "部分消除，继续跟踪", "隐患已消除"), TODAY)
    assert done["status"] == "已整改" and done["last_rectifier"] == "王样例"


def test_overdue_when_open_after_the_deadline_day() -> None:
    on_the_day = KIND.live(hazard_view(TODAY), TODAY)
    assert on_the_day["overdue"] is False and on_the_day["overdue_note"] == ""
    late = KIND.live(hazard_view(TODAY - timedelta(days=3), "未消除"), TODAY)
    assert late["overdue"] is True and late["overdue_note"] == "逾期3天"
    closed = KIND.live(hazard_view(TODAY - timedelta(days=3), "隐患已消除"), TODAY)
    assert closed["overdue"] is False


def test_notice_names_serial_deadline_and_responsible_person(ws: Workspace) -> None:
    ws.drop("隐患.xlsx", ws.xlsx("hazard", 1))
    (job,) = ws.process().jobs
    assert job.outcome == "accepted" and job.record and job.record.serial == "YH-2026-0001"
    (notice,) = ws.outputs("documents")
    assert notice.name == "YH-2026-0001-事故隐患整改通知书-干煤棚东侧挡煤墙.docx"
    text = docx_text(notice)
    assert "燃料部：" in text
    assert "整改期限 | 2026年6月5日" in text  # sample 1: found 40 days ago, 30 days to fix
    assert "已超过整改期限，请立即整改" in text
    assert "提交职工代表大会审议" in text and "列为工会跟踪整改的重点" in text
    assert "沿此线剪下" in text
    slip = [[cell.text for cell in row.cells] for row in docx.Document(str(notice)).tables[-1].rows]
    assert slip[0] == ["隐患编号", "YH-2026-0001", "整改期限", "2026年6月5日"]
    assert slip[1][2:] == ["整改负责人", "李样例"]


def test_ordinary_hazard_notice_has_no_flags(ws: Workspace) -> None:
    ws.drop("隐患.xlsx", ws.xlsx("hazard", 0, category="电气", level="一般事故隐患"))
    ws.process()
    text = docx_text(ws.outputs("documents")[0])
    assert "按期整改，工会跟踪监督" in text
    assert "职工代表大会" not in text and "跟踪整改的重点" not in text and "请立即整改" not in text


def test_register_row_with_flags_status_and_overdue_highlight(ws: Workspace) -> None:
    ws.drop("a.xlsx", ws.xlsx("hazard", 0))
    ws.drop("b.xlsx", ws.xlsx("hazard", 1))
    ws.process()
    path = ws.outbox / "registers" / "事故隐患整改跟踪台账.xlsx"
    header, rows = register_rows(path)
    table = [dict(zip(header, row, strict=True)) for row in rows]
    assert [r["编号"] for r in table] == ["YH-2026-0001", "YH-2026-0002"]
    fire, wall = table
    assert (fire["重点跟踪"], fire["提交职代会审议"], fire["整改状态"]) == ("是", "否", "待整改")
    assert (wall["提交职代会审议"], wall["逾期情况"]) == ("是", "逾期10天")
    assert fire["逾期情况"] is None and fire["整改回执份数"] == 0
    sheet = load_workbook(path).active
    assert sheet["A5"].fill.fgColor.rgb.endswith("FCE4D6")  # the overdue row
    assert not sheet["A4"].fill.fgColor.rgb.endswith("FCE4D6")
    # the description wraps over several lines: the row is made tall enough to print them
    assert sheet.row_dimensions[4].height > 3 * 13.5
