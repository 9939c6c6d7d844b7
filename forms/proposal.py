"""合理化建议表 (serial prefix HL): a rational proposal or technical innovation, with its proposers.

The standard (经济技术创新工程, 职工技协): 发动和组织职工提建议、献计策、搞创新、攻难点 … 开展
合理化建议、技术创新活动 … 建立健全激励机制 … 做到创新有功，有功必录，创新光荣，光荣必赏.

A proposal is reviewed by the union's committee later (``forms.proposal_review``, its follow-ups):
its status, grade and awards follow from them.
"""

from __future__ import annotations

from datetime import date, timedelta
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
from forms.fields import UNBOUNDED_TEXT, Choice, Date, Department, Integer, Money, Table, Text
from forms.samples import Sample

CATEGORIES = ("合理化建议", "技术革新", "技术攻关", "发明创造", "先进操作法")
# What a review decides (``forms.proposal_review``); a proposal's status is the latest decision.
DECISIONS = ("采纳", "不采纳", "待实施", "已实施")
ADOPTED = ("采纳", "待实施", "已实施")
FINAL = ("不采纳", "已实施")
PENDING = "待评审"


class Proposer(FormModel):
    proposer_name: Annotated[str, Text("姓名", length=(2, 20))]
    proposer_department: Annotated[str, Department("部门")]
    proposer_position: Annotated[str | None, Text("岗位")] = None
    share: Annotated[int | None, Integer("贡献比例（%）", bounds=(1, 100), unit="%")] = None


class ProposalForm(FormModel):
    title: Annotated[str, Text("建议题目", length=(4, 60))]
    category: Annotated[str, Choice("类别", choices=CATEGORIES)]
    department: Annotated[str, Department("申报部门")]
    proposers: Annotated[
        list[Proposer],
        Table(
            "建议人",
            rows=(1, 10),
            hint="第一行为主要建议人；多人合作的可填贡献比例，合计100%",
        ),
    ]
    current_situation: Annotated[
        str,
        Text(
            "现状及存在问题",
            length=(10, UNBOUNDED_TEXT),
            lines=5,
            hint="不少于10个字：现在怎样做，存在什么问题",
        ),
    ]
    proposal_content: Annotated[
        str,
        Text(
            "建议内容及措施",
            length=(20, UNBOUNDED_TEXT),
            lines=8,
            hint="不少于20个字：怎样改进，具体措施和所需条件",
        ),
    ]
    economic_benefit: Annotated[
        Decimal | None, Money("预期经济效益（元/年）", hint="每年可节约或增加的金额，估算即可")
    ] = None
    other_benefit: Annotated[
        str | None, Text("其他效益", lines=3, hint="安全、环保、质量、管理等方面的效益")
    ] = None
    proposal_date: Annotated[date, Date("提出日期", past=True)]
    department_opinion: Annotated[str | None, Text("部门意见", lines=2)] = None

    @rule("proposers")
    def proposers_named_once(self, ctx: FormContext) -> RuleResult:
        names = [p.proposer_name for p in self.proposers]
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            yield "proposers", f"建议人“{'、'.join(twice)}”重复填写"

    @rule("proposers")
    def shares_add_up(self, ctx: FormContext) -> RuleResult:
        shares = [p.share for p in self.proposers]
        given = [share for share in shares if share is not None]
        if not given:
            return
        if len(given) < len(shares):
            yield "proposers", "贡献比例要么每位建议人都填，要么都不填"
        elif sum(given) != 100:
            yield "proposers", f"各建议人的贡献比例合计应为100%（现为{sum(given)}%）"

    @rule("economic_benefit", "other_benefit")
    def benefit_stated(self, ctx: FormContext) -> RuleResult:
        if self.economic_benefit is None and self.other_benefit is None:
            yield "economic_benefit", "预期经济效益和其他效益至少填写一项"


def proposer_names(record: RecordView) -> str:
    return "、".join(p["proposer_name"] for p in record.values["proposers"])


class Proposal(FormKind):
    key = "proposal"
    title = "合理化建议表"
    model = ProposalForm
    serial_prefix = "HL"
    name_key = "title"
    summary = "职工合理化建议和技术创新项目登记，交工会评审，跟踪采纳、实施和奖励"
    documents = (DocumentSpec("合理化建议登记表", "proposal.docx"),)
    derived = {
        "proposer_names": Text("建议人"),
        "proposer_count": Integer("建议人数"),
    }
    registers = (
        RegisterSpec(
            "合理化建议登记台账",
            columns=(
                Column("serial", width=13),
                Column("title", width=24),
                Column("category", width=10),
                Column("department", width=10),
                Column("proposer_names", width=16),
                Column("proposal_date", width=11),
                Column("economic_benefit", width=12),
                Column("other_benefit", width=20),
            ),
        ),
    )

    def live(self, record: RecordView, today: date) -> dict[str, Any]:
        return {
            "proposer_names": proposer_names(record),
            "proposer_count": len(record.values["proposers"]),
        }

    def samples(self, today: date, parent: RecordView | None = None) -> list[Sample]:
        return _samples(today)


def _samples(today: date) -> list[Sample]:
    proposers = [
        {
            "proposer_name": "王样例",
            "proposer_department": "检修部",
            "proposer_position": "汽机检修班长",
            "share": 60,
        },
        {
            "proposer_name": "赵演示",
            "proposer_department": "运行部",
            "proposer_position": "汽机主值",
            "share": 40,
        },
    ]
    good: dict[str, Any] = {
        "title": "凝结水泵密封水改用凝结水自密封",
        "category": "技术革新",
        "department": "检修部",
        "proposers": proposers,
        "current_situation": "凝结水泵密封水取自除盐水母管，压力波动时密封水中断，盘根磨损快。",
        "proposal_content": "在凝结水泵出口加装减压阀和滤网，引出一路作为密封水，"
        "取消除盐水密封水管路；改造利用大修期间完成。",
        "economic_benefit": Decimal("36000"),
        "other_benefit": "减少盘根更换和泄漏，降低检修工作量。",
        "proposal_date": today - timedelta(days=20),
        "department_opinion": "建议可行，同意上报。",
    }
    situation = "输煤皮带头部清扫器刮板磨损快，回程皮带粘煤严重，落煤污染栈桥，每班需人工清理两次；"
    measures = (
        "将合金刮板改为聚氨酯弹性刮板并加装二级清扫器，利用停机检修时间分段更换，同时修订巡检标准；"
    )
    return [
        Sample("凝结水泵密封水改造-合理化建议", good),
        Sample(
            "化验室取样-合理化建议（有错误）",
            good
            | {
                "title": "取样",
                "category": "小改小革",
                "proposers": [proposers[0], proposers[0] | {"share": 30}],
                "proposal_content": "改一下",
                "proposal_date": today + timedelta(days=5),
            },
            good=False,
        ),
        Sample(
            "输煤皮带清扫器改进-合理化建议（长文本）",
            good
            | {
                "title": "输煤皮带清扫器改进及栈桥粉尘综合治理措施",
                "category": "先进操作法",
                "proposers": [
                    {
                        "proposer_name": f"示例建议人{n}",
                        "proposer_department": "燃料部",
                        "proposer_position": "输煤运行值班员",
                        "share": 10,
                    }
                    for n in range(1, 11)
                ],
                "current_situation": (situation * 30)[:1000],
                "proposal_content": (measures * 30)[:1000],
                "economic_benefit": Decimal("1250000.50"),
                "other_benefit": (situation * 10)[:300],
            },
        ),
    ]


KIND = Proposal()
