"""Helpers for tests that go over every field of every kind in the registry: a good sample to
start from (a follow-up's parent accepted first), and the fields with their types."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from forms import get_kind
from forms.base import FormKind, RecordView
from forms.fields import FieldDef, Text
from pipeline import records
from pipeline.engine import collect_inbox, process_batch
from pipeline.reporting import due_period, make_report, year_period
from pipeline.runs import write_report
from pipeline.samples import FILLERS
from pipeline.stages import READERS
from pipeline.validate import validate
from tests.conftest import NOW, Workspace


def accepted_parent(ws: Workspace, kind: FormKind) -> RecordView | None:
    """For a kind that refers to a record of another kind: that kind's first good sample,
    processed in ``ws`` so the child's sample can name its serial (once: a second copy
    filled within the same second has the same bytes and would be a 重复提交)."""
    if kind.parent is None:
        return None
    parent_kind = get_kind(kind.parent.kind)
    earlier = ws.rt.store.record_rows([parent_kind.key])
    if earlier:
        return records.view(earlier[0])
    grandparent = accepted_parent(ws, parent_kind)
    sample = next(s for s in parent_kind.samples(NOW.date(), grandparent) if s.good)
    ws.drop(f"上级-{parent_kind.key}.xlsx", ws_fill(ws, parent_kind, sample.values, "xlsx"))
    (job,) = process_batch(collect_inbox(ws.config), ws.rt).jobs
    assert job.outcome == "accepted", [p.sentence() for p in job.problems] or job.message
    return job.record


def written_reports(ws: Workspace, kind: FormKind) -> list[Path]:
    """Every report of ``kind`` written from ``ws``'s store as ``unionforms report`` writes it:
    this year's, or what is due within ten years."""
    written = []
    for report in kind.reports:
        period = due_period(NOW.date(), 3650) if report.due_key else year_period(NOW.year)
        data = make_report(ws.rt, kind, report, period)
        assert data.rows, report.command
        written += write_report(ws.rt, data)
    return written


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
    """The free-text fields and columns. Those a follow-up must match against its parent record
    (a name carried from the file, the columns naming a row of the parent's table) are left as
    the sample has them."""
    parent = kind.parent
    carried = set(parent.carry) | set(parent.row.match if parent.row else {}) if parent else set()
    return [
        slot
        for slot in slots(kind)
        if type(slot.spec.type) is Text and (slot.table is not None or slot.spec.key not in carried)
    ]


def fitted(text: str, field: Text, pad: str = "（说明）") -> str:
    """``text`` padded to the field's least length and cut to its greatest."""
    low, high = field.bounds
    while len(text) < low:
        text += pad
    return text[:high]


def put(values: dict[str, Any], slot: Slot, value: Any) -> None:
    """Write ``value`` into the slot: the field, or that column of every row of its table
    (one row is added to an empty table; from the second row on a text gets the row's number,
    so rows that must differ still do)."""
    if slot.table is None:
        values[slot.spec.key] = value
        return
    rows = values.get(slot.table.key) or []
    if not rows:
        rows = [{}]
    for number, row in enumerate(rows, 1):
        text = isinstance(value, str) and number > 1
        row[slot.spec.key] = f"{value}{number}" if text else value
    values[slot.table.key] = rows


def keep_accepted(
    ws: Workspace, kind: FormKind, base: dict[str, Any], chosen: dict[Slot, Any], fmt: str
) -> dict[Slot, Any]:
    """The substitutions the kind's own rules accept: a value a rule refuses where it stands
    (a result written before the decision it reports, a name that must match) is put back as
    the sample had it, until the form passes."""
    chosen = dict(chosen)
    ctx = records.StoreContext(ws.rt.store, ws.config.settings(), NOW)
    while True:
        values = copy.deepcopy(base)
        for slot, value in chosen.items():
            put(values, slot, value)
        raw = READERS[fmt](ws_fill(ws, kind, values, fmt), kind)
        form, problems = validate(kind.model, raw, ctx)
        if form is not None:
            return chosen
        labels = {problem.label for problem in problems}
        refused = [slot for slot in chosen if _concerns(slot, labels)]
        assert refused, [problem.sentence() for problem in problems]
        for slot in refused:
            del chosen[slot]


def _concerns(slot: Slot, labels: set[str]) -> bool:
    if slot.table is None:
        return slot.spec.label in labels
    return any(label.startswith(slot.table.label) for label in labels)
