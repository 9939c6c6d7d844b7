"""工伤事故调查表 (SPEC §3.4): the investigation of a work accident and its report.

The standard: 调查原则坚持"四不放过" … 调查的内容：人、物、管理及事故发生的经过四个部分 …
现场勘察与调查询问工作必须互相结合 … 分直接原因与间接原因 … 直接经济损失和间接经济损失 …
事故调查报告书上报安全生产监督管理部门.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from forms import accident_statistics as statistics
from forms.accident_samples import accident_samples
from forms.base import (
    Column,
    DocumentSpec,
    FormContext,
    FormKind,
    FormModel,
    RecordView,
    RegisterSpec,
    RuleResult,
    rule,
)
from forms.fields import (
    UNBOUNDED_TEXT,
    Bool,
    Choice,
    DateTime,
    Integer,
    Money,
    Multi,
    Table,
    Text,
)
from forms.fields import Date as DateField
from forms.gb6441 import (
    CATEGORIES,
    CAUSE_OBJECTS,
    DEGREES,
    HARM_OBJECTS,
    INJURY_MODES,
    INJURY_NATURES,
    SEVERITY,
    UNSAFE_ACTS,
    UNSAFE_CONDITIONS,
    casualties,
    grade,
)
from forms.reports import Report
from forms.samples import Sample

METHODS = ("现场勘察", "调查询问当事人", "技术鉴定", "模拟试验")
# 现场勘察与调查询问工作必须互相结合
REQUIRED_METHODS = ("现场勘察", "调查询问当事人")
CLOSED, INVESTIGATING = "已结案", "调查中"
NAME_SEPARATORS = re.compile(r"[、，,；;\s]+")


def gb_hint(table: str, meaning: str) -> str:
    return f"{meaning}；按GB 6441-1986附录A表{table}选择，可不填"


class Injured(FormModel):
    injured_name: Annotated[str, Text("姓名", length=(1, 20))]
    injured_gender: Annotated[str | None, Choice("性别", choices=("男", "女"))] = None
    injured_age: Annotated[int | None, Integer("年龄", bounds=(16, 70), unit="岁")] = None
    job_type: Annotated[str | None, Text("工种")] = None
    service_years: Annotated[int | None, Integer("本工种工龄", bounds=(0, 60), unit="年")] = None
    injury_part: Annotated[str | None, Text("受伤部位")] = None
    injury_degree: Annotated[str, Choice("伤害程度", choices=DEGREES)]
    # Last, so the columns of forms made before it was added still read as they were.
    injury_nature: Annotated[
        str | None, Choice("受伤性质", choices=INJURY_NATURES, hint=gb_hint("A2", "人体受伤的类型"))
    ] = None


class AccidentForm(FormModel):
    title: Annotated[str, Text("事故名称", hint="例如：检修部“6·3”机械伤害事故")]
    occurred_at: Annotated[datetime, DateTime("发生时间", past=True)]
    location: Annotated[str, Text("发生地点")]
    department: Annotated[str, Text("发生部门")]
    category: Annotated[
        str, Choice("事故类别", choices=CATEGORIES, hint="按GB 6441-1986从下拉列表选择")
    ]
    injured: Annotated[list[Injured], Table("受伤人员", rows=(1, 20), hint="至少1人，最多20人")]
    process: Annotated[
        str, Text("事故经过", length=(20, UNBOUNDED_TEXT), lines=6, hint="不少于20个字")
    ]
    findings_people: Annotated[str, Text("调查内容：人", lines=3)]
    findings_objects: Annotated[str, Text("调查内容：物", lines=3)]
    findings_management: Annotated[str, Text("调查内容：管理", lines=3)]
    methods: Annotated[
        list[str],
        Multi(
            "调查方法",
            choices=METHODS,
            hint="可多选，用顿号分隔；现场勘察和调查询问当事人必须都有：" + "、".join(METHODS),
        ),
    ]
    direct_cause: Annotated[str, Text("直接原因", lines=3)]
    indirect_cause: Annotated[str, Text("间接原因", lines=3)]
    # 伤害分析 of GB 6441-1986 Appendix A, for the accident as a whole; optional.
    cause_object: Annotated[
        str | None,
        Choice("起因物", choices=CAUSE_OBJECTS, hint=gb_hint("A3", "导致事故发生的物体、物质")),
    ] = None
    harm_object: Annotated[
        str | None,
        Choice(
            "致害物", choices=HARM_OBJECTS, hint=gb_hint("A4", "直接引起伤害及中毒的物体或物质")
        ),
    ] = None
    injury_mode: Annotated[
        str | None,
        Choice("伤害方式", choices=INJURY_MODES, hint=gb_hint("A5", "致害物与人体发生接触的方式")),
    ] = None
    unsafe_conditions: Annotated[
        list[str] | None,
        Multi(
            "不安全状态",
            choices=UNSAFE_CONDITIONS,
            hint=gb_hint("A6", "能导致事故发生的物质条件，可多选")
            + "："
            + "；".join(UNSAFE_CONDITIONS),
        ),
    ] = None
    unsafe_acts: Annotated[
        list[str] | None,
        Multi(
            "不安全行为",
            choices=UNSAFE_ACTS,
            hint=gb_hint("A7", "能造成事故的人为错误，可多选") + "：" + "；".join(UNSAFE_ACTS),
        ),
    ] = None
    direct_loss: Annotated[Decimal, Money("直接经济损失（元）")]
    indirect_loss: Annotated[Decimal, Money("间接经济损失（元）")]
    responsibility: Annotated[str, Text("责任认定及处理意见", lines=4)]
    measures: Annotated[str, Text("防范和整改措施", lines=4)]
    cause_identified: Annotated[bool, Bool("事故原因已查清")]
    responsible_handled: Annotated[bool, Bool("责任人员已处理")]
    measures_implemented: Annotated[bool, Bool("整改措施已落实")]
    people_educated: Annotated[bool, Bool("有关人员已受到教育")]
    team: Annotated[
        str, Text("调查组成员", lines=2, hint="姓名用顿号分隔，组长写在最前，例如：张示例、李样例")
    ]
    report_date: Annotated[date, DateField("报告日期", past=True)]

    @rule("methods")
    def site_survey_with_interviews(self, ctx: FormContext) -> RuleResult:
        missing = [method for method in REQUIRED_METHODS if method not in self.methods]
        if missing:
            yield (
                "methods",
                f"缺少“{'、'.join(missing)}”：现场勘察与调查询问当事人必须互相结合，两项都应选上",
            )

    @rule("report_date", "occurred_at")
    def reported_after_the_accident(self, ctx: FormContext) -> RuleResult:
        if self.report_date < self.occurred_at.date():
            yield "report_date", f"不能早于事故发生日期（{self.occurred_at.date().isoformat()}）"


@dataclass(frozen=True)
class FourNo:
    """One of the 四不放过: the form's 是/否 field and what it is about, e.g. 整改措施 and 落实,
    from which each way of saying it is made."""

    key: str
    subject: str
    verb: str

    @property
    def principle(self) -> str:
        return f"{self.subject}未{self.verb}不放过"

    def state(self, done: bool) -> str:
        return f"已{self.verb}" if done else f"未{self.verb}"

    @property
    def open(self) -> str:
        return f"{self.subject}尚未{self.verb}"


FOUR_NOS = (
    FourNo("cause_identified", "事故原因", "查清"),
    FourNo("responsible_handled", "责任人员", "处理"),
    FourNo("measures_implemented", "整改措施", "落实"),
    FourNo("people_educated", "有关人员", "受到教育"),
)
ANALYSIS = ("cause_object", "harm_object", "injury_mode", "unsafe_conditions", "unsafe_acts")
LABELS = {spec.key: spec.label for spec in AccidentForm.field_defs()}


def team_members(team: str) -> list[str]:
    return [name for name in NAME_SEPARATORS.split(team) if name]


class Accident(FormKind):
    key = "accident"
    title = "工伤事故调查表"
    model = AccidentForm
    serial_prefix = "SG"
    name_key = "title"
    summary = "工伤事故调查，按“四不放过”跟踪结案，生成上报的事故调查报告书"
    # Injury records bear on compensation claims for decades.
    retention_years = 30
    retention_from = "结案报告日期"
    retention_open = "“四不放过”未全部落实（未结案）的一直保存"
    documents = (DocumentSpec("工伤事故调查报告书", "accident_report.docx"),)
    derived = {
        "severity": Text("事故严重程度"),
        "grade": Text("事故等级"),
        "casualties": Text("伤亡情况"),
        "total_loss": Money("经济损失合计（元）"),
        "injured_count": Integer("受伤人数"),
        "deaths": Integer("死亡"),
        "serious_injuries": Integer("重伤"),
        "minor_injuries": Integer("轻伤"),
        "injured_names": Text("受伤人员"),
        "status": Text("结案状态"),
        "open": Bool("未结案"),
        "open_items": Text("“四不放过”未落实项"),
    }
    registers = (
        RegisterSpec(
            "工伤事故台账",
            columns=(
                Column("serial", width=13),
                Column("title", width=22),
                Column("occurred_at", width=16),
                Column("location", width=14),
                Column("department", width=10),
                Column("category", width=10),
                Column("severity", width=9),
                Column("grade", width=9),
                Column("injured_count", width=6),
                Column("deaths", width=5),
                Column("serious_injuries", width=5),
                Column("minor_injuries", width=5),
                Column("injured_names", width=20),
                Column("direct_cause", width=24),
                Column("direct_loss", width=13),
                Column("indirect_loss", width=13),
                Column("total_loss", width=13),
                Column("status", width=8),
                Column("open_items", width=20),
                Column("report_date", width=11),
                Column("received_at", width=16),
            ),
            highlight="open",
        ),
    )

    reports = (
        Report(
            "accidents",
            "工伤事故统计表",
            "按年度统计工伤事故：按GB 6441类别、伤害严重程度、事故等级和部门，经济损失合计，"
            "未结案事故及其“四不放过”未落实项，超过调查期限的事故；配置了职工人数时计算千人"
            "死亡率、千人重伤率。",
            statistics.TABLE,
            period_key="occurred_at",
            group_by=("category",),
            sums=statistics.SUMS,
            tallies=statistics.TALLIES,
            sections=statistics.sections,
            letter=DocumentSpec("{period}工伤事故统计分析报告", "report.docx"),
            leaves_office=True,
        ),
    )

    def derive(self, form: Any, ctx: FormContext) -> dict[str, Any]:
        degrees = [person.injury_degree for person in form.injured]
        return {
            "severity": SEVERITY[max(degrees, key=DEGREES.index)],
            "total_loss": form.direct_loss + form.indirect_loss,
            "injured_count": len(degrees),
            "deaths": degrees.count("死亡"),
            "serious_injuries": degrees.count("重伤"),
            "minor_injuries": degrees.count("轻伤"),
            "injured_names": "、".join(
                f"{p.injured_name}（{p.injury_degree}）" for p in form.injured
            ),
        }

    def closed_on(self, record: RecordView) -> date | None:
        """已结案: all four 四不放过 items done; counted from the report's date."""
        if any(not record.values[item.key] for item in FOUR_NOS):
            return None
        report_date: date = record.values["report_date"]
        return report_date

    def live(self, record: RecordView, today: date) -> dict[str, Any]:
        # Worked out from the form every time, so records accepted before these values
        # existed show them too.
        values = record.values
        degrees = [person["injury_degree"] for person in values["injured"]]
        deaths, serious = degrees.count("死亡"), degrees.count("重伤")
        # 四不放过: closed only when all four are done; the report lists what is still open.
        open_items = [item.open for item in FOUR_NOS if not values[item.key]]
        return {
            "grade": grade(deaths, serious, values["direct_loss"]),
            "casualties": casualties(deaths, serious, degrees.count("轻伤")),
            "status": INVESTIGATING if open_items else CLOSED,
            "open": bool(open_items),
            "open_items": open_items,
        }

    def context(self, record: RecordView, today: date) -> dict[str, Any]:
        values = record.values
        # Options of 不安全行为 hold 、 and ，themselves: several are listed with ；
        analysis = [
            (LABELS[key], value if isinstance(value, str) else "；".join(value or []))
            for key in ANALYSIS
            if (value := values.get(key))
        ]
        natures = [
            f"{person['injured_name']}为{person['injury_nature']}"
            for person in values["injured"]
            if person.get("injury_nature")
        ]
        return super().context(record, today) | {
            "four_nos": [
                {
                    "principle": item.principle,
                    "done": values[item.key],
                    "state": item.state(values[item.key]),
                }
                for item in FOUR_NOS
            ],
            "team_members": team_members(values["team"]),
            # 伤害分析: only what the form gave; the template leaves the section out if nothing
            "analysis": [{"label": label, "value": value} for label, value in analysis]
            + ([{"label": "受伤性质", "value": "；".join(natures)}] if natures else []),
        }

    def samples(self, today: date, parent: RecordView | None = None) -> list[Sample]:
        return accident_samples(today)


KIND = Accident()
