"""Example hardship applications: two ordinary ones, one with long content (ten family members,
thousand-character texts) for layout checks, and one with mistakes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from forms.samples import Sample, fictional_id, long_text, miswritten_id


def hardship_samples(today: date) -> list[Sample]:
    year = today.year
    base: dict[str, Any] = {
        "name": "张示例",
        "gender": "男",
        "id_number": fictional_id("19800315", 1),
        "department": "运行部",
        "position": "锅炉运行值班员",
        "employment_date": date(2002, 7, 1),
        "phone": "13900000001",
        "address": "阿拉尔市示例路1号",
        "household_size": 3,
        "monthly_wage": Decimal("4200.00"),
        "household_monthly_income": Decimal("5000.00"),
        "hardship_category": "相对困难",
        "hardship_causes": "因病、子女就学",
        "hardship_description": "配偶长期患病需要透析，家中一个孩子上大学，医疗和学费支出较大。",
        "requested_amount": Decimal("3000.00"),
        "department_opinion": "情况属实，同意上报。",
        "application_date": date(year, 1, 5) if today >= date(year, 1, 5) else today,
        "family_members": [
            {
                "member_name": "李示例",
                "relation": "配偶",
                "age": 44,
                "occupation": "无业",
                "monthly_income": Decimal("800.00"),
            },
            {
                "member_name": "张小例",
                "relation": "子女",
                "age": 19,
                "occupation": "大学在读",
                "monthly_income": Decimal("0"),
            },
        ],
    }
    second = base | {
        "name": "王样例",
        "gender": "女",
        "id_number": fictional_id("19751120", 2),
        "department": "检修部",
        "position": "电气检修工",
        "employment_date": date(1996, 9, 1),
        "phone": "0997-4600001",
        "address": "阿拉尔市样例街8号",
        "household_size": 1,
        "monthly_wage": Decimal("3600"),
        "household_monthly_income": Decimal("3600"),
        "hardship_category": "意外致困",
        "hardship_causes": "因灾",
        "hardship_description": "今年夏季暴雨致住房受损，修缮费用较高，本人独自生活。",
        "requested_amount": Decimal("5000"),
        "family_members": [],
    }
    return [
        Sample("张示例-困难帮扶申请", base),
        Sample("王样例-困难帮扶申请", second),
        Sample("欧阳示例-困难帮扶申请（长内容）", _stress(base)),
        Sample(
            "赵演示-困难帮扶申请（有错误）",
            base
            | {
                "name": "赵演示",
                "id_number": miswritten_id(fictional_id("19880101", 3)),
                "requested_amount": Decimal("30000"),
                "household_size": 4,
            },
            good=False,
        ),
    ]


STRESS_TEXT = (
    "本人妻子于前年确诊尿毒症，每周需在示例市人民医院透析三次，",
    "医保报销后每月自付医疗费用仍在两千元以上，家庭积蓄已全部用尽。",
    "父母年迈多病，父亲患有高血压和糖尿病，母亲去年摔伤后行动不便，需要专人照料。",
    "两个孩子分别在读大学和高中，每年学费、住宿费和生活费合计约三万元。",
    "去年夏季暴雨导致自建住房部分受损，修缮费用向亲友借款一万五千元尚未还清。",
    "本人除正常上班外利用休息时间打零工补贴家用，但仍入不敷出。",
)
RELATIVES = (
    ("配偶", 46, "无业（患病）", "0"),
    ("子女", 20, "大学在读", "0"),
    ("子女", 16, "高中在读", "0"),
    ("父亲", 74, "退休", "1350.00"),
    ("母亲", 71, "无业", "0"),
    ("其他", 43, "灵活就业", "800.00"),
    ("其他", 12, "小学在读", "0"),
    ("其他", 68, "农民", "300.00"),
    ("其他", 39, "个体经营", "1000.00"),
    ("其他", 9, "小学在读", "0"),
)


def _stress(base: dict[str, Any]) -> dict[str, Any]:
    """Ten family members and a thousand characters in every long text (layout checks)."""
    members = [
        {
            "member_name": f"欧阳{'一二三四五六七八九十'[n]}例",
            "relation": relation,
            "age": age,
            "occupation": occupation,
            "monthly_income": Decimal(income),
        }
        for n, (relation, age, occupation, income) in enumerate(RELATIVES)
    ]
    wage = Decimal("3850.00")
    return base | {
        "name": "欧阳示例",
        "id_number": fictional_id("19781203", 5),
        "position": "汽机运行主值班员兼设备点检员",
        "address": "阿拉尔市示例区示例街道幸福路示例小区18号楼3单元602室（父母住同小区5号楼）",
        "household_size": 1 + len(members),
        "monthly_wage": wage,
        "household_monthly_income": wage + sum(Decimal(row[3]) for row in RELATIVES),
        "hardship_category": "深度困难",
        "hardship_causes": "因病、因灾、子女就学、其他",
        "hardship_description": long_text(STRESS_TEXT),
        "requested_amount": Decimal("20000.00"),
        "department_opinion": long_text(STRESS_TEXT[2:] + STRESS_TEXT[:2]),
        "family_members": members,
    }
