"""劳动模范和先进生产（工作）者推荐审批表: its rules, the document's layered 推荐意见 and the
劳模档案台账 with one row per person and the honours of every year."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from forms import get_kind
from forms.samples import fictional_id
from tests.conftest import Workspace, docx_text
from tests.rules import TODAY, Checker

KIND = get_kind("model_worker")
CHECK = Checker(KIND)


def sample(**changes: Any) -> dict[str, Any]:
    return CHECK.sample(**changes)


def test_the_samples_pass() -> None:
    assert CHECK.problems(sample()) == []
    assert CHECK.problems(KIND.samples(TODAY)[2].values) == []


def test_the_deeds_run_to_two_hundred_characters() -> None:
    assert CHECK.problems(sample(main_deeds="事" * 200)) == []
    assert "应为不少于200个字（现为199个字）" in CHECK.only_problem(sample(main_deeds="事" * 199))


def test_the_medal_is_conferred_by_the_bingtuan_or_the_nation() -> None:
    for level in ("兵团", "全国"):
        assert CHECK.problems(sample(honour="五一劳动奖章", level=level)) == []
    sentence = CHECK.only_problem(sample(honour="五一劳动奖章", level="一师"))
    assert sentence.startswith("「级别」") and "只由兵团或全国总工会授予" in sentence


def test_the_person_as_the_id_number_says() -> None:
    assert "与身份证号码不符：号码第17位表示“男”" in CHECK.only_problem(sample(gender="女"))
    young = CHECK.only_problem(sample(employment_date=date(1995, 1, 1)))
    assert "应在本人年满16周岁之后（出生于1982-06-08）" in young


def test_the_years() -> None:
    assert "应为2025至2027年之间" in CHECK.only_problem(sample(award_year=2024, honours=[]))
    late = [{"honour_year": 2027, "honour_name": "先进生产者", "honour_level": "公司"}]
    assert "不能晚于评选年度2026年（有2027年）" in CHECK.only_problem(sample(honours=late))


@pytest.mark.parametrize(
    ("key", "bad", "message"),
    [
        ("political_status", "党员", "中共党员、中共预备党员、共青团员、民主党派、群众"),
        ("education", "本科", "研究生、大学本科、大学专科"),
        ("level", "自治区", "公司、一师、兵团、全国"),
        ("employment_date", TODAY + timedelta(days=1), "不能晚于今天"),
    ],
)
def test_field_rule(key: str, bad: Any, message: str) -> None:
    assert message in CHECK.only_problem(sample(**{key: bad}))


@pytest.mark.parametrize("key", ["name", "id_number", "department", "main_deeds", "honour"])
def test_required_fields(key: str) -> None:
    assert "未填写，此项为必填项" in CHECK.only_problem(sample(**{key: None}))


# -- through the pipeline -----------------------------------------------------------------


def test_the_archive_accumulates_honours_per_person(ws: Workspace) -> None:
    ws.drop("1.xlsx", ws.xlsx("model_worker"))  # 孙示例, 一师劳动模范
    ws.drop("2.docx", ws.docx("model_worker", level="兵团", honours=[]))  # the same person
    ws.drop("3.xlsx", ws.xlsx("model_worker", 2))  # 周演示, 20 earlier honours
    result = {job.name: job for job in ws.process().jobs}
    assert [result[n].outcome for n in ("1.xlsx", "2.docx", "3.xlsx")] == ["accepted"] * 3
    book = load_workbook(ws.outbox / "registers" / "劳模档案台账.xlsx")
    table = [list(r) for r in book.worksheets[0].iter_rows(min_row=3, values_only=True)]
    people = {row[0]: dict(zip([str(h) for h in table[0]], row, strict=True)) for row in table[1:]}
    sun = people["孙示例"]
    assert (sun["推荐次数"], sun["最高推荐级别"], sun["推荐审批表编号"]) == (
        2,
        "兵团",
        "LM-2026-0001、LM-2026-0002",
    )
    assert sun["历年荣誉"] == (
        "2024年公司先进生产者；2025年公司技术革新一等奖；"
        "2026年一师劳动模范（推荐，LM-2026-0001）；2026年兵团劳动模范（推荐，LM-2026-0002）"
    )
    assert people["周演示"]["历年荣誉"].count("；") == 20
    register = [list(r) for r in book.worksheets[1].iter_rows(min_row=4, values_only=True)]
    assert [row[0] for row in register] == ["LM-2026-0001", "LM-2026-0002", "LM-2026-0003"]


def test_a_second_nomination_at_the_same_level_is_flagged(ws: Workspace) -> None:
    ws.drop("1.xlsx", ws.xlsx("model_worker"))
    ws.drop("2.xlsx", ws.xlsx("model_worker", level="兵团"))
    ws.process()
    ws.drop("3.xlsx", ws.xlsx("model_worker", department_opinion="更正事迹后再次推荐。"))
    (job,) = ws.process().jobs
    assert job.outcome == "accepted" and job.record is not None
    assert job.record.derived == {"repeated": True, "earlier_serials": "LM-2026-0001"}
    book = load_workbook(ws.outbox / "registers" / "劳模档案台账.xlsx")
    sheet = book.worksheets[1]
    assert [sheet.cell(row, 11).value for row in (4, 5, 6)] == ["否", "否", "是"]
    assert sheet["A6"].fill.fgColor.rgb.endswith("FCE4D6")
    person = [list(r) for r in book.worksheets[0].iter_rows(min_row=4, values_only=True)]
    assert len(person) == 1 and person[0][9] == 3  # one person, three nominations


def test_the_nomination_document(ws: Workspace) -> None:
    ws.drop("1.xlsx", ws.xlsx("model_worker", id_number=fictional_id("19820608", 5)))
    ws.process()
    (document,) = ws.outputs("documents")
    text = docx_text(document)
    assert "编号：LM-2026-0001　　评选年度：2026年" in text
    assert "出生日期 | 1982年6月8日 | 民族 | 汉族" in text
    assert "2024年公司先进生产者；2025年公司技术革新一等奖（盛源热电）" in text
    for block in ("公司工会意见", "公司党委意见", "上级工会审批意见"):
        assert f"{block} | \n\n（盖章）" in text  # an empty block, signed and sealed on paper
    assert "所在部门推荐意见 | 该同志业绩突出" in text
