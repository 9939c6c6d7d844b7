"""The form-kind framework: what a kind module declares and what the pipeline may ask of it.

A kind is a pydantic model (its fields annotated with the field types of ``forms.fields``) plus
a ``FormKind`` subclass naming its title, serial prefix, documents, registers and derived values.
Everything else (blank forms, readers, validation, registers, document context) is derived from
that one definition by the pipeline, which never names a kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from pydantic import BaseModel, ConfigDict

from forms.fields import DateTime, FieldDef, FieldType, Integer, Table, Text
from forms.links import Parent
from forms.samples import Sample

if TYPE_CHECKING:
    from forms.reports import Batch, Report

RuleResult = Iterator[tuple[str, str]]


class FormContext(Protocol):
    """What validation and derivation may consult besides the form itself."""

    today: date
    now: datetime
    settings: dict[str, Any]

    def record(self, serial: str) -> RecordView | None:
        """The accepted record with this serial, with its children, if any."""

    def serials_with(self, kind: str, key: str, value: Any, year: int) -> list[str]:
        """Serials of earlier records of ``kind`` in ``year`` whose ``key`` is ``value``."""

    def records_with(self, kind: str, key: str, value: Any) -> list[RecordView]:
        """Earlier records of ``kind`` (any year) whose field ``key`` is ``value``."""


def rule(*keys: str) -> Callable[[Callable[..., RuleResult]], Callable[..., RuleResult]]:
    """Mark a method as a cross-field rule reading ``keys``; it runs when they are all valid.

    The method yields ``(field_key, expected)`` pairs: the field to mark and a Chinese phrase
    saying what was expected.
    """

    def mark(method: Callable[..., RuleResult]) -> Callable[..., RuleResult]:
        method.__rule_keys__ = keys  # type: ignore[attr-defined]
        return method

    return mark


_FIELD_DEFS: dict[type, tuple[FieldDef, ...]] = {}


class FormModel(BaseModel):
    """Base of every form model and table-row model."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    @classmethod
    def field_defs(cls) -> tuple[FieldDef, ...]:
        """The model's fields in declaration order, with table columns for table fields."""
        # Asked for every value of every record a register shows: worked out once per model.
        if cls not in _FIELD_DEFS:
            _FIELD_DEFS[cls] = cls._make_field_defs()
        return _FIELD_DEFS[cls]

    @classmethod
    def _make_field_defs(cls) -> tuple[FieldDef, ...]:
        defs = []
        for key, info in cls.model_fields.items():
            field_type = next(meta for meta in info.metadata if isinstance(meta, FieldType))
            columns: tuple[FieldDef, ...] = ()
            if isinstance(field_type, Table):
                row_model = _row_model(info.annotation)
                columns = row_model.field_defs()
            required = info.is_required() or (
                isinstance(field_type, Table) and field_type.rows[0] > 0
            )
            defs.append(FieldDef(key, field_type, required, columns))
        return tuple(defs)

    @classmethod
    def rules(cls) -> list[Callable[..., RuleResult]]:
        """The ``@rule`` methods, in the order they are written."""
        found: dict[str, Callable[..., RuleResult]] = {}
        for klass in reversed(cls.__mro__):
            for name, member in vars(klass).items():
                if callable(member) and hasattr(member, "__rule_keys__"):
                    found[name] = member
        return list(found.values())

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> FormModel:
        """Rebuild a model from stored JSON without validating again (it was valid once)."""
        values: dict[str, Any] = {}
        for spec in cls.field_defs():
            raw = data.get(spec.key)
            if spec.is_table:
                row_model = _row_model(cls.model_fields[spec.key].annotation)
                values[spec.key] = [row_model.from_record(row) for row in raw or []]
            else:
                values[spec.key] = spec.type.from_json(raw)
        return cls.model_construct(**values)

    @classmethod
    def record_values(cls, data: dict[str, Any]) -> dict[str, Any]:
        """``from_record(data).values()`` without building the models on the way: registers
        read every record of a kind, and most of that time went into models never used."""
        values: dict[str, Any] = {}
        for key, row_model, from_json in _decoders(cls):
            raw = data.get(key)
            if row_model is not None:
                values[key] = [row_model.record_values(row) for row in raw or []]
            else:
                values[key] = from_json(raw)
        return values

    def values(self) -> dict[str, Any]:
        """Field values with table rows as plain dicts, for documents and registers."""
        return {key: getattr(self, key) for key in type(self).model_fields} | {
            spec.key: [row.values() for row in getattr(self, spec.key)]
            for spec in type(self).field_defs()
            if spec.is_table
        }


Decoder = tuple[str, "type[FormModel] | None", Callable[[Any], Any]]
_DECODERS: dict[type, list[Decoder]] = {}


def _decoders(model: type[FormModel]) -> list[Decoder]:
    """Per field: its key, its row model (a table) and how its stored value is read back."""
    if model not in _DECODERS:
        _DECODERS[model] = [
            (
                spec.key,
                _row_model(model.model_fields[spec.key].annotation) if spec.is_table else None,
                spec.type.from_json,
            )
            for spec in model.field_defs()
        ]
    return _DECODERS[model]


def _row_model(annotation: Any) -> type[FormModel]:
    (row_model,) = getattr(annotation, "__args__", (None,))
    if not (isinstance(row_model, type) and issubclass(row_model, FormModel)):
        raise TypeError(f"a Table field must be annotated list[RowModel], not {annotation!r}")
    return row_model


@dataclass
class RecordView:
    """An accepted record as documents, registers and rules see it."""

    kind: str
    serial: str | None
    ident: str
    year: int
    values: dict[str, Any]
    derived: dict[str, Any]
    received_at: datetime
    source_name: str
    subfolder: str = ""
    parent: str | None = None
    parent_record: RecordView | None = None
    children: list[RecordView] = field(default_factory=list)

    def from_parent(self, keys: Iterable[str]) -> dict[str, Any]:
        """The values of ``keys`` in the record this one follows (None without it): what a
        follow-up's register row repeats of its parent."""
        found = self.parent_record.values if self.parent_record else {}
        return {key: found.get(key) for key in keys}


@dataclass(frozen=True)
class DocumentSpec:
    """A Word document generated for every accepted form, from ``templates/<template>``."""

    title: str
    template: str


@dataclass(frozen=True)
class Column:
    """A register column: ``key`` names a field, a derived value or a standard value."""

    key: str
    header: str = ""
    width: float = 0


RowBuilder = Callable[[list[RecordView], date], Iterable[dict[str, Any]]]


@dataclass(frozen=True)
class RegisterSpec:
    """An Excel register exported from the store after every batch.

    ``rows`` builds the rows from all records of the kind; by default one row per record.
    ``where`` keeps only some rows and ``order`` sorts them (a sort key of a row).
    ``highlight`` names a bool value: rows where it is true are filled and their status shown.
    ``value_types`` declares columns that are neither fields nor derived values of the kind.
    ``outgoing`` marks a register meant to leave the office (its personal numbers masked).
    ``source`` takes the rows from the records of another kind (e.g. the hazards a motions
    register lists), typed by that kind; ``sheets`` are further worksheets of the same workbook,
    each declared like a register.
    """

    title: str
    columns: tuple[Column, ...]
    rows: RowBuilder | None = None
    where: Callable[[dict[str, Any]], bool] | None = None
    order: Callable[[dict[str, Any]], Any] | None = None
    highlight: str | None = None
    value_types: dict[str, FieldType] = field(default_factory=dict)
    # Meant to leave the office (a report for the parent union): ID and phone numbers are
    # masked unless unionforms.toml turns that off ([privacy] mask_outgoing).
    outgoing: bool = False
    source: FormKind | None = None
    sheets: tuple[RegisterSpec, ...] = ()
    # ``rows`` makes each group's rows from the group's records alone: the records sharing
    # this value ("year": the record's year, else the key of a text field). The groups'
    # rows follow one another in the order of their values (``groups_sorted``) or else of
    # their first records. A batch then reads only the groups that gained records.
    grouped_by: str | None = None
    groups_sorted: bool = False
    # ``rows`` makes each record's rows from that record alone, and a later record's row
    # replaces (and moves to its place) an earlier row of the same ``latest_by`` value: a
    # batch then reads only the records that changed (``pipeline.latest_rows``).
    latest_by: Callable[[dict[str, Any]], Any] | None = None

    def value_type(self, kind: FormKind, key: str) -> FieldType | None:
        """The type of a column of this register declared by ``kind``."""
        return self.value_types.get(key) or (self.source or kind).value_type(key)


@dataclass(frozen=True)
class Listing:
    """A terminal command showing some records of the kind as a table (e.g. open hazards).

    ``register`` says which records (its ``rows`` builder), the columns and which rows to
    highlight, exactly as for an Excel register; ``empty`` is printed when there are none.
    """

    command: str
    help: str
    register: RegisterSpec
    empty: str


STANDARD_VALUES: dict[str, FieldType] = {
    "serial": Text("编号"),
    "ident": Text("编号"),
    "record_year": Integer("年度"),
    "status": Text("状态"),
    "received_at": DateTime("收件时间"),
    "source_name": Text("原文件名"),
    "subfolder": Text("来源文件夹"),
}


class FormKind:
    """One kind of form. Subclasses set the class attributes and may override the hooks."""

    key: ClassVar[str]
    title: ClassVar[str]
    model: ClassVar[type[FormModel]]
    version: ClassVar[str] = "1"
    serial_prefix: ClassVar[str | None] = None
    parent: ClassVar[Parent | None] = None
    name_key: ClassVar[str | None] = None
    summary: ClassVar[str] = ""
    documents: ClassVar[tuple[DocumentSpec, ...]] = ()
    # Not a ClassVar: ``link_kinds`` extends each kind's registers with its follow-ups' columns.
    registers: tuple[RegisterSpec, ...] = ()
    listings: ClassVar[tuple[Listing, ...]] = ()
    reports: ClassVar[tuple[Report, ...]] = ()  # ``unionforms report <command>``
    batches: ClassVar[tuple[Batch, ...]] = ()  # ``unionforms generate <command>``
    # Lines the blank forms end with, for whoever signs the filled form (申请人（签字）).
    signatures: ClassVar[tuple[str, ...]] = ()
    # Types of the values ``derive`` stores and of the ``live`` values registers show.
    derived: ClassVar[dict[str, FieldType]] = {}
    # How long a record is kept (years, from ``closed_on``), unless unionforms.toml says
    # otherwise; ``min_retention_years`` is the least the configuration may set (PIPL: keep
    # no longer than needed; the archive rules: no shorter than they ask).
    retention_years: ClassVar[int] = 10
    min_retention_years: ClassVar[int] = 1
    retention_from: ClassVar[str] = "收到表单之日"
    retention_open: ClassVar[str] = ""  # when ``closed_on`` can be None: which are kept
    # A follow-up kind's contribution to its parent's records: the types of the values
    # ``parent_live`` gives, and the columns (by register title) that show them there.
    parent_values: ClassVar[dict[str, FieldType]] = {}
    parent_columns: ClassVar[dict[str, tuple[Column, ...]]] = {}
    # The kinds whose records follow up this kind's: set by ``link_kinds`` from the registry.
    followups: tuple[FormKind, ...] = ()

    def derive(self, form: Any, ctx: FormContext) -> dict[str, Any]:
        """Values computed once, when the form is accepted (stored with the record)."""
        return {}

    def live(self, record: RecordView, today: date) -> dict[str, Any]:
        """Values computed whenever documents or registers are made (status, overdue …)."""
        return {}

    def parent_live(
        self, parent: RecordView, children: list[RecordView], today: date
    ) -> dict[str, Any]:
        """What this kind's follow-ups (``children``, in order) add to their parent record,
        e.g. the visits and the year's 慰问金 of a hardship file; typed by ``parent_values``."""
        return {}

    def update_row(self, row: dict[str, Any], child: RecordView) -> dict[str, Any]:
        """The row of the parent's table (``Parent.row``) as the follow-up ``child`` leaves it."""
        return row

    def row_values(self, record: RecordView, today: date) -> dict[str, Any]:
        """The record's fields, derived and live values, and what its follow-ups add."""
        values = record.values | record.derived | self.live(record, today)
        for followup in self.followups:
            children = [child for child in record.children if child.kind == followup.key]
            values |= followup.parent_live(record, children, today)
        return values

    def context(self, record: RecordView, today: date) -> dict[str, Any]:
        """Everything a document template of this kind may use, besides the common names."""
        return self.row_values(record, today)

    def closed_on(self, record: RecordView) -> date | None:
        """The day the matter the record documents ended, from which its retention counts;
        None while it is still open (an open matter is never purged)."""
        return record.received_at.date()

    def closes_parent(self, record: RecordView) -> date | None:
        """For a kind with a ``parent``: the day this record closed its parent's matter (a
        review that closes a hardship file), or None."""
        return None

    def value_type(self, key: str) -> FieldType | None:
        """The type of a field, derived value, follow-up value or standard value named ``key``."""
        for spec in self.model.field_defs():
            if spec.key == key:
                return spec.type
        for followup in self.followups:
            if key in followup.parent_values:
                return followup.parent_values[key]
        return self.derived.get(key) or STANDARD_VALUES.get(key)

    def prefill(self, parent: RecordView, row: dict[str, Any] | None = None) -> dict[str, Any]:
        """What a sheet made for ``parent`` (and, for a row follow-up, one ``row`` of its
        table) says before anyone fills it in: the parent's serial and the carried fields."""
        assert self.parent is not None, f"{self.key} follows up no other kind"
        values: dict[str, Any] = {self.parent.key: parent.serial}
        values |= {mine: parent.values.get(theirs) for mine, theirs in self.parent.carry.items()}
        if row is not None and self.parent.row is not None:
            values |= {mine: row.get(theirs) for mine, theirs in self.parent.row.match.items()}
        return values

    def samples(self, today: date, parent: RecordView | None = None) -> list[Sample]:
        """Filled examples for the demo and the tests: accepted ones and ones with mistakes.

        A kind with a ``parent`` is given an accepted record of the parent kind to refer to.
        """
        return []

    def record_name(self, record: RecordView) -> str:
        """The person or subject a file name carries after the serial and title."""
        return str(record.values.get(self.name_key) or "") if self.name_key else ""
