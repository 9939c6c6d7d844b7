"""Distinct filled forms of every kind, made from the blank forms and the kinds' own samples.

Each form is the kind's first good sample with its ID numbers replaced by other fictional ones
(same birth decade, same sex, valid check character) and a number added to its longest free
text, so every file has different bytes (none is a duplicate) and every person is new. A kind
that refers to another record (a follow-up to its hazard) names the given parent records in
turn.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from forms.base import FormKind, RecordView
from forms.fields import IdNumber, Text
from forms.samples import fictional_id
from pipeline.config import Config
from pipeline.samples import fill_xlsx

PER_BIRTHDAY = 450  # fictional_id takes a 3-digit sequence; the birthday moves on after these


def new_id(original: str, number: int, birth_shift_years: int = 0) -> str:
    """Another fictional ID number of the same sex, born close to ``original``'s birthday."""
    born = date(int(original[6:10]) - birth_shift_years, int(original[10:12]), int(original[12:14]))
    born += timedelta(days=number // PER_BIRTHDAY)
    odd = int(original[16]) % 2
    return fictional_id(f"{born:%Y%m%d}", 2 * (number % PER_BIRTHDAY) + (1 if odd else 2))


def _longest_text(kind: FormKind, values: dict[str, Any]) -> str | None:
    best = None
    for spec in kind.model.field_defs():
        value = values.get(spec.key)
        if type(spec.type) is not Text or not isinstance(value, str):
            continue
        high = spec.type.length[1] if spec.type.length else 10_000
        if len(value) + 8 <= high and (best is None or len(value) > len(values[best])):
            best = spec.key
    return best


def distinct_values(
    kind: FormKind, today: date, number: int, parent: RecordView | None = None
) -> dict[str, Any]:
    """The values of form ``number`` (0, 1, …) of ``kind``."""
    sample = next(s for s in kind.samples(today, parent) if s.good)
    values = dict(sample.values)
    for spec in kind.model.field_defs():
        value = values.get(spec.key)
        if isinstance(spec.type, IdNumber) and isinstance(value, str) and len(value) == 18:
            values[spec.key] = new_id(value, number)
    text = _longest_text(kind, values)
    if text is not None:
        values[text] = f"{values[text]}（第{number + 1}份）"
    return values


def make_forms(
    kind: FormKind,
    config: Config,
    today: date,
    count: int,
    parents: list[RecordView] | None = None,
) -> list[tuple[str, bytes]]:
    """``count`` filled .xlsx forms of ``kind`` as ``(file name, bytes)``."""
    forms = []
    for number in range(count):
        parent = parents[number % len(parents)] if parents else None
        values = distinct_values(kind, today, number, parent)
        data = fill_xlsx(kind, config, values)
        forms.append((f"{kind.key}-{number + 1:05d}.xlsx", data))
    return forms
