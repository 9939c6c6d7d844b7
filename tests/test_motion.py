"""职工代表大会提案表 and 提案审查和办理答复表: their rules, a motion's status from 待审查 to
办结, and the hazards flagged 提交职代会审议 on the motions register."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from forms import get_kind
from forms.motion_reply import status
from tests.conftest import Workspace, docx_text
from tests.rules import TODAY, Checker, Ctx, child, record

KIND = get_kind("motion")
REPLY = get_kind("motion_reply")
CHECK = Checker(KIND)
SUBMITTED = KIND.samples(TODAY)[0].values["submit_date"]


def sample(**changes: Any) -> dict[str, Any]:
    return CHECK.sample(**changes)


def test_the_samples_pass() -> None:
    assert CHECK.problems(sample()) == []
    assert CHECK.problems(KIND.samples(TODAY)[2].values) == []


@pytest.mark.parametrize("session", ["第五届职工代表大会第三次会议", "第五届第3次职代会"])
def test_the_session_is_named(session: str) -> None:
    assert CHECK.problems(sample(congress_session=session)) == []


def test_a_session_without_its_numbers() -> None:
    sentence = CHECK.only_problem(sample(congress_session="今年的职代会"))
    assert "应写明第几届第几次会议" in sentence


def test_seconders_at_least_the_configured_number() -> None:
    two = sample()["seconders"][:2]
    assert CHECK.problems(sample(seconders=two)) == []
    sentence = CHECK.only_problem(sample(seconders=two[:1]))
    assert "应有2名以上职工代表附议（现有1人）" in sentence
    assert "应有3名以上" in CHECK.only_problem(sample(seconders=two), Ctx(min_seconders=3))
    assert CHECK.problems(sample(seconders=[]), Ctx(min_seconders=0)) == []
    repeated = CHECK.only_problem(sample(seconders=[two[0], two[0]]))
    assert "现有1人" in repeated and "附议人不能重复" in repeated


def test_the_proposer_does_not_second_himself() -> None:
    seconders = sample()["seconders"] + [{"seconder_name": "陈示例"}]
    assert "提案人“陈示例”不能同时是附议人" in CHECK.only_problem(sample(seconders=seconders))


@pytest.mark.parametrize(
    ("key", "bad", "message"),
    [
        ("category", "福利", "生产经营、安全生产、劳动保护、职工生活、民主管理、其他"),
        ("subject", "活动", "应为4至60个字"),
        ("reason", "不够用", "应为不少于20个字"),
        ("submit_date", TODAY + timedelta(days=1), "不能晚于今天"),
        ("proposer_phone", "12345", "应为11位手机号码"),
    ],
)
def test_field_rule(key: str, bad: Any, message: str) -> None:
    assert message in CHECK.only_problem(sample(**{key: bad}))


# -- review and reply ----------------------------------------------------------------------


def motion_with(*replies: dict[str, Any]) -> Any:
    children = [
        child(REPLY, REPLY.samples(TODAY)[0].values | changes, f"TA-2026-0001-答复{n}", "TA")
        for n, changes in enumerate(replies, 1)
    ]
    return record(KIND, sample(), "TA-2026-0001", children)


REPLIES = Checker(REPLY, ctx=Ctx({"TA-2026-0001": motion_with()}))
ANSWER = {"reply": "已增设两台微波炉。", "reply_date": TODAY}


def reply(**changes: Any) -> dict[str, Any]:
    return REPLIES.sample(**changes)


def test_the_reply_samples_pass() -> None:
    assert REPLIES.problems(reply()) == []
    assert REPLIES.problems(REPLY.samples(TODAY)[2].values) == []


def test_a_refusal_gives_its_reason_and_nothing_else() -> None:
    found = REPLIES.problems(reply(decision="不立案", review_opinion=None))
    assert found[0].startswith("「审查意见」（cell-review_opinion）未填写，")
    assert "审查结论为“不立案”时必须写明理由" in found[0]
    assert "审查结论为“不立案”时不填写" in found[1]
    refused = reply(decision="不立案", review_opinion="属于行政日常工作", handling_department=None)
    assert REPLIES.problems(refused) == []


def test_accepted_or_referred_names_a_department() -> None:
    for decision in ("立案", "转意见建议"):
        sentence = REPLIES.only_problem(reply(decision=decision, handling_department=None))
        assert f"审查结论为“{decision}”时必须填写" in sentence


def test_an_answer_has_its_day_and_comes_before_the_opinion() -> None:
    assert REPLIES.problems(reply(**ANSWER)) == []
    assert "填写了办理答复时必须填写" in REPLIES.only_problem(reply(reply="已办理完毕。"))
    assert "提案人意见在办理答复之后填写" in REPLIES.only_problem(reply(proposer_opinion="满意"))
    early = REPLIES.only_problem(reply(**ANSWER | {"reply_date": SUBMITTED}))
    assert "不能早于审查日期" in early


def test_a_settled_motion_takes_no_more_replies() -> None:
    done = Ctx({"TA-2026-0001": motion_with({}, ANSWER | {"proposer_opinion": "基本满意"})})
    sentence = REPLIES.only_problem(reply(), done)
    assert "该提案已办结（基本满意）（TA-2026-0001-答复2），不能再提交审查答复表" in sentence
    again = Ctx({"TA-2026-0001": motion_with(ANSWER | {"proposer_opinion": "不满意"})})
    assert REPLIES.problems(reply(), again) == []


def test_status_of_a_motion() -> None:
    base = REPLY.samples(TODAY)[0].values | {"reply": None, "proposer_opinion": None}
    assert status({}) == "待审查"
    assert status(base) == "已立案，待答复"
    assert status(base | {"decision": "转意见建议"}) == "转意见建议，待答复"
    assert status(base | {"decision": "不立案"}) == "不立案"
    assert status(base | {"reply": "已办"}) == "已答复，待提案人意见"
    assert status(base | {"reply": "已办", "proposer_opinion": "满意"}) == "办结（满意）"
    unhappy = base | {"reply": "已办", "proposer_opinion": "不满意"}
    assert status(unhappy) == "提案人不满意，重新办理"


# -- through the pipeline -----------------------------------------------------------------


def sheet(ws: Workspace, index: int) -> list[dict[str, Any]]:
    book = load_workbook(ws.outbox / "registers" / "提案登记台账.xlsx")
    table = [list(r) for r in book.worksheets[index].iter_rows(min_row=3, values_only=True)]
    return [dict(zip([str(h) for h in table[0]], row, strict=True)) for row in table[1:]]


def test_a_motion_from_submission_to_settled(ws: Workspace) -> None:
    ws.drop("1-提案.xlsx", ws.xlsx("motion"))
    ws.drop("2-提案.docx", ws.docx("motion", subject="职工活动室增设乒乓球台"))
    ws.drop("3-答复.xlsx", ws.xlsx("motion_reply"))
    ws.process()
    rows = {r["编号"]: r for r in sheet(ws, 0)}
    assert (rows["TA-2026-0001"]["办理状态"], rows["TA-2026-0001"]["承办部门"]) == (
        "已立案，待答复",
        "综合事务部",
    )
    assert rows["TA-2026-0002"]["办理状态"] == "待审查"
    assert rows["TA-2026-0001"]["附议人"] == "冯示例、蒋样例、吴演示"
    ws.drop("4-答复.docx", ws.docx("motion_reply", 2))
    ws.drop("5-答复.xlsx", ws.xlsx("motion_reply", 2))  # settled by the one before: refused
    outcomes = {job.name: job for job in ws.process().jobs}
    assert outcomes["4-答复.docx"].outcome == "accepted"
    assert outcomes["5-答复.xlsx"].outcome == "rejected"
    assert (
        "该提案已办结（满意）（TA-2026-0001-答复2）" in outcomes["5-答复.xlsx"].problems[0].expected
    )
    rows = {r["编号"]: r for r in sheet(ws, 0)}
    assert (rows["TA-2026-0001"]["办理状态"], rows["TA-2026-0001"]["提案人意见"]) == (
        "办结（满意）",
        "满意",
    )
    text = docx_text(ws.outputs("documents", "*答复2*")[0])
    assert "案由 | 增设夜班职工班中餐加热设备" in text and "提案人意见 | 满意" in text
    first = docx_text(ws.outputs("documents", "*答复1*")[0])
    assert "□满意" in first and "办理状态：已立案，待答复" in first


def test_major_hazards_on_the_motions_register(ws: Workspace) -> None:
    ws.drop("1-隐患.xlsx", ws.xlsx("hazard", 0))  # 一般事故隐患
    ws.drop("2-隐患.xlsx", ws.xlsx("hazard", 1))  # 重大事故隐患, overdue
    ws.drop("3-隐患.xlsx", ws.xlsx("hazard", 0, level="重大事故隐患", location="化学加药间"))
    ws.drop(
        "4-回执.xlsx", ws.xlsx("hazard_followup", hazard_serial="YH-2026-0003", effect="隐患已消除")
    )
    ws.process()
    assert sheet(ws, 0) == []  # no motions yet: the hazards are listed all the same
    hazards = sheet(ws, 1)
    assert [(h["年度"], h["编号"], h["整改状态"], h["逾期情况"]) for h in hazards] == [
        (2026, "YH-2026-0002", "待整改", "逾期10天"),
        (2026, "YH-2026-0003", "已整改", None),
    ]
    book = load_workbook(ws.outbox / "registers" / "提案登记台账.xlsx")
    assert book.sheetnames == ["提案登记台账", "提交职代会审议的重大事故隐患"]
    assert book.worksheets[1]["A4"].fill.fgColor.rgb.endswith("FCE4D6")  # overdue
