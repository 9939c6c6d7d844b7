"""Validation: raw values become the kind's pydantic model, or every problem is reported.

Each field is validated on its own (so one bad value does not hide another), then each
cross-field rule runs when all the fields it reads are valid.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import TypeAdapter, ValidationError

from forms.base import FormContext, FormModel
from forms.fields import FieldDef, is_blank
from pipeline.job import NOT_FOUND, Location, Problem, RawForm, RawValue

MISSING_COLUMN = "表中找不到这一栏，请使用系统生成的空白表单填写"


@cache
def _adapters(model: type[FormModel]) -> dict[str, TypeAdapter[Any]]:
    return {key: TypeAdapter(info.rebuild_annotation()) for key, info in model.model_fields.items()}


def _raw_input(spec: FieldDef, raw: RawForm) -> Any:
    if spec.is_table:
        return [
            {key: cell.value for key, cell in row.items()} for row in raw.tables.get(spec.key, [])
        ]
    found = raw.fields.get(spec.key)
    return found.value if found else None


def validate(
    model: type[FormModel], raw: RawForm, ctx: FormContext, rules: bool = True
) -> tuple[FormModel | None, list[Problem]]:
    """The validated form (None when anything is wrong) and the problems found. Without
    ``rules``, only each field on its own (a sample shown without the records it refers to)."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    specs = {spec.key: spec for spec in model.field_defs()}
    for key, spec in specs.items():
        try:
            values[key] = _adapters(model)[key].validate_python(
                _raw_input(spec, raw), context={"uf": ctx}
            )
        except ValidationError as error:
            problems.extend(_field_problems(spec, error, raw))
    form = model.model_construct(**values)
    for check in model.rules() if rules else ():
        if all(key in values for key in check.__rule_keys__):  # type: ignore[attr-defined]
            for key, expected in check(form, ctx):
                problems.append(_rule_problem(specs[key], expected, raw))
    return (None if problems else form), problems


def _field_problems(spec: FieldDef, error: ValidationError, raw: RawForm) -> list[Problem]:
    found = []
    for detail in error.errors(include_url=False):
        loc = detail["loc"]
        if spec.is_table and len(loc) >= 2 and isinstance(loc[0], int):
            index, column_key = loc[0], str(loc[1])
            column = next(c for c in spec.columns if c.key == column_key)
            cell = raw.tables[spec.key][index].get(column_key) or RawValue(
                None, Location(NOT_FOUND)
            )
            label = f"{spec.label}第{index + 1}行的{column.label}"
        elif spec.is_table:
            label = spec.label
            cell = RawValue(
                f"{len(raw.tables.get(spec.key, []))}行",
                raw.table_locations.get(spec.key, Location(NOT_FOUND)),
            )
        else:
            label = spec.label
            cell = raw.fields.get(spec.key) or RawValue(None, Location(NOT_FOUND))
        found.append(_problem(label, cell, detail["type"], detail["msg"]))
    return found


def _problem(label: str, cell: RawValue, error_type: str, message: str) -> Problem:
    if error_type == "required":
        expected = MISSING_COLUMN if cell.where.text == NOT_FOUND else message
        return Problem(label, cell.where, None, expected, missing=True)
    if error_type != "invalid":  # a pydantic type error our parsers did not pre-empt
        message = "格式不正确"
    return Problem(label, cell.where, cell.value, message)


def _rule_problem(spec: FieldDef, expected: str, raw: RawForm) -> Problem:
    if spec.is_table:
        rows = raw.tables.get(spec.key, [])
        where = raw.table_locations.get(spec.key, Location(NOT_FOUND))
        return Problem(spec.label, where, f"{len(rows)}行", expected)
    cell = raw.fields.get(spec.key) or RawValue(None, Location(NOT_FOUND))
    # A rule may ask for a field the form left empty (required only with some other value).
    missing = is_blank(cell.value)
    return Problem(spec.label, cell.where, None if missing else cell.value, expected, missing)
