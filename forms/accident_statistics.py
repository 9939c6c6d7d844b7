"""The accidents of a year as statistics (``unionforms report accidents``).

By GB 6441-1986 category, severity and department, with the 493号令 grade; losses totalled in
figures and 大写; the 千人死亡率 and 千人重伤率 (GB 6441: per thousand workers) when the
configuration gives the headcount; and the cases still open, with their open 四不放过 items
and how long they have been open. 《生产安全事故报告和调查处理条例》第二十九条: the
investigation report is due within 60 days of the accident, extendable once by at most 60:
the cases past that are named.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from forms.base import Column, RegisterSpec
from forms.gb6441 import CATEGORIES, casualties
from forms.reports import Count, Period, Row, Section, Tally
from forms.words import cn_date, money_figures, rmb_upper

REPORT_DUE_DAYS, EXTENSION_DAYS = 60, 60


def _money(rows: list[Row], key: str) -> Decimal:
    return sum((row[key] for row in rows), Decimal(0))


def _people(rows: list[Row]) -> str:
    deaths, serious, minor = (sum(row[k] for row in rows) for k in PEOPLE)
    return casualties(deaths, serious, minor) or "无人员伤亡"


PEOPLE = ("deaths", "serious_injuries", "minor_injuries")


def _day(row: Row) -> date:
    return row["occurred_at"].date()


def _late(row: Row, today: date) -> str:
    """What is late about one case: its report, or its closing."""
    took = (row["report_date"] - _day(row)).days
    if took > REPORT_DUE_DAYS + EXTENSION_DAYS:
        return f"调查报告在事故发生后第{took}天才提交，超过了延长后的最长期限（120日）"
    if took > REPORT_DUE_DAYS:
        return f"调查报告在事故发生后第{took}天提交，超过60日（须经批准延长）"
    open_for = (today - _day(row)).days
    if row["open"] and open_for > REPORT_DUE_DAYS:
        return f"事故发生已{open_for}天仍未结案"
    return ""


def sections(rows: list[Row], period: Period, settings: Mapping[str, Any]) -> list[Section]:
    today: date = settings["today"]
    if not rows:
        return [Section("总体情况", (f"{period.label}未发生工伤事故。",))]
    direct, indirect = _money(rows, "direct_loss"), _money(rows, "indirect_loss")
    total = direct + indirect
    found = [
        Section(
            "总体情况",
            (
                f"{period.label}共发生工伤事故{len(rows)}起，造成{_people(rows)}；"
                f"直接经济损失{money_figures(direct)}元，间接经济损失{money_figures(indirect)}元，"
                f"合计{money_figures(total)}元（{rmb_upper(total)}）。",
                "按《生产安全事故报告和调查处理条例》划分："
                + "、".join(f"{g}{n}起" for g, n in _counts(rows, "grade").items())
                + "。",
            ),
        ),
        Section(
            "按事故类别（GB 6441-1986）",
            tuple(
                _category_line(category, kept)
                for category in CATEGORIES
                if (kept := [row for row in rows if row["category"] == category])
            ),
        ),
    ]
    headcount = int(settings.get("headcount") or 0)
    if headcount:
        deaths = sum(row["deaths"] for row in rows)
        serious = sum(row["serious_injuries"] for row in rows)
        found.append(
            Section(
                "千人死亡率和千人重伤率（GB 6441-1986）",
                (
                    f"按职工人数{headcount}人计，千人死亡率{deaths * 1000 / headcount:.2f}，"
                    f"千人重伤率{serious * 1000 / headcount:.2f}。",
                ),
            )
        )
    open_cases = [row for row in rows if row["open"]]
    if open_cases:
        found.append(
            Section(
                "尚未结案的事故（“四不放过”未落实）",
                tuple(
                    f"{row['serial']}　{row['title']}（{cn_date(_day(row))}发生，"
                    f"已{(today - _day(row)).days}天）：{'；'.join(row['open_items'])}。"
                    for row in open_cases
                ),
            )
        )
    late = [(row, text) for row in rows if (text := _late(row, today))]
    if late:
        found.append(
            Section(
                "超过调查期限的事故（第二十九条：60日，延长最长60日）",
                tuple(f"{row['serial']}　{row['title']}：{text}。" for row, text in late),
            )
        )
    return found


def _category_line(category: str, rows: list[Row]) -> str:
    loss = money_figures(_money(rows, "total_loss"))
    return f"{category}{len(rows)}起，{_people(rows)}，经济损失{loss}元。"


def _counts(rows: list[Row], key: str) -> dict[str, int]:
    counted: dict[str, int] = {}
    for row in rows:
        counted[row[key]] = counted.get(row[key], 0) + 1
    return counted


CASES = (
    Count("起数"),
    Count("死亡（人）", total="deaths"),
    Count("重伤（人）", total="serious_injuries"),
    Count("轻伤（人）", total="minor_injuries"),
    Count("经济损失（元）", total="total_loss"),
)
TABLE = RegisterSpec(
    "工伤事故统计表",
    columns=(
        Column("serial", width=13),
        Column("title", width=22),
        Column("occurred_at", width=16),
        Column("department", width=10),
        Column("category", width=10),
        Column("severity", width=9),
        Column("grade", width=9),
        Column("deaths", width=5),
        Column("serious_injuries", width=5),
        Column("minor_injuries", width=5),
        Column("direct_loss", width=13),
        Column("indirect_loss", width=13),
        Column("total_loss", width=13),
        Column("status", width=8),
        Column("open_items", width=22),
        Column("report_date", width=11),
    ),
    order=lambda row: (row["category"], row["occurred_at"]),
)
TALLIES = (
    Tally("按事故类别", "category", CASES),
    Tally("按伤害严重程度", "severity", CASES),
    Tally("按事故等级（493号令）", "grade", CASES, chart=False),
    Tally("按部门", "department", CASES),
)
SUMS = (
    "deaths",
    "serious_injuries",
    "minor_injuries",
    "direct_loss",
    "indirect_loss",
    "total_loss",
)
