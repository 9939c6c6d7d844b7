"""Every rule of SPEC §3.1, each with a passing and a failing case."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from forms import get_kind
from forms.samples import fictional_id
from tests.rules import Checker, Ctx

KIND = get_kind("hardship")
CHECK = Checker(KIND)


def sample(**changes: Any) -> dict[str, Any]:
    return CHECK.sample(**changes)


def problems(values: dict[str, Any], **settings: Any) -> list[str]:
    return CHECK.problems(values, Ctx(**settings))


def only_problem(values: dict[str, Any], **settings: Any) -> str:
    return CHECK.only_problem(values, Ctx(**settings))


def test_the_sample_passes() -> None:
    assert problems(sample()) == []
    form = CHECK.form(sample())
    assert form.hardship_causes == ["因病", "子女就学"]


@pytest.mark.parametrize(
    ("key", "good", "bad", "message"),
    [
        ("name", "张示", "张", "应为2至20个字"),
        ("gender", "男", "男性", "应为以下选项之一"),
        ("employment_date", date(2002, 7, 1), date(2027, 1, 1), "不能晚于今天"),
        ("phone", "13900000001", "1390000", "11位手机号码"),
        ("household_size", 3, 0, "应为1至20之间的整数"),
        ("monthly_wage", "4200", "-1", "不能为负数"),
        ("hardship_category", "深度困难", "很困难", "深度困难、相对困难、意外致困"),
        ("hardship_causes", "因病 子女就学", "因病、欠债", "“欠债”"),
        ("hardship_description", "一" * 10, "一" * 9, "应为10至1000个字"),
        ("hardship_description", "一" * 1000, "一" * 1001, "应为10至1000个字"),
        ("requested_amount", "20000", "20000.01", "不能超过补助上限20,000.00元"),
        ("requested_amount", "0.01", "0", "金额应大于0"),
        ("application_date", date(2026, 6, 15), date(2026, 6, 16), "不能晚于今天"),
    ],
)
def test_field_rule(key: str, good: Any, bad: Any, message: str) -> None:
    assert problems(sample(**{key: good})) == []
    assert message in only_problem(sample(**{key: bad}))


@pytest.mark.parametrize(
    "key",
    [
        "name",
        "gender",
        "id_number",
        "department",
        "employment_date",
        "phone",
        "address",
        "household_size",
        "monthly_wage",
        "household_monthly_income",
        "hardship_category",
        "hardship_causes",
        "hardship_description",
        "requested_amount",
        "application_date",
    ],
)
def test_required_fields(key: str) -> None:
    sentence = only_problem(sample(**{key: None}))
    assert "未填写，此项为必填项" in sentence


@pytest.mark.parametrize("key", ["position", "department_opinion"])
def test_optional_fields(key: str) -> None:
    assert problems(sample(**{key: None})) == []


def test_gender_must_agree_with_the_id_number() -> None:
    assert problems(sample(gender="男", id_number=fictional_id("19800315", 1))) == []
    sentence = only_problem(sample(gender="女", id_number=fictional_id("19800315", 1)))
    assert "「性别」" in sentence and "与身份证号码不符" in sentence and "“男”" in sentence


def test_employment_at_sixteen_at_the_earliest() -> None:
    born = fictional_id("19800315", 1)
    assert problems(sample(id_number=born, employment_date=date(1996, 3, 15))) == []
    sentence = only_problem(sample(id_number=born, employment_date=date(1996, 3, 14)))
    assert "年满16周岁（1996-03-15）之后" in sentence


def test_household_size_counts_the_members() -> None:
    assert problems(sample(household_size=3)) == []
    assert "即3人" in only_problem(sample(household_size=4))
    # without a members table any size is taken as given
    assert (
        problems(sample(household_size=4, family_members=[], household_monthly_income="4200")) == []
    )


def test_household_income_adds_up_within_a_cent() -> None:
    assert problems(sample(household_monthly_income="5000.01")) == []
    assert "即5,000.00元" in only_problem(sample(household_monthly_income="5000.02"))


def test_family_member_rows_are_checked_with_their_row_number() -> None:
    members = sample()["family_members"]
    bad = [members[0], members[1] | {"relation": "朋友", "age": 121}]
    found = problems(sample(family_members=bad))
    assert any("「家庭成员第2行的与本人关系」" in s and "“朋友”" in s for s in found)
    assert any("「家庭成员第2行的年龄」" in s and "0至120" in s for s in found)
    missing_name = [members[0] | {"member_name": None}, members[1]]
    assert "「家庭成员第1行的姓名」" in only_problem(sample(family_members=missing_name))


def test_at_most_ten_family_members() -> None:
    member = {"member_name": "李示例", "relation": "其他", "monthly_income": "0"}
    eleven = [member] * 11
    sentence = only_problem(sample(family_members=eleven, household_size=12, monthly_wage="5000"))
    assert "应有0至10行，现有11行" in sentence


def test_department_list_when_configured() -> None:
    assert problems(sample(department="运行部"), departments=("运行部",)) == []
    assert "应为本单位的部门之一" in only_problem(
        sample(department="后勤部"), departments=("运行部",)
    )


def test_all_problems_are_reported_at_once() -> None:
    found = problems(sample(name="", gender="女", phone="123", requested_amount="99999"))
    assert len(found) == 4


def test_error_sentence_names_label_place_value_and_expectation() -> None:
    sentence = only_problem(sample(phone="12345"))
    assert sentence.startswith("「联系电话」（cell-phone）填写为“12345”，应为11位手机号码")
    assert sentence.endswith("。")
