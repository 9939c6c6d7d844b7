"""工伤事故调查表 (SPEC §3.4): the investigation of a work accident and its report.

The standard: 调查原则坚持"四不放过" … 调查的内容：人、物、管理及事故发生的经过四个部分 …
现场勘察与调查询问工作必须互相结合 … 分直接原因与间接原因 … 直接经济损失和间接经济损失 …
事故调查报告书上报安全生产监督管理部门.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any

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
from forms.samples import Sample

# GB 6441-1986 企业职工伤亡事故分类, 事故类别
CATEGORIES = (
    "物体打击",
    "车辆伤害",
    "机械伤害",
    "起重伤害",
    "触电",
    "淹溺",
    "灼烫",
    "火灾",
    "高处坠落",
    "坍塌",
    "冒顶片帮",
    "透水",
    "放炮",
    "火药爆炸",
    "瓦斯爆炸",
    "锅炉爆炸",
    "容器爆炸",
    "其他爆炸",
    "中毒和窒息",
    "其他伤害",
)
DEGREES = ("轻伤", "重伤", "死亡")  # from the least to the worst
SEVERITY = {"轻伤": "轻伤事故", "重伤": "重伤事故", "死亡": "死亡事故"}
METHODS = ("现场勘察", "调查询问当事人", "技术鉴定", "模拟试验")
# 现场勘察与调查询问工作必须互相结合
REQUIRED_METHODS = ("现场勘察", "调查询问当事人")
FOUR_NOS = ("cause_identified", "responsible_handled", "measures_implemented", "people_educated")
CLOSED, INVESTIGATING = "已结案", "调查中"
NAME_SEPARATORS = re.compile(r"[、，,；;\s]+")


class Injured(FormModel):
    injured_name: Annotated[str, Text("姓名", length=(1, 20))]
    injured_gender: Annotated[str | None, Choice("性别", choices=("男", "女"))] = None
    injured_age: Annotated[int | None, Integer("年龄", bounds=(16, 70), unit="岁")] = None
    job_type: Annotated[str | None, Text("工种")] = None
    service_years: Annotated[int | None, Integer("本工种工龄", bounds=(0, 60), unit="年")] = None
    injury_part: Annotated[str | None, Text("受伤部位")] = None
    injury_degree: Annotated[str, Choice("伤害程度", choices=DEGREES)]


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
        "severity": Text("事故等级"),
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
        if any(not record.values[key] for key in FOUR_NOS):
            return None
        report_date: date = record.values["report_date"]
        return report_date

    def live(self, record: RecordView, today: date) -> dict[str, Any]:
        # 四不放过: closed only when all four are done; the report lists what is still open.
        open_items = [LABELS[key] for key in FOUR_NOS if not record.values[key]]
        return {
            "status": INVESTIGATING if open_items else CLOSED,
            "open": bool(open_items),
            "open_items": open_items,
        }

    def context(self, record: RecordView, today: date) -> dict[str, Any]:
        return super().context(record, today) | {
            "four_nos": [{"label": LABELS[key], "done": record.values[key]} for key in FOUR_NOS],
            "team_members": team_members(record.values["team"]),
        }

    def samples(self, today: date, parent: RecordView | None = None) -> list[Sample]:
        return _samples(today)


def _samples(today: date) -> list[Sample]:
    occurred = datetime.combine(today - timedelta(days=9), datetime.min.time()).replace(hour=14)
    base: dict[str, Any] = {
        "title": "检修部输煤皮带机械伤害事故",
        "occurred_at": occurred.replace(minute=20),
        "location": "输煤系统2号皮带机尾部",
        "department": "检修部",
        "category": "机械伤害",
        "injured": [
            {
                "injured_name": "钱示例",
                "injured_gender": "男",
                "injured_age": 34,
                "job_type": "输煤检修工",
                "service_years": 8,
                "injury_part": "左手",
                "injury_degree": "重伤",
            },
            {
                "injured_name": "孙样例",
                "injured_gender": "男",
                "injured_age": 27,
                "job_type": "输煤值班员",
                "service_years": 3,
                "injury_part": "右前臂",
                "injury_degree": "轻伤",
            },
        ],
        "process": (
            "当日14时许，检修人员在2号皮带机尾部清理积煤，未办理停电手续，皮带机被远方启动，"
            "钱示例左手被卷入滚筒，孙样例在拉拽时右前臂擦伤。现场人员立即拉下拉线开关停机，"
            "将伤者送医。"
        ),
        "findings_people": "作业人员未执行停电挂牌制度，安全意识淡薄；监护人离开现场。",
        "findings_objects": "皮带机尾部滚筒防护罩缺失，拉线开关距作业点较远。",
        "findings_management": "检修工作票未经许可即开工，班组安全交底流于形式。",
        "methods": "现场勘察、调查询问当事人、技术鉴定",
        "direct_cause": "在运行设备上清理积煤前未停电、未挂禁止合闸标示牌。",
        "indirect_cause": "防护设施缺失未及时整改；工作票制度执行不严；安全教育不到位。",
        "direct_loss": Decimal("38600.00"),
        "indirect_loss": Decimal("12409.50"),
        "responsibility": "钱示例违章作业，负直接责任；工作负责人周演示未履行监护职责，负主要责任。"
        "建议对相关责任人按公司安全生产奖惩规定处理。",
        "measures": "1. 恢复尾部滚筒防护罩并增设急停按钮；\n2. 全面检查输煤系统防护设施；\n"
        "3. 开展停送电和工作票制度专项培训。",
        "cause_identified": "是",
        "responsible_handled": "是",
        "measures_implemented": "否",
        "people_educated": "是",
        "team": "吴示例、郑样例、冯演示",
        "report_date": today - timedelta(days=2),
    }
    return [
        Sample("输煤皮带机械伤害-工伤事故调查", base),
        Sample(
            "锅炉平台高处坠落-工伤事故调查（有错误）",
            base
            | {
                "title": "锅炉平台高处坠落事故",
                "category": "高空坠落",
                "methods": "现场勘察",
                "direct_loss": "-500",
                "report_date": occurred.date() - timedelta(days=1),
            },
            good=False,
        ),
    ]


KIND = Accident()
