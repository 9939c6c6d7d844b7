"""合理化建议评审表: the committee's review of a proposal, filed under it (``HL-2026-0001-评审1``).

The standard: 工会应主动会同盛源热电行政研究制定奖励办法 … 做到创新有功，有功必录，创新光荣，
光荣必赏.

A proposal's status is its latest review's decision (待评审 before any): 采纳 or 待实施 while it
is being carried out, then 已实施; 不采纳 and 已实施 close it. Grades and awards accumulate on
the proposal's row of the register, and the year summary counts them by department and by
proposer (each proposer's share of the awards by the contribution stated on the proposal).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any

from forms import proposal
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
from forms.fields import UNBOUNDED_TEXT, Choice, Date, Integer, Money, Serial, Text
from forms.followup import no_such_record, not_before, total
from forms.proposal_summary import SUMMARY_TYPES, by_department, by_proposer
from forms.samples import Sample

ADOPT, REJECT, PLANNED, DONE = proposal.DECISIONS
DECISIONS, ADOPTED, FINAL = proposal.DECISIONS, proposal.ADOPTED, proposal.FINAL
GRADES = ("一等", "二等", "三等")
PENDING = proposal.PENDING
IMPLEMENTATION = ("implemented_date", "implementation_effect", "actual_benefit")


def reviews_of(item: RecordView) -> list[RecordView]:
    return [child for child in item.children if child.kind == KIND.key]


class ProposalReviewForm(FormModel):
    proposal_serial: Annotated[
        str,
        Serial(
            "建议编号",
            prefix=proposal.KIND.serial_prefix or "",
            hint="合理化建议登记表上的编号，格式如 HL-2026-0001",
        ),
    ]
    review_date: Annotated[date, Date("评审日期", past=True)]
    decision: Annotated[str, Choice("评审结论", choices=DECISIONS)]
    grade: Annotated[str | None, Choice("评审等级", choices=GRADES, hint="采纳的建议评定等级")] = (
        None
    )
    award: Annotated[Decimal | None, Money("奖励金额（元）", positive=True)] = None
    opinion: Annotated[str, Text("评审意见", length=(4, UNBOUNDED_TEXT), lines=4)]
    reviewers: Annotated[str, Text("评审人员", hint="评审小组成员姓名，用顿号分隔")]
    implemented_date: Annotated[
        date | None, Date("实施日期", past=True, hint="评审结论为“已实施”时填写")
    ] = None
    implementation_effect: Annotated[
        str | None, Text("实施效果", lines=4, hint="评审结论为“已实施”时填写")
    ] = None
    actual_benefit: Annotated[Decimal | None, Money("实际经济效益（元/年）")] = None

    @rule("proposal_serial")
    def names_an_open_proposal(self, ctx: FormContext) -> RuleResult:
        found = ctx.record(self.proposal_serial)
        if found is None:
            yield "proposal_serial", no_such_record("合理化建议", proposal.KIND.title)
            return
        closed = next((r for r in reviews_of(found) if r.values["decision"] in FINAL), None)
        if closed is not None:
            yield (
                "proposal_serial",
                f"该建议已评审结束（{closed.ident}：{closed.values['decision']}），"
                f"不能再提交评审表；如有新的改进，请另填{proposal.KIND.title}",
            )

    @rule("review_date", "proposal_serial")
    def reviewed_after_proposed(self, ctx: FormContext) -> RuleResult:
        found = ctx.record(self.proposal_serial)
        proposed = found.values.get("proposal_date") if found else None
        yield from not_before("review_date", self.review_date, proposed, "建议的提出日期")

    @rule("decision", "grade", "award")
    def rejected_gets_nothing(self, ctx: FormContext) -> RuleResult:
        if self.decision == REJECT:
            for key in ("grade", "award"):
                if getattr(self, key) is not None:
                    yield key, f"评审结论为“{REJECT}”时不评等级、不发奖励"
        elif self.award is not None and self.grade is None:
            yield "grade", "发放奖励的建议应评定等级"

    @rule("decision", *IMPLEMENTATION)
    def implementation_reported(self, ctx: FormContext) -> RuleResult:
        for key in IMPLEMENTATION:
            filled = getattr(self, key) is not None
            if self.decision != DONE and filled:
                yield key, f"只有评审结论为“{DONE}”时才填写"
            elif self.decision == DONE and not filled and key != "actual_benefit":
                yield key, f"评审结论为“{DONE}”时必须填写"

    @rule("implemented_date", "review_date")
    def implemented_before_review(self, ctx: FormContext) -> RuleResult:
        if self.implemented_date is not None and self.implemented_date > self.review_date:
            yield "implemented_date", f"不能晚于评审日期（{self.review_date.isoformat()}）"


def standing(reviews: list[RecordView]) -> dict[str, Any]:
    """A proposal's status, grade and awards after its reviews."""
    grades = [r.values["grade"] for r in reviews if r.values["grade"]]
    benefits = [r.values["actual_benefit"] for r in reviews if r.values["actual_benefit"]]
    return {
        "status": reviews[-1].values["decision"] if reviews else PENDING,
        "grade": grades[-1] if grades else None,
        "award_total": total(r.values["award"] for r in reviews),
        "actual_benefit": benefits[-1] if benefits else None,
        "review_count": len(reviews),
        "last_review_date": reviews[-1].values["review_date"] if reviews else None,
    }


class ProposalReview(FormKind):
    key = "proposal_review"
    title = "合理化建议评审表"
    model = ProposalReviewForm
    parent = Parent(kind=proposal.KIND.key, key="proposal_serial", suffix="评审")
    name_key = "decision"
    summary = "评审小组评审合理化建议后报送：采纳与否、等级、奖励和实施效果"
    documents = (DocumentSpec("合理化建议评审结果通知单", "proposal_review.docx"),)
    derived = {
        "proposal_title": Text("建议题目"),
        "proposal_category": Text("类别"),
        "proposal_department": Text("申报部门"),
        "proposer_names": Text("建议人"),
        "proposal_date": Date("提出日期"),
        "expected_benefit": Money("预期经济效益（元/年）"),
        "you": Text("称呼"),
    }
    registers = (
        RegisterSpec(
            "合理化建议评审台账",
            columns=(
                Column("ident", width=17),
                Column("proposal_title", width=24),
                Column("proposal_department", width=10),
                Column("proposer_names", width=14),
                Column("review_date", width=11),
                Column("decision", width=8),
                Column("grade", width=6),
                Column("award", width=11),
                Column("opinion", width=26),
                Column("reviewers", width=14),
                Column("implemented_date", width=11),
                Column("actual_benefit", width=12),
            ),
        ),
        RegisterSpec(
            "合理化建议年度汇总表",
            columns=(
                Column("record_year", width=7),
                Column("department", width=12),
                Column("proposals", width=8),
                Column("adopted", width=8),
                Column("implemented", width=8),
                Column("awarded", width=8),
                Column("award_total", width=15),
                Column("economic_benefit", width=14),
                Column("actual_benefit", width=14),
            ),
            source=proposal.KIND,
            rows=by_department,
            grouped_by="year",  # a year's rows count that year's proposals alone
            groups_sorted=True,
            highlight="is_total",
            value_types=SUMMARY_TYPES,
            sheets=(
                RegisterSpec(
                    "建议人成果记录",
                    columns=(
                        Column("record_year", width=7),
                        Column("proposer_name", width=10),
                        Column("department", width=10),
                        Column("proposals", width=8),
                        Column("adopted", width=8),
                        Column("implemented", width=8),
                        Column("personal_award", width=14),
                        Column("titles", width=40),
                    ),
                    source=proposal.KIND,
                    rows=by_proposer,
                    grouped_by="year",
                    groups_sorted=True,
                    value_types=SUMMARY_TYPES
                    | {
                        "proposer_name": Text("建议人"),
                        "personal_award": Money("个人应得奖励（元）"),
                        "titles": Text("建议项目（状态）"),
                    },
                ),
            ),
        ),
    )
    parent_values = {
        "status": Text("评审状态"),
        "grade": Text("评审等级"),
        "award_total": Money("奖励金额合计（元）"),
        "actual_benefit": Money("实际经济效益（元/年）"),
        "review_count": Integer("评审次数"),
        "last_review_date": Date("最近评审日期"),
    }
    parent_columns = {
        "合理化建议登记台账": (
            Column("status", width=8),
            Column("grade", width=6),
            Column("award_total", width=11),
            Column("actual_benefit", width=12),
            Column("last_review_date", width=11),
        )
    }

    def live(self, record: RecordView, today: date) -> dict[str, Any]:
        found = record.parent_record
        if found is None:
            return dict.fromkeys(self.derived)
        values = found.values
        return {
            "proposal_title": values["title"],
            "proposal_category": values["category"],
            "proposal_department": values["department"],
            "proposer_names": proposal.proposer_names(found),
            "proposal_date": values["proposal_date"],
            "expected_benefit": values["economic_benefit"],
            "you": "你们" if len(values["proposers"]) > 1 else "你",
        }

    def parent_live(
        self, parent: RecordView, children: list[RecordView], today: date
    ) -> dict[str, Any]:
        return standing(children)

    def samples(self, today: date, parent: RecordView | None = None) -> list[Sample]:
        return _samples(today, parent)


def _samples(today: date, parent: RecordView | None) -> list[Sample]:
    serial = parent.serial if parent and parent.serial else f"HL-{today.year}-0001"
    proposed = parent.values["proposal_date"] if parent else today
    good: dict[str, Any] = {
        "proposal_serial": serial,
        "review_date": max(proposed, today - timedelta(days=3)),
        "decision": PLANNED,
        "grade": "二等",
        "award": Decimal("800.00"),
        "opinion": "改造方案可行，投资少、见效快，同意列入下次停机检修计划实施。",
        "reviewers": "冯示例、蒋样例、周示例、吴演示、郑样例",
    }
    opinion = "经现场核实，改造后凝结水泵盘根寿命由两个月延长到一年以上，密封水中断故障消除；"
    return [
        Sample("合理化建议评审-凝结水泵密封水", good),
        Sample(
            "合理化建议评审-凝结水泵密封水（有错误）",
            good
            | {
                "review_date": proposed - timedelta(days=1),
                "decision": REJECT,
                "implementation_effect": "好",
                "reviewers": " ",
            },
            good=False,
        ),
        Sample(
            "合理化建议评审-凝结水泵密封水（长文本）",
            good
            | {
                "review_date": today,
                "decision": DONE,
                "grade": "一等",
                "award": Decimal("12345.67"),
                "opinion": (opinion * 25)[:1000],
                "implemented_date": max(proposed, today - timedelta(days=1)),
                "implementation_effect": (opinion * 25)[:1000],
                "actual_benefit": Decimal("41000"),
            },
        ),
    ]


KIND = ProposalReview()
