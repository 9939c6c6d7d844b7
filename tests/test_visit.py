"""送温暖走访慰问记录表: its rules, the hardship register's visits and 慰问金, the pre-filled
sheet that comes back through the inbox."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from forms import get_kind
from pipeline import docx_form, xlsx_form
from pipeline.blank_forms import prefilled_form
from pipeline.samples import FILLERS
from tests.conftest import Workspace, docx_text, register_rows
from tests.rules import TODAY, Checker, Ctx, child, record

KIND = get_kind("visit")
HARDSHIP = get_kind("hardship")
FILE = record(HARDSHIP, HARDSHIP.samples(TODAY)[0].values, "KN-2026-0001")
CHECK = Checker(KIND, ctx=Ctx({"KN-2026-0001": FILE}))
APPLIED = FILE.values["application_date"]
VISIT_FIELDS = ("visit_date", "festival", "visitors", "amount", "gifts", "family_situation")


def sample(**changes: Any) -> dict[str, Any]:
    return CHECK.sample(**changes)


def test_the_sample_passes() -> None:
    assert CHECK.problems(sample()) == []


def test_the_serial_is_read_as_copied() -> None:
    assert CHECK.form(sample(hardship_serial="kn-2026-1")).hardship_serial == "KN-2026-0001"


def test_unknown_file() -> None:
    sentence = CHECK.only_problem(sample(hardship_serial="KN-2026-0007"))
    assert sentence.startswith("「困难职工档案编号」（cell-hardship_serial）填写为“KN-2026-0007”")
    assert (
        "系统中没有这个编号的困难职工档案" in sentence and "困难职工帮扶申请表须先报送" in sentence
    )


def test_the_name_must_be_the_one_on_file() -> None:
    sentence = CHECK.only_problem(sample(name="张样例"))
    assert "「姓名」" in sentence and "与档案KN-2026-0001中的姓名“张示例”不符" in sentence


def test_not_visited_before_applying() -> None:
    assert CHECK.problems(sample(visit_date=APPLIED)) == []
    sentence = CHECK.only_problem(sample(visit_date=APPLIED - timedelta(days=1)))
    assert f"不能早于该职工的申请日期（{APPLIED.isoformat()}）" in sentence


def test_money_or_gifts() -> None:
    assert CHECK.problems(sample(amount=None)) == []
    assert CHECK.problems(sample(gifts=None)) == []
    sentence = CHECK.only_problem(sample(amount=None, gifts=None))
    assert sentence.startswith("「慰问金（元）」") and "慰问金和慰问品至少填写一项" in sentence


@pytest.mark.parametrize(
    ("key", "bad", "message"),
    [
        ("visit_date", TODAY + timedelta(days=1), "不能晚于今天"),
        ("festival", "中秋", "应为以下选项之一：元旦、春节、其他"),
        ("amount", "-1", "金额不能为负数"),
        ("family_situation", "还好", "应为不少于10个字（现为2个字）"),
    ],
)
def test_field_rule(key: str, bad: Any, message: str) -> None:
    assert message in CHECK.only_problem(sample(**{key: bad}))


@pytest.mark.parametrize(
    "key", ["hardship_serial", "name", "department", "visit_date", "festival", "visitors"]
)
def test_required_fields(key: str) -> None:
    assert "未填写，此项为必填项" in CHECK.only_problem(sample(**{key: None}))


def test_festival_of_the_day() -> None:
    from forms.visit import festival_of

    assert [festival_of(date(2027, m, d)) for m, d in ((1, 1), (1, 20), (2, 10), (6, 1))] == [
        "元旦",
        "春节",
        "春节",
        "其他",
    ]


def visit_on(day: date, amount: str, number: int) -> Any:
    values = sample(visit_date=day, amount=amount)
    return child(KIND, values, f"KN-2026-0001-走访{number}", "KN-2026-0001")


def test_the_file_counts_its_visits_and_the_years_money() -> None:
    visits = [
        visit_on(date(2025, 12, 30), "2000", 1),
        visit_on(date(2026, 1, 20), "1500.50", 2),
        visit_on(date(2026, 2, 1), "500", 3),
    ]
    values = KIND.parent_live(FILE, visits, TODAY)
    assert values == {
        "visit_count": 3,
        "last_visit_date": date(2026, 2, 1),
        "year_visit_amount": Decimal("2000.50"),
        "total_visit_amount": Decimal("4000.50"),
    }
    assert KIND.parent_live(FILE, [], TODAY)["year_visit_amount"] == 0


# -- through the pipeline -----------------------------------------------------------------


def hardship_rows(ws: Workspace) -> list[dict[str, Any]]:
    header, rows = register_rows(ws.outbox / "registers" / "困难职工档案台账.xlsx")
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_visits_on_the_hardship_register(ws: Workspace) -> None:
    ws.drop("1-申请.xlsx", ws.xlsx("hardship"))
    ws.drop("2-走访.xlsx", ws.xlsx("visit", amount="1000"))
    ws.drop("3-走访.docx", ws.docx("visit", amount="800.5", gifts=None))
    result = ws.process()
    assert [job.record.ident for job in result.jobs if job.record] == [
        "KN-2026-0001",
        "KN-2026-0001-走访1",
        "KN-2026-0001-走访2",
    ]
    (row,) = hardship_rows(ws)
    assert (row["走访次数"], row["本年度慰问金（元）"]) == (2, 1800.5)
    assert row["最近走访日期"].date() == TODAY
    header, rows = register_rows(ws.outbox / "registers" / "送温暖走访慰问台账.xlsx")
    visits = [dict(zip(header, r, strict=True)) for r in rows]
    assert [(v["编号"], v["慰问金（元）"], v["困难类别"]) for v in visits] == [
        ("KN-2026-0001-走访1", 1000, "相对困难"),
        ("KN-2026-0001-走访2", 800.5, "相对困难"),
    ]


def test_the_visit_record_document(ws: Workspace) -> None:
    ws.drop("1-申请.xlsx", ws.xlsx("hardship"))
    ws.drop("2-走访.xlsx", ws.xlsx("visit", amount="1200"))
    ws.process()
    (document,) = ws.outputs("documents", "*走访*")
    assert document.name == "KN-2026-0001-走访1-送温暖走访慰问记录-张示例.docx"
    text = docx_text(document)
    assert "编号：KN-2026-0001-走访1" in text
    assert "档案编号 | KN-2026-0001 | 困难类别 | 相对困难" in text
    assert "慰问金 | ¥1,200.00（人民币壹仟贰佰元整）" in text
    assert "家庭住址 | 阿拉尔市示例路1号" in text


def test_a_file_without_visits_shows_none(ws: Workspace) -> None:
    ws.drop("申请.xlsx", ws.xlsx("hardship"))
    ws.process()
    (row,) = hardship_rows(ws)
    assert (row["走访次数"], row["最近走访日期"], row["本年度慰问金（元）"]) == (0, None, 0)


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_the_prefilled_sheet_comes_back_through_the_inbox(ws: Workspace, fmt: str) -> None:
    ws.drop("申请.xlsx", ws.xlsx("hardship", 1))  # 王样例, 检修部
    (applied,) = ws.process().jobs
    assert applied.record is not None
    sheet = prefilled_form(KIND, ws.config, applied.record, fmt)
    reader = {"xlsx": xlsx_form.read, "docx": docx_form.read}[fmt]
    raw = reader(sheet, KIND)
    assert {key: raw.fields[key].value for key in ("hardship_serial", "name", "department")} == {
        "hardship_serial": "KN-2026-0001",
        "name": "王样例",
        "department": "检修部",
    }
    assert all(raw.fields[key].value is None for key in VISIT_FIELDS)
    # Returned as printed: only the visit's own fields are missing.
    ws.drop(f"空白走访表.{fmt}", sheet)
    (returned,) = ws.process().jobs
    assert returned.outcome == "rejected"
    assert {p.label for p in returned.problems} == {
        "走访日期",
        "节日",
        "走访人",
        "家庭近况",
        "慰问金（元）",
    }
    # Filled in: accepted under the family's file.
    filled = KIND.prefill(applied.record) | {
        key: value for key, value in KIND.samples(TODAY)[0].values.items() if key in VISIT_FIELDS
    }
    ws.drop(f"走访表.{fmt}", FILLERS[fmt](KIND, ws.config, filled))
    (accepted,) = ws.process().jobs
    assert accepted.outcome == "accepted", [p.sentence() for p in accepted.problems]
    assert accepted.record is not None and accepted.record.ident == "KN-2026-0001-走访1"
