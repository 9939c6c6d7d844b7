"""事故隐患报告表 (SPEC §3.2): a hazard, tracked until its follow-ups say it is rectified.

The standard: 对事故隐患和职业危害作业点建档跟踪监督整改 … 对可能发生火灾、爆炸、坍塌和急性中毒
等事故隐患和职业危害作业点，要作为跟踪整改的重点 … 重大问题应提交职工代表大会审议.

The status is never stored: it follows from the follow-ups (``forms.hazard_followup``, the
record's children) and from the day a register or document is made.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any

from forms.base import (
    Column,
    DocumentSpec,
    FormContext,
    FormKind,
    FormModel,
    Listing,
    RecordView,
    RegisterSpec,
    RuleResult,
    rule,
)
from forms.fields import UNBOUNDED_TEXT, Bool, Choice, Date, Department, Integer, Text
from forms.hazard_samples import hazard_samples
from forms.reports import Count, Period, Report, Row, Section, Tally
from forms.samples import Sample

CATEGORIES = ("火灾", "爆炸", "坍塌", "急性中毒", "职业危害", "设备设施", "电气", "其他")
# 可能发生火灾、爆炸、坍塌和急性中毒等事故隐患和职业危害作业点，要作为跟踪整改的重点
KEY_CATEGORIES = ("火灾", "爆炸", "坍塌", "急性中毒", "职业危害")
LEVELS = ("一般事故隐患", "重大事故隐患")
MAJOR = "重大事故隐患"
CHANNELS = ("立即整改", "安全措施计划", "大修计划", "技术改造工程", "其他项目")
# What a follow-up may report; only the first closes the hazard.
EFFECTS = ("隐患已消除", "部分消除，继续跟踪", "未消除")
ELIMINATED = EFFECTS[0]
WAITING, IN_PROGRESS, RECTIFIED = "待整改", "整改中", "已整改"


class HazardForm(FormModel):
    found_date: Annotated[date, Date("发现日期", past=True)]
    reporter: Annotated[str, Text("报告人")]
    department: Annotated[str, Department("所在部门")]
    location: Annotated[str, Text("隐患地点（作业点）")]
    category: Annotated[str, Choice("隐患类别", choices=CATEGORIES)]
    level: Annotated[str, Choice("隐患等级", choices=LEVELS)]
    description: Annotated[
        str,
        Text(
            "隐患描述",
            length=(10, UNBOUNDED_TEXT),
            lines=4,
            hint="不少于10个字，写明隐患的部位、现状和危险程度",
        ),
    ]
    possible_consequence: Annotated[str | None, Text("可能导致的后果", lines=2)] = None
    proposed_measures: Annotated[str, Text("建议整改措施", lines=3)]
    plan_channel: Annotated[str, Choice("建议纳入", choices=CHANNELS)]
    deadline: Annotated[
        date, Date("整改期限", hint="日期，例如 2026-03-05；整改完成的最后一天，不早于发现日期")
    ]
    responsible_department: Annotated[str, Department("整改责任部门")]
    responsible_person: Annotated[str, Text("整改负责人")]

    @rule("deadline", "found_date")
    def deadline_not_before_found(self, ctx: FormContext) -> RuleResult:
        if self.deadline < self.found_date:
            yield "deadline", f"不能早于发现日期（{self.found_date.isoformat()}）"


def closing_followup(hazard: RecordView) -> RecordView | None:
    """The follow-up that reported the hazard eliminated, if one did."""
    return next((f for f in hazard.children if f.values["effect"] == ELIMINATED), None)


def _rectification(hazard: RecordView) -> dict[str, Any]:
    """The latest follow-up, as the register shows it (all of them: 事故隐患整改回执台账)."""
    followups = hazard.children
    latest = followups[-1].values if followups else {}
    return {
        "followup_count": len(followups),
        "last_completed_date": latest.get("completed_date"),
        "last_rectifier": latest.get("rectifier"),
        "last_measures": latest.get("measures_taken"),
        "last_effect": latest.get("effect"),
    }


# The notice (hazard_notice.docx) and its tear-off slip share page 1 while the notice's texts
# take at most this many lines of its 12 pt value cells, 27 characters each (the first line
# of a paragraph is indented two). Longer, the slip starts a sheet of its own.
NOTICE_LINES = 7
CELL_CHARACTERS = 27


def _lines(text: str | None, at_least: int) -> int:
    paragraphs = [line.strip() for line in (text or "").split("\n") if line.strip()]
    return max(at_least, sum(math.ceil((len(p) + 2) / CELL_CHARACTERS) for p in paragraphs))


def notice_runs_long(context: dict[str, Any]) -> bool:
    """Whether the notice leaves too little of page 1 for its slip (measured in LibreOffice
    with the shortest texts: seven lines of values leave the slip one line to spare)."""
    tracking = 14 * context["overdue"] + 12 * context["key_tracking"] + 23 * context["to_congress"]
    lines = (
        _lines(context["description"], 2)
        + _lines(context["possible_consequence"], 1)
        + _lines(context["proposed_measures"], 2)
        + max(1, math.ceil(tracking / CELL_CHARACTERS))
    )
    return lines > NOTICE_LINES


def _open_first(row: dict[str, Any]) -> tuple[bool, date, str]:
    return (not row["overdue"], row["deadline"], row["serial"])


OVERVIEW = (
    Column("serial", width=13),
    Column("found_date", width=11),
    Column("reporter", width=8),
    Column("department", width=8),
    Column("location", width=14),
    Column("category", width=7),
    Column("level", width=11),
)
TRACKING = (
    Column("deadline", width=11),
    Column("responsible_department", width=8),
    Column("responsible_person", width=7),
    Column("status", width=7),
    Column("overdue_note", width=8),
)


def _is_open(row: Row) -> bool:
    return bool(row["status"] != RECTIFIED)


STATUS_COUNTS = (
    Count("发现"),
    Count("已整改", lambda row: row["status"] == RECTIFIED),
    Count("未整改", _is_open),
    Count("其中逾期", lambda row: bool(row["overdue"])),
)


def _listed(rows: list[Row]) -> list[str]:
    return [
        f"{row['serial']}　{row['department']}{row['location']}：{row['category']}，"
        f"{row['level']}，{row['status']}"
        + (f"（{row['overdue_note']}）" if row["overdue"] else "")
        for row in rows
    ]


def _report_sections(rows: list[Row], period: Period, settings: Any) -> list[Section]:
    """The summary report: the counts, then the items the standard singles out."""
    open_rows = [row for row in rows if _is_open(row)]
    overdue = [row for row in rows if row["overdue"]]
    major = [row for row in rows if row["to_congress"]]
    key = [row for row in rows if row["key_tracking"]]
    by_category = [
        f"{category}{n}项"
        for category in CATEGORIES
        if (n := sum(1 for row in rows if row["category"] == category))
    ]
    summary = (
        f"{period.label}共排查发现事故隐患{len(rows)}项"
        + (f"（{'、'.join(by_category)}）" if by_category else "")
        + f"，其中重大事故隐患{len(major)}项；截至制表日已整改{len(rows) - len(open_rows)}项，"
        f"未整改{len(open_rows)}项，其中逾期未整改{len(overdue)}项。"
    )
    sections = [Section("总体情况", (summary,))]
    if key:
        sections.append(
            Section("重点跟踪的隐患（火灾、爆炸、坍塌、急性中毒和职业危害作业点）", _listed(key))
        )
    if major:
        sections.append(Section("应提交职工代表大会审议的重大事故隐患", _listed(major)))
    if overdue:
        sections.append(Section("逾期未整改的隐患", _listed(overdue)))
    return sections


class Hazard(FormKind):
    key = "hazard"
    title = "事故隐患报告表"
    model = HazardForm
    serial_prefix = "YH"
    name_key = "location"
    summary = "事故隐患和职业危害作业点建档，下发整改通知书，跟踪到整改完毕"
    retention_from = "隐患整改验收之日"
    retention_open = "未整改完毕的一直保存"
    documents = (DocumentSpec("事故隐患整改通知书", "hazard_notice.docx"),)
    derived = {
        "key_tracking": Bool("重点跟踪"),
        "to_congress": Bool("提交职代会审议"),
        "status": Text("整改状态"),
        "overdue": Bool("逾期"),
        "overdue_note": Text("逾期情况"),
        "followup_count": Integer("整改回执份数"),
        "last_completed_date": Date("最近整改完成日期"),
        "last_rectifier": Text("最近整改负责人"),
        "last_measures": Text("所采取的措施"),
        "last_effect": Text("整改效果"),
    }
    registers = (
        RegisterSpec(
            "事故隐患整改跟踪台账",
            columns=(
                *OVERVIEW,
                Column("key_tracking", width=6),
                Column("to_congress", width=8),
                Column("description", width=24),
                Column("plan_channel", width=9),
                *TRACKING,
                Column("followup_count", width=5),
                Column("last_completed_date", width=11),
                Column("last_rectifier", width=8),
                Column("last_measures", width=22),
                Column("last_effect", width=10),
            ),
            highlight="overdue",
        ),
    )
    listings = (
        Listing(
            "hazards",
            "列出尚未整改完毕的事故隐患，逾期的排在最前（逾期：过了整改期限仍未整改完毕）。",
            RegisterSpec(
                "未整改完毕的事故隐患",
                columns=(
                    Column("serial"),
                    Column("deadline", "整改期限"),
                    Column("overdue_note", "逾期"),
                    Column("status", "状态"),
                    Column("location", "地点"),
                    Column("responsible_department", "责任部门"),
                    Column("responsible_person", "负责人"),
                ),
                where=lambda row: row["status"] != RECTIFIED,
                order=_open_first,
                highlight="overdue",
            ),
            empty="没有未整改完毕的事故隐患。",
        ),
    )

    reports = (
        Report(
            "hazards",
            "事故隐患排查治理情况统计表",
            "按月、季度或年度统计发现、已整改、未整改和逾期的事故隐患（按类别、部门），"
            "附情况报告；重点跟踪和提交职代会审议的隐患单独列出。",
            RegisterSpec(
                "事故隐患排查治理情况统计表",
                columns=(
                    *OVERVIEW,
                    *TRACKING,
                    Column("key_tracking", width=6),
                    Column("to_congress", width=8),
                    Column("last_completed_date", width=11),
                ),
                order=lambda row: (row["found_date"], row["serial"]),
            ),
            period_key="found_date",
            periods=("year", "quarter", "month"),
            tallies=(
                Tally("按隐患类别", "category", STATUS_COUNTS),
                Tally("按部门", "department", STATUS_COUNTS),
                Tally("按隐患等级", "level", STATUS_COUNTS, chart=False),
            ),
            sections=_report_sections,
            letter=DocumentSpec("{period}事故隐患排查治理情况报告", "report.docx"),
            calendar=True,
            leaves_office=True,
        ),
    )

    def derive(self, form: Any, ctx: FormContext) -> dict[str, Any]:
        return {
            "key_tracking": form.category in KEY_CATEGORIES,
            "to_congress": form.level == MAJOR,
        }

    def live(self, record: RecordView, today: date) -> dict[str, Any]:
        closed = closing_followup(record) is not None
        late = (today - record.values["deadline"]).days
        overdue = not closed and late > 0
        status = RECTIFIED if closed else IN_PROGRESS if record.children else WAITING
        return {
            "status": status,
            "overdue": overdue,
            "overdue_note": f"逾期{late}天" if overdue else "",
        } | _rectification(record)

    def closed_on(self, record: RecordView) -> date | None:
        """Rectified: the day the follow-up reporting it eliminated was accepted on site."""
        closing = closing_followup(record)
        return closing.values["verify_date"] if closing else None

    def context(self, record: RecordView, today: date) -> dict[str, Any]:
        context = super().context(record, today)
        return context | {"slip_apart": notice_runs_long(context)}

    def samples(self, today: date, parent: RecordView | None = None) -> list[Sample]:
        return hazard_samples(today)


KIND = Hazard()
