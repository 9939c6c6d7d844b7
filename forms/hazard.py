"""事故隐患报告表 (SPEC §3.2): a hazard, tracked until its follow-ups say it is rectified.

The standard: 对事故隐患和职业危害作业点建档跟踪监督整改 … 对可能发生火灾、爆炸、坍塌和急性中毒
等事故隐患和职业危害作业点，要作为跟踪整改的重点 … 重大问题应提交职工代表大会审议.

The status is never stored: it follows from the follow-ups (``forms.hazard_followup``, the
record's children) and from the day a register or document is made.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
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
from forms.samples import Sample, long_text

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


class Hazard(FormKind):
    key = "hazard"
    title = "事故隐患报告表"
    model = HazardForm
    serial_prefix = "YH"
    name_key = "location"
    summary = "事故隐患和职业危害作业点建档，下发整改通知书，跟踪到整改完毕"
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

    def context(self, record: RecordView, today: date) -> dict[str, Any]:
        context = super().context(record, today)
        return context | {"slip_apart": notice_runs_long(context)}

    def samples(self, today: date, parent: RecordView | None = None) -> list[Sample]:
        return _samples(today)


def _samples(today: date) -> list[Sample]:
    found = today - timedelta(days=12)
    fire: dict[str, Any] = {
        "found_date": found,
        "reporter": "张示例",
        "department": "运行部",
        "location": "一号锅炉燃油泵房",
        "category": "火灾",
        "level": "一般事故隐患",
        "description": "燃油泵出口法兰密封垫老化渗油，泵体下方地面有油污，附近有电气设备。",
        "possible_consequence": "渗漏的燃油遇电火花或高温表面可能引发火灾。",
        "proposed_measures": "更换法兰密封垫，清理地面油污，泵体下方加装接油盘。",
        "plan_channel": "立即整改",
        "deadline": found + timedelta(days=20),
        "responsible_department": "检修部",
        "responsible_person": "王样例",
    }
    wall_found = today - timedelta(days=40)
    wall = fire | {
        "found_date": wall_found,
        "reporter": "赵演示",
        "department": "燃料部",
        "location": "干煤棚东侧挡煤墙",
        "category": "坍塌",
        "level": "重大事故隐患",
        "description": "挡煤墙出现多条竖向裂缝，最宽处约5毫米，堆煤侧压力大，有局部坍塌的危险。",
        "possible_consequence": "墙体坍塌，掩埋作业人员和推煤机械。",
        "proposed_measures": "立即限制堆煤高度并设置警戒区；委托有资质的单位进行结构鉴定后加固。",
        "plan_channel": "大修计划",
        "deadline": wall_found + timedelta(days=30),
        "responsible_department": "燃料部",
        "responsible_person": "李样例",
    }
    return [
        Sample("燃油泵房-事故隐患报告", fire),
        Sample("挡煤墙-事故隐患报告", wall),
        Sample("脱硫制浆车间-事故隐患报告（长内容）", _stress(fire, today)),
        Sample(
            "化验室-事故隐患报告（有错误）",
            fire
            | {
                "reporter": "孙演示",
                "location": "化学化验室",
                "level": "较大隐患",
                "description": "通风不好",
                "deadline": found - timedelta(days=1),
            },
            good=False,
        ),
    ]


STRESS_TEXT = (
    "脱硫制浆车间地下浆液池上方的检修盖板锈蚀变形，部分盖板已无法完全闭合，",
    "池内浆液搅拌时产生的硫化氢等有毒气体经缝隙逸出，在地坑低洼处聚集，",
    "现场固定式气体检测报警仪有两台失效，便携式检测仪未按规定定期校验，",
    "作业人员进入地坑巡检时未执行先通风、再检测、后作业的规定，",
    "地坑通风机运行不正常，排风口被杂物部分堵塞，通风效果明显下降，",
    "地坑入口处未设置有限空间作业安全告知牌，照明灯具损坏未及时修复。",
)
STRESS_MEASURES = (
    "立即更换锈蚀变形的检修盖板，盖板之间的缝隙用耐腐蚀密封条封堵。",
    "修复或更换失效的固定式气体检测报警仪，并与集控室报警系统联动。",
    "清理排风口杂物，检修地坑通风机，确保通风量满足规程要求。",
    "在地坑入口设置有限空间作业安全告知牌和警示标志，修复照明灯具。",
)


def _stress(base: dict[str, Any], today: date) -> dict[str, Any]:
    """Every text a thousand characters, for the layout checks of the notice and registers."""
    found = today - timedelta(days=3)
    return base | {
        "found_date": found,
        "reporter": "欧阳演示",
        "department": "燃料部",
        "location": "脱硫制浆车间地下浆液池及其东侧检修地坑（标高负4.5米）",
        "category": "急性中毒",
        "level": MAJOR,
        "description": long_text(STRESS_TEXT),
        "possible_consequence": long_text(STRESS_TEXT[1:] + STRESS_TEXT[:1]),
        "proposed_measures": long_text(STRESS_MEASURES, numbered=True),
        "plan_channel": "技术改造工程",
        "deadline": found + timedelta(days=60),
        "responsible_department": "燃料部",
        "responsible_person": "司马样例",
    }


KIND = Hazard()
