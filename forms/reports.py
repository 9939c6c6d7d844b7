"""What a kind may declare beyond single forms: reports over a period and batches it generates.

A ``Report`` is a summary of a kind's records for a year, quarter or month (or of what is due
now): the detail table with subtotals and totals, count tables by category or department
(with a chart), kind-specific sections (open cases, rates), and a Word document (a cover
letter or a summary). A ``Batch`` generates pre-filled forms (and their documents) for many
recipients at once — from a roster workbook or from another kind's records — and records them
as expected, so the office sees who has returned theirs. The pipeline does the writing; the
kind only says what (``pipeline/reporting.py``, ``pipeline/batches.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from forms.base import DocumentSpec, RegisterSpec

Row = dict[str, Any]
RECORD = "_record"  # in a batch's recipient row from another kind: the record itself


@dataclass(frozen=True)
class Period:
    """The stretch of time a report covers; ``label`` is how documents name it."""

    start: date
    end: date  # inclusive
    label: str  # 2026年, 2026年第四季度, 2026年11月
    kind: str  # year, quarter, month, due
    due: date | None = None  # when the report is due to the regulator, if it has a calendar

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


@dataclass(frozen=True)
class Count:
    """One count column of a tally: rows where ``when`` holds (all rows without one)."""

    header: str
    when: Callable[[Row], bool] | None = None
    total: str | None = None  # instead of counting, sum this value


@dataclass(frozen=True)
class Tally:
    """Rows counted by the values of ``by`` (a category, a department …), with a chart."""

    title: str
    by: str
    counts: tuple[Count, ...] = (Count("数量"),)
    chart: bool = True


@dataclass(frozen=True)
class Section:
    """A part of a report that is not a table of rows: a heading, lines, an optional table."""

    title: str
    lines: Sequence[str] = ()
    headers: Sequence[str] = ()
    rows: Sequence[Sequence[Any]] = ()


SectionBuilder = Callable[[list[Row], Period, Mapping[str, Any]], list[Section]]


@dataclass(frozen=True)
class Report:
    """``unionforms report <command>``: a summary of the kind's records for a period.

    ``table`` gives the rows (its ``rows`` builder, ``where``), their columns and order;
    ``period_key`` names the date value that puts a row in the period (None: the report
    covers what is due now, see ``due_key``); ``group_by`` makes subtotals of ``sums``;
    ``sections`` adds what only this kind knows; ``letter`` is the Word document, rendered
    with the report's figures; ``leaves_office``: it goes to the parent union, so ID and phone
    numbers are masked (on by default: ``[privacy] mask_outgoing``).
    """

    command: str
    title: str
    help: str
    table: RegisterSpec
    period_key: str | None = None
    periods: tuple[str, ...] = ("year",)
    due_key: str | None = None  # without a period: rows whose ``due_key`` is within N days
    group_by: tuple[str, ...] = ()
    sums: tuple[str, ...] = ()
    tallies: tuple[Tally, ...] = ()
    sections: SectionBuilder | None = None
    letter: DocumentSpec | None = None
    numbered: bool = False  # the letter takes the union's next document number
    addressee: str = ""  # whom the letter is addressed to: an [organisation] setting's name
    calendar: bool = False  # the regulator's due date (15th after a quarter, 31 January)
    leaves_office: bool = False
    empty: str = "所选期间没有记录。"


@dataclass(frozen=True)
class RosterColumn:
    """A column a roster workbook must have, found by its header or one of its synonyms."""

    key: str
    header: str
    synonyms: tuple[str, ...] = ()
    required: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.synonyms)


@dataclass(frozen=True)
class Choice:
    """A command-line choice of a batch (``--level 公司—部门``), passed to ``values``."""

    option: str
    help: str
    choices: tuple[str, ...]
    default: str


@dataclass(frozen=True)
class Batch:
    """``unionforms generate <command>``: pre-filled forms of this kind, one per recipient.

    Recipients come from a roster workbook (``roster`` columns) or from the records of
    ``source_kind`` in the year. ``values(recipient, year, choice, organisation)`` gives the
    form's pre-filled values; ``key`` is the field that names the recipient, so a returned
    form is matched with what was sent (``year_key``: the value that holds the year, or the
    record's year). ``documents`` prints the kind's documents pre-filled too (ready to sign);
    ``listing`` is a workbook listing every recipient with empty columns to fill in by hand.
    """

    command: str
    title: str
    help: str
    values: Callable[[Row, int, str, Mapping[str, Any]], Row]
    key: str
    label_key: str = ""  # a second value shown beside the key (e.g. the head of the unit)
    roster: tuple[RosterColumn, ...] = ()
    source_kind: str | None = None
    source_where: Callable[[Row], bool] | None = None  # which source records (as rows) get one
    choice: Choice | None = None
    year_key: str | None = None
    documents: bool = False
    listing: RegisterSpec | None = None
    listing_group: str | None = None  # the listing starts a section at each new value of it
