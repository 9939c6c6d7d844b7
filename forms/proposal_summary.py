"""The year summary of proposals (合理化建议年度汇总表): by department and by proposer.

The standard: 做到创新有功，有功必录. Each proposal counts with its status and awards after its
reviews (the proposal kind's row values, which its follow-ups extend); each proposer gets the
share of the awards stated on the proposal, or an equal share when none is stated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from forms import proposal
from forms.base import RecordView
from forms.fields import CENT, Bool, Integer, Money, Text
from forms.followup import total

DONE = proposal.DECISIONS[3]
ADOPTED = proposal.ADOPTED

SUMMARY_TYPES = {
    "department": Text("部门"),
    "proposals": Integer("提出件数"),
    "adopted": Integer("采纳件数"),
    "implemented": Integer("已实施件数"),
    "awarded": Integer("获奖件数"),
    "award_total": Money("奖励金额合计（元）"),
    "economic_benefit": Money("预期经济效益合计（元/年）"),
    "actual_benefit": Money("实际经济效益合计（元/年）"),
    "is_total": Bool("合计"),
}


def _tally(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "proposals": len(rows),
        "adopted": sum(1 for row in rows if row["status"] in ADOPTED),
        "implemented": sum(1 for row in rows if row["status"] == DONE),
        "awarded": sum(1 for row in rows if row["award_total"]),
        "award_total": total(row["award_total"] for row in rows),
        "economic_benefit": total(row["economic_benefit"] for row in rows),
        "actual_benefit": total(row["actual_benefit"] for row in rows),
    }


def by_department(records: list[RecordView], today: date) -> Iterable[dict[str, Any]]:
    """Per year: a row per department, then the year's total (创新有功，有功必录)."""
    years: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for record in records:
        row = proposal.KIND.row_values(record, today)
        years[record.year][row["department"]].append(row)
    for year in sorted(years):
        for department, rows in years[year].items():
            yield {"record_year": year, "department": department, "is_total": False} | _tally(rows)
        every = [row for rows in years[year].values() for row in rows]
        yield {"record_year": year, "department": "合计", "is_total": True} | _tally(every)


def by_proposer(records: list[RecordView], today: date) -> Iterable[dict[str, Any]]:
    """Per year and proposer: proposals, adopted, implemented, and the proposer's share of the
    awards (by contribution, or equal shares when none is stated)."""
    people: dict[tuple[int, str, str], list[tuple[dict[str, Any], Decimal]]] = defaultdict(list)
    for record in records:
        row = proposal.KIND.row_values(record, today)
        proposers = record.values["proposers"]
        for person in proposers:
            stated = person["share"]
            share = Decimal(stated) / 100 if stated else 1 / Decimal(len(proposers))
            key = (record.year, person["proposer_name"], person["proposer_department"])
            people[key].append((row, share))
    for (year, name, department), entries in sorted(people.items()):
        rows = [row for row, _ in entries]
        earned = sum((row["award_total"] * share for row, share in entries), Decimal(0))
        yield {
            "record_year": year,
            "proposer_name": name,
            "department": department,
            "proposals": len(rows),
            "adopted": sum(1 for row in rows if row["status"] in ADOPTED),
            "implemented": sum(1 for row in rows if row["status"] == DONE),
            "personal_award": earned.quantize(CENT, rounding=ROUND_HALF_UP),
            "titles": "、".join(f"{row['title']}（{row['status']}）" for row in rows),
        }
