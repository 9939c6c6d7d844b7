"""Field types shared by every form kind.

A form model annotates each field with one of these, e.g.
``name: Annotated[str, Text("姓名", length=(2, 20))]``. The field type carries the Chinese
label and hint (for blank forms, readers and error messages) and the parser pydantic runs
before its own type check: a raw cell value (text, number, Excel date, bool) becomes a typed
value or a Chinese description of what was expected. A field is required when its annotation
does not admit ``None``.

Every value is bounded before it is parsed: text by its field's length (a field that declares
none takes ``LINE_LIMIT`` or ``LINES_LIMIT`` characters), everything else by ``INPUT_LIMIT``, so
a 100,000-character value is refused with the field's message, not by a crash deep inside a
parser. Invisible control characters (those XML cannot carry, which Excel writes as ``_x0007_``)
are removed before anything else: they could only break the documents and registers.
"""

from __future__ import annotations

import re
import types
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, ClassVar, Union, get_args, get_origin

from openpyxl.utils.datetime import from_excel
from pydantic import GetCoreSchemaHandler, ValidationInfo
from pydantic_core import PydanticCustomError, core_schema

if TYPE_CHECKING:
    from forms.base import FormContext

CENT = Decimal("0.01")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
MULTI_SEPARATORS = re.compile(r"[、，,；;\s]+")
DATE_TEXT = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T\s]?\s*(\d{1,2})\s*[:：时点]\s*(?:(\d{1,2})\s*分?)?(?:\s*[:：]\s*\d{1,2}\s*秒?)?)?"
)
COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
LANDLINE = re.compile(r"[（(]?(0\d{2,3})[)）]?[-－—]?(\d{7,8})(?:[-－—转](\d{1,6}))?")
TRUE_WORDS = frozenset({"是", "√", "✓", "✔", "☑", "☒", "yes", "y", "true", "1", "有"})
FALSE_WORDS = frozenset({"否", "×", "✗", "✘", "☐", "□", "no", "n", "false", "0", "无"})
CHECKED_OPTION = re.compile(r"[☑☒■√✓✔]\s*(是|否)")
UNBOUNDED_TEXT = 10000  # a Text length bound this high means "at least", with no real maximum
SERIAL_TEXT = re.compile(r"([A-Za-z]{2})\s*[-－—–_ ]?\s*(\d{4})\s*[-－—–_ ]?\s*(\d{1,4})")
LINE_LIMIT = 200  # characters of a one-line text field that declares no length
LINES_LIMIT = 5000  # characters of a multi-line text field that declares no length
INPUT_LIMIT = 200  # characters of any other field's value (a date, an amount, an ID number)
MAX_AMOUNT = Decimal("1000000000000")  # 一万亿元: anything larger is a typing accident
# C0 controls but tab and line ends, DEL, C1 controls, the non-characters, lone surrogates.
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def without_controls(text: str) -> str:
    """``text`` without the invisible control characters documents and registers cannot hold."""
    return CONTROLS.sub("", text)


class Invalid(ValueError):
    """A raw value that does not fit its field; the message says what was expected."""


def is_blank(value: Any) -> bool:
    """Empty cell, whitespace-only text or an empty table all count as 'not filled in'."""
    if value is None:
        return True
    if isinstance(value, str):
        return not without_controls(value).strip()
    return isinstance(value, list | tuple) and not value


def admits_none(annotation: Any) -> bool:
    origin = get_origin(annotation)
    return origin in (Union, types.UnionType) and type(None) in get_args(annotation)


def form_context(info: ValidationInfo) -> FormContext | None:
    context = info.context
    return context.get("uf") if isinstance(context, dict) else None


@dataclass(frozen=True, kw_only=True)
class FieldType:
    """What every field has: its label, a hint for the person filling it in, its parser."""

    type_name: ClassVar[str] = "text"
    text_format: ClassVar[bool] = False

    label: str
    hint: str = ""

    def __init__(self, label: str, **kwargs: Any) -> None:
        object.__setattr__(self, "label", label)
        for name, value in kwargs.items():
            if name not in self.__dataclass_fields__:
                raise TypeError(f"{type(self).__name__} has no option {name!r}")
            object.__setattr__(self, name, value)

    def parse(self, value: Any, ctx: FormContext | None) -> Any:
        return value

    def options(self, settings: dict[str, Any]) -> tuple[str, ...]:
        """The values offered in a drop-down list (empty: free input)."""
        return ()

    def check_size(self, value: Any) -> None:
        """Refuse a value far longer than any this field takes, before parsing it."""
        if isinstance(value, str) and len(value) > INPUT_LIMIT:
            raise Invalid(f"内容太长（现为{len(value)}个字，此栏最多{INPUT_LIMIT}个字）")

    def describe(self) -> str:
        """A short hint printed beside the input cell of a blank form."""
        return self.hint

    def from_json(self, value: Any) -> Any:
        """Turn a stored JSON value back into the typed value."""
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        required = not admits_none(source)

        def before(value: Any, info: ValidationInfo) -> Any:
            if isinstance(value, str):
                value = without_controls(value)
            if is_blank(value):
                if required:
                    raise PydanticCustomError("required", "此项为必填项")
                return None
            try:
                self.check_size(value)
                return self.parse(value, form_context(info))
            except Invalid as exc:
                raise PydanticCustomError("invalid", "{expected}", {"expected": str(exc)}) from None

        return core_schema.with_info_before_validator_function(before, handler(source))


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


@dataclass(frozen=True, kw_only=True, init=False)
class Text(FieldType):
    """Free text, stripped; ``length`` bounds the number of characters."""

    length: tuple[int, int] | None = None
    lines: int = 1

    @property
    def bounds(self) -> tuple[int, int]:
        """The length bounds in force: declared, or the default for one line or several."""
        return self.length or (0, LINE_LIMIT if self.lines == 1 else LINES_LIMIT)

    def check_size(self, value: Any) -> None:
        """Text is bounded after stripping (``parse``); only an absurd length stops here."""
        if isinstance(value, str) and len(value) > 10 * self.bounds[1] + INPUT_LIMIT:
            raise self._too_long(len(value))

    def parse(self, value: Any, ctx: FormContext | None) -> str:
        text = _text(value)
        if self.lines == 1:
            text = " ".join(text.split())
        low, high = self.bounds
        if len(text) > high:
            raise self._too_long(len(text))
        if len(text) < low:
            raise Invalid(f"应为{self._bounds()}（现为{len(text)}个字）")
        return text

    def _too_long(self, count: int) -> Invalid:
        if self.length and self.length[1] < UNBOUNDED_TEXT:  # a range the form states
            return Invalid(f"应为{self._bounds()}（现为{count}个字）")
        return Invalid(f"太长：此栏最多{self.bounds[1]}个字（现为{count}个字）")

    def _bounds(self) -> str:
        assert self.length is not None
        low, high = self.length
        return f"{low}至{high}个字" if high < UNBOUNDED_TEXT else f"不少于{low}个字"

    def describe(self) -> str:
        if self.hint or not self.length:
            return self.hint
        return self._bounds()


@dataclass(frozen=True, kw_only=True, init=False)
class Department(Text):
    """A department name; one of ``departments`` in unionforms.toml when that list is set."""

    def parse(self, value: Any, ctx: FormContext | None) -> str:
        text = super().parse(value, ctx)
        departments = ctx.settings.get("departments") if ctx else None
        if departments and text not in departments:
            raise Invalid("应为本单位的部门之一：" + "、".join(departments))
        return text

    def options(self, settings: dict[str, Any]) -> tuple[str, ...]:
        return tuple(settings.get("departments") or ())


@dataclass(frozen=True, kw_only=True, init=False)
class Integer(FieldType):
    type_name: ClassVar[str] = "int"

    bounds: tuple[int, int] | None = None
    unit: str = ""

    def parse(self, value: Any, ctx: FormContext | None) -> int:
        if isinstance(value, bool):
            raise Invalid("应为整数")
        if isinstance(value, float):
            if not value.is_integer():
                raise Invalid("应为整数")
            value = int(value)
        if isinstance(value, int):
            number = value
        else:
            text = _text(value)
            if self.unit:
                text = text.removesuffix(self.unit).strip()
            if not re.fullmatch(r"[-+]?\d+", text):
                raise Invalid("应为整数" + (f"（单位：{self.unit}）" if self.unit else ""))
            number = int(text)
        if self.bounds and not self.bounds[0] <= number <= self.bounds[1]:
            raise Invalid(f"应为{self.bounds[0]}至{self.bounds[1]}之间的整数")
        return number

    def describe(self) -> str:
        if self.hint or not self.bounds:
            return self.hint
        return f"{self.bounds[0]}至{self.bounds[1]}的整数"


@dataclass(frozen=True, kw_only=True, init=False)
class Money(FieldType):
    """Yuan with at most two decimals, never negative; ``cap`` names a setting bounding it."""

    type_name: ClassVar[str] = "money"

    positive: bool = False
    cap: str | None = None
    cap_name: str = "规定上限"

    def parse(self, value: Any, ctx: FormContext | None) -> Decimal:
        if isinstance(value, bool):
            raise Invalid("应为金额数字")
        if isinstance(value, int | float):
            text = repr(float(value)) if isinstance(value, float) else str(value)
        else:
            text = re.sub(r"[\s,，¥￥元]|^RMB|^人民币", "", _text(value), flags=re.IGNORECASE)
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise Invalid("应为金额数字，例如 1200 或 1,200.00") from None
        if not amount.is_finite():
            raise Invalid("应为金额数字，例如 1200 或 1,200.00")
        if amount >= MAX_AMOUNT:
            raise Invalid("金额过大，请核对是否多写了数字")
        if amount < 0:
            raise Invalid("金额不能为负数")
        if amount != amount.quantize(CENT):
            raise Invalid("金额最多保留两位小数（到分）")
        if self.positive and amount == 0:
            raise Invalid("金额应大于0")
        limit = ctx.settings.get(self.cap) if ctx and self.cap else None
        if limit is not None and amount > Decimal(str(limit)):
            raise Invalid(f"不能超过{self.cap_name}{Decimal(str(limit)):,.2f}元")
        return amount.quantize(CENT)

    def describe(self) -> str:
        return self.hint or "金额（元），例如 1200.00"

    def from_json(self, value: Any) -> Any:
        return None if value is None else Decimal(str(value))


def _excel_serial(value: float) -> datetime:
    if not 1 <= value < 2958466:
        raise Invalid("应为日期，例如 2026-01-05 或 2026年1月5日")
    return from_excel(value)


def _date_from_text(text: str) -> tuple[date, time | None]:
    compact = COMPACT_DATE.fullmatch(text)
    match = compact or DATE_TEXT.fullmatch(text)
    if not match:
        raise Invalid("应为日期，例如 2026-01-05 或 2026年1月5日")
    year, month, day = (int(part) for part in match.groups()[:3])
    try:
        day_value = date(year, month, day)
    except ValueError:
        raise Invalid("不是有效的日期（月份或日期超出范围）") from None
    if compact or match.group(4) is None:
        return day_value, None
    try:
        return day_value, time(int(match.group(4)), int(match.group(5) or 0))
    except ValueError:
        raise Invalid("时间超出范围（时应为0至23，分应为0至59）") from None


def _not_future(value: date, ctx: FormContext | None) -> None:
    if ctx is not None and value > ctx.today:
        raise Invalid(f"不能晚于今天（{ctx.today.isoformat()}）")


@dataclass(frozen=True, kw_only=True, init=False)
class Date(FieldType):
    """A calendar date; ``past`` means it has happened and may not lie in the future."""

    type_name: ClassVar[str] = "date"

    past: bool = False

    def parse(self, value: Any, ctx: FormContext | None) -> date:
        if isinstance(value, datetime):
            day = value.date()
        elif isinstance(value, date):
            day = value
        elif isinstance(value, bool):
            raise Invalid("应为日期，例如 2026-01-05 或 2026年1月5日")
        elif isinstance(value, int | float):
            text = str(int(value)) if float(value).is_integer() else ""
            day = (
                _date_from_text(text)[0]
                if COMPACT_DATE.fullmatch(text)
                else _excel_serial(value).date()
            )
        else:
            day, moment = _date_from_text(_text(value))
            if moment not in (None, time(0, 0)):
                raise Invalid("应只填日期，不带时间，例如 2026-01-05")
        if self.past:
            _not_future(day, ctx)
        return day

    def describe(self) -> str:
        return self.hint or "日期，例如 2026-03-05"

    def from_json(self, value: Any) -> Any:
        return None if value is None else date.fromisoformat(value)


@dataclass(frozen=True, kw_only=True, init=False)
class DateTime(FieldType):
    """A date with the time of day, e.g. ``2026-03-05 14:30`` or ``2026年3月5日14时30分``."""

    type_name: ClassVar[str] = "datetime"

    past: bool = False

    def parse(self, value: Any, ctx: FormContext | None) -> datetime:
        if isinstance(value, datetime):
            moment = value.replace(second=0, microsecond=0)
        elif isinstance(value, bool):
            raise Invalid("应为日期和时间，例如 2026-03-05 14:30")
        elif isinstance(value, int | float):
            moment = _excel_serial(value).replace(second=0, microsecond=0)
        elif isinstance(value, date):
            raise Invalid("应填写到具体时刻，例如 2026-03-05 14:30")
        else:
            day, clock = _date_from_text(_text(value))
            if clock is None:
                raise Invalid("应填写到具体时刻，例如 2026-03-05 14:30")
            moment = datetime.combine(day, clock)
        if self.past and ctx is not None and moment > ctx.now:
            raise Invalid(f"不能晚于现在（{ctx.now:%Y-%m-%d %H:%M}）")
        return moment

    def describe(self) -> str:
        return self.hint or "日期和时间，例如 2026-03-05 14:30"

    def from_json(self, value: Any) -> Any:
        return None if value is None else datetime.fromisoformat(value)


@dataclass(frozen=True, kw_only=True, init=False)
class Choice(FieldType):
    """Exactly one of the listed options (surrounding spaces ignored)."""

    type_name: ClassVar[str] = "choice"

    choices: tuple[str, ...] = ()

    def parse(self, value: Any, ctx: FormContext | None) -> str:
        text = _text(value)
        if text not in self.choices:
            raise Invalid("应为以下选项之一：" + "、".join(self.choices))
        return text

    def options(self, settings: dict[str, Any]) -> tuple[str, ...]:
        return self.choices

    def describe(self) -> str:
        return self.hint or "从下拉列表选择：" + "/".join(self.choices)


@dataclass(frozen=True, kw_only=True, init=False)
class Multi(FieldType):
    """Several options, separated by 、，,；; or spaces; kept in the order of the options."""

    type_name: ClassVar[str] = "multi"

    choices: tuple[str, ...] = ()

    def parse(self, value: Any, ctx: FormContext | None) -> list[str]:
        text = _text(value)
        # An option may itself hold a separator (GB 6441's 操作错误，忽视安全，忽视警告): whole
        # options are taken out first, the longest first, and only the rest is split.
        whole = []
        for choice in sorted(self.choices, key=len, reverse=True):
            if MULTI_SEPARATORS.search(choice) and choice in text:
                whole.append(choice)
                text = text.replace(choice, "、")
        items = whole + [item for item in MULTI_SEPARATORS.split(text) if item]
        unknown = [item for item in items if item not in self.choices]
        if unknown:
            quoted = "、".join(item[:20] for item in unknown[:5]) + (
                "等" if len(unknown) > 5 else ""
            )
            raise Invalid(
                f"含有不在选项中的“{quoted}”，应从以下选项中选择一项或多项：" + self.listed()
            )
        return [choice for choice in self.choices if choice in items]

    def listed(self) -> str:
        """The options for a sentence: with 、, or with ； when an option holds a 、 itself."""
        joint = "；" if any(MULTI_SEPARATORS.search(c) for c in self.choices) else "、"
        return joint.join(self.choices)

    def describe(self) -> str:
        return self.hint or "可多选，用顿号分隔：" + self.listed()


@dataclass(frozen=True, kw_only=True, init=False)
class Bool(FieldType):
    """是/否; also √/×, ☑/☐, yes/no, true/false and a ticked box before 是 or 否."""

    type_name: ClassVar[str] = "bool"

    def parse(self, value: Any, ctx: FormContext | None) -> bool:
        if isinstance(value, bool):
            return value
        text = _text(value)
        ticked = CHECKED_OPTION.findall(text)
        if len(set(ticked)) == 1:
            return ticked[0] == "是"
        word = text.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise Invalid("应填“是”或“否”")

    def options(self, settings: dict[str, Any]) -> tuple[str, ...]:
        return ("是", "否")

    def describe(self) -> str:
        return self.hint or "填“是”或“否”"


# GB/T 2260: the first two digits of a resident ID number name the province-level division.
PROVINCE_CODES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82}
)


def id_check_char(first17: str) -> str:
    """The GB 11643-1999 check character (ISO 7064 MOD 11-2) of the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def id_birth_date(id_number: str) -> date:
    return date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def id_gender(id_number: str) -> str:
    """男 when the 17th digit is odd, 女 when it is even."""
    return "男" if int(id_number[16]) % 2 else "女"


def gender_mismatch(gender: str, id_number: str) -> list[tuple[str, str]]:
    """A rule's complaint (on the gender field) when ``gender`` is not the one the ID number
    gives."""
    expected = id_gender(id_number)
    if gender == expected:
        return []
    return [("gender", f"与身份证号码不符：号码第17位表示“{expected}”")]


@dataclass(frozen=True, kw_only=True, init=False)
class IdNumber(FieldType):
    """A resident ID number (GB 11643-1999), stored with an upper-case X."""

    text_format: ClassVar[bool] = True

    def parse(self, value: Any, ctx: FormContext | None) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            raise Invalid(
                "被Excel存成了数字，末尾几位已丢失；请把该单元格设置为“文本”格式，"
                "再重新输入完整的18位号码"
            )
        text = re.sub(r"\s", "", str(value)).upper()
        if not re.fullmatch(r"\d{17}[\dX]", text):
            raise Invalid(f"应为18位：17位数字加1位校验码（数字或X），现为{len(text)}位")
        if int(text[:2]) not in PROVINCE_CODES:
            raise Invalid(
                f"前两位“{text[:2]}”不是GB/T 2260中的省级行政区划代码（新疆为65），"
                "请核对号码是否抄错"
            )
        try:
            birth = id_birth_date(text)
        except ValueError:
            raise Invalid(f"第7至14位的出生日期“{text[6:14]}”不是有效日期") from None
        if ctx is not None and birth > ctx.today:
            raise Invalid(f"第7至14位的出生日期“{text[6:14]}”晚于今天")
        expected = id_check_char(text[:17])
        if text[17] != expected:
            raise Invalid(
                f"校验码不符：按GB 11643-1999计算第18位应为“{expected}”，请逐位核对号码是否抄错"
            )
        return text

    def describe(self) -> str:
        return self.hint or "18位身份证号码（末位可为X）"


@dataclass(frozen=True, kw_only=True, init=False)
class Phone(FieldType):
    """A mobile number (1[3-9] + 9 digits) or a landline with its area code."""

    text_format: ClassVar[bool] = True

    def parse(self, value: Any, ctx: FormContext | None) -> str:
        if isinstance(value, int | float) and not isinstance(value, bool):
            digits = str(int(value)) if float(value).is_integer() else ""
            if MOBILE.fullmatch(digits):
                return digits
            raise Invalid(
                "被Excel存成了数字，区号前的0已丢失；请把该单元格设置为“文本”格式后重新输入"
            )
        compact = re.sub(r"\s", "", str(value))
        mobile = MOBILE.fullmatch(re.sub(r"[-－—]", "", compact))
        if mobile:
            return mobile.group(1)
        landline = LANDLINE.fullmatch(compact)
        if landline:
            area, number, extension = landline.groups()
            return f"{area}-{number}" + (f"-{extension}" if extension else "")
        raise Invalid("应为11位手机号码，或带区号的固定电话（例如 0997-1234567）")

    def describe(self) -> str:
        return self.hint or "手机号码，或带区号的固定电话"


@dataclass(frozen=True, kw_only=True, init=False)
class Serial(FieldType):
    """The serial of another accepted form, e.g. ``YH-2026-0001`` (``prefix`` gives its kind).

    Written as it is copied from a printed notice: lower case, full-width dashes, spaces or a
    sequence without its leading zeros are all read as the one canonical serial.
    """

    text_format: ClassVar[bool] = True

    prefix: str = ""

    def parse(self, value: Any, ctx: FormContext | None) -> str:
        match = SERIAL_TEXT.fullmatch(_text(value))
        if not match or (self.prefix and match.group(1).upper() != self.prefix):
            raise Invalid(f"应为编号，格式如 {self.example}")
        prefix, year, sequence = match.groups()
        return f"{prefix.upper()}-{year}-{int(sequence):04d}"

    @property
    def example(self) -> str:
        return f"{self.prefix or 'YH'}-2026-0001"

    def describe(self) -> str:
        return self.hint or f"编号，格式如 {self.example}"


@dataclass(frozen=True, kw_only=True, init=False)
class Table(FieldType):
    """A table of rows, each validated by the row model of the annotation (``list[Row]``)."""

    type_name: ClassVar[str] = "table"

    rows: tuple[int, int] = (0, 10)
    blank_rows: int = 0

    def parse(self, value: Any, ctx: FormContext | None) -> Any:
        count = len(value)
        low, high = self.rows
        if not low <= count <= high:
            raise Invalid(f"应有{low}至{high}行，现有{count}行")
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        def before(value: Any, info: ValidationInfo) -> Any:
            rows = [] if is_blank(value) else value
            try:
                return self.parse(rows, form_context(info))
            except Invalid as exc:
                if not rows:
                    raise PydanticCustomError("required", "此项为必填项，至少填写1行") from None
                raise PydanticCustomError("invalid", "{expected}", {"expected": str(exc)}) from None

        return core_schema.with_info_before_validator_function(before, handler(source))

    @property
    def visible_rows(self) -> int:
        return self.blank_rows or self.rows[1]


@dataclass(frozen=True)
class FieldDef:
    """A field of a form model as the pipeline sees it: key, type, required, table columns."""

    key: str
    type: FieldType
    required: bool
    columns: tuple[FieldDef, ...] = field(default=())

    @property
    def label(self) -> str:
        return self.type.label

    @property
    def is_table(self) -> bool:
        return isinstance(self.type, Table)
