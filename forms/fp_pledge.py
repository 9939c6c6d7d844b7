"""计划生育责任状 (SPEC §3.5): a pledge signed level by level, with its roster of persons.

The standard: 逐级签订计划生育责任状 … 建立育龄人员基础资料档案 … 按期对重点人员回访.

The pledge's standard clauses live in the Word template (``templates/fp_pledge.docx``) so the
office can keep them in step with the law without touching code. The rosters of all pledges
make one register of persons: the latest pledge naming a person wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
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
from forms.fields import Bool, Choice, Date, Department, Integer, Phone, Table, Text
from forms.reports import Batch, Count, Period, Report, RosterColumn, Row, Section, Tally
from forms.reports import Choice as BatchChoice
from forms.samples import Sample, long_text

LEVELS = ("公司—部门", "部门—班组", "班组—个人")
MARITAL = ("未婚", "已婚", "离异", "丧偶")
DEFAULT_VISIT_INTERVAL_DAYS = 90


class Person(FormModel):
    person_name: Annotated[str, Text("姓名", length=(1, 20))]
    person_gender: Annotated[str | None, Choice("性别", choices=("男", "女"))] = None
    person_birth_date: Annotated[date | None, Date("出生日期", past=True)] = None
    person_department: Annotated[str | None, Department("部门")] = None
    marital_status: Annotated[str | None, Choice("婚姻状况", choices=MARITAL)] = None
    children: Annotated[int | None, Integer("子女数", bounds=(0, 10), unit="个")] = None
    person_phone: Annotated[str | None, Phone("联系电话")] = None
    key_followup: Annotated[bool | None, Bool("重点回访")] = None
    last_visit_date: Annotated[date | None, Date("最近回访日期", past=True)] = None


class PledgeForm(FormModel):
    year: Annotated[int, Integer("责任年度", bounds=(2000, 2100), unit="年")]
    level: Annotated[str, Choice("签订层级", choices=LEVELS)]
    party_a: Annotated[str, Text("甲方", hint="发出责任状的一方，例如：公司、运行部")]
    party_a_signatory: Annotated[str, Text("甲方负责人")]
    party_b: Annotated[str, Text("乙方", hint="承担责任的一方，例如：运行部、运行一值")]
    party_b_signatory: Annotated[str, Text("乙方负责人")]
    term_start: Annotated[date, Date("责任期限起", hint="日期，在责任年度之内")]
    term_end: Annotated[date, Date("责任期限止", hint="日期，晚于期限起，在责任年度之内")]
    extra_clauses: Annotated[
        str | None, Text("补充条款", lines=4, hint="标准条款以外双方约定的内容，可不填")
    ] = None
    sign_date: Annotated[date, Date("签订日期")]
    roster: Annotated[
        list[Person],
        Table("育龄人员基础资料", rows=(0, 200), hint="乙方的育龄人员，最多200人，可不填"),
    ] = []

    @rule("term_start", "year")
    def starts_within_year(self, ctx: FormContext) -> RuleResult:
        if self.term_start.year != self.year:
            yield "term_start", f"应在责任年度{self.year}年之内"

    @rule("term_end", "year")
    def ends_within_year(self, ctx: FormContext) -> RuleResult:
        if self.term_end.year != self.year:
            yield "term_end", f"应在责任年度{self.year}年之内"

    @rule("term_end", "term_start")
    def ends_after_start(self, ctx: FormContext) -> RuleResult:
        if self.term_end <= self.term_start:
            yield "term_end", f"应晚于责任期限起（{self.term_start.isoformat()}）"


PERSON_TYPES = {spec.key: spec.type for spec in Person.field_defs()}
PERSON_WIDTHS = (9, 5, 11, 12, 8, 6, 14, 8, 11)


def _person_key(person: dict[str, Any]) -> tuple[str, str]:
    """Who a roster row is: the name with the birth date, or with the department without one."""
    return person["person_name"], str(person["person_birth_date"] or person["person_department"])


def _next_visit(person: dict[str, Any], pledge: RecordView) -> date | None:
    """Key persons are visited every configured interval; never visited means due at once."""
    if not person["key_followup"]:
        return None
    last = person["last_visit_date"]
    if last is None:
        return pledge.received_at.date()
    interval = pledge.derived.get("visit_interval_days", DEFAULT_VISIT_INTERVAL_DAYS)
    return last + timedelta(days=interval)


def persons(records: list[RecordView], today: date) -> Iterable[dict[str, Any]]:
    """One row per person over all pledges, in acceptance order: a later pledge's data wins."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for pledge in records:
        for person in pledge.values["roster"]:
            key = _person_key(person)
            latest.pop(key, None)
            following = _next_visit(person, pledge)
            latest[key] = person | {
                "next_visit_date": following,
                "visit_due": None if following is None else following <= today,
                "serial": pledge.serial,
                "party_b": pledge.values["party_b"],
                "year": pledge.values["year"],
            }
    return latest.values()


def _pledge_values(unit: Row, year: int, level: str, organisation: Mapping[str, Any]) -> Row:
    """A pledge for one unit of the roster, for ``year``: what the office knows beforehand.

    At the top level the company is party A; below it the roster names party A (the
    department) for each team. Signatures, the signing date and the unit's roster of persons
    are filled in by the unit and come back through the inbox.
    """
    party_a = unit.get("party_a") or (organisation["name"] if level == LEVELS[0] else "")
    values: Row = {
        "year": year,
        "level": level,
        "party_a": party_a,
        "party_a_signatory": unit.get("party_a_signatory") or None,
        "party_b": unit["party_b"],
        "party_b_signatory": unit["party_b_signatory"],
        "term_start": date(year, 1, 1),
        "term_end": date(year, 12, 31),
    }
    return {key: value for key, value in values.items() if value not in (None, "")}


def _visits_sections(rows: list[Row], period: Period, settings: Any) -> list[Section]:
    overdue = [row for row in rows if row["visit_due"]]
    return [
        Section(
            "",
            (
                f"重点回访对象{len(rows)}人（{period.label}到期），其中已到期或逾期{len(overdue)}人。"
                "按“按期对重点人员回访”的要求，请各部门女工委员按名单安排回访，"
                "回访后在育龄人员基础资料中填写最近回访日期。",
            ),
        ),
    ]


ROSTER = (
    RosterColumn("party_b", "单位", ("单位名称", "部门", "部门名称", "班组", "班组名称", "乙方")),
    RosterColumn(
        "party_b_signatory",
        "负责人",
        ("部门负责人", "班组长", "负责人姓名", "乙方负责人", "单位负责人", "部门主任"),
    ),
    RosterColumn("party_a", "甲方", ("上级单位", "甲方单位"), required=False),
    RosterColumn("party_a_signatory", "甲方负责人", ("上级负责人",), required=False),
)


class Pledge(FormKind):
    key = "fp_pledge"
    title = "计划生育责任状"
    model = PledgeForm
    serial_prefix = "JS"
    name_key = "party_b"
    summary = "逐级签订计划生育责任状，建立育龄人员基础资料档案，提示重点人员回访"
    # Reproductive data is sensitive personal information: kept no longer than needed.
    retention_years = 5
    retention_from = "责任期限届满之日"
    documents = (DocumentSpec("计划生育责任状", "fp_pledge.docx"),)
    derived = {
        "roster_count": Integer("育龄人员数"),
        "key_count": Integer("重点回访人数"),
        "visit_interval_days": Integer("回访间隔（天）"),
    }
    registers = (
        RegisterSpec(
            "计划生育责任状签订台账",
            columns=(
                Column("serial", width=13),
                Column("year", width=8),
                Column("level", width=11),
                Column("party_a", width=16),
                Column("party_a_signatory", width=9),
                Column("party_b", width=16),
                Column("party_b_signatory", width=9),
                Column("term_start", width=11),
                Column("term_end", width=11),
                Column("sign_date", width=11),
                Column("roster_count", width=8),
                Column("key_count", width=8),
                Column("extra_clauses", width=24),
                Column("received_at", width=16),
            ),
        ),
        RegisterSpec(
            "育龄人员基础资料档案",
            columns=(
                *(
                    Column(key, width=width)
                    for key, width in zip(PERSON_TYPES, PERSON_WIDTHS, strict=True)
                ),
                Column("next_visit_date", width=11),
                Column("visit_due", width=8),
                Column("party_b", "所属单位（乙方）", width=22),
                Column("serial", "来源责任状", width=13),
            ),
            rows=persons,
            latest_by=_person_key,  # a person's row is that of the latest pledge naming them
            highlight="visit_due",
            value_types=PERSON_TYPES
            | {"next_visit_date": Date("下次回访日期"), "visit_due": Bool("回访到期")},
        ),
    )

    def closed_on(self, record: RecordView) -> date | None:
        term_end: date = record.values["term_end"]
        return term_end

    batches = (
        Batch(
            "pledges",
            "计划生育责任状",
            "按单位名单（每行一个部门或班组及其负责人）为每个单位生成预先填好的计划生育责任状"
            "（打印签字）和回交表单；交回情况用 unionforms status pledges 查看。",
            _pledge_values,
            key="party_b",
            label_key="party_b_signatory",
            roster=ROSTER,
            choice=BatchChoice("level", "签订层级", LEVELS, LEVELS[0]),
            year_key="year",
            documents=True,
        ),
    )
    reports = (
        Report(
            "visits-due",
            "育龄人员重点回访到期名单",
            "育龄人员基础资料中到期或即将到期（--within 天数内）的重点回访对象，按部门列出。",
            RegisterSpec(
                "育龄人员重点回访到期名单",
                columns=(
                    Column("person_name", width=9),
                    Column("person_gender", width=5),
                    Column("person_department", width=12),
                    Column("person_phone", width=14),
                    Column("last_visit_date", width=12),
                    Column("next_visit_date", width=12),
                    Column("visit_due", "已到期", width=7),
                    Column("party_b", "所属单位（乙方）", width=14),
                    Column("serial", "来源责任状", width=13),
                ),
                rows=persons,
                where=lambda row: row["next_visit_date"] is not None,
                order=lambda row: (str(row["person_department"] or ""), row["next_visit_date"]),
                value_types=PERSON_TYPES
                | {"next_visit_date": Date("下次回访日期"), "visit_due": Bool("回访到期")},
            ),
            due_key="next_visit_date",
            periods=("due",),
            group_by=("person_department",),
            tallies=(
                Tally(
                    "按部门",
                    "person_department",
                    (Count("人数"), Count("已到期", lambda r: bool(r["visit_due"]))),
                ),
            ),
            sections=_visits_sections,
            empty="没有到期或即将到期的重点回访对象。",
            leaves_office=True,
        ),
    )

    def derive(self, form: Any, ctx: FormContext) -> dict[str, Any]:
        # The interval in force when the pledge was accepted decides its persons' next visits.
        return {
            "roster_count": len(form.roster),
            "key_count": sum(1 for person in form.roster if person.key_followup),
            "visit_interval_days": int(
                ctx.settings.get("visit_interval_days", DEFAULT_VISIT_INTERVAL_DAYS)
            ),
        }

    def samples(self, today: date, parent: RecordView | None = None) -> list[Sample]:
        return _samples(today)


def _samples(today: date) -> list[Sample]:
    year = today.year
    roster = [
        {
            "person_name": "陈示例",
            "person_gender": "女",
            "person_birth_date": date(1993, 4, 12),
            "person_department": "运行部",
            "marital_status": "已婚",
            "children": 1,
            "person_phone": "13900000011",
            "key_followup": "是",
            "last_visit_date": today - timedelta(days=100),
        },
        {
            "person_name": "林样例",
            "person_gender": "女",
            "person_birth_date": date(1996, 9, 3),
            "person_department": "运行部",
            "marital_status": "已婚",
            "children": 0,
            "person_phone": "13900000012",
            "key_followup": "是",
            "last_visit_date": today - timedelta(days=30),
        },
        {
            "person_name": "黄演示",
            "person_gender": "男",
            "person_birth_date": date(1990, 1, 21),
            "person_department": "运行部",
            "marital_status": "已婚",
            "children": 2,
            "person_phone": "0997-4600012",
            "key_followup": "否",
        },
        {
            "person_name": "何示例",
            "person_gender": "女",
            "person_birth_date": date(1999, 11, 8),
            "person_department": "运行部",
            "marital_status": "未婚",
            "children": 0,
            "key_followup": "是",
        },
    ]
    base: dict[str, Any] = {
        "year": year,
        "level": "部门—班组",
        "party_a": "运行部",
        "party_a_signatory": "冯示例",
        "party_b": "运行部一值",
        "party_b_signatory": "蒋样例",
        "term_start": date(year, 1, 1),
        "term_end": date(year, 12, 31),
        "extra_clauses": "乙方每季度末将育龄人员变动情况报甲方女工委员。",
        "sign_date": date(year, 1, 5),
        "roster": roster,
    }
    return [
        Sample("运行部一值-计划生育责任状", base),
        Sample("运行部三值-计划生育责任状（长内容）", _stress(base, today)),
        Sample(
            "运行部二值-计划生育责任状（有错误）",
            base
            | {
                "party_b": "运行部二值",
                "term_start": date(year - 1, 12, 1),
                "term_end": date(year - 1, 11, 30),
                "roster": [roster[0] | {"marital_status": "已婚已育", "children": 11}],
            },
            good=False,
        ),
    ]


EXTRA_CLAUSES = (
    "乙方每季度末将育龄人员变动情况报甲方女工委员，",
    "新入职、调入或调出的育龄人员在一个月内办理档案转接手续，",
    "乙方负责人因工作调动离任时，应将本责任状及育龄人员档案移交接任者，",
    "甲方每半年组织一次生殖健康知识讲座，乙方保证参加人数不低于应参加人数的九成。",
)
MARRIED = ("已婚", "未婚", "已婚", "离异")


def _stress(base: dict[str, Any], today: date) -> dict[str, Any]:
    """Two hundred persons and four long extra clauses (layout checks)."""
    roster = [
        {
            "person_name": f"{'陈林黄何罗梁宋郑谢韩'[n % 10]}示例{n + 1:03d}",
            "person_gender": "女" if n % 2 else "男",
            "person_birth_date": date(1980 + n % 25, 1 + n % 12, 1 + n % 28),
            "person_department": "运行部",
            "marital_status": MARRIED[n % 4],
            "children": n % 3,
            "person_phone": f"139{n:08d}",
            "key_followup": "是" if n % 5 == 0 else "否",
            "last_visit_date": today - timedelta(days=n % 120) if n % 5 == 0 else None,
        }
        for n in range(200)
    ]
    clauses = [long_text(EXTRA_CLAUSES[n:] + EXTRA_CLAUSES[:n], 160) for n in range(4)]
    return base | {
        "party_b": "运行部集控运行三值（含辅控、化学、燃料运行班组）",
        "party_b_signatory": "欧阳样例",
        "extra_clauses": "\n".join(f"{n}．{text}" for n, text in enumerate(clauses, 1)),
        "roster": roster,
    }


KIND = Pledge()
