"""提案审查和办理答复表: the decision on a motion and its handling, filed under the motion.

The standard: 落实职代会的各项职能，促进民主管理规范化、制度化. In the usual practice of the
workers' congress, the 提案工作委员会 decides each motion (立案, 不立案 with its reason, or 转为
意见建议 to a department), the 承办部门 answers in writing, and the proposer says whether he is
satisfied; an answer he is not satisfied with is handled again.

A follow-up has no serial of its own (``TA-2026-0001-答复1``). The first one may carry only the
decision; a later one repeats it with the answer and the proposer's opinion. The motion's status
on the register follows from the latest one.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from forms import motion
from forms.base import (
    Column,
    DocumentSpec,
    FormContext,
    FormKind,
    FormModel,
    Parent,
    RecordView,
    RegisterSpec,
    RuleResult,
    rule,
)
from forms.fields import Choice, Date, Department, Serial, Text
from forms.followup import latest, no_such_record, not_before
from forms.samples import Sample

ACCEPT, REFUSE, REFER = "立案", "不立案", "转意见建议"
DECISIONS = (ACCEPT, REFUSE, REFER)
SATISFIED, FAIRLY, UNSATISFIED = "满意", "基本满意", "不满意"
OPINIONS = (SATISFIED, FAIRLY, UNSATISFIED)
WAITING = "待审查"


def is_closed(values: dict[str, Any]) -> bool:
    """A motion is settled when it was refused, or its proposer accepted the answer."""
    return values["decision"] == REFUSE or values["proposer_opinion"] in (SATISFIED, FAIRLY)


def status(values: dict[str, Any]) -> str:
    """Where a motion stands after a follow-up with these values."""
    if not values:
        return WAITING
    if values["decision"] == REFUSE:
        return REFUSE
    if values["reply"] is None:
        return "已立案，待答复" if values["decision"] == ACCEPT else "转意见建议，待答复"
    opinion = values["proposer_opinion"]
    if opinion is None:
        return "已答复，待提案人意见"
    return "提案人不满意，重新办理" if opinion == UNSATISFIED else f"办结（{opinion}）"


class MotionReplyForm(FormModel):
    motion_serial: Annotated[
        str,
        Serial(
            "提案编号",
            prefix=motion.KIND.serial_prefix or "",
            hint="提案表上的编号，格式如 TA-2026-0001",
        ),
    ]
    decision: Annotated[str, Choice("审查结论", choices=DECISIONS)]
    review_date: Annotated[date, Date("审查日期", past=True)]
    review_opinion: Annotated[
        str | None, Text("审查意见", lines=3, hint="不立案或转为意见建议的，写明理由")
    ] = None
    handling_department: Annotated[
        str | None, Department("承办部门", hint="立案或转为意见建议的，填写承办部门")
    ] = None
    reply: Annotated[
        str | None, Text("办理答复", lines=8, hint="承办部门的办理情况和答复，答复后填写")
    ] = None
    reply_date: Annotated[date | None, Date("答复日期", past=True)] = None
    proposer_opinion: Annotated[
        str | None, Choice("提案人意见", choices=OPINIONS, hint="提案人看过答复后填写")
    ] = None

    @rule("motion_serial")
    def names_an_open_motion(self, ctx: FormContext) -> RuleResult:
        found = ctx.record(self.motion_serial)
        if found is None:
            yield "motion_serial", no_such_record("提案", motion.KIND.title)
            return
        last = [child for child in found.children if child.kind == KIND.key]
        if last and is_closed(last[-1].values):
            yield (
                "motion_serial",
                f"该提案已{status(last[-1].values)}（{last[-1].ident}），不能再提交审查答复表",
            )

    @rule("review_date", "motion_serial")
    def reviewed_after_submission(self, ctx: FormContext) -> RuleResult:
        found = ctx.record(self.motion_serial)
        submitted = found.values.get("submit_date") if found else None
        yield from not_before("review_date", self.review_date, submitted, "提案的提出日期")

    @rule("decision", "review_opinion", "handling_department", "reply")
    def decision_explained(self, ctx: FormContext) -> RuleResult:
        if self.decision in (REFUSE, REFER) and self.review_opinion is None:
            yield "review_opinion", f"审查结论为“{self.decision}”时必须写明理由"
        if self.decision == REFUSE:
            for key in ("handling_department", "reply"):
                if getattr(self, key) is not None:
                    yield key, f"审查结论为“{REFUSE}”时不填写"
        elif self.handling_department is None:
            yield "handling_department", f"审查结论为“{self.decision}”时必须填写"

    @rule("reply", "reply_date", "review_date", "proposer_opinion")
    def answered_on_a_day(self, ctx: FormContext) -> RuleResult:
        if self.reply is not None and self.reply_date is None:
            yield "reply_date", "填写了办理答复时必须填写"
        if self.reply is None and self.reply_date is not None:
            yield "reply_date", "没有办理答复时不填写"
        if self.reply_date is not None and self.reply_date < self.review_date:
            yield "reply_date", f"不能早于审查日期（{self.review_date.isoformat()}）"
        if self.reply is None and self.proposer_opinion is not None:
            yield "proposer_opinion", "提案人意见在办理答复之后填写"


class MotionReply(FormKind):
    key = "motion_reply"
    title = "提案审查和办理答复表"
    model = MotionReplyForm
    parent = Parent(kind=motion.KIND.key, key="motion_serial", suffix="答复")
    name_key = "decision"
    summary = "提案工作委员会审查立案、承办部门答复、提案人反馈意见后报送，生成提案办理答复单"
    documents = (DocumentSpec("提案办理答复单", "motion_reply.docx"),)
    derived = {
        "status": Text("办理状态"),
        "congress_session": Text("届次"),
        "subject": Text("案由"),
        "proposer": Text("提案人"),
        "proposer_department": Text("提案人所在部门"),
        "category": Text("提案类别"),
    }
    registers = (
        RegisterSpec(
            "提案办理答复台账",
            columns=(
                Column("ident", width=17),
                Column("subject", width=24),
                Column("proposer", width=9),
                Column("decision", width=9),
                Column("review_date", width=11),
                Column("review_opinion", width=20),
                Column("handling_department", width=10),
                Column("reply", width=30),
                Column("reply_date", width=11),
                Column("proposer_opinion", width=8),
                Column("status", width=14),
            ),
        ),
    )
    parent_values = {
        "status": Text("办理状态"),
        "decision": Text("审查结论"),
        "handling_department": Text("承办部门"),
        "reply_date": Date("答复日期"),
        "proposer_opinion": Text("提案人意见"),
    }
    parent_columns = {
        "提案登记台账": (
            Column("decision", width=9),
            Column("handling_department", width=10),
            Column("reply_date", width=11),
            Column("proposer_opinion", width=8),
            Column("status", width=14),
        )
    }

    def live(self, record: RecordView, today: date) -> dict[str, Any]:
        keys = ("congress_session", "subject", "proposer", "proposer_department", "category")
        return record.from_parent(keys) | {"status": status(record.values)}

    def parent_live(
        self, parent: RecordView, children: list[RecordView], today: date
    ) -> dict[str, Any]:
        last = latest(children)
        return {key: last.get(key) for key in self.parent_values} | {"status": status(last)}

    def samples(self, today: date, parent: RecordView | None = None) -> list[Sample]:
        return _samples(today, parent)


def _samples(today: date, parent: RecordView | None) -> list[Sample]:
    serial = parent.serial if parent and parent.serial else f"TA-{today.year}-0001"
    submitted = parent.values["submit_date"] if parent else today
    decided: dict[str, Any] = {
        "motion_serial": serial,
        "decision": ACCEPT,
        "review_date": max(submitted, today - timedelta(days=5)),
        "review_opinion": "符合提案条件，立案，由综合事务部承办，一个月内答复。",
        "handling_department": "综合事务部",
    }
    reply = "经研究，综合事务部会同运行部对集控楼休息室进行了改造，增设加热设备和就餐桌椅，"
    answered = decided | {
        "reply": (reply * 30)[:1000],
        "reply_date": today,
        "proposer_opinion": SATISFIED,
    }
    return [
        # The decision first, then the answer: the names keep them in this order in a batch.
        Sample("提案审查答复-夜班班中餐", decided),
        Sample(
            "提案审查答复-夜班班中餐（有错误）",
            answered
            | {
                "decision": REFUSE,
                "review_date": submitted - timedelta(days=1),
                "review_opinion": None,
                "reply_date": None,
                "proposer_opinion": "很满意",
            },
            good=False,
        ),
        Sample("提案审查答复-夜班班中餐（长文本）", answered),
    ]


KIND = MotionReply()
