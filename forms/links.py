"""How kinds hang together: a follow-up names its parent (``Parent``), maybe one row of the
parent's table (``RowRef``), and ``link_kinds`` tells every kind of the registry which kinds
follow it up, adding their columns to its registers."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from forms.base import Column, FormKind, RegisterSpec


@dataclass(frozen=True)
class RowRef:
    """A follow-up about one row of a table in its parent record (a person of a pledge's roster).

    ``match`` maps the follow-up's fields to the row's columns that say which row it is; a
    field left empty on the form matches any row.
    """

    table: str
    match: dict[str, str]

    def rows_for(self, rows: list[dict[str, Any]], values: dict[str, Any]) -> list[int]:
        """Indexes of the rows of the parent's table that ``values`` (the follow-up's) name."""
        given = {column: values.get(key) for key, column in self.match.items()}
        wanted = {column: value for column, value in given.items() if value is not None}
        return [
            index
            for index, row in enumerate(rows)
            if all(row.get(column) == value for column, value in wanted.items())
        ]


@dataclass(frozen=True)
class Parent:
    """A kind whose forms refer to a record of another kind (e.g. a follow-up to its hazard).

    ``carry`` maps fields of the follow-up to fields of the parent that a sheet made for a
    parent record carries already filled in (``FormKind.prefill``); ``row`` says the follow-up
    is about one row of the parent's table.
    """

    kind: str
    key: str
    suffix: str
    carry: dict[str, str] = field(default_factory=dict)
    row: RowRef | None = None


def link_kinds(kinds: tuple[FormKind, ...]) -> None:
    """Tell every kind which kinds follow up its records, and add the columns those show to
    its registers: a follow-up kind extends its parent without the parent's module changing."""
    for kind in kinds:
        kind.followups = tuple(k for k in kinds if k.parent and k.parent.kind == kind.key)
        extra: dict[str, tuple[Column, ...]] = {}
        for followup in kind.followups:
            for title, columns in followup.parent_columns.items():
                extra[title] = extra.get(title, ()) + columns
        kind.registers = tuple(_extended(spec, extra) for spec in type(kind).registers)


def _extended(spec: RegisterSpec, extra: dict[str, tuple[Column, ...]]) -> RegisterSpec:
    return replace(
        spec,
        columns=spec.columns + extra.get(spec.title, ()),
        sheets=tuple(_extended(sheet, extra) for sheet in spec.sheets),
    )
