"""事故隐患整改回执 (SPEC §3.3): a rectification report on a hazard, a child of that record.

The standard: 对于已经整改的事故隐患也应建档，注明整改日期、整改负责人、所采取的措施及整改效果.

A follow-up has no serial of its own: the store files it under its hazard as
``YH-2026-0001-回执1``. The hazard's status follows from its follow-ups (``forms.hazard``).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from forms import hazard
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
from forms.fields import Bool, Choice, Date, Serial, Text
from forms.samples import Sample, long_text


class HazardFollowupForm(FormModel):
    hazard_serial: Annotated[
        str,
        Serial(
            "隐患编号",
            prefix=hazard.KIND.serial_prefix or "",
            hint="整改通知书上的隐患编号，格式如 YH-2026-0001",
        ),
    ]
    completed_date: Annotated[date, Date("整改完成日期", past=True)]
    rectifier: Annotated[str, Text("整改负责人")]
    measures_taken: Annotated[str, Text("所采取的措施", lines=4)]
    effect: Annotated[str, Choice("整改效果", choices=hazard.EFFECTS)]
    effect_description: Annotated[str | None, Text("效果说明", lines=2)] = None
    verifier: Annotated[str, Text("验收人")]
    verify_date: Annotated[date, Date("验收日期", past=True)]

    @rule("hazard_serial")
    def names_an_open_hazard(self, ctx: FormContext) -> RuleResult:
        found = ctx.record(self.hazard_serial)
        if found is None:
            yield (
                "hazard_serial",
                "系统中没有这个编号的事故隐患；请核对整改通知书上的隐患编号，"
                "隐患报告表须先报送（可与回执同时放入收件箱）",
            )
            return
        closing = hazard.closing_followup(found)
        if closing is not None:
            yield (
                "hazard_serial",
                f"该隐患已整改完毕（回执{closing.ident}，"
                f"{closing.values['verify_date'].isoformat()}验收），不能再提交整改回执；"
                "如隐患再次出现，请重新填报事故隐患报告表",
            )

    @rule("completed_date", "hazard_serial")
    def completed_after_found(self, ctx: FormContext) -> RuleResult:
        found = ctx.record(self.hazard_serial)
        if found is not None and self.completed_date < found.values["found_date"]:
            yield (
                "completed_date",
                f"不能早于该隐患的发现日期（{found.values['found_date'].isoformat()}）",
            )

    @rule("verify_date", "completed_date")
    def verified_after_completion(self, ctx: FormContext) -> RuleResult:
        if self.verify_date < self.completed_date:
            yield "verify_date", f"不能早于整改完成日期（{self.completed_date.isoformat()}）"


class HazardFollowup(FormKind):
    key = "hazard_followup"
    title = "事故隐患整改回执"
    model = HazardFollowupForm
    parent = Parent(kind=hazard.KIND.key, key="hazard_serial", suffix="回执")
    summary = "整改完成后报送，更新隐患的整改状态，生成整改验收单"
    documents = (DocumentSpec("事故隐患整改验收单", "hazard_acceptance.docx"),)
    derived = {
        "closes": Bool("隐患已销号"),
        "status_after": Text("验收后状态"),
        "hazard_found_date": Date("发现日期"),
        "hazard_location": Text("隐患地点（作业点）"),
        "hazard_category": Text("隐患类别"),
        "hazard_level": Text("隐患等级"),
        "hazard_description": Text("隐患描述"),
        "hazard_department": Text("整改责任部门"),
        "hazard_deadline": Date("整改期限"),
        "timeliness": Text("是否按期"),
    }
    registers = (
        RegisterSpec(
            "事故隐患整改回执台账",
            columns=(
                Column("ident", width=17),
                Column("hazard_location", width=18),
                Column("hazard_category", width=8),
                Column("hazard_level", width=12),
                Column("hazard_department", width=10),
                Column("hazard_deadline", width=11),
                Column("completed_date", width=11),
                Column("timeliness", width=10),
                Column("rectifier", width=9),
                Column("measures_taken", width=28),
                Column("effect", width=12),
                Column("effect_description", width=20),
                Column("verifier", width=9),
                Column("verify_date", width=11),
                Column("status_after", width=9),
                Column("received_at", width=16),
            ),
        ),
    )

    def live(self, record: RecordView, today: date) -> dict[str, Any]:
        closes = record.values["effect"] == hazard.ELIMINATED
        found = record.parent_record.values if record.parent_record else {}
        deadline = found.get("deadline")
        late = (record.values["completed_date"] - deadline).days if deadline else 0
        return {
            "closes": closes,
            "status_after": hazard.RECTIFIED if closes else hazard.IN_PROGRESS,
            "hazard_found_date": found.get("found_date"),
            "hazard_location": found.get("location"),
            "hazard_category": found.get("category"),
            "hazard_level": found.get("level"),
            "hazard_description": found.get("description"),
            "hazard_department": found.get("responsible_department"),
            "hazard_deadline": deadline,
            "timeliness": f"超期{late}天完成" if late > 0 else "按期完成",
        }

    def samples(self, today: date, parent: RecordView | None = None) -> list[Sample]:
        return _samples(today, parent)


STRESS_MEASURES = (
    "已更换燃油泵出口法兰密封垫，更换前对法兰密封面进行了研磨处理。",
    "已清理泵体下方及周边地面油污，清理出的含油废物按危险废物交有资质单位处置。",
    "接油盘已到货并安装，接油盘设有导流管引至事故油坑，防止溢流。",
    "对同类型燃油泵的法兰密封进行了普查，发现两处轻微渗漏一并处理。",
)
STRESS_EFFECT = (
    "整改后连续七天每班巡检，法兰处未再发现渗油，地面保持清洁。",
    "接油盘安装牢固，导流管畅通，经注水试验无渗漏。",
    "泵房附近电气设备的防爆性能已由专业人员检查，符合要求。",
    "个别阀门填料仍有轻微渗漏迹象，已列入下次停机检修计划继续跟踪。",
)


def _samples(today: date, parent: RecordView | None) -> list[Sample]:
    # Without a hazard to refer to (a test's fresh store), name the first one of the year.
    serial = parent.serial if parent and parent.serial else f"YH-{today.year}-0001"
    found = parent.values["found_date"] if parent else today
    good: dict[str, Any] = {
        "hazard_serial": serial,
        "completed_date": max(found, today - timedelta(days=2)),
        "rectifier": "王样例",
        "measures_taken": "已更换燃油泵出口法兰密封垫并清理地面油污；接油盘已订货，到货后安装。",
        "effect": "部分消除，继续跟踪",
        "effect_description": "法兰处已无渗油；接油盘安装前每班巡检一次。",
        "verifier": "周示例",
        "verify_date": today,
    }
    stress = good | {
        "rectifier": "司马样例",
        "measures_taken": long_text(STRESS_MEASURES, numbered=True),
        "effect_description": long_text(STRESS_EFFECT),
        "verifier": "欧阳示例",
    }
    return [
        Sample("事故隐患整改回执-燃油泵房", good),
        Sample("事故隐患整改回执-燃油泵房（长内容）", stress),
        Sample(
            "事故隐患整改回执-燃油泵房（有错误）",
            good
            | {
                "completed_date": found - timedelta(days=3),
                "verify_date": found - timedelta(days=5),
                "effect": "已消除",
            },
            good=False,
        ),
    ]


KIND = HazardFollowup()
