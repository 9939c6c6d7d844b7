"""事故隐患报告表 (SPEC §3.2): a hazard, tracked until its follow-ups say it is rectified.

The standard: 对事故隐患和职业危害作业点建档跟踪监督整改 … 对可能发生火灾、爆炸、坍塌和急性中毒
等事故隐患和职业危害作业点，要作为跟踪整改的重点 … 重大问题应提交职工代表大会审议.

The status is never stored: it follows from the follow-ups (``forms.hazard_followup``, the
record's children) and from the day a register or document is made.
"""

from __future__ import annotations

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


def _open_first(row: dict[str, Any]) -> tuple[bool, date, str]:
    return (not row["overdue"], row["deadline"], row["serial"])


OVERVIEW = (
    Column("serial", width=13),
    Column("found_date", width=11),
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


KIND = Hazard()
