"""Validating a kind's values without files: the rule tests of every kind use these."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from forms.base import FormKind, RecordView
from forms.fields import is_blank
from pipeline.samples import raw_form
from pipeline.validate import validate

TODAY = date(2026, 6, 15)
NOW = datetime(2026, 6, 15, 10, 30)


class Ctx:
    """A ``FormContext`` with a fixed clock and the accepted records given to it."""

    today = TODAY
    now = NOW

    def __init__(self, records: dict[str, RecordView] | None = None, **settings: Any) -> None:
        self.records = records or {}
        self.settings = {
            "subsidy_cap": Decimal("20000"),
            "departments": (),
            "visit_interval_days": 90,
            "minimum_living_standard": Decimal("750"),
            "min_seconders": 2,
        } | settings

    def record(self, serial: str) -> RecordView | None:
        return self.records.get(serial)

    def serials_with(self, kind: str, key: str, value: Any, year: int) -> list[str]:
        return []

    def records_with(self, kind: str, key: str, value: Any) -> list[RecordView]:
        return [r for r in self.records.values() if r.kind == kind and r.values.get(key) == value]


def record(
    kind: FormKind,
    values: dict[str, Any],
    serial: str,
    children: tuple[RecordView, ...] | list[RecordView] = (),
    derived: dict[str, Any] | None = None,
) -> RecordView:
    """An accepted record of ``kind`` with the sample ``values`` (validated, so typed as the
    store would give them back) and the follow-ups ``children``."""
    form, found = validate(kind.model, raw_form(kind, values), Ctx())
    assert form is not None, [p.sentence() for p in found]
    view = RecordView(kind.key, serial, serial, 2026, form.values(), derived or {}, NOW, "")
    for child in children:
        child.parent_record = view
        view.children.append(child)
    return view


def child(kind: FormKind, values: dict[str, Any], ident: str, parent: str) -> RecordView:
    """A follow-up record, its values typed field by field (the rules that look its parent up
    are tested in its own module)."""
    typed = {
        spec.key: None if is_blank(value) else spec.type.parse(value, Ctx())
        for spec in kind.model.field_defs()
        for value in [values.get(spec.key)]
    }
    return RecordView(kind.key, None, ident, 2026, typed, {}, NOW, "", parent=parent)


class Checker:
    """Validates changed copies of one of a kind's samples."""

    def __init__(self, kind: FormKind, index: int = 0, ctx: Ctx | None = None) -> None:
        self.kind = kind
        self.index = index
        self.ctx = ctx or Ctx()

    def sample(self, **changes: Any) -> dict[str, Any]:
        return self.kind.samples(TODAY)[self.index].values | changes

    def problems(self, values: dict[str, Any], ctx: Ctx | None = None) -> list[str]:
        _, found = validate(self.kind.model, raw_form(self.kind, values), ctx or self.ctx)
        return [p.sentence() for p in found]

    def only_problem(self, values: dict[str, Any], ctx: Ctx | None = None) -> str:
        found = self.problems(values, ctx)
        assert len(found) == 1, found
        return found[0]

    def form(self, values: dict[str, Any], ctx: Ctx | None = None) -> Any:
        form, found = validate(self.kind.model, raw_form(self.kind, values), ctx or self.ctx)
        assert form is not None, [p.sentence() for p in found]
        return form
