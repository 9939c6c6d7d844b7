"""困难职工帮扶申请表 (SPEC §3.1).

The standard: 建立困难职工档案 … 定期或不定期对困难职工进行补助，发放补助金 …
报一师电力公司工会统一归档.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
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
    CENT,
    Bool,
    Choice,
    Date,
    Department,
    IdNumber,
    Integer,
    Money,
    Multi,
    Phone,
    Table,
    Text,
    gender_mismatch,
    id_birth_date,
)
from forms.hardship_samples import hardship_samples
from forms.reports import Count, Period, Report, Row, Section, Tally
from forms.samples import Sample
from forms.words import money_figures, rmb_upper

RELATIONS = ("配偶", "子女", "父亲", "母亲", "其他")
CATEGORIES = ("深度困难", "相对困难", "意外致困")
CAUSES = (
    "因病",
    "因残",
    "因伤",
    "因灾",
    "因意外事故",
    "子女就学",
    "家属下岗失业",
    "单亲家庭",
    "其他",
)
MIN_WORKING_AGE = 16


class FamilyMember(FormModel):
    member_name: Annotated[str, Text("姓名", length=(1, 20))]
    relation: Annotated[str, Choice("与本人关系", choices=RELATIONS)]
    age: Annotated[int | None, Integer("年龄", bounds=(0, 120), unit="岁")] = None
    occupation: Annotated[str | None, Text("工作单位或状况")] = None
    monthly_income: Annotated[Decimal | None, Money("月收入（元）")] = None


class HardshipForm(FormModel):
    name: Annotated[str, Text("姓名", length=(2, 20))]
    gender: Annotated[str, Choice("性别", choices=("男", "女"))]
    id_number: Annotated[str, IdNumber("身份证号码")]
    department: Annotated[str, Department("所在部门")]
    position: Annotated[str | None, Text("岗位")] = None
    employment_date: Annotated[date, Date("参加工作时间", past=True)]
    phone: Annotated[str, Phone("联系电话")]
    address: Annotated[str, Text("家庭住址")]
    household_size: Annotated[int, Integer("家庭人口", bounds=(1, 20), unit="人")]
    monthly_wage: Annotated[Decimal, Money("本人月收入（元）")]
    household_monthly_income: Annotated[Decimal, Money("家庭月总收入（元）")]
    hardship_category: Annotated[str, Choice("困难类别", choices=CATEGORIES)]
    hardship_causes: Annotated[list[str], Multi("致困原因", choices=CAUSES)]
    hardship_description: Annotated[
        str,
        Text("困难情况说明", length=(10, 1000), lines=5, hint="10至1000字，写明家庭困难的具体情况"),
    ]
    requested_amount: Annotated[
        Decimal, Money("申请补助金额（元）", positive=True, cap="subsidy_cap", cap_name="补助上限")
    ]
    department_opinion: Annotated[str | None, Text("部门意见", lines=2)] = None
    application_date: Annotated[date, Date("申请日期", past=True)]
    family_members: Annotated[
        list[FamilyMember], Table("家庭成员", rows=(0, 10), hint="不含申请人本人，最多10人")
    ] = []

    @rule("gender", "id_number")
    def gender_matches_id(self, ctx: FormContext) -> RuleResult:
        yield from gender_mismatch(self.gender, self.id_number)

    @rule("id_number", "name")
    def one_person_per_id_number(self, ctx: FormContext) -> RuleResult:
        """An ID number on file under another name is a mistake in one of the two forms: the
        department must say which, not open a second file for the same number."""
        for record in ctx.records_with("hardship", "id_number", self.id_number):
            if record.values["name"] != self.name:
                yield (
                    "id_number",
                    f"已在{record.ident}登记在“{record.values['name']}”名下，与本表姓名"
                    f"“{self.name}”不符；请部门核对是姓名还是身份证号码填错，改正后重新提交",
                )
                return

    @rule("employment_date", "id_number")
    def employment_after_working_age(self, ctx: FormContext) -> RuleResult:
        birth = id_birth_date(self.id_number)
        earliest = _add_years(birth, MIN_WORKING_AGE)
        if self.employment_date < earliest:
            yield (
                "employment_date",
                f"应在本人年满{MIN_WORKING_AGE}周岁（{earliest.isoformat()}）之后，"
                f"身份证号码中的出生日期为{birth.isoformat()}",
            )

    @rule("household_size", "family_members")
    def household_counts_members(self, ctx: FormContext) -> RuleResult:
        if self.family_members and self.household_size != 1 + len(self.family_members):
            yield (
                "household_size",
                f"应等于本人加家庭成员表中的{len(self.family_members)}人，"
                f"即{1 + len(self.family_members)}人",
            )

    @rule("household_monthly_income", "monthly_wage", "family_members")
    def income_adds_up(self, ctx: FormContext) -> RuleResult:
        if not self.family_members:
            return
        members = sum((m.monthly_income or Decimal(0) for m in self.family_members), Decimal(0))
        expected = self.monthly_wage + members
        if abs(self.household_monthly_income - expected) > CENT:
            yield (
                "household_monthly_income",
                f"应等于本人月收入加家庭成员月收入之和，即{expected:,.2f}元",
            )


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def _report_sections(rows: list[Row], period: Period, settings: Any) -> list[Section]:
    """The letter to the parent union: how many families, of which categories, how much."""
    total = sum((row["requested_amount"] for row in rows), Decimal(0))
    by_category = [
        f"{category}{count}份"
        for category in CATEGORIES
        if (count := sum(1 for r in rows if r["hardship_category"] == category))
    ]
    departments: dict[str, int] = {}
    for row in rows:
        departments[row["department"]] = departments.get(row["department"], 0) + 1
    rechecked = sum(1 for row in rows if row["recheck"])
    return [
        Section(
            "",
            (
                "根据《工会工作管理》关于建立困难职工档案、定期或不定期对困难职工进行补助、"
                "报上级工会统一归档的规定，现将本单位" + period.label + "困难职工名单报送如下。",
            ),
        ),
        Section(
            "基本情况",
            (
                f"{period.label}共受理困难职工帮扶申请{len(rows)}份，其中"
                + "、".join(by_category)
                + "。",
                "按部门："
                + "、".join(f"{name}{count}份" for name, count in sorted(departments.items()))
                + "。",
                f"申请补助金额合计{money_figures(total)}元（{rmb_upper(total)}）。",
            ),
        ),
        Section(
            "有关说明",
            (
                "名单中的身份证号码已遮盖中间8位，完整档案存本会备查。"
                if settings.get("ids_masked", True)
                else "名单中列有完整的身份证号码，请按个人信息保护的要求传送和保管。",
                f"同一职工本年度再次申请的{rechecked}份，已在名单中标明“复核”。"
                if rechecked
                else "本年度没有同一职工再次申请的情况。",
            ),
        ),
    ]


def _category_order(row: Row) -> tuple[int, str, str]:
    return CATEGORIES.index(row["hardship_category"]), row["department"], row["serial"] or ""


HOUSEHOLDS = (Count("申请份数"), Count("申请补助金额（元）", total="requested_amount"))


class Hardship(FormKind):
    key = "hardship"
    title = "困难职工帮扶申请表"
    model = HardshipForm
    serial_prefix = "KN"
    name_key = "name"
    summary = "困难职工建档与补助申请，生成档案表和补助审批表"
    signatures = ("申请人（签字）", "部门负责人（签字）")
    documents = (
        DocumentSpec("困难职工档案表", "hardship_file.docx"),
        DocumentSpec("困难职工补助审批表", "hardship_approval.docx"),
    )
    # 困难职工档案: kept at least ten years after the file is closed (the national union's
    # archive rules); a file no review has closed stays.
    retention_years = min_retention_years = 10
    retention_from = "档案销档之日"
    retention_open = "未销档的一直保存"
    derived = {
        "per_capita_income": Money("人均月收入（元）"),
        "recheck": Bool("复核"),
        "earlier_serials": Text("本年度此前申请编号"),
    }
    registers = (
        RegisterSpec(
            "困难职工档案台账",
            columns=(
                Column("serial", width=14),
                Column("name", width=9),
                Column("gender", width=5),
                Column("id_number", width=20),
                Column("department", width=12),
                Column("position", width=10),
                Column("employment_date", width=12),
                Column("phone", width=14),
                Column("address", width=24),
                Column("household_size", width=8),
                Column("monthly_wage", width=11),
                Column("household_monthly_income", width=11),
                Column("per_capita_income", width=11),
                Column("hardship_category", width=9),
                Column("hardship_causes", width=16),
                Column("requested_amount", width=12),
                Column("application_date", width=12),
                Column("recheck", width=6),
                Column("earlier_serials", width=16),
                Column("received_at", width=17),
                Column("source_name", width=24),
            ),
            highlight="recheck",
        ),
        RegisterSpec(
            "困难职工名单汇总表",
            columns=(
                Column("record_year", width=6),
                Column("serial", width=14),
                Column("name", width=9),
                Column("gender", width=5),
                Column("id_number", width=20),
                Column("department", width=12),
                Column("phone", width=14),
                Column("household_size", width=8),
                Column("per_capita_income", width=11),
                Column("hardship_category", width=9),
                Column("hardship_causes", width=16),
                Column("requested_amount", width=12),
                Column("application_date", width=12),
            ),
            order=lambda row: (row["record_year"], row["serial"]),
            outgoing=True,  # 报一师电力公司工会统一归档: it leaves the office
        ),
    )
    reports = (
        Report(
            "hardship",
            "困难职工名单汇总表",
            "困难职工名单汇总表（报一师电力公司工会），附发文字号的报送函；身份证号码默认遮盖。",
            RegisterSpec(
                "困难职工名单汇总表",
                columns=(
                    Column("serial", width=13),
                    Column("name", width=9),
                    Column("gender", width=5),
                    Column("id_number", width=20),
                    Column("department", width=12),
                    Column("hardship_category", width=9),
                    Column("hardship_causes", width=14),
                    Column("household_size", width=6),
                    Column("per_capita_income", width=11),
                    Column("requested_amount", width=12),
                    Column("application_date", width=11),
                    Column("recheck", width=6),
                ),
                order=_category_order,
            ),
            period_key="application_date",
            group_by=("hardship_category",),
            sums=("requested_amount",),
            tallies=(
                Tally("按困难类别", "hardship_category", HOUSEHOLDS),
                Tally("按部门", "department", HOUSEHOLDS),
            ),
            sections=_report_sections,
            letter=DocumentSpec("关于报送{period}困难职工名单的函", "report.docx"),
            numbered=True,
            addressee="parent_union",
            leaves_office=True,
        ),
    )

    def closed_on(self, record: RecordView) -> date | None:
        """The day a follow-up (a yearly review) closed the file, if one has."""
        from forms import get_kind  # (forms imports this module)

        days = [get_kind(child.kind).closes_parent(child) for child in record.children]
        closed = [day for day in days if day is not None]
        return max(closed) if closed else None

    def derive(self, form: Any, ctx: FormContext) -> dict[str, Any]:
        per_capita = (form.household_monthly_income / form.household_size).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
        earlier = ctx.serials_with(self.key, "id_number", form.id_number, ctx.today.year)
        return {
            "per_capita_income": per_capita,
            "recheck": bool(earlier),
            "earlier_serials": "、".join(earlier),
        }

    def context(self, record: RecordView, today: date) -> dict[str, Any]:
        birth = id_birth_date(record.values["id_number"])
        return super().context(record, today) | {"birth_date": birth}

    def samples(self, today: date, parent: RecordView | None = None) -> list[Sample]:
        return hardship_samples(today)


KIND = Hardship()
