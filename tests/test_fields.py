"""The shared field types: each accepted spelling and each refusal, with its Chinese message."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import pytest
from pydantic import TypeAdapter, ValidationError

from forms.fields import (
    UNBOUNDED_TEXT,
    Bool,
    Choice,
    Date,
    DateTime,
    Department,
    FieldType,
    IdNumber,
    Integer,
    Money,
    Multi,
    Phone,
    Serial,
    Text,
    id_check_char,
    id_gender,
)
from forms.samples import fictional_id, miswritten_id


class Ctx:
    today = date(2026, 6, 15)
    now = datetime(2026, 6, 15, 10, 30)
    settings: dict[str, Any] = {"subsidy_cap": Decimal("20000"), "departments": ()}


def parse(field: FieldType, value: Any, annotation: Any = Any, ctx: Any = None) -> Any:
    adapter: TypeAdapter[Any] = TypeAdapter(Annotated[annotation, field])
    return adapter.validate_python(value, context={"uf": ctx or Ctx()})


def refusal(field: FieldType, value: Any, annotation: Any = Any, ctx: Any = None) -> str:
    with pytest.raises(ValidationError) as caught:
        parse(field, value, annotation, ctx)
    (error,) = caught.value.errors()
    return str(error["msg"])


GOOD_ID = fictional_id("19800315", 1)


def test_id_number_checksum_of_the_standard_example() -> None:
    # GB 11643-1999 appendix example 11010519491231002X
    assert id_check_char("11010519491231002") == "X"
    assert id_gender("11010519491231002X") == "女"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(GOOD_ID, GOOD_ID), (f" {GOOD_ID} ", GOOD_ID), ("11010519491231002x", "11010519491231002X")],
)
def test_id_number_accepts(value: str, expected: str) -> None:
    assert parse(IdNumber("身份证号码"), value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (miswritten_id(GOOD_ID), "校验码不符"),
        (GOOD_ID[:17], "应为18位"),
        ("6590021980031500AX", "应为18位"),
        ("659002198002300011", "不是有效日期"),
        ("659002203001010011", "晚于今天"),
        (659002198003150000, "被Excel存成了数字"),
        (6.59002198003150e17, "设置为“文本”格式"),
    ],
)
def test_id_number_refuses(value: Any, message: str) -> None:
    assert message in refusal(IdNumber("身份证号码"), value)


def test_id_checksum_message_names_the_expected_character() -> None:
    bad = miswritten_id(GOOD_ID)
    assert f"应为“{GOOD_ID[17]}”" in refusal(IdNumber("身份证号码"), bad)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13900000001", "13900000001"),
        ("139 0000 0001", "13900000001"),
        ("+8613900000001", "13900000001"),
        (13900000001, "13900000001"),
        ("0997-4600001", "0997-4600001"),
        ("（0997）4600001", "0997-4600001"),
        ("0997 4600001", "0997-4600001"),
        ("010-12345678-123", "010-12345678-123"),
    ],
)
def test_phone_accepts(value: Any, expected: str) -> None:
    assert parse(Phone("联系电话"), value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [("12900000001", "11位手机号码"), ("4600001", "带区号"), (9974600001, "区号前的0已丢失")],
)
def test_phone_refuses(value: Any, message: str) -> None:
    assert message in refusal(Phone("联系电话"), value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1200", Decimal("1200.00")),
        ("1,200.00", Decimal("1200.00")),
        ("1200元", Decimal("1200.00")),
        ("¥1200", Decimal("1200.00")),
        ("￥1,200.5", Decimal("1200.50")),
        (1200.5, Decimal("1200.50")),
        (0, Decimal("0.00")),
    ],
)
def test_money_accepts(value: Any, expected: Decimal) -> None:
    assert parse(Money("金额"), value) == expected


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (Money("金额"), "-5", "不能为负数"),
        (Money("金额"), "12.345", "两位小数"),
        (Money("金额"), "一千", "应为金额数字"),
        (Money("金额"), "nan", "应为金额数字"),
        (Money("金额", positive=True), "0", "应大于0"),
        (Money("金额", cap="subsidy_cap", cap_name="补助上限"), "20000.01", "补助上限20,000.00元"),
    ],
)
def test_money_refuses(field: Money, value: Any, message: str) -> None:
    assert message in refusal(field, value)


def test_money_cap_allows_the_cap_itself() -> None:
    assert parse(Money("金额", cap="subsidy_cap"), "20000") == Decimal("20000.00")


@pytest.mark.parametrize(
    "value",
    [
        date(2026, 1, 5),
        datetime(2026, 1, 5),
        "2026-01-05",
        "2026/1/5",
        "2026.1.5",
        "2026年1月5日",
        " 2026 年 1 月 5 日 ",
        "20260105",
        46027,  # Excel serial number of 2026-01-05
        46027.0,
    ],
)
def test_date_accepts_every_spelling(value: Any) -> None:
    assert parse(Date("日期"), value) == date(2026, 1, 5)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "不是有效的日期"),
        ("明年", "应为日期"),
        ("2026-01-05 14:30", "不带时间"),
        ("2026-06-16", "不能晚于今天"),
    ],
)
def test_date_refuses(value: Any, message: str) -> None:
    assert message in refusal(Date("日期", past=True), value)


def test_date_in_the_future_is_fine_when_not_past() -> None:
    assert parse(Date("整改期限"), "2027-01-01") == date(2027, 1, 1)


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-05 14:30",
        "2026/3/5 14:30",
        "2026年3月5日14时30分",
        "2026年3月5日 14:30",
        datetime(2026, 3, 5, 14, 30, 12),
    ],
)
def test_datetime_accepts(value: Any) -> None:
    assert parse(DateTime("发生时间"), value) == datetime(2026, 3, 5, 14, 30)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-03-05", "具体时刻"),
        ("2026-03-05 25:00", "时间超出范围"),
        ("2026-06-15 11:00", "不能晚于现在"),
    ],
)
def test_datetime_refuses(value: Any, message: str) -> None:
    assert message in refusal(DateTime("发生时间", past=True), value)


def test_choice() -> None:
    field = Choice("性别", choices=("男", "女"))
    assert parse(field, " 男 ") == "男"
    assert "应为以下选项之一：男、女" in refusal(field, "M")


@pytest.mark.parametrize(
    "text",
    [
        "因病、子女就学",
        "因病，子女就学",
        "因病,子女就学",
        "因病；子女就学",
        "因病;子女就学",
        "因病 子女就学",
        "子女就学、因病、因病",
    ],
)
def test_multi_accepts_every_separator(text: str) -> None:
    field = Multi("致困原因", choices=("因病", "因残", "子女就学"))
    assert parse(field, text) == ["因病", "子女就学"]


def test_multi_names_the_unknown_items() -> None:
    field = Multi("致困原因", choices=("因病", "因残"))
    assert "“失业”" in refusal(field, "因病、失业")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("是", True),
        ("否", False),
        ("√", True),
        ("×", False),
        ("☑", True),
        ("☐", False),
        ("yes", True),
        ("No", False),
        ("TRUE", True),
        ("false", False),
        (True, True),
        ("☑是 ☐否", True),
        ("☐是 ☑否", False),
    ],
)
def test_bool_accepts(value: Any, expected: bool) -> None:
    assert parse(Bool("是否"), value) is expected


def test_bool_refuses() -> None:
    assert "应填“是”或“否”" in refusal(Bool("是否"), "也许")


def test_integer_with_unit_and_bounds() -> None:
    field = Integer("家庭人口", bounds=(1, 20), unit="人")
    assert parse(field, "4人") == 4
    assert parse(field, 4.0) == 4
    assert "1至20之间" in refusal(field, 21)
    assert "应为整数" in refusal(field, "四")
    assert "应为整数" in refusal(field, 2.5)


def test_text_length_and_whitespace() -> None:
    field = Text("姓名", length=(2, 20))
    assert parse(field, "  张示例 ") == "张示例"
    assert "应为2至20个字" in refusal(field, "张")


def test_required_and_optional_blank_values() -> None:
    assert refusal(Text("姓名"), "   ", str) == "此项为必填项"
    assert refusal(Text("姓名"), None, str) == "此项为必填项"
    assert parse(Text("岗位"), " \u3000 ", str | None) is None


def test_department_checks_the_configured_list() -> None:
    class WithDepartments(Ctx):
        settings = {"departments": ("运行部", "检修部")}

    field = Department("所在部门")
    assert parse(field, "运行部", ctx=WithDepartments()) == "运行部"
    assert "运行部、检修部" in refusal(field, "财务部", ctx=WithDepartments())
    assert parse(field, "财务部") == "财务部"  # no list configured: any name


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("YH-2026-0001", "YH-2026-0001"),
        ("yh-2026-1", "YH-2026-0001"),
        ("YH－2026－0012", "YH-2026-0012"),
        (" YH 2026 0003 ", "YH-2026-0003"),
        ("YH20260004", "YH-2026-0004"),
    ],
)
def test_serial_accepts_what_is_copied_from_a_notice(value: str, expected: str) -> None:
    assert parse(Serial("隐患编号", prefix="YH"), value) == expected


@pytest.mark.parametrize(
    "value", ["KN-2026-0001", "YH-26-0001", "YH-2026-00001", "隐患1号", 20260001]
)
def test_serial_refuses_other_spellings(value: Any) -> None:
    assert refusal(Serial("隐患编号", prefix="YH"), value) == "应为编号，格式如 YH-2026-0001"


def test_serial_is_text_formatted_with_a_hint() -> None:
    field = Serial("隐患编号", prefix="SG")
    assert field.text_format and field.describe() == "编号，格式如 SG-2026-0001"


def test_open_ended_text_length_says_at_least() -> None:
    field = Text("事故经过", length=(20, UNBOUNDED_TEXT))
    assert refusal(field, "一" * 19) == "应为不少于20个字（现为19个字）"
    assert field.describe() == "不少于20个字"
    assert refusal(Text("姓名", length=(2, 20)), "张") == "应为2至20个字（现为1个字）"
