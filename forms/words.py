"""Chinese spellings used on official documents: amounts in 人民币大写 and dates.

The amount rules follow the People's Bank of China payment-settlement rules (《支付结算办法》
附件 正确填写票据和结算凭证的基本规定): 壹贰叁肆伍陆柒捌玖拾佰仟万亿, 元角分, 整 after 元
when there are no 角 and 分, one 零 for a run of zeros inside the number, and 零 before 分 when
角 is zero.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("仟", "佰", "拾", "")
BIG_UNITS = ("", "万", "亿", "万亿")


class AmountTooLarge(ValueError):
    """The amount has more integer digits than 万亿 can name."""


def _section_words(section: int) -> str:
    """Spell a number 1..9999 with 仟佰拾, one 零 for zeros between digits."""
    words = ""
    pending_zero = False
    for digit, unit in zip(f"{section:04d}", SMALL_UNITS, strict=True):
        if digit == "0":
            pending_zero = bool(words)
            continue
        if pending_zero:
            words += "零"
            pending_zero = False
        words += DIGITS[int(digit)] + unit
    return words


def _integer_words(number: int) -> str:
    sections = []
    while number:
        number, section = divmod(number, 10000)
        sections.append(section)
    if len(sections) > len(BIG_UNITS):
        raise AmountTooLarge(number)
    words = ""
    gap = False
    for index in reversed(range(len(sections))):
        section = sections[index]
        if section == 0:
            gap = bool(words)
            continue
        # A zero section, or a section that does not fill its 仟 place, leaves zeros between
        # the digits already written and this one: they are read as one 零.
        if words and (gap or section < 1000):
            words += "零"
        words += _section_words(section) + BIG_UNITS[index]
        gap = False
    return words


def rmb_upper(amount: Decimal | int | float | str) -> str:
    """Write an amount of yuan in 人民币大写, e.g. 1409.50 -> 人民币壹仟肆佰零玖元伍角."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value < 0:
        raise ValueError("金额不能为负数")
    fen_total = int(value * 100)
    yuan, cents = divmod(fen_total, 100)
    jiao, fen = divmod(cents, 10)
    words = _integer_words(yuan)
    if words:
        words += "元"
    if jiao == 0 and fen == 0:
        return "人民币" + (words or "零元") + "整"
    if jiao:
        words += DIGITS[jiao] + "角"
    elif words:
        words += "零"
    if fen:
        words += DIGITS[fen] + "分"
    return "人民币" + words


def money_figures(amount: Decimal | int | float | None) -> str:
    """Amount in figures with thousands separators and two decimals: 16,409.02."""
    if amount is None:
        return ""
    return f"{Decimal(str(amount)):,.2f}"


def cn_date(value: date | datetime | None) -> str:
    """Date as written on documents: 2026年3月5日 (datetimes add 14时05分)."""
    if value is None:
        return ""
    text = f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, datetime):
        text += f"{value.hour}时{value.minute:02d}分"
    return text
