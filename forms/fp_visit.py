"""育龄人员回访记录表: a visit to a person of a pledge's roster, filed under that pledge.

The standard: 建立育龄人员基础资料档案 … 按期对重点人员回访，了解生育动态.

A visit is about one row of the pledge's roster (``Parent.row``): the person named by 姓名, and
by 出生日期 when two persons of the roster share a name. It has no serial of its own
(``JS-2026-0001-回访1``). Once accepted it updates that person in the 育龄人员基础资料档案:
the last visit date, whether visits go on, and from them the next visit date.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any

from forms import fp_pledge
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
from forms.fields import UNBOUNDED_TEXT, Bool, Choice, Date, Integer, Serial, Text
from forms.followup import no_such_record, not_before
from forms.links import RowRef
from forms.samples import Sample

METHODS = ("上门走访", "电话回访", "到岗面谈", "其他")
ROSTER = RowRef(
    table="roster", match={"person_name": "person_name", "person_birth_date": "person_birth_date"}
)
PERSON_KEYS = ("person_gender", "person_department", "marital_status", "children", "person_phone")


def the_person(pledge: RecordView, values: dict[str, Any]) -> dict[str, Any] | None:
    """The roster row a visit names, when it names exactly one."""
    rows = pledge.values["roster"]
    found = ROSTER.rows_for(rows, values)
    return rows[found[0]] if len(found) == 1 else None


def who(form: Any) -> dict[str, Any]:
    """The fields of a visit that say which person of the roster it is about."""
    return {key: getattr(form, key) for key in ROSTER.match}


class FpVisitForm(FormModel):
    pledge_serial: Annotated[
        str,
        Serial(
            "责任状编号",
            prefix=fp_pledge.KIND.serial_prefix or "",
            hint="此人所在责任状的编号（见育龄人员基础资料档案的“来源责任状”），"
            "格式如 JS-2026-0001",
        ),
    ]
    person_name: Annotated[str, Text("姓名", length=(1, 20))]
    person_birth_date: Annotated[
        date | None, Date("出生日期", past=True, hint="责任状中有同名人员时填写")
    ] = None
    visit_date: Annotated[date, Date("回访日期", past=True)]
    visit_method: Annotated[str, Choice("回访方式", choices=METHODS)]
    visitor: Annotated[str, Text("回访人")]
    situation: Annotated[
        str,
        Text(
            "回访情况",
            length=(10, UNBOUNDED_TEXT),
            lines=5,
            hint="不少于10个字：生育动态、健康状况、需要帮助解决的问题",
        ),
    ]
    continue_followup: Annotated[bool, Bool("继续重点回访")]

    @rule("pledge_serial", "person_name", "person_birth_date")
    def names_a_person_of_the_roster(self, ctx: FormContext) -> RuleResult:
        pledge = ctx.record(self.pledge_serial)
        if pledge is None:
            yield "pledge_serial", no_such_record("计划生育责任状", fp_pledge.KIND.title)
            return
        found = ROSTER.rows_for(pledge.values["roster"], who(self))
        born = f"（出生日期{self.person_birth_date.isoformat()}）" if self.person_birth_date else ""
        if not found:
            yield (
                "person_name",
                f"责任状{self.pledge_serial}的育龄人员基础资料中没有此人{born}；"
                "请核对姓名、出生日期和责任状编号",
            )
        elif len(found) > 1:
            yield (
                "person_name",
                f"责任状{self.pledge_serial}中有{len(found)}名同名人员，请填写出生日期以区分",
            )

    @rule("visit_date", "pledge_serial")
    def visited_after_signing(self, ctx: FormContext) -> RuleResult:
        pledge = ctx.record(self.pledge_serial)
        signed = pledge.values.get("sign_date") if pledge else None
        yield from not_before("visit_date", self.visit_date, signed, "责任状的签订日期")


class FpVisit(FormKind):
    key = "fp_visit"
    title = "育龄人员回访记录表"
    model = FpVisitForm
    parent = Parent(kind=fp_pledge.KIND.key, key="pledge_serial", suffix="回访", row=ROSTER)
    name_key = "person_name"
    summary = "按期回访重点人员后报送，更新育龄人员基础资料档案中的最近和下次回访日期"
    documents = (DocumentSpec("育龄人员回访记录", "fp_visit.docx"),)
    derived = {
        "party_b": Text("所属单位（乙方）"),
        "person_gender": Text("性别"),
        "person_department": Text("部门"),
        "marital_status": Text("婚姻状况"),
        "children": Integer("子女数"),
        "person_phone": Text("联系电话"),
        "next_visit_date": Date("下次回访日期"),
    }
    registers = (
        RegisterSpec(
            "育龄人员回访记录台账",
            columns=(
                Column("ident", width=18),
                Column("party_b", width=14),
                Column("person_name", width=9),
                Column("person_department", width=10),
                Column("visit_date", width=11),
                Column("visit_method", width=9),
                Column("visitor", width=10),
                Column("situation", width=32),
                Column("continue_followup", width=8),
                Column("next_visit_date", width=11),
                Column("received_at", width=16),
            ),
        ),
    )
    parent_values = {
        "visit_count": Integer("回访次数"),
        "last_visitor": Text("最近回访人"),
        "last_situation": Text("最近回访情况"),
    }
    parent_columns = {
        "育龄人员基础资料档案": (
            Column("visit_count", width=6),
            Column("last_visitor", width=9),
            Column("last_situation", width=24),
        )
    }

    def derive(self, form: Any, ctx: FormContext) -> dict[str, Any]:
        pledge = ctx.record(form.pledge_serial)
        person = the_person(pledge, who(form)) if pledge else None
        interval = int(ctx.settings.get("visit_interval_days", 90))
        following = form.visit_date + timedelta(days=interval) if form.continue_followup else None
        return {key: (person or {}).get(key) for key in PERSON_KEYS} | {
            "party_b": pledge.values["party_b"] if pledge else None,
            "next_visit_date": following,
        }

    def update_row(self, row: dict[str, Any], child: RecordView) -> dict[str, Any]:
        visited = child.values["visit_date"]
        updated = row | {"visit_count": (row.get("visit_count") or 0) + 1}
        last = row.get("last_visit_date")
        if last is not None and visited < last:
            return updated  # an older visit filed late: the roster already knows a later one
        return updated | {
            "last_visit_date": visited,
            "key_followup": child.values["continue_followup"],
            "last_visitor": child.values["visitor"],
            "last_situation": child.values["situation"],
        }

    def samples(self, today: date, parent: RecordView | None = None) -> list[Sample]:
        return _samples(today, parent)


def _samples(today: date, parent: RecordView | None) -> list[Sample]:
    roster = fp_pledge.KIND.samples(today)[0].values["roster"]
    serial = parent.serial if parent and parent.serial else f"JS-{today.year}-0001"
    signed = parent.values["sign_date"] if parent else today
    first, second = roster[0], roster[1]
    good: dict[str, Any] = {
        "pledge_serial": serial,
        "person_name": first["person_name"],
        "person_birth_date": first["person_birth_date"],
        "visit_date": max(signed, today - timedelta(days=1)),
        "visit_method": "上门走访",
        "visitor": "女工委员周示例",
        "situation": "本人身体健康，孩子上幼儿园；了解了育儿假政策，暂无其他困难。",
        "continue_followup": "是",
    }
    long_text = "本人产假结束后已返岗，哺乳期每天安排一小时哺乳时间，班组已调整夜班安排；"
    return [
        Sample("育龄人员回访-陈示例", good),
        Sample(
            "育龄人员回访-查无此人（有错误）",
            good
            | {
                "person_name": "钱演示",
                "visit_date": today + timedelta(days=2),
                "visit_method": "微信",
                "situation": "正常",
                "continue_followup": "待定",
            },
            good=False,
        ),
        Sample(
            "育龄人员回访-林样例（长文本）",
            good
            | {
                "person_name": second["person_name"],
                "person_birth_date": None,
                "visit_method": "到岗面谈",
                "situation": (long_text * 30)[:1000],
                "continue_followup": "否",
            },
        ),
    ]


KIND = FpVisit()
