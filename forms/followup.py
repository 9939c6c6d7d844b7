"""Pieces the follow-up kinds share: finding the record a follow-up names, and saying why not.

A follow-up (a visit to a hardship file, a review of a proposal, a loan of equipment …) names
its parent by serial; every such kind checks the same things the same way, in the same words.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from forms.base import FormContext, RecordView


def no_such_record(what: str, form_title: str) -> str:
    """The phrase for a serial with no record behind it."""
    return f"系统中没有这个编号的{what}；请核对编号，{form_title}须先报送（可与本表同时放入收件箱）"


def parent_or_problem(
    ctx: FormContext, key: str, serial: str, what: str, form_title: str
) -> Iterator[tuple[str, str]]:
    """Yield the problem when ``serial`` names no accepted record (a rule's first step)."""
    if ctx.record(serial) is None:
        yield key, no_such_record(what, form_title)


def same_name(
    key: str, name: str, parent: RecordView | None, parent_key: str = "name"
) -> Iterator[tuple[str, str]]:
    """A name copied from the parent record must be the name on file."""
    if parent is not None and parent.values.get(parent_key) != name:
        on_file = parent.values.get(parent_key)
        yield key, f"与档案{parent.serial}中的姓名“{on_file}”不符；请核对编号和姓名"


def not_before(key: str, day: date, earliest: Any, what: str) -> Iterator[tuple[str, str]]:
    """``day`` may not lie before ``earliest`` (a date of the parent record)."""
    if isinstance(earliest, date) and day < earliest:
        yield key, f"不能早于{what}（{earliest.isoformat()}）"


def total(amounts: Any) -> Decimal:
    """The sum of amounts, ignoring the ones not filled in."""
    return sum((amount for amount in amounts if amount is not None), Decimal(0))


def latest(children: list[RecordView]) -> dict[str, Any]:
    """The values of the last follow-up, or nothing when there is none."""
    return children[-1].values if children else {}
