"""职工代表大会提案表 (serial prefix TA): a representative's motion to the workers' congress.

The standard: 按期召开职工代表大会是工会组织实行民主集中制的一项基本制度。职工代表大会一般每年
召开一次 … 落实职代会的各项职能，促进民主管理规范化、制度化. For hazards: 重大问题应提交职工
代表大会审议并监督执行.

A motion is one matter (一事一案) with its 案由, 理由 and 建议办法, seconded by at least
``[rules] min_seconders`` representatives. The 提案工作委员会's decision (立案 / 不立案 /
转意见建议), the 承办部门's reply and the proposer's opinion come later
(``forms.motion_reply``). The register also lists, on a sheet of its own, the hazards flagged
提交职代会审议, by year.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Any

from forms import hazard
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
from forms.fields import UNBOUNDED_TEXT, Choice, Date, Department, Integer, Phone, Table, Text
from forms.samples import Sample

CATEGORIES = ("生产经营", "安全生产", "劳动保护", "职工生活", "民主管理", "其他")
SESSION = re.compile(r".*第.+届.*第.+次.*")
DEFAULT_MIN_SECONDERS = 2


class Seconder(FormModel):
    seconder_name: Annotated[str, Text("姓名", length=(2, 20))]
    seconder_department: Annotated[str | None, Department("部门")] = None


class MotionForm(FormModel):
    congress_session: Annotated[
        str, Text("届次", length=(4, 40), hint="例如：第五届职工代表大会第三次会议")
    ]
    proposer: Annotated[str, Text("提案人", length=(2, 20), hint="职工代表本人")]
    proposer_department: Annotated[str, Department("提案人所在部门")]
    proposer_phone: Annotated[str | None, Phone("联系电话")] = None
    category: Annotated[str, Choice("提案类别", choices=CATEGORIES)]
    subject: Annotated[str, Text("案由", length=(4, 60), hint="提案的题目，一事一案")]
    reason: Annotated[
        str,
        Text("理由", length=(20, UNBOUNDED_TEXT), lines=6, hint="不少于20个字：现状、问题和依据"),
    ]
    solution: Annotated[
        str, Text("建议办法", length=(10, UNBOUNDED_TEXT), lines=6, hint="不少于10个字")
    ]
    submit_date: Annotated[date, Date("提出日期", past=True)]
    seconders: Annotated[
        list[Seconder],
        Table("附议人", rows=(0, 20), hint="职工代表，按规定人数以上"),
    ] = []

    @rule("congress_session")
    def names_the_session(self, ctx: FormContext) -> RuleResult:
        if not SESSION.fullmatch(self.congress_session):
            yield "congress_session", "应写明第几届第几次会议，例如：第五届职工代表大会第三次会议"

    @rule("seconders", "proposer")
    def seconded_enough(self, ctx: FormContext) -> RuleResult:
        needed = int(ctx.settings.get("min_seconders", DEFAULT_MIN_SECONDERS))
        names = [s.seconder_name for s in self.seconders]
        if len(set(names)) < needed:
            yield (
                "seconders",
                f"应有{needed}名以上职工代表附议（现有{len(set(names))}人），附议人不能重复",
            )
        if self.proposer in names:
            yield "seconders", f"提案人“{self.proposer}”不能同时是附议人"


class Motion(FormKind):
    key = "motion"
    title = "职工代表大会提案表"
    model = MotionForm
    serial_prefix = "TA"
    name_key = "subject"
    summary = (
        "职工代表提案登记，跟踪立案审查、承办部门答复和提案人意见；列出提交职代会审议的重大隐患"
    )
    documents = (DocumentSpec("职工代表大会提案表", "motion.docx"),)
    derived = {
        "seconder_names": Text("附议人"),
        "seconder_count": Integer("附议人数"),
    }
    registers = (
        RegisterSpec(
            "提案登记台账",
            columns=(
                Column("serial", width=13),
                Column("congress_session", width=18),
                Column("category", width=9),
                Column("subject", width=24),
                Column("proposer", width=9),
                Column("proposer_department", width=10),
                Column("seconder_names", width=16),
                Column("submit_date", width=11),
            ),
            sheets=(
                RegisterSpec(
                    "提交职代会审议的重大事故隐患",
                    columns=(
                        Column("record_year", width=7),
                        Column("serial", width=13),
                        Column("found_date", width=11),
                        Column("department", width=9),
                        Column("location", width=16),
                        Column("category", width=8),
                        Column("description", width=30),
                        Column("deadline", width=11),
                        Column("responsible_department", width=10),
                        Column("status", width=8),
                        Column("overdue_note", width=9),
                    ),
                    source=hazard.KIND,
                    where=lambda row: bool(row["to_congress"]),
                    order=lambda row: (row["record_year"], row["serial"]),
                    highlight="overdue",
                ),
            ),
        ),
    )

    def live(self, record: RecordView, today: date) -> dict[str, Any]:
        names = [s["seconder_name"] for s in record.values["seconders"]]
        return {"seconder_names": "、".join(names), "seconder_count": len(names)}

    def samples(self, today: date, parent: RecordView | None = None) -> list[Sample]:
        return _samples(today)


def _samples(today: date) -> list[Sample]:
    seconders = [
        {"seconder_name": "冯示例", "seconder_department": "检修部"},
        {"seconder_name": "蒋样例", "seconder_department": "燃料部"},
        {"seconder_name": "吴演示", "seconder_department": "化学部"},
    ]
    good: dict[str, Any] = {
        "congress_session": "第五届职工代表大会第三次会议",
        "proposer": "陈示例",
        "proposer_department": "运行部",
        "proposer_phone": "13900000021",
        "category": "职工生活",
        "subject": "增设夜班职工班中餐加热设备",
        "reason": "集控室夜班职工自带饭菜，现有一台微波炉不够用，"
        "交接班前后排队加热，影响按时接班。",
        "solution": "在集控楼休息室增设两台微波炉和一台消毒柜，由后勤部门负责日常维护。",
        "submit_date": today - timedelta(days=10),
        "seconders": seconders,
    }
    reason = "冬季供热期间输煤栈桥温度低，皮带机启动困难，巡检人员长时间在低温环境中作业，"
    return [
        Sample("夜班班中餐-职代会提案", good),
        Sample(
            "职工活动室-职代会提案（有错误）",
            good
            | {
                "congress_session": "今年职代会",
                "category": "福利",
                "subject": "活动",
                "seconders": [seconders[0] | {"seconder_name": "陈示例"}],
                "submit_date": today + timedelta(days=1),
            },
            good=False,
        ),
        Sample(
            "输煤栈桥采暖-职代会提案（长文本）",
            good
            | {
                "category": "劳动保护",
                "subject": "输煤栈桥加装采暖设施并改善冬季巡检条件，保障职工职业健康与安全生产",
                "reason": (reason * 25)[:1000],
                "solution": (reason * 25)[:1000],
                "seconders": [
                    {"seconder_name": f"附议代表{n}", "seconder_department": "燃料部"}
                    for n in range(1, 21)
                ],
            },
        ),
    ]


KIND = Motion()
