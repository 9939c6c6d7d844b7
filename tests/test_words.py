from datetime import date, datetime
from decimal import Decimal

import pytest

from forms.words import AmountTooLarge, cn_date, money_figures, rmb_upper


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        # the examples of SPEC §4
        ("1409.50", "人民币壹仟肆佰零玖元伍角"),
        ("16409.02", "人民币壹万陆仟肆佰零玖元零贰分"),
        ("325.04", "人民币叁佰贰拾伍元零肆分"),
        ("1200", "人民币壹仟贰佰元整"),
        # edge cases
        ("0.05", "人民币伍分"),
        ("0.50", "人民币伍角"),
        ("0", "人民币零元整"),
        ("10", "人民币壹拾元整"),
        ("100000", "人民币壹拾万元整"),
        ("100000000.01", "人民币壹亿元零壹分"),
        ("107000.53", "人民币壹拾万柒仟元伍角叁分"),
        ("100100", "人民币壹拾万零壹佰元整"),
        ("1001000", "人民币壹佰万壹仟元整"),
        ("10010", "人民币壹万零壹拾元整"),
        ("20000", "人民币贰万元整"),
        ("1000001", "人民币壹佰万零壹元整"),
        ("6007.14", "人民币陆仟零柒元壹角肆分"),
        ("1680.32", "人民币壹仟陆佰捌拾元叁角贰分"),
    ],
)
def test_amount_in_words(amount: str, words: str) -> None:
    assert rmb_upper(Decimal(amount)) == words


def test_amount_in_words_refuses_negative_and_huge() -> None:
    with pytest.raises(ValueError):
        rmb_upper(Decimal("-1"))
    with pytest.raises(AmountTooLarge):
        rmb_upper(Decimal("10") ** 17)


def test_figures_and_dates() -> None:
    assert money_figures(Decimal("16409.02")) == "16,409.02"
    assert money_figures(Decimal("3000")) == "3,000.00"
    assert cn_date(date(2026, 3, 5)) == "2026年3月5日"
    assert cn_date(datetime(2026, 3, 5, 14, 5)) == "2026年3月5日14时05分"
    assert cn_date(None) == ""
