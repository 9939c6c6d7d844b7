"""送温暖走访慰问记录表: a visit to a hardship family, filed under its hardship record.

The standard: 工会在元旦、春节等重大节日期间对困难职工家庭进行走访慰问，及时了解他们的困难
情况，帮助解决具体困难.

A visit has no serial of its own: the store files it under the hardship record as
``KN-2026-0001-走访1``. The sheets printed before a festival for every hardship family (the
batch of issue #11) are this form pre-filled from the record (``FormKind.prefill``: the
serial, the name and the department) and come back through the inbox like any other form.
The hardship register shows each file's visits and the year's 慰问金 (``parent_live``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any

from forms import hardship
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
from forms.fields import UNBOUNDED_TEXT, Choice, Date, Department, Integer, Money, Serial, Text
from forms.followup import no_such_record, not_before, same_name, total
from forms.reports import RECORD, Batch, Row
from forms.reports import Choice as BatchChoice
from forms.samples import Sample

FESTIVALS = ("元旦", "春节", "其他")
HARDSHIP_FILE = "困难职工档案"


class VisitForm(FormModel):
    hardship_serial: Annotated[
        str,
        Serial(
            "困难职工档案编号",
            prefix=hardship.KIND.serial_prefix or "",
            hint="困难职工档案表上的编号，格式如 KN-2026-0001",
        ),
    ]
    name: Annotated[str, Text("姓名", length=(2, 20))]
    department: Annotated[str, Department("所在部门")]
    visit_date: Annotated[date, Date("走访日期", past=True)]
    festival: Annotated[str, Choice("节日", choices=FESTIVALS)]
    visitors: Annotated[str, Text("走访人", hint="参加走访的人员姓名，用顿号分隔")]
    amount: Annotated[Decimal | None, Money("慰问金（元）")] = None
    gifts: Annotated[str | None, Text("慰问品", hint="品名和数量，例如：大米1袋、食用油1桶")] = None
    family_situation: Annotated[
        str,
        Text(
            "家庭近况",
            length=(10, UNBOUNDED_TEXT),
            lines=5,
            hint="不少于10个字：家人健康、收入、子女就学等近况",
        ),
    ]
    needs: Annotated[str | None, Text("需要帮助解决的问题", lines=3)] = None

    @rule("hardship_serial", "name")
    def names_a_hardship_file(self, ctx: FormContext) -> RuleResult:
        found = ctx.record(self.hardship_serial)
        if found is None:
            yield "hardship_serial", no_such_record(HARDSHIP_FILE, hardship.KIND.title)
        yield from same_name("name", self.name, found)

    @rule("visit_date", "hardship_serial")
    def visited_after_applying(self, ctx: FormContext) -> RuleResult:
        found = ctx.record(self.hardship_serial)
        earliest = found.values.get("application_date") if found else None
        yield from not_before("visit_date", self.visit_date, earliest, "该职工的申请日期")

    @rule("amount", "gifts")
    def brings_something(self, ctx: FormContext) -> RuleResult:
        if self.amount is None and self.gifts is None:
            yield "amount", "慰问金和慰问品至少填写一项"


def _this_year(visits: list[RecordView], today: date) -> list[RecordView]:
    return [visit for visit in visits if visit.values["visit_date"].year == today.year]


def _sheet_values(family: Row, year: int, festival: str, organisation: Mapping[str, Any]) -> Row:
    """The visit sheet of one hardship family, before the visit: who and for which festival."""
    return KIND.prefill(family[RECORD]) | {"festival": festival}


LISTING = RegisterSpec(
    "困难职工走访慰问名单",
    columns=(
        Column("serial", "档案编号", width=13),
        Column("name", "姓名", width=8),
        Column("department", "所在部门", width=10),
        Column("hardship_category", "困难类别", width=9),
        Column("household_size", "家庭人口", width=6),
        Column("address", "家庭住址", width=20),
        Column("phone", "联系电话", width=13),
        Column("visit_time", "走访时间", width=11),
        Column("visitors", "走访人", width=11),
        Column("gift", "慰问金/物品", width=13),
        Column("situation", "家庭近况", width=26),
    ),
    order=lambda row: (row["department"], row["serial"]),
)


class Visit(FormKind):
    key = "visit"
    title = "送温暖走访慰问记录表"
    model = VisitForm
    parent = Parent(
        kind=hardship.KIND.key,
        key="hardship_serial",
        suffix="走访",
        carry={"name": "name", "department": "department"},
    )
    name_key = "name"
    summary = "元旦、春节等节日走访慰问困难职工家庭后报送，记入其困难职工档案"
    batches = (
        Batch(
            "visits",
            "困难职工走访慰问",
            "节日前按本年度的困难职工档案（已脱困的除外）生成走访慰问名单（按部门）和每户一份"
            "走访慰问记录表；走访后填好交回收件箱，记入各户档案。交回情况用 unionforms status "
            "visits 查看。",
            _sheet_values,
            key="hardship_serial",
            label_key="name",
            source_kind=hardship.KIND.key,
            source_where=lambda family: family.get("file_status") != "已脱困",
            choice=BatchChoice("festival", "节日", FESTIVALS, "春节"),
            listing=LISTING,
            listing_group="department",
        ),
    )
    documents = (DocumentSpec("送温暖走访慰问记录", "visit_record.docx"),)
    derived = {
        "hardship_category": Text("困难类别"),
        "address": Text("家庭住址"),
        "phone": Text("联系电话"),
        "household_size": Integer("家庭人口"),
    }
    registers = (
        RegisterSpec(
            "送温暖走访慰问台账",
            columns=(
                Column("ident", width=18),
                Column("name", width=9),
                Column("department", width=10),
                Column("hardship_category", width=9),
                Column("visit_date", width=11),
                Column("festival", width=6),
                Column("visitors", width=14),
                Column("amount", width=11),
                Column("gifts", width=16),
                Column("family_situation", width=30),
                Column("needs", width=22),
                Column("received_at", width=16),
            ),
        ),
    )
    parent_values = {
        "visit_count": Integer("走访次数"),
        "last_visit_date": Date("最近走访日期"),
        "year_visit_amount": Money("本年度慰问金（元）"),
        "total_visit_amount": Money("累计慰问金（元）"),
    }
    parent_columns = {
        "困难职工档案台账": (
            Column("visit_count", width=6),
            Column("last_visit_date", width=11),
            Column("year_visit_amount", width=11),
        )
    }

    def live(self, record: RecordView, today: date) -> dict[str, Any]:
        return record.from_parent(self.derived)

    def parent_live(
        self, parent: RecordView, children: list[RecordView], today: date
    ) -> dict[str, Any]:
        return {
            "visit_count": len(children),
            "last_visit_date": max((c.values["visit_date"] for c in children), default=None),
            "year_visit_amount": total(c.values["amount"] for c in _this_year(children, today)),
            "total_visit_amount": total(c.values["amount"] for c in children),
        }

    def samples(self, today: date, parent: RecordView | None = None) -> list[Sample]:
        return _samples(today, parent)


def festival_of(day: date) -> str:
    """The festival a visit on ``day`` is most likely for (the sheets are printed for one)."""
    if (day.month == 1 and day.day <= 3) or (day.month == 12 and day.day >= 25):
        return "元旦"
    return "春节" if day.month in (1, 2) else "其他"


def _samples(today: date, parent: RecordView | None) -> list[Sample]:
    # Without a hardship record to refer to (a test's fresh store), name the year's first one,
    # as the first hardship sample would be numbered.
    first = hardship.KIND.samples(today)[0].values
    base = {"hardship_serial": f"KN-{today.year}-0001", "name": first["name"]}
    base |= {"department": first["department"]}
    sheet = KIND.prefill(parent) if parent else base
    good: dict[str, Any] = sheet | {
        "visit_date": today,
        "festival": festival_of(today),
        "visitors": "工会主席冯示例、运行部主任蒋样例",
        "amount": Decimal("1000.00"),
        "gifts": "大米1袋、食用油1桶",
        "family_situation": "配偶仍在透析治疗，孩子在校表现良好，本人工作安心，家庭开支依然紧张。",
        "needs": "希望协助申请大病医疗互助补助。",
    }
    long_text = (
        "配偶每周透析三次，医保报销后自付部分仍较多；"
        "孩子在外地读大学，学费和生活费靠助学贷款和亲友接济。"
    )
    return [
        Sample("走访慰问记录-张示例", good),
        Sample(
            "走访慰问记录-张示例（有错误）",
            good
            | {
                "name": "张样例",
                "visit_date": today + timedelta(days=3),
                "festival": "中秋",
                "amount": "-500",
                "family_situation": "还好",
            },
            good=False,
        ),
        Sample(
            "走访慰问记录-张示例（长文本）",
            good
            | {
                "visitors": "、".join(f"走访人员示例{n}" for n in range(1, 9)),
                "gifts": "大米2袋、食用油2桶、牛奶2箱、羊肉5公斤、棉被1床、学习用品1套",
                "family_situation": (long_text * 20)[:1000],
                "needs": (long_text * 20)[:1000],
            },
        ),
    ]


KIND = Visit()
