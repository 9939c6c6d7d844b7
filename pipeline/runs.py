"""Where report and batch runs put their files, and the report's files themselves.

Each run writes into a folder of its own under the outbox, named for what it made and the
day (``outbox/reports/困难职工名单汇总表（2026年）2026-12-01/``); a second run the same day
gets ``…-2``, so an earlier run's output is never overwritten. The files hold personal data
and get the permissions of documents (``pipeline.permissions``).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from forms.words import cn_date
from pipeline.files import safe_name
from pipeline.render import render_document
from pipeline.reporting import ReportData
from pipeline.runtime import Runtime
from pipeline.summary_book import write_book

NUMERALS = "一二三四五六七八九十"


def run_folder(root: Path, name: str, today: date, rt: Runtime) -> Path:
    """A new folder ``root/<name><date>`` (``-2``, ``-3`` … when the day has one already)."""
    base = safe_name(f"{name}{today.isoformat()}")
    number = 1
    while True:
        folder = root / (base if number == 1 else f"{base}-{number}")
        if not folder.exists():
            return rt.sharing.folder(folder)
        number += 1


def write_report(rt: Runtime, data: ReportData) -> list[Path]:
    """The report's workbook and, when it has one, its letter; returns the files written."""
    report, period = data.report, data.period
    name = f"{report.title}（{period.label}）"
    folder = run_folder(rt.outbox / "reports", name, data.made_at.date(), rt)
    union = rt.config.organisation.union
    book = write_book(data, folder / f"{safe_name(name)}.xlsx", union, rt.sharing)
    if report.letter is None:
        return [book]
    title = report.letter.title.format(period=period.label)
    target = folder / f"{safe_name(title)}.docx"
    number = ""
    if report.numbered:
        year = data.made_at.year
        sequence = rt.store.next_document_number(year, title, str(target))
        number = f"{rt.config.organisation.document_prefix}〔{year}〕{sequence}号"
    context = letter_context(rt, data, title, number, book.stem)
    letter = render_document(
        rt.config, report.letter, context, target, number or title, data.made_at, rt.sharing
    )
    return [book, letter]


def letter_context(
    rt: Runtime, data: ReportData, title: str, number: str, attachment: str
) -> dict[str, Any]:
    organisation = rt.config.organisation.model_dump()
    headed = [section for section in data.sections if section.title]
    return {
        "org": organisation,
        "today": data.made_at.date(),
        "doc_number": number,
        "title": title,
        "addressee": organisation.get(data.report.addressee, "") if data.report.addressee else "",
        "intro": [line for s in data.sections if not s.title for line in s.lines],
        "sections": [
            asdict(section) | {"title": f"{NUMERALS[i]}、{section.title}"}
            for i, section in enumerate(headed)
        ],
        "attachment": attachment,
        "period": data.period.label,
        "due": cn_date(data.period.due) if data.report.calendar and data.period.due else "",
    }
