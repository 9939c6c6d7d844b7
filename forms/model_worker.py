"""劳动模范和先进生产（工作）者推荐审批表 (serial prefix LM): a nomination with its deeds.

The standard: 《中华人民共和国工会法》 … 工会与有关部门共同做好劳动模范和先进生产(工作)者的
评选、表彰、培养和管理工作 … 荣誉称号的设置和奖励按照上级单位文件执行.

A second nomination of a person for the same year and level is accepted and flagged 重复推荐.
The form carries the person (with the ID number), the honour and its level (公司 / 一师 / 兵团 /
全国), the 主要事迹 (at least 200 characters) and the department's recommendation; the document
adds the layered 推荐意见 blocks signed on paper. The 劳模档案台账 has one row per person (by ID
number) with every honour over the years: those stated on the forms and those nominated here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
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
    Date,
    Department,
    IdNumber,
    Integer,
    Phone,
    Table,
    Text,
    gender_mismatch,
    id_birth_date,
)
from forms.samples import Sample, fictional_id, miswritten_id

HONOURS = ("劳动模范", "先进生产者", "先进工作者", "五一劳动奖章")
LEVELS = ("公司", "一师", "兵团", "全国")
# 五一劳动奖章 are conferred by the national and the provincial-level (兵团) trade unions.
MEDAL, MEDAL_LEVELS = "五一劳动奖章", ("兵团", "全国")
POLITICAL = ("中共党员", "中共预备党员", "共青团员", "民主党派", "群众")
EDUCATION = ("研究生", "大学本科", "大学专科", "中专或高中", "初中及以下")
MIN_DEEDS = 200
WORKING_AGE = 16


class Honour(FormModel):
    honour_year: Annotated[int, Integer("年度", bounds=(1950, 2100), unit="年")]
    honour_name: Annotated[str, Text("荣誉称号", length=(2, 40))]
    honour_level: Annotated[str | None, Choice("级别", choices=(*LEVELS, "其他"))] = None
    awarded_by: Annotated[str | None, Text("授予单位")] = None


class ModelWorkerForm(FormModel):
    name: Annotated[str, Text("姓名", length=(2, 20))]
    gender: Annotated[str, Choice("性别", choices=("男", "女"))]
    id_number: Annotated[str, IdNumber("身份证号码")]
    ethnicity: Annotated[str | None, Text("民族", length=(1, 10))] = None
    political_status: Annotated[str, Choice("政治面貌", choices=POLITICAL)]
    education: Annotated[str, Choice("文化程度", choices=EDUCATION)]
    department: Annotated[str, Department("所在部门")]
    position: Annotated[str, Text("职务或岗位")]
    technical_title: Annotated[str | None, Text("技术职称或技能等级")] = None
    employment_date: Annotated[date, Date("参加工作时间", past=True)]
    phone: Annotated[str | None, Phone("联系电话")] = None
    award_year: Annotated[int, Integer("评选年度", bounds=(2000, 2100), unit="年")]
    honour: Annotated[str, Choice("推荐荣誉称号", choices=HONOURS)]
    level: Annotated[str, Choice("级别", choices=LEVELS)]
    main_deeds: Annotated[
        str,
        Text(
            "主要事迹",
            length=(MIN_DEEDS, UNBOUNDED_TEXT),
            lines=12,
            hint=f"不少于{MIN_DEEDS}字：突出业绩、创新成果、获得的表彰，用事实和数据说话",
        ),
    ]
    department_opinion: Annotated[
        str, Text("所在部门推荐意见", lines=3, hint="部门负责人填写推荐理由")
    ]
    honours: Annotated[
        list[Honour], Table("曾获荣誉", rows=(0, 20), hint="县处级以上或公司级荣誉")
    ] = []

    @rule("gender", "id_number")
    def gender_matches_id(self, ctx: FormContext) -> RuleResult:
        yield from gender_mismatch(self.gender, self.id_number)

    @rule("employment_date", "id_number")
    def employed_after_working_age(self, ctx: FormContext) -> RuleResult:
        born = id_birth_date(self.id_number)
        if self.employment_date.year - born.year < WORKING_AGE:
            yield (
                "employment_date",
                f"应在本人年满{WORKING_AGE}周岁之后（出生于{born.isoformat()}）",
            )

    @rule("honour", "level")
    def medal_level(self, ctx: FormContext) -> RuleResult:
        if self.honour == MEDAL and self.level not in MEDAL_LEVELS:
            yield "level", f"{MEDAL}只由兵团或全国总工会授予，级别应为{'或'.join(MEDAL_LEVELS)}"

    @rule("award_year")
    def not_far_ahead(self, ctx: FormContext) -> RuleResult:
        if not ctx.today.year - 1 <= self.award_year <= ctx.today.year + 1:
            yield "award_year", f"应为{ctx.today.year - 1}至{ctx.today.year + 1}年之间"

    @rule("honours", "award_year")
    def honours_before(self, ctx: FormContext) -> RuleResult:
        late = [h.honour_year for h in self.honours if h.honour_year > self.award_year]
        if late:
            yield "honours", f"曾获荣誉的年度不能晚于评选年度{self.award_year}年（有{late[0]}年）"


def _same_round(earlier: RecordView | None, form: Any) -> bool:
    values = earlier.values if earlier else {}
    return (values.get("award_year"), values.get("level")) == (form.award_year, form.level)


PERSON_KEYS = ("name", "gender", "id_number", "department", "position", "political_status")


def _listed(past: dict[str, Any]) -> str:
    level = past["honour_level"] if past["honour_level"] not in (None, "其他") else ""
    return f"{past['honour_year']}年{level}{past['honour_name']}"


def archive_rows(records: list[RecordView], today: date) -> Iterable[dict[str, Any]]:
    """One row per person (by ID number) with the latest form's details and every honour over
    the years: those listed under 曾获荣誉 on any form, and each nomination made here."""
    people: dict[str, list[RecordView]] = {}
    for record in records:
        people.setdefault(record.values["id_number"], []).append(record)
    for forms in people.values():
        honours: dict[tuple[int, str], str] = {}
        for record in forms:
            values = record.values
            for past in values["honours"]:
                honours[(past["honour_year"], past["honour_name"])] = _listed(past)
            named = f"{values['level']}{values['honour']}"
            honours[(values["award_year"], named)] = (
                f"{values['award_year']}年{named}（推荐，{record.serial}）"
            )
        latest = forms[-1].values
        yield {key: latest[key] for key in PERSON_KEYS} | {
            "birth_date": id_birth_date(latest["id_number"]),
            "highest_level": max((r.values["level"] for r in forms), key=LEVELS.index),
            "latest_year": max(r.values["award_year"] for r in forms),
            "nominations": len(forms),
            "honours_text": "；".join(honours[key] for key in sorted(honours)),
            "serials_text": "、".join(str(r.serial) for r in forms),
        }


ARCHIVE_TYPES = {
    "birth_date": Date("出生日期"),
    "honours_text": Text("历年荣誉"),
    "highest_level": Text("最高推荐级别"),
    "latest_year": Integer("最近评选年度"),
    "nominations": Integer("推荐次数"),
    "serials_text": Text("推荐审批表编号"),
}


class ModelWorker(FormKind):
    key = "model_worker"
    title = "劳动模范和先进生产（工作）者推荐审批表"
    model = ModelWorkerForm
    serial_prefix = "LM"
    name_key = "name"
    summary = "劳动模范和先进生产（工作）者推荐审批，建立劳模档案，累计历年荣誉"
    documents = (DocumentSpec("劳动模范和先进生产（工作）者推荐审批表", "model_worker.docx"),)
    derived = {
        "birth_date": Date("出生日期"),
        "age": Integer("年龄"),
        "repeated": Bool("重复推荐"),
        "earlier_serials": Text("此前同级推荐编号"),
    }
    registers = (
        RegisterSpec(
            "劳模档案台账",
            columns=(
                Column("name", width=9),
                Column("gender", width=5),
                Column("id_number", width=20),
                Column("birth_date", width=11),
                Column("political_status", width=9),
                Column("department", width=10),
                Column("position", width=12),
                Column("highest_level", width=8),
                Column("latest_year", width=8),
                Column("nominations", width=6),
                Column("honours_text", width=40),
                Column("serials_text", width=16),
            ),
            rows=archive_rows,
            grouped_by="id_number",  # a person's row is made from that person's forms
            value_types=ARCHIVE_TYPES,
            sheets=(
                RegisterSpec(
                    "推荐审批登记",
                    columns=(
                        Column("serial", width=13),
                        Column("award_year", width=8),
                        Column("name", width=9),
                        Column("department", width=10),
                        Column("position", width=12),
                        Column("honour", width=12),
                        Column("level", width=6),
                        Column("age", width=5),
                        Column("education", width=9),
                        Column("department_opinion", width=26),
                        Column("repeated", width=6),
                        Column("earlier_serials", width=14),
                        Column("received_at", width=16),
                    ),
                    highlight="repeated",
                ),
            ),
        ),
    )

    def derive(self, form: Any, ctx: FormContext) -> dict[str, Any]:
        # A second nomination of a person for the same year and level is accepted (it may
        # be a corrected copy) and flagged, like a second hardship application.
        earlier = [
            serial
            for serial in ctx.serials_with(self.key, "id_number", form.id_number, ctx.today.year)
            if _same_round(ctx.record(serial), form)
        ]
        return {"repeated": bool(earlier), "earlier_serials": "、".join(earlier)}

    def live(self, record: RecordView, today: date) -> dict[str, Any]:
        born = id_birth_date(record.values["id_number"])
        age = record.values["award_year"] - born.year
        return {"birth_date": born, "age": age}

    def samples(self, today: date, parent: RecordView | None = None) -> list[Sample]:
        return _samples(today)


DEEDS = (
    "该同志自参加工作以来，一直在锅炉运行岗位，熟练掌握循环流化床锅炉运行技术。"
    "近三年带领班组实现锅炉连续安全运行超过八百天，主持完成燃烧调整优化，"
    "使供电煤耗下降三克每千瓦时，年节约标煤约四千吨；提出合理化建议十二条，其中五条被采纳实施，"
    "获公司技术革新一等奖一项。在冬季供热保障中，连续三十天坚守岗位，"
    "处置突发缺陷二十余次，保证了城市供热。坚持传帮带，培养主值班员六名，"
    "所带班组被评为公司安全生产先进班组。"
)


def _samples(today: date) -> list[Sample]:
    good: dict[str, Any] = {
        "name": "孙示例",
        "gender": "男",
        "id_number": fictional_id("19820608", 5),
        "ethnicity": "汉族",
        "political_status": "中共党员",
        "education": "大学本科",
        "department": "运行部",
        "position": "锅炉运行值长",
        "technical_title": "高级技师",
        "employment_date": date(2004, 7, 15),
        "phone": "13900000031",
        "award_year": today.year,
        "honour": "劳动模范",
        "level": "一师",
        "main_deeds": DEEDS,
        "department_opinion": "该同志业绩突出，群众公认，部门职工大会推荐，同意上报。",
        "honours": [
            {"honour_year": today.year - 2, "honour_name": "先进生产者", "honour_level": "公司"},
            {
                "honour_year": today.year - 1,
                "honour_name": "技术革新一等奖",
                "honour_level": "公司",
                "awarded_by": "盛源热电",
            },
        ],
    }
    return [
        Sample("孙示例-劳模推荐审批表", good),
        Sample(
            "钱样例-劳模推荐审批表（有错误）",
            good
            | {
                "name": "钱样例",
                "gender": "女",
                "id_number": miswritten_id(fictional_id("19850101", 7)),
                "honour": MEDAL,
                "level": "公司",
                "main_deeds": "工作认真负责，表现突出。",
            },
            good=False,
        ),
        Sample(
            "周演示-劳模推荐审批表（长文本）",
            good
            | {
                "name": "周演示",
                "gender": "女",
                "id_number": fictional_id("19900912", 8),
                "employment_date": date(2012, 7, 1),
                "honour": "先进工作者",
                "level": "公司",
                "main_deeds": (DEEDS * 6)[:1000],
                "department_opinion": (DEEDS * 2)[:300],
                "honours": [
                    {
                        "honour_year": today.year - 20 + n,
                        "honour_name": f"示例荣誉称号{n}",
                        "honour_level": LEVELS[n % 4],
                        "awarded_by": "示例授予单位",
                    }
                    for n in range(20)
                ],
            },
        ),
    ]


KIND = ModelWorker()
