"""``unionforms report``: a kind's declared ``Report`` made from the store for a period.

The rows come from the same row builders as the registers (so a report never disagrees with
its register), are kept when their date falls in the period, and are summed by the report's
groups and counted by its tallies. ``pipeline/summary_book.py`` writes the workbook; the Word
document is the generic ``report.docx`` template filled with the report's sections. Reports
meant to leave the office mask ID and phone numbers (rows, sums, sections and letter alike)
unless ``[privacy] mask_outgoing`` is turned off.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from forms.base import FormKind
from forms.fields import FieldType
from forms.reports import Period, Report, Row, Section, Tally
from forms.words import cn_date
from pipeline import records
from pipeline.errors import PipelineError
from pipeline.registers import Masks, column_type, register_rows
from pipeline.runtime import Runtime

QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")


class BadPeriod(PipelineError):
    """A --year, --quarter or --month value that names no period."""

    code = "bad_period"


def year_period(year: int) -> Period:
    # The regulator wants the year's hazard statistics by 31 January.
    return Period(date(year, 1, 1), date(year, 12, 31), f"{year}年", "year", date(year + 1, 1, 31))


def quarter_period(text: str) -> Period:
    match = re.fullmatch(r"(\d{4})\s*[-年]?\s*[Qq第]?\s*([1-4])\s*季?度?", text.strip())
    if not match:
        raise BadPeriod(f"季度“{text}”的写法不对，应写成 2026Q4 这样的形式")
    year, number = int(match.group(1)), int(match.group(2))
    start = date(year, 3 * number - 2, 1)
    following = date(year + (number == 4), 1 if number == 4 else 3 * number + 1, 1)
    # Due by the 15th of the following quarter's first month.
    due = following.replace(day=15)
    return Period(
        start, following - timedelta(days=1), f"{year}年{QUARTERS[number - 1]}", "quarter", due
    )


def month_period(text: str) -> Period:
    match = re.fullmatch(r"(\d{4})\s*[-/年.]\s*(\d{1,2})\s*月?", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise BadPeriod(f"月份“{text}”的写法不对，应写成 2026-11 这样的形式")
    year, month = int(match.group(1)), int(match.group(2))
    following = date(year + (month == 12), month % 12 + 1, 1)
    return Period(
        date(year, month, 1), following - timedelta(days=1), f"{year}年{month}月", "month"
    )


def due_period(today: date, within: int) -> Period:
    end = today + timedelta(days=within)
    return Period(date.min, end, f"截至{cn_date(end)}", "due")


@dataclass
class Group:
    value: str
    rows: list[Row]
    sums: dict[str, int | Decimal]


@dataclass
class TallyTable:
    title: str
    headers: list[str]
    rows: list[list[Any]]
    chart: bool


@dataclass
class ReportData:
    """A report made, ready to be written."""

    kind: FormKind
    report: Report
    period: Period
    made_at: datetime
    rows: list[Row]
    groups: list[Group] = field(default_factory=list)
    totals: dict[str, int | Decimal] = field(default_factory=dict)
    tallies: list[TallyTable] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    mask: Masks = field(default_factory=Masks)

    def header(self, key: str) -> str:
        for column in self.report.table.columns:
            if column.key == key:
                return column.header or self.label(key)
        return self.label(key)

    def label(self, key: str) -> str:
        found = column_type(self.kind, self.report.table, key)
        return found.label if found else key

    def field_type(self, key: str) -> FieldType | None:
        return column_type(self.kind, self.report.table, key)


def make_report(rt: Runtime, kind: FormKind, report: Report, period: Period) -> ReportData:
    """The report's rows for ``period`` from the store, summed, counted and explained."""
    now = rt.clock()
    made = register_rows(kind, report.table, records.all_views(rt.store), now.date())
    rows = [row for row in made if _in(row, report, period)]
    data = ReportData(kind, report, period, now, rows)
    config = rt.config
    masks = Masks.leaving(config) if report.leaves_office else None
    data.mask = masks or Masks(ids=config.rules.mask_id_numbers)
    if data.mask != Masks():
        data.rows = [_masked(data, row) for row in rows]
    data.totals = _sums(data.rows, report.sums)
    if report.group_by:
        data.groups = _groups(data.rows, report.group_by[0], report.sums)
    data.tallies = [_tally(data, tally) for tally in report.tallies]
    if report.sections is not None:
        settings = rt.config.settings() | {"today": now.date(), "ids_masked": data.mask.ids}
        data.sections = report.sections(data.rows, period, settings)
    return data


def _in(row: Row, report: Report, period: Period) -> bool:
    key = report.period_key or report.due_key
    if key is None:
        return True
    value = row.get(key)
    if isinstance(value, datetime):
        value = value.date()
    return value in period


def _masked(data: ReportData, row: Row) -> Row:
    return {key: data.mask.value(value, data.field_type(key)) for key, value in row.items()}


def total(rows: list[Row], key: str) -> int | Decimal:
    """The sum of ``key`` over ``rows``: whole numbers stay whole (people), amounts Decimal."""
    values = [row.get(key) or 0 for row in rows]
    if all(isinstance(value, int) for value in values):
        return sum(values)
    return sum((Decimal(str(value)) for value in values), Decimal(0))


def _sums(rows: list[Row], keys: tuple[str, ...]) -> dict[str, int | Decimal]:
    return {key: total(rows, key) for key in keys}


def _groups(rows: list[Row], key: str, sums: tuple[str, ...]) -> list[Group]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[_text(row.get(key))].append(row)
    return [Group(value, members, _sums(members, sums)) for value, members in grouped.items()]


def _tally(data: ReportData, tally: Tally) -> TallyTable:
    """One count table: a row per value of ``tally.by`` (most first), then 合计."""
    by_value: dict[str, list[Row]] = defaultdict(list)
    for row in data.rows:
        by_value[_text(row.get(tally.by))].append(row)
    ordered = sorted(by_value.items(), key=lambda item: (-len(item[1]), item[0]))
    body = [[value, *(_count(rows, count) for count in tally.counts)] for value, rows in ordered]
    total = ["合计", *(_count(data.rows, count) for count in tally.counts)]
    headers = [data.header(tally.by), *(count.header for count in tally.counts)]
    return TallyTable(tally.title, headers, [*body, total], tally.chart)


def _count(rows: list[Row], count: Any) -> int | Decimal:
    kept = [row for row in rows if count.when is None or count.when(row)]
    return total(kept, count.total) if count.total else len(kept)


def _text(value: Any) -> str:
    if value is None or value == "":
        return "（未填）"
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(value)
