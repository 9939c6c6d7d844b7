"""育龄人员回访记录表: a follow-up of one person of a pledge's roster, and that person's last and
next visit in the 育龄人员基础资料档案."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from forms import get_kind
from pipeline import docx_form
from pipeline.blank_forms import prefilled_form
from tests.conftest import Workspace, docx_text, register_rows
from tests.rules import TODAY, Checker, Ctx, child, record

KIND = get_kind("fp_visit")
PLEDGE = get_kind("fp_pledge")
PLEDGE_VALUES = PLEDGE.samples(TODAY)[0].values
ROSTER = PLEDGE_VALUES["roster"]
CHECK = Checker(KIND, ctx=Ctx({"JS-2026-0001": record(PLEDGE, PLEDGE_VALUES, "JS-2026-0001")}))
SIGNED = PLEDGE_VALUES["sign_date"]


def sample(**changes: Any) -> dict[str, Any]:
    return CHECK.sample(**changes)


def test_the_samples_pass() -> None:
    assert CHECK.problems(sample()) == []
    assert CHECK.problems(KIND.samples(TODAY)[2].values) == []


def test_a_person_not_on_the_roster() -> None:
    sentence = CHECK.only_problem(sample(person_name="钱演示"))
    assert sentence.startswith("「姓名」（cell-person_name）填写为“钱演示”")
    assert "责任状JS-2026-0001的育龄人员基础资料中没有此人（出生日期1993-04-12）" in sentence
    wrong_birth = CHECK.only_problem(sample(person_birth_date=date(1993, 4, 13)))
    assert "没有此人（出生日期1993-04-13）" in wrong_birth


def test_two_persons_of_one_name_are_told_apart_by_birth_date() -> None:
    twins = [*ROSTER, ROSTER[0] | {"person_birth_date": date(1995, 2, 2)}]
    pledge = record(PLEDGE, PLEDGE_VALUES | {"roster": twins}, "JS-2026-0001")
    ctx = Ctx({"JS-2026-0001": pledge})
    sentence = CHECK.only_problem(sample(person_birth_date=None), ctx)
    assert "责任状JS-2026-0001中有2名同名人员，请填写出生日期以区分" in sentence
    assert CHECK.problems(sample(person_birth_date=date(1995, 2, 2)), ctx) == []


def test_unknown_pledge_and_a_visit_before_signing() -> None:
    assert "系统中没有这个编号的计划生育责任状" in CHECK.only_problem(
        sample(pledge_serial="JS-2026-0002")
    )
    early = CHECK.only_problem(sample(visit_date=SIGNED - timedelta(days=1)))
    assert f"不能早于责任状的签订日期（{SIGNED.isoformat()}）" in early


@pytest.mark.parametrize(
    ("key", "bad", "message"),
    [
        ("visit_date", TODAY + timedelta(days=1), "不能晚于今天"),
        ("visit_method", "微信", "应为以下选项之一：上门走访、电话回访、到岗面谈、其他"),
        ("situation", "正常", "应为不少于10个字"),
        ("continue_followup", "待定", "应填“是”或“否”"),
    ],
)
def test_field_rule(key: str, bad: Any, message: str) -> None:
    assert message in CHECK.only_problem(sample(**{key: bad}))


def visit(day: date, go_on: str, number: int) -> Any:
    values = sample(visit_date=day, continue_followup=go_on, visitor=f"回访人{number}")
    return child(KIND, values, f"JS-2026-0001-回访{number}", "JS-2026-0001")


def test_a_visit_updates_the_persons_row() -> None:
    row = dict(ROSTER[0]) | {"key_followup": True, "last_visit_date": date(2026, 3, 1)}
    updated = KIND.update_row(row, visit(date(2026, 6, 1), "否", 1))
    assert updated["last_visit_date"] == date(2026, 6, 1) and updated["key_followup"] is False
    assert (updated["visit_count"], updated["last_visitor"]) == (1, "回访人1")
    # An older visit filed late counts, but the roster already knows a later one.
    again = KIND.update_row(updated, visit(date(2026, 5, 1), "是", 2))
    assert again["last_visit_date"] == date(2026, 6, 1) and again["key_followup"] is False
    assert (again["visit_count"], again["last_visitor"]) == (2, "回访人1")


# -- through the pipeline -----------------------------------------------------------------


def persons(ws: Workspace) -> dict[str, dict[str, Any]]:
    header, rows = register_rows(ws.outbox / "registers" / "育龄人员基础资料档案.xlsx")
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def test_visits_update_the_roster_register(ws: Workspace) -> None:
    ws.drop("1-责任状.xlsx", ws.xlsx("fp_pledge"))
    ws.drop("2-回访.xlsx", ws.xlsx("fp_visit", visit_date=TODAY - timedelta(days=1)))
    ws.drop("3-回访.docx", ws.docx("fp_visit", 2))  # 林样例: no more key visits
    result = ws.process()
    assert [j.record.ident for j in result.jobs if j.record] == [
        "JS-2026-0001",
        "JS-2026-0001-回访1",
        "JS-2026-0001-回访2",
    ]
    people = persons(ws)
    chen, lin = people["陈示例"], people["林样例"]
    assert chen["最近回访日期"].date() == TODAY - timedelta(days=1)
    assert chen["下次回访日期"].date() == TODAY + timedelta(days=89)
    assert (chen["回访到期"], chen["回访次数"], chen["最近回访人"]) == ("否", 1, "女工委员周示例")
    assert (lin["重点回访"], lin["下次回访日期"], lin["回访次数"]) == ("否", None, 1)
    assert people["何示例"]["回访次数"] is None  # never visited: due at once, as before
    assert people["何示例"]["回访到期"] == "是"
    header, rows = register_rows(ws.outbox / "registers" / "育龄人员回访记录台账.xlsx")
    visits = [dict(zip(header, row, strict=True)) for row in rows]
    assert [(v["编号"], v["姓名"], v["所属单位（乙方）"]) for v in visits] == [
        ("JS-2026-0001-回访1", "陈示例", "运行部一值"),
        ("JS-2026-0001-回访2", "林样例", "运行部一值"),
    ]
    text = docx_text(ws.outputs("documents", "*回访1*")[0])
    assert "姓名 | 陈示例 | 性别 | 女" in text and "子女数 | 1个" in text
    assert f"下次回访日期 | {TODAY.year}年9月12日" in text


def test_a_sheet_prefilled_for_one_person(ws: Workspace) -> None:
    ws.drop("责任状.xlsx", ws.xlsx("fp_pledge"))
    (pledge,) = ws.process().jobs
    assert pledge.record is not None
    person = pledge.record.values["roster"][3]
    raw = docx_form.read(prefilled_form(KIND, ws.config, pledge.record, "docx", person), KIND)
    assert (raw.fields["pledge_serial"].value, raw.fields["person_name"].value) == (
        "JS-2026-0001",
        "何示例",
    )
    assert raw.fields["person_birth_date"].value == "1999-11-08"
    assert raw.fields["visit_date"].value is None
