"""困难职工档案复核表: the yearly review, 脱困销档 against the local 低保 standard, and the
hardship register's 在档 / 已脱困 and the files not reviewed this year."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from forms import get_kind
from pipeline.engine import collect_inbox, open_runtime, process_batch
from tests.conftest import NOW, Workspace, docx_text, make_config, register_rows
from tests.rules import TODAY, Checker, Ctx, child, record

KIND = get_kind("hardship_review")
HARDSHIP = get_kind("hardship")
FILE_VALUES = HARDSHIP.samples(TODAY)[0].values


def file_with(*reviews: dict[str, Any]) -> Any:
    children = [
        child(KIND, KIND.samples(TODAY)[0].values | changes, f"KN-2026-0001-复核{n}", "K")
        for n, changes in enumerate(reviews, 1)
    ]
    return record(HARDSHIP, FILE_VALUES, "KN-2026-0001", children)


CHECK = Checker(KIND, ctx=Ctx({"KN-2026-0001": file_with()}))
# 3 persons: 2,400 a month is 800 a head, above the 750 of the test configuration.
OUT = {
    "conclusion": "脱困销档",
    "household_monthly_income": "2400",
    "months_above": 6,
    "out_of_hardship_date": TODAY - timedelta(days=1),
}


def sample(**changes: Any) -> dict[str, Any]:
    return CHECK.sample(**changes)


def test_the_samples_pass() -> None:
    assert CHECK.problems(sample()) == []
    assert CHECK.problems(KIND.samples(TODAY)[2].values) == []


def test_closing_a_file() -> None:
    assert CHECK.problems(sample(**OUT)) == []


def test_closing_needs_income_above_the_local_standard() -> None:
    sentence = CHECK.only_problem(sample(**OUT | {"household_monthly_income": "2250"}))
    assert sentence.startswith("「家庭月总收入（元）」")
    assert "人均月收入750.00元，未高于当地低保标准750.00元，不能脱困销档" in sentence
    higher = Ctx({"KN-2026-0001": file_with()}, minimum_living_standard=Decimal("900"))
    assert "未高于当地低保标准900.00元" in CHECK.only_problem(sample(**OUT), higher)


def test_closing_needs_six_months_above() -> None:
    sentence = CHECK.only_problem(sample(**OUT | {"months_above": 5}))
    assert "人均收入连续6个月以上高于低保标准才能脱困销档" in sentence
    assert "复核结论为“脱困销档”时必须填写" in CHECK.only_problem(
        sample(**OUT | {"months_above": None})
    )


def test_closing_date() -> None:
    assert "必须填写" in CHECK.only_problem(sample(**OUT | {"out_of_hardship_date": None}))
    assert CHECK.problems(sample(**OUT | {"out_of_hardship_date": TODAY}, review_date=TODAY)) == []
    later = sample(**OUT | {"out_of_hardship_date": TODAY}, review_date=TODAY - timedelta(1))
    assert "不能晚于复核日期（2026-06-14）" in CHECK.only_problem(later)
    assert "只有复核结论为“脱困销档”时才填写" in CHECK.only_problem(
        sample(out_of_hardship_date=TODAY)
    )


def test_adjusting_the_category() -> None:
    assert CHECK.problems(sample(conclusion="调整类别", new_category="深度困难")) == []
    assert "必须填写" in CHECK.only_problem(sample(conclusion="调整类别"))
    same = CHECK.only_problem(sample(conclusion="调整类别", new_category="相对困难"))
    assert "与档案现在的困难类别相同（相对困难），无需调整" in same
    assert "只有复核结论为“调整类别”时才填写" in CHECK.only_problem(sample(new_category="深度困难"))


def test_a_closed_file_is_not_reviewed_again() -> None:
    closed = Ctx({"KN-2026-0001": file_with(OUT)})
    sentence = CHECK.only_problem(sample(), closed)
    assert "该档案已于2026-06-15脱困销档（KN-2026-0001-复核1）" in sentence
    assert "请重新填报困难职工帮扶申请表" in sentence


def test_unknown_file_and_wrong_name() -> None:
    assert "系统中没有这个编号的困难职工档案" in CHECK.only_problem(
        sample(hardship_serial="KN-2026-0002")
    )
    assert "与档案KN-2026-0001中的姓名“张示例”不符" in CHECK.only_problem(sample(name="王样例"))


@pytest.mark.parametrize(
    ("key", "bad", "message"),
    [
        ("review_date", TODAY + timedelta(days=1), "不能晚于今天"),
        ("household_size", 0, "应为1至20之间的整数"),
        ("conclusion", "销档", "应为以下选项之一：继续帮扶、调整类别、脱困销档"),
        ("review_notes", "无变化", "应为不少于10个字"),
    ],
)
def test_field_rule(key: str, bad: Any, message: str) -> None:
    assert message in CHECK.only_problem(sample(**{key: bad}))


def test_status_of_a_file() -> None:
    last_year = file_with({"review_date": date(2025, 12, 1)})
    last_year.year = 2025
    status = KIND.parent_live(last_year, last_year.children, TODAY)
    assert (status["file_status"], status["review_due"], status["review_count"]) == (
        "在档",
        True,
        1,
    )
    assert status["last_review_date"] == date(2025, 12, 1)
    this_year = file_with({"review_date": date(2026, 1, 10)})
    this_year.year = 2025
    assert KIND.parent_live(this_year, this_year.children, TODAY)["review_due"] is False
    new = file_with()  # opened this year: no review due before next year
    assert KIND.parent_live(new, [], TODAY)["review_due"] is False
    closed = file_with(OUT | {"review_date": date(2025, 12, 1)})
    closed.year = 2025
    status = KIND.parent_live(closed, closed.children, TODAY)
    assert (status["file_status"], status["review_due"]) == ("已脱困", False)


# -- through the pipeline -----------------------------------------------------------------


def rows(ws: Workspace, name: str, sheet: int = 0) -> list[dict[str, Any]]:
    from openpyxl import load_workbook

    path = ws.outbox / "registers" / name
    if sheet == 0:
        header, body = register_rows(path)
    else:
        ws_ = load_workbook(path).worksheets[sheet]
        table = [list(r) for r in ws_.iter_rows(min_row=3, values_only=True)]
        header, body = [str(h) for h in table[0]], table[1:]
    return [dict(zip(header, row, strict=True)) for row in body]


def test_reviews_on_the_hardship_register(ws: Workspace) -> None:
    ws.drop("1-申请.xlsx", ws.xlsx("hardship"))
    ws.drop("2-复核.xlsx", ws.xlsx("hardship_review", 0, household_monthly_income="2100"))
    ws.drop(
        "3-复核.docx",
        ws.docx(
            "hardship_review",
            0,
            conclusion="调整类别",
            new_category="深度困难",
            household_monthly_income="1800",
        ),
    )
    result = ws.process()
    assert [j.record.ident for j in result.jobs if j.record] == [
        "KN-2026-0001",
        "KN-2026-0001-复核1",
        "KN-2026-0001-复核2",
    ]
    (row,) = rows(ws, "困难职工档案台账.xlsx")
    assert (row["档案状态"], row["现困难类别"], row["最近复核结论"]) == (
        "在档",
        "深度困难",
        "调整类别",
    )
    assert (row["复核人均月收入（元）"], row["低于低保标准"]) == (600, "是")
    reviews = rows(ws, "困难职工档案复核台账.xlsx")
    assert [(r["编号"], r["复核人均月收入（元）"], r["当地低保标准（元）"]) for r in reviews] == [
        ("KN-2026-0001-复核1", 700, 750),
        ("KN-2026-0001-复核2", 600, 750),
    ]
    text = docx_text(ws.outputs("documents", "*复核2*")[0])
    assert "复核前困难类别 | 相对困难" in text and "调整类别：调整为深度困难" in text
    assert "低于当地低保标准，应协助其申请纳入城市居民最低生活保障" in text


def test_a_closed_file_and_the_files_due_for_review(tmp_path: Any) -> None:
    """Files from last year: one reviewed and closed this year, one not reviewed at all."""
    config = make_config(tmp_path)
    last_year = datetime(2025, 11, 20, 9, 0)
    from pipeline.samples import fill_xlsx

    inbox = config.folders.inbox
    inbox.mkdir(parents=True)
    old = {"application_date": date(2025, 11, 1)}
    for index in (0, 1):
        values = HARDSHIP.samples(TODAY)[index].values | old
        (inbox / f"申请{index}.xlsx").write_bytes(fill_xlsx(HARDSHIP, config, values))
    rt = open_runtime(config, clock=lambda: last_year)
    assert [j.outcome for j in process_batch(collect_inbox(config), rt).jobs] == ["accepted"] * 2
    rt.close()
    review = KIND.samples(TODAY)[0].values | OUT
    review |= {"hardship_serial": "KN-2025-0001", "household_monthly_income": "3000"}
    (inbox / "复核.xlsx").write_bytes(fill_xlsx(KIND, config, review))
    rt = open_runtime(config, clock=lambda: NOW)
    (job,) = process_batch(collect_inbox(config), rt).jobs
    rt.close()
    assert job.outcome == "accepted", [p.sentence() for p in job.problems]
    ws = Workspace(tmp_path, config, rt)
    files = {r["编号"]: r for r in rows(ws, "困难职工档案台账.xlsx")}
    assert files["KN-2025-0001"]["档案状态"] == "已脱困"
    assert files["KN-2025-0001"]["本年度未复核"] == "否"
    assert (files["KN-2025-0002"]["档案状态"], files["KN-2025-0002"]["本年度未复核"]) == (
        "在档",
        "是",
    )
    due = rows(ws, "困难职工档案复核台账.xlsx", sheet=1)
    assert [(r["编号"], r["姓名"]) for r in due] == [("KN-2025-0002", "王样例")]
