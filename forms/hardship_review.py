"""困难职工档案复核表: the yearly review of a hardship file, filed under its hardship record.

The standard: 建立困难职工档案 … 实行集中管理 … 对于特困职工，帮助他们办理纳入城市居民最低生活
保障体系. The national union's rules on hardship files ask for a review at least once a year
(动态管理) and for closing a file when the family is out of hardship: per-capita income above the
local 低保 standard for 6 consecutive months (脱困销档).

A review has no serial of its own (``KN-2026-0001-复核1``). The hardship register shows each
file as 在档 / 已脱困 with its last review, compares the reviewed per-capita income with the
local 低保 standard (``[rules] minimum_living_standard``, as it was when the review was
accepted), and the review register lists the files not yet reviewed this year.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
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
from forms.fields import CENT, UNBOUNDED_TEXT, Bool, Choice, Date, Integer, Money, Serial, Text
from forms.followup import no_such_record, not_before, same_name
from forms.samples import Sample

CONTINUE, ADJUST, CLOSE = "继续帮扶", "调整类别", "脱困销档"
CONCLUSIONS = (CONTINUE, ADJUST, CLOSE)
IN_FILE, OUT_OF_HARDSHIP = "在档", "已脱困"
MIN_MONTHS_ABOVE = 6  # 连续6个月人均收入高于当地低保标准
DEFAULT_STANDARD = Decimal("750")
HARDSHIP_FILE = "困难职工档案"


def closing_review(file: RecordView) -> RecordView | None:
    """The review that closed the file (脱困销档), if one did."""
    reviews = [child for child in file.children if child.kind == KIND.key]
    return next((r for r in reviews if r.values["conclusion"] == CLOSE), None)


def current_category(file: RecordView) -> str:
    """The file's category after the reviews that adjusted it."""
    adjusted = [
        child.values["new_category"]
        for child in file.children
        if child.kind == KIND.key and child.values.get("new_category")
    ]
    return adjusted[-1] if adjusted else file.values["hardship_category"]


class HardshipReviewForm(FormModel):
    hardship_serial: Annotated[
        str,
        Serial(
            "困难职工档案编号",
            prefix=hardship.KIND.serial_prefix or "",
            hint="困难职工档案表上的编号，格式如 KN-2026-0001",
        ),
    ]
    name: Annotated[str, Text("姓名", length=(2, 20))]
    review_date: Annotated[date, Date("复核日期", past=True)]
    reviewer: Annotated[str, Text("复核人")]
    household_size: Annotated[int, Integer("家庭人口", bounds=(1, 20), unit="人")]
    household_monthly_income: Annotated[Decimal, Money("家庭月总收入（元）")]
    conclusion: Annotated[str, Choice("复核结论", choices=CONCLUSIONS)]
    new_category: Annotated[
        str | None,
        Choice("调整后的困难类别", choices=hardship.CATEGORIES, hint="复核结论为“调整类别”时填写"),
    ] = None
    months_above: Annotated[
        int | None,
        Integer(
            "人均收入连续高于低保的月数",
            bounds=(0, 120),
            unit="个月",
            hint="脱困销档时填写，不少于6个月",
        ),
    ] = None
    out_of_hardship_date: Annotated[
        date | None, Date("脱困日期", past=True, hint="脱困销档时填写，不晚于复核日期")
    ] = None
    review_notes: Annotated[
        str,
        Text(
            "复核情况说明",
            length=(10, UNBOUNDED_TEXT),
            lines=5,
            hint="不少于10个字：家庭收入、就业、疾病等变化",
        ),
    ]

    @rule("hardship_serial", "name")
    def names_an_open_file(self, ctx: FormContext) -> RuleResult:
        found = ctx.record(self.hardship_serial)
        if found is None:
            yield "hardship_serial", no_such_record(HARDSHIP_FILE, hardship.KIND.title)
            return
        yield from same_name("name", self.name, found)
        closed = closing_review(found)
        if closed is not None:
            yield (
                "hardship_serial",
                f"该档案已于{closed.values['review_date'].isoformat()}脱困销档（{closed.ident}），"
                f"不再复核；如再次致困，请重新填报{hardship.KIND.title}",
            )

    @rule("review_date", "hardship_serial")
    def reviewed_after_applying(self, ctx: FormContext) -> RuleResult:
        found = ctx.record(self.hardship_serial)
        earliest = found.values.get("application_date") if found else None
        yield from not_before("review_date", self.review_date, earliest, "该职工的申请日期")

    @rule("conclusion", "new_category", "hardship_serial")
    def category_adjusted(self, ctx: FormContext) -> RuleResult:
        if self.conclusion != ADJUST:
            if self.new_category is not None:
                yield "new_category", f"只有复核结论为“{ADJUST}”时才填写"
            return
        if self.new_category is None:
            yield "new_category", f"复核结论为“{ADJUST}”时必须填写"
            return
        found = ctx.record(self.hardship_serial)
        if found is not None and self.new_category == current_category(found):
            yield "new_category", f"与档案现在的困难类别相同（{self.new_category}），无需调整"

    @rule("conclusion", "months_above", "household_size", "household_monthly_income")
    def out_of_hardship(self, ctx: FormContext) -> RuleResult:
        if self.conclusion != CLOSE:
            return
        standard = living_standard(ctx)
        per_capita = per_head(self.household_monthly_income, self.household_size)
        if per_capita <= standard:
            yield (
                "household_monthly_income",
                f"人均月收入{per_capita:,.2f}元，未高于当地低保标准{standard:,.2f}元，不能脱困销档",
            )
        if self.months_above is None:
            yield "months_above", f"复核结论为“{CLOSE}”时必须填写"
        elif self.months_above < MIN_MONTHS_ABOVE:
            yield "months_above", f"人均收入连续{MIN_MONTHS_ABOVE}个月以上高于低保标准才能脱困销档"

    @rule("conclusion", "out_of_hardship_date", "review_date")
    def closed_on_a_day(self, ctx: FormContext) -> RuleResult:
        if self.conclusion != CLOSE:
            if self.out_of_hardship_date is not None:
                yield "out_of_hardship_date", f"只有复核结论为“{CLOSE}”时才填写"
        elif self.out_of_hardship_date is None:
            yield "out_of_hardship_date", f"复核结论为“{CLOSE}”时必须填写"
        elif self.out_of_hardship_date > self.review_date:
            yield "out_of_hardship_date", f"不能晚于复核日期（{self.review_date.isoformat()}）"


def living_standard(ctx: FormContext) -> Decimal:
    return Decimal(str(ctx.settings.get("minimum_living_standard", DEFAULT_STANDARD)))


def per_head(income: Decimal, size: int) -> Decimal:
    return (income / size).quantize(CENT, rounding=ROUND_HALF_UP)


def _status(file: RecordView, reviews: list[RecordView], today: date) -> dict[str, Any]:
    closed = next((r for r in reviews if r.values["conclusion"] == CLOSE), None)
    last = reviews[-1] if reviews else None
    this_year = any(r.values["review_date"].year == today.year for r in reviews)
    return {
        "file_status": OUT_OF_HARDSHIP if closed else IN_FILE,
        "out_of_hardship_date": closed.values["out_of_hardship_date"] if closed else None,
        "review_count": len(reviews),
        "last_review_date": last.values["review_date"] if last else None,
        "last_conclusion": last.values["conclusion"] if last else None,
        "review_per_capita": last.derived.get("per_capita_income") if last else None,
        "living_standard": last.derived.get("living_standard") if last else None,
        "below_standard": last.derived.get("below_standard") if last else None,
        # A file opened this year needs no review before next year.
        "review_due": not closed and not this_year and file.year < today.year,
    }


class HardshipReview(FormKind):
    key = "hardship_review"
    title = "困难职工档案复核表"
    model = HardshipReviewForm
    parent = Parent(
        kind=hardship.KIND.key, key="hardship_serial", suffix="复核", carry={"name": "name"}
    )
    name_key = "name"
    summary = "每年至少复核一次困难职工档案，调整困难类别或脱困销档，与当地低保标准比较"
    documents = (DocumentSpec("困难职工档案复核表", "hardship_review.docx"),)
    derived = {
        "per_capita_income": Money("复核人均月收入（元）"),
        "living_standard": Money("当地低保标准（元）"),
        "below_standard": Bool("低于低保标准"),
        "department": Text("所在部门"),
        "application_date": Date("申请日期"),
        "category_before": Text("复核前困难类别"),
        "per_capita_before": Money("申请时人均月收入（元）"),
    }
    registers = (
        RegisterSpec(
            "困难职工档案复核台账",
            columns=(
                Column("ident", width=18),
                Column("name", width=9),
                Column("department", width=10),
                Column("review_date", width=11),
                Column("reviewer", width=9),
                Column("household_size", width=6),
                Column("household_monthly_income", width=11),
                Column("per_capita_income", width=11),
                Column("living_standard", width=10),
                Column("below_standard", width=7),
                Column("conclusion", width=9),
                Column("new_category", width=9),
                Column("months_above", width=12),
                Column("out_of_hardship_date", width=11),
                Column("review_notes", width=30),
            ),
            sheets=(
                RegisterSpec(
                    "本年度未复核的在档困难职工档案",
                    columns=(
                        Column("serial", width=14),
                        Column("name", width=9),
                        Column("department", width=12),
                        Column("current_category", width=9),
                        Column("application_date", width=11),
                        Column("per_capita_income", width=11),
                        Column("last_review_date", width=11),
                        Column("last_conclusion", width=9),
                        Column("phone", width=14),
                    ),
                    source=hardship.KIND,
                    where=lambda row: bool(row["review_due"]),
                ),
            ),
        ),
    )
    parent_values = {
        "file_status": Text("档案状态"),
        "current_category": Text("现困难类别"),
        "out_of_hardship_date": Date("脱困日期"),
        "review_count": Integer("复核次数"),
        "last_review_date": Date("最近复核日期"),
        "last_conclusion": Text("最近复核结论"),
        "review_per_capita": Money("复核人均月收入（元）"),
        "living_standard": Money("当地低保标准（元）"),
        "below_standard": Bool("低于低保标准"),
        "review_due": Bool("本年度未复核"),
    }
    parent_columns = {
        "困难职工档案台账": (
            Column("file_status", width=7),
            Column("current_category", width=9),
            Column("last_review_date", width=11),
            Column("last_conclusion", width=9),
            Column("review_per_capita", width=11),
            Column("below_standard", width=7),
            Column("review_due", width=7),
        )
    }

    def closes_parent(self, record: RecordView) -> date | None:
        """脱困销档 closes the file on the day of that review: its retention counts from there."""
        if record.values["conclusion"] != CLOSE:
            return None
        review_date: date = record.values["review_date"]
        return review_date

    def derive(self, form: Any, ctx: FormContext) -> dict[str, Any]:
        standard = living_standard(ctx)
        per_capita = per_head(form.household_monthly_income, form.household_size)
        found = ctx.record(form.hardship_serial)
        values = found.values if found else {}
        return {
            "per_capita_income": per_capita,
            "living_standard": standard,
            "below_standard": per_capita < standard,
            "department": values.get("department"),
            "application_date": values.get("application_date"),
            "category_before": current_category(found) if found else None,
            "per_capita_before": found.derived.get("per_capita_income") if found else None,
        }

    def parent_live(
        self, parent: RecordView, children: list[RecordView], today: date
    ) -> dict[str, Any]:
        return _status(parent, children, today) | {"current_category": current_category(parent)}

    def samples(self, today: date, parent: RecordView | None = None) -> list[Sample]:
        return _samples(today, parent)


def _samples(today: date, parent: RecordView | None) -> list[Sample]:
    first = hardship.KIND.samples(today)[0].values
    sheet = KIND.prefill(parent) if parent else {"hardship_serial": f"KN-{today.year}-0001"}
    sheet = {"name": first["name"]} | sheet
    good: dict[str, Any] = sheet | {
        "review_date": today,
        "reviewer": "工会女工委员周示例",
        "household_size": 3,
        "household_monthly_income": Decimal("5200.00"),
        "conclusion": CONTINUE,
        "review_notes": "配偶仍需定期透析，孩子在读大学，家庭人均收入变化不大，继续帮扶。",
    }
    notes = "本人月收入因岗位调整略有增加，配偶病情稳定但仍需长期服药，孩子明年毕业后有望就业。"
    return [
        Sample("困难职工档案复核-张示例", good),
        Sample(
            "困难职工档案复核-张示例（有错误）",
            good
            | {
                "review_date": today + timedelta(days=1),
                "household_size": 0,
                "conclusion": CLOSE,
                "months_above": 3,
                "new_category": "深度困难",
                "review_notes": "好转",
            },
            good=False,
        ),
        Sample(
            "困难职工档案复核-张示例（长文本）",
            good
            | {
                "conclusion": ADJUST,
                "new_category": "深度困难",
                "review_notes": (notes * 25)[:1000],
            },
        ),
    ]


KIND = HardshipReview()
