"""Helpers for tests that go over every field of every kind in the registry: a good sample to
start from (a follow-up's parent accepted first), and the fields with their types."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from forms import get_kind
from forms.base import FormKind, RecordView
from forms.fields import FieldDef, Text
from pipeline.engine import collect_inbox, process_batch
from pipeline.samples import FILLERS
from tests.conftest import NOW, Workspace


def accepted_parent(ws: Workspace, kind: FormKind) -> RecordView | None:
    """For a kind that refers to a record of another kind: that kind's first good sample,
    processed in ``ws`` so the child's sample can name its serial."""
    if kind.parent is None:
        return None
    parent_kind = get_kind(kind.parent.kind)
    grandparent = accepted_parent(ws, parent_kind)
    sample = next(s for s in parent_kind.samples(NOW.date(), grandparent) if s.good)
    ws.drop(f"上级-{parent_kind.key}.xlsx", ws_fill(ws, parent_kind, sample.values, "xlsx"))
    (job,) = process_batch(collect_inbox(ws.config), ws.rt).jobs
    assert job.outcome == "accepted", [p.sentence() for p in job.problems] or job.message
    return job.record


def good_values(ws: Workspace, kind: FormKind) -> dict[str, Any]:
    """A deep copy of the values of the kind's first good sample (its parent accepted first)."""
    parent = accepted_parent(ws, kind)
    sample = next(s for s in kind.samples(NOW.date(), parent) if s.good)
    return copy.deepcopy(sample.values)


def ws_fill(ws: Workspace, kind: FormKind, values: dict[str, Any], fmt: str) -> bytes:
    return FILLERS[fmt](kind, ws.config, values)


@dataclass(frozen=True)
class Slot:
    """One field, or one column of a table field."""

    spec: FieldDef
    table: FieldDef | None = None

    @property
    def label(self) -> str:
        return f"{self.table.label}的{self.spec.label}" if self.table else self.spec.label


def slots(kind: FormKind) -> Iterator[Slot]:
    for spec in kind.model.field_defs():
        if spec.is_table:
            yield from (Slot(column, spec) for column in spec.columns)
        else:
            yield Slot(spec)


def text_slots(kind: FormKind) -> list[Slot]:
    return [slot for slot in slots(kind) if type(slot.spec.type) is Text]


def fitted(text: str, field: Text, pad: str = "（说明）") -> str:
    """``text`` padded to the field's least length and cut to its greatest."""
    low, high = field.bounds
    while len(text) < low:
        text += pad
    return text[:high]


def put(values: dict[str, Any], slot: Slot, value: Any) -> None:
    """Write ``value`` into the slot: the field, or that column of every row of its table
    (one row is added to an empty table)."""
    if slot.table is None:
        values[slot.spec.key] = value
        return
    rows = values.get(slot.table.key) or []
    if not rows:
        rows = [{}]
    for row in rows:
        row[slot.spec.key] = value
    values[slot.table.key] = rows
