"""合理化建议表 and 合理化建议评审表: their rules, the proposal's status, grade and awards, and the
year summary by department and by proposer."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from forms import get_kind
from tests.conftest import Workspace, docx_text, register_rows
from tests.rules import TODAY, Checker, Ctx, child, record

KIND = get_kind("proposal")
REVIEW = get_kind("proposal_review")
CHECK = Checker(KIND)
PROPOSED = KIND.samples(TODAY)[0].values["proposal_date"]


def sample(**changes: Any) -> dict[str, Any]:
    return CHECK.sample(**changes)


def test_the_samples_pass() -> None:
    assert CHECK.problems(sample()) == []
    assert CHECK.problems(KIND.samples(TODAY)[2].values) == []


def test_shares_add_up_to_a_hundred() -> None:
    first, second = sample()["proposers"]
    assert "合计应为100%（现为90%）" in CHECK.only_problem(
        sample(proposers=[first, second | {"share": 30}])
    )
    assert "要么每位建议人都填，要么都不填" in CHECK.only_problem(
        sample(proposers=[first, second | {"share": None}])
    )
    no_shares = [first | {"share": None}, second | {"share": None}]
    assert CHECK.problems(sample(proposers=no_shares)) == []


def test_each_proposer_once_and_at_least_one() -> None:
    first, _ = sample()["proposers"]
    twice = CHECK.only_problem(sample(proposers=[first | {"share": 50}, first | {"share": 50}]))
    assert "建议人“王样例”重复填写" in twice
    assert "未填写，此项为必填项，至少填写1行" in CHECK.only_problem(sample(proposers=[]))


def test_a_benefit_is_stated() -> None:
    assert CHECK.problems(sample(economic_benefit=None)) == []
    assert CHECK.problems(sample(other_benefit=None)) == []
    sentence = CHECK.only_problem(sample(economic_benefit=None, other_benefit=None))
    assert "预期经济效益和其他效益至少填写一项" in sentence


@pytest.mark.parametrize(
    ("key", "bad", "message"),
    [
        ("title", "取样", "应为4至60个字"),
        ("category", "小改小革", "合理化建议、技术革新、技术攻关、发明创造、先进操作法"),
        ("current_situation", "不好", "应为不少于10个字"),
        ("proposal_content", "改一下", "应为不少于20个字"),
        ("proposal_date", TODAY + timedelta(days=1), "不能晚于今天"),
    ],
)
def test_field_rule(key: str, bad: Any, message: str) -> None:
    assert message in CHECK.only_problem(sample(**{key: bad}))


# -- reviews -------------------------------------------------------------------------------


def proposal_with(*decisions: dict[str, Any]) -> Any:
    reviews = [
        child(REVIEW, REVIEW.samples(TODAY)[0].values | changes, f"HL-2026-0001-评审{n}", "HL")
        for n, changes in enumerate(decisions, 1)
    ]
    return record(KIND, sample(), "HL-2026-0001", reviews)


REVIEWS = Checker(REVIEW, ctx=Ctx({"HL-2026-0001": proposal_with()}))
DONE = {
    "decision": "已实施",
    "implemented_date": TODAY - timedelta(days=1),
    "implementation_effect": "盘根寿命延长到一年以上。",
}


def review(**changes: Any) -> dict[str, Any]:
    return REVIEWS.sample(**changes)


def test_the_review_samples_pass() -> None:
    assert REVIEWS.problems(review()) == []
    assert REVIEWS.problems(review(**DONE)) == []


def test_a_rejected_proposal_gets_no_grade_nor_award() -> None:
    found = REVIEWS.problems(review(decision="不采纳"))
    assert len(found) == 2 and all("不评等级、不发奖励" in s for s in found)
    assert REVIEWS.problems(review(decision="不采纳", grade=None, award=None)) == []


def test_an_award_needs_a_grade() -> None:
    assert "发放奖励的建议应评定等级" in REVIEWS.only_problem(review(grade=None))
    assert REVIEWS.problems(review(award=None)) == []


def test_implementation_reported_only_when_done() -> None:
    found = REVIEWS.problems(review(decision="已实施"))
    assert {s.split("」")[0] for s in found} == {"「实施日期", "「实施效果"}
    assert all("评审结论为“已实施”时必须填写" in s for s in found)
    early = REVIEWS.only_problem(review(implementation_effect="效果良好，无泄漏。"))
    assert "只有评审结论为“已实施”时才填写" in early
    late = REVIEWS.only_problem(
        review(**DONE | {"implemented_date": TODAY}, review_date=TODAY - timedelta(1))
    )
    assert "不能晚于评审日期" in late


def test_reviewed_after_proposed_and_not_after_closing() -> None:
    early = REVIEWS.only_problem(review(review_date=PROPOSED - timedelta(days=1)))
    assert f"不能早于建议的提出日期（{PROPOSED.isoformat()}）" in early
    closed = Ctx({"HL-2026-0001": proposal_with({}, DONE)})
    sentence = REVIEWS.only_problem(review(), closed)
    assert "该建议已评审结束（HL-2026-0001-评审2：已实施）" in sentence
    assert "系统中没有这个编号的合理化建议" in REVIEWS.only_problem(
        review(proposal_serial="HL-2026-0002")
    )


def test_standing_after_reviews() -> None:
    from forms.proposal_review import standing

    assert standing([])["status"] == "待评审"
    item = proposal_with({}, DONE | {"grade": "一等", "award": "1200", "actual_benefit": "40000"})
    values = standing(item.children)
    assert (values["status"], values["grade"], values["review_count"]) == ("已实施", "一等", 2)
    assert values["award_total"] == Decimal("2000.00")
    assert values["actual_benefit"] == Decimal("40000")


# -- through the pipeline -----------------------------------------------------------------


def sheet_rows(ws: Workspace, name: str, sheet: int = 0) -> list[dict[str, Any]]:
    book = load_workbook(ws.outbox / "registers" / name)
    table = [list(r) for r in book.worksheets[sheet].iter_rows(min_row=3, values_only=True)]
    header = [str(h).replace("\n", "") for h in table[0]]  # labels print on two lines
    return [dict(zip(header, row, strict=True)) for row in table[1:]]


def test_reviews_and_the_year_summary(ws: Workspace) -> None:
    ws.drop("1-建议.xlsx", ws.xlsx("proposal"))  # 检修部, 王样例 60% and 赵演示 40%
    ws.drop("2-建议.docx", ws.docx("proposal", department="运行部", economic_benefit="1000"))
    ws.drop("3-建议.xlsx", ws.xlsx("proposal", department="运行部", title="化学取样管路改造"))
    ws.drop("4-评审.xlsx", ws.xlsx("proposal_review"))  # 待实施, 二等, 800
    ws.drop("5-评审.docx", ws.docx("proposal_review", **DONE | {"award": "1200"}))
    ws.drop(
        "6-评审.xlsx",
        ws.xlsx(
            "proposal_review",
            proposal_serial="HL-2026-0002",
            decision="不采纳",
            grade=None,
            award=None,
        ),
    )
    result = ws.process()
    assert all(job.outcome == "accepted" for job in result.jobs), [
        [p.sentence() for p in job.problems] for job in result.jobs
    ]
    items = {r["编号"]: r for r in register_rows_of(ws, "合理化建议登记台账.xlsx")}
    assert (items["HL-2026-0001"]["评审状态"], items["HL-2026-0001"]["评审等级"]) == (
        "已实施",
        "二等",
    )
    assert items["HL-2026-0001"]["奖励金额合计（元）"] == 2000
    assert items["HL-2026-0002"]["评审状态"] == "不采纳"
    assert items["HL-2026-0003"]["评审状态"] == "待评审"
    summary = sheet_rows(ws, "合理化建议年度汇总表.xlsx")
    assert [
        (r["部门"], r["提出件数"], r["采纳件数"], r["已实施件数"], r["奖励金额合计（元）"])
        for r in summary
    ] == [("检修部", 1, 1, 1, 2000), ("运行部", 2, 0, 0, 0), ("合计", 3, 1, 1, 2000)]
    assert summary[-1]["预期经济效益合计（元/年）"] == 36000 + 1000 + 36000
    people = {r["建议人"]: r for r in sheet_rows(ws, "合理化建议年度汇总表.xlsx", 1)}
    assert people["王样例"]["个人应得奖励（元）"] == 1200  # 60% of 2,000
    assert people["赵演示"]["个人应得奖励（元）"] == 800
    assert people["王样例"]["提出件数"] == 3 and people["王样例"]["已实施件数"] == 1
    notice = docx_text(ws.outputs("documents", "*评审2*")[0])
    assert "王样例、赵演示：" in notice and "你们于" in notice
    assert "结论为“已实施”，评定为二等。奖励人民币1,200.00元（人民币壹仟贰佰元整）" in notice


def register_rows_of(ws: Workspace, name: str) -> list[dict[str, Any]]:
    header, rows = register_rows(ws.outbox / "registers" / name)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_proposal_document(ws: Workspace) -> None:
    ws.drop("建议.xlsx", ws.xlsx("proposal"))
    ws.process()
    (document,) = ws.outputs("documents")
    assert document.name == "HL-2026-0001-合理化建议登记表-凝结水泵密封水改用凝结水自密封.docx"
    text = docx_text(document)
    assert "王样例 | 检修部 | 汽机检修班长 | 60%" in text
    assert "预期经济效益 | 36,000.00元/年" in text
    assert "□采纳" in text and "评审组长（签字）" in text
