"""Hypothesis strategies: what a clerk could type into each field of a form, with what the
field should store for it.

``typed(field, fmt)`` draws ``Typed(raw, expected)``: ``raw`` is the value as it goes into the
form (a Python value the .xlsx filler writes into the cell, or whose text is typed into the
.docx), ``expected`` what the stored record must hold if the form is accepted — worked out here
from the documented rules (SPEC §3 and the README), not by calling the parsers — or ``ANY``
when the draw is deliberately wild (anything may happen but a crash or an unlocated error).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from forms.fields import (
    Bool,
    Choice,
    Date,
    DateTime,
    FieldType,
    IdNumber,
    Integer,
    Money,
    Multi,
    Phone,
    Serial,
    Text,
)
from forms.samples import fictional_id
from tests.conftest import NOW

ANY = object()  # no expectation: the value is wild
PLACEHOLDER = "_＿— \u3000\t\n"  # what a .docx cell may be padded with (README)
EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Typed:
    raw: Any
    expected: Any


# -- text ------------------------------------------------------------------------------------

# Characters a form may carry: Chinese, ASCII, full-width punctuation, spaces and line ends,
# the payloads of #13 (formula prefixes, template syntax, markup) among them.
CHARS = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF),
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.sampled_from("，。、；：“”（）《》—…　\t\n ①②"),
)
PAYLOADS = st.sampled_from(
    [
        "=1+1",
        '\t=HYPERLINK("x")',
        "+1",
        "-1",
        "@SUM(A1)",
        "{{ 7*7 }}",
        "{% for x in y %}",
        "{_{ x }_}",
        "<w:t>&amp;</w:t>",
        "_x0007_",
        "_x005F_x0041_",
        "\u202e",
    ]
)
TEXTS = st.lists(st.one_of(CHARS, PAYLOADS), max_size=40).map("".join)


def excel_unescaped(text: str) -> str:
    """Excel's ``_xHHHH_`` escapes undone, as the .xlsx reader does (README)."""
    return EXCEL_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)


def normal_text(text: str, lines: int, fmt: str) -> str | None:
    """What a text field stores for ``text`` typed into a ``fmt`` form (README: stripped, line
    ends as \\n, one-line fields with whitespace runs collapsed, control characters removed;
    in .docx a tab reads as a space and the underscores and dashes padding a cell are not part
    of the value)."""
    if fmt == "xlsx":
        text = excel_unescaped(text)
    text = CONTROLS.sub("", text)
    if fmt == "docx":
        text = text.replace("\t", " ").strip(PLACEHOLDER)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if lines == 1:
        text = " ".join(text.split())
    return text or None


@st.composite
def texts(draw: st.DrawFn, field: Text, fmt: str) -> Typed:
    low, high = field.bounds
    text = draw(TEXTS)
    if draw(st.booleans()):  # often long enough for the field's least length
        text += "说" * low
    if draw(st.integers(0, 20)) == 0:
        text = draw(st.sampled_from(["说", "x"])) * (high + draw(st.integers(1, 3)))
    expected = normal_text(text, field.lines, fmt)
    if expected is not None and not low <= len(expected) <= high:
        expected = ANY  # refused by the bound: a located error is all that is asked
    return Typed(text, expected)


# -- numbers, money, dates ---------------------------------------------------------------------


@st.composite
def integers(draw: st.DrawFn, field: Integer, fmt: str) -> Typed:
    low, high = field.bounds or (-1000, 1000)
    number = draw(st.integers(low - 5, high + 5))
    raw = draw(
        st.sampled_from(
            [number, str(number), f" {number} ", f"{number}{field.unit}" if field.unit else number]
        )
    )
    return Typed(raw, number if low <= number <= high else ANY)


AMOUNTS = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False)


CAPPED = st.decimals(min_value=0, max_value=20000, places=2, allow_nan=False)  # the default cap


@st.composite
def amounts(draw: st.DrawFn, field: Money, fmt: str) -> Typed:
    amount = draw(CAPPED if field.cap else AMOUNTS)
    shapes = [f"{amount:f}", f"{amount:,.2f}", f"¥{amount:f}", f"{amount:f}元", f"人民币{amount:,}"]
    raw = draw(st.sampled_from([*shapes, amount]))
    expected: Any = amount.quantize(Decimal("0.01"))
    if field.positive and amount == 0:
        expected = ANY
    return Typed(raw, expected)


DAYS = st.dates(min_value=date(1950, 1, 1), max_value=date(2100, 12, 31))
TODAY = NOW.date()


PAST_DAYS = st.dates(min_value=date(1950, 1, 1), max_value=TODAY)


@st.composite
def dates(draw: st.DrawFn, field: Date, fmt: str) -> Typed:
    day = draw(PAST_DAYS if field.past and draw(st.integers(0, 5)) else DAYS)
    shapes = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month}.{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        f"{day:%Y%m%d}",
    ]
    raw = draw(st.sampled_from([*shapes, day, datetime.combine(day, time())]))
    return Typed(raw, day)  # a date in the future may be refused: that error is located


@st.composite
def moments(draw: st.DrawFn, field: DateTime, fmt: str) -> Typed:
    days = PAST_DAYS if field.past and draw(st.integers(0, 5)) else DAYS
    moment = datetime.combine(draw(days), time(draw(st.integers(0, 23)), draw(st.integers(0, 59))))
    shapes = [
        f"{moment:%Y-%m-%d %H:%M}",
        f"{moment.year}年{moment.month}月{moment.day}日{moment.hour}时{moment.minute}分",
        f"{moment:%Y/%m/%d %H:%M}",
    ]
    return Typed(draw(st.sampled_from([*shapes, moment])), moment)


# -- choices -----------------------------------------------------------------------------------


@st.composite
def choices(draw: st.DrawFn, field: Choice, fmt: str) -> Typed:
    option = draw(st.sampled_from(field.choices))
    return Typed(draw(st.sampled_from([option, f" {option} ", f"{option}\u3000"])), option)


@st.composite
def multis(draw: st.DrawFn, field: Multi, fmt: str) -> Typed:
    picked = draw(st.lists(st.sampled_from(field.choices), min_size=1, unique=True))
    separator = draw(st.sampled_from(["、", "，", ",", "；", ";", " ", " 、 "]))
    return Typed(separator.join(picked), [c for c in field.choices if c in picked])


TRUE_TYPED = ["是", "√", "☑", "yes", "True", "Y", "有"]
FALSE_TYPED = ["否", "×", "☐", "no", "FALSE", "N", "无"]


@st.composite
def bools(draw: st.DrawFn, field: Bool, fmt: str) -> Typed:
    value = draw(st.booleans())
    words = TRUE_TYPED if value else FALSE_TYPED
    return Typed(draw(st.sampled_from([*words, f"☑{'是' if value else '否'}"])), value)


# -- identifiers ---------------------------------------------------------------------------------

BIRTHS = st.dates(min_value=date(1950, 1, 1), max_value=date(2008, 12, 31))


@st.composite
def id_numbers(draw: st.DrawFn, field: IdNumber, fmt: str) -> Typed:
    number = fictional_id(f"{draw(BIRTHS):%Y%m%d}", draw(st.integers(0, 999)))
    typed = number.lower() if draw(st.booleans()) else number
    if draw(st.booleans()):
        typed = f"{typed[:6]} {typed[6:14]} {typed[14:]}"
    return Typed(typed, number)


@st.composite
def phones(draw: st.DrawFn, field: Phone, fmt: str) -> Typed:
    mobile = f"1{draw(st.integers(3, 9))}{draw(st.integers(0, 10**9 - 1)):09d}"
    area, local = f"0{draw(st.integers(10, 999))}", f"{draw(st.integers(2 * 10**6, 10**8 - 1))}"
    shapes = [
        Typed(mobile, mobile),
        Typed(f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}", mobile),
        Typed(f"+86 {mobile}", mobile),
        Typed(f"{area}-{local}", f"{area}-{local}"),
        Typed(f"（{area}）{local}", f"{area}-{local}"),
    ]
    return draw(st.sampled_from(shapes))


@st.composite
def serials(draw: st.DrawFn, field: Serial, fmt: str) -> Typed:
    prefix = field.prefix or "YH"
    year, number = draw(st.integers(2000, 2100)), draw(st.integers(1, 9999))
    shapes = [f"{prefix}-{year}-{number:04d}", f"{prefix.lower()} {year} {number}"]
    return Typed(draw(st.sampled_from(shapes)), f"{prefix}-{year}-{number:04d}")


# -- anything at all -------------------------------------------------------------------------------

WILD = st.one_of(
    TEXTS,
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e20, max_value=1e20),
    st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-1e9, max_value=1e9),
    DAYS,
    st.booleans(),
    st.just(""),
    st.just("  "),
)

BY_TYPE = (
    (Text, texts),
    (Integer, integers),
    (Money, amounts),
    (DateTime, moments),
    (Date, dates),
    (Choice, choices),
    (Multi, multis),
    (Bool, bools),
    (IdNumber, id_numbers),
    (Phone, phones),
    (Serial, serials),
)


@st.composite
def typed(draw: st.DrawFn, field: FieldType, fmt: str) -> Typed:
    """A value for ``field``: mostly one a clerk would type, sometimes anything at all."""
    for kind, strategy in BY_TYPE:
        if isinstance(field, kind) and draw(st.integers(0, 5)) > 0:
            found: Typed = draw(strategy(field, fmt))  # type: ignore[operator]
            return found
    return Typed(draw(WILD), ANY)
