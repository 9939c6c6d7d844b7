"""Values that try to become code (#13), in every text field of every kind.

Formula prefixes (= + - @, and a tab or a line end before them) end up as text in every
register; Jinja and docxtpl syntax prints as typed in every document; the control characters
Excel writes as ``_x0007_`` are removed; a 100,000-character value in any field of any kind is
refused by that field's bound, with its location, and the form comes back with its report.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from forms import KINDS
from forms.base import FormKind
from pipeline import records
from pipeline.engine import collect_inbox, process_batch
from pipeline.job import NOT_FOUND
from pipeline.registers import looks_like_formula
from pipeline.stages import READERS
from pipeline.validate import validate
from tests.conftest import NOW, Workspace, docx_text
from tests.kinds import (
    Slot,
    fitted,
    good_values,
    keep_accepted,
    put,
    slots,
    text_slots,
    written_reports,
    ws_fill,
)

KIND_IDS = [kind.key for kind in KINDS]
FORMULAS = (
    '\t=HYPERLINK("http://example.invalid","点这里")',
    "\r+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A9)",
    " =1+1",
    "\r\n=2*3",
)
JINJA = "{{ 7777*7 }}{% for x in 'ab' %}X{% endfor %}{_{ 7777*7 }_}{%p if 1 %}{{r x }}"
SHORT_JINJA = "{{7777*7}}{%_}"


def accepted(ws: Workspace, kind: FormKind, values: dict, fmt: str = "xlsx"):  # type: ignore[no-untyped-def,type-arg]
    ws.drop(f"值-{kind.key}.{fmt}", ws_fill(ws, kind, values, fmt))
    jobs = [job for job in process_batch(collect_inbox(ws.config), ws.rt).jobs]
    (job,) = [job for job in jobs if job.name.startswith("值-")]
    assert job.outcome == "accepted", [p.sentence() for p in job.problems] or job.message
    return job


def sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return "".join(
            package.read(name).decode("utf-8")
            for name in package.namelist()
            if name.startswith("xl/worksheets/")
        )


def with_payloads(
    ws: Workspace, kind: FormKind, payload: Callable[[int, Slot], str], fmt: str = "xlsx"
) -> tuple[dict[str, Any], dict[Slot, Any]]:
    """The kind's good values with ``payload`` in every free-text field the sample fills and
    the kind's rules accept it in (at least half of them; a rule refusing one says where)."""
    values = good_values(ws, kind)
    filled = [slot for slot in text_slots(kind) if _filled(values, slot)]
    chosen = {slot: payload(number, slot) for number, slot in enumerate(filled)}
    kept = keep_accepted(ws, kind, values, chosen, fmt)
    assert len(kept) * 2 >= len(chosen), sorted(s.label for s in chosen if s not in kept)
    for slot, value in kept.items():
        put(values, slot, value)
    return values, kept


def _filled(values: dict[str, Any], slot: Slot) -> bool:
    """Whether the sample fills the slot (an empty optional field may be empty for a reason:
    a result written only once a decision says so)."""
    if slot.table is None:
        return bool(values.get(slot.spec.key))
    return any(row.get(slot.spec.key) for row in values.get(slot.table.key) or [])


def formula(number: int, slot: Slot) -> str:
    return fitted(FORMULAS[number % len(FORMULAS)], slot.spec.type)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_formula_prefixes_stay_text_in_every_register(ws: Workspace, kind: FormKind) -> None:
    values, kept = with_payloads(ws, kind, formula)
    typed = {slot.label: value for slot, value in kept.items()}
    job = accepted(ws, kind, values)
    assert job.record is not None
    stored = " ".join(str(v) for v in job.record.values.values())
    assert all(value.strip() in stored or value.strip()[:20] in stored for value in typed.values())
    registers = sorted((ws.outbox / "registers").glob("*.xlsx"))
    formulas = sum(quoted_formulas(register) for register in registers)
    assert formulas or not kind.registers  # the kind's registers show some of them
    books = [path for path in written_reports(ws, kind) if path.suffix == ".xlsx"]
    assert sum(quoted_formulas(book) for book in books) or not kind.reports


def quoted_formulas(path: Path) -> int:
    """How many cells of the workbook's sheets look like formulas; each must be quoted text."""
    assert "<f>" not in sheet_xml(path) and "<f " not in sheet_xml(path), path
    found = 0
    for sheet in load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and looks_like_formula(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, (path.name, cell)
                    found += 1
    return found


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_formula_prefixes_stay_text_in_the_returned_marked_copy(
    ws: Workspace, kind: FormKind
) -> None:
    values, _ = with_payloads(ws, kind, formula)
    first = next(slot for slot in slots(kind) if slot.table is None and slot.spec.required)
    put(values, first, None)  # one mistake, so the form comes back marked
    ws.drop(f"退回-{kind.key}.xlsx", ws_fill(ws, kind, values, "xlsx"))
    jobs = process_batch(collect_inbox(ws.config), ws.rt).jobs
    (job,) = [job for job in jobs if job.name.startswith("退回-")]
    assert job.outcome == "rejected"
    (marked,) = (ws.outbox / "rejected").glob(f"退回-{kind.key}.xlsx.标注.xlsx")
    assert "<f>" not in sheet_xml(marked) and "<f " not in sheet_xml(marked)


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_template_syntax_in_every_text_field_prints_as_typed(ws: Workspace, kind: FormKind) -> None:
    def jinja(number: int, slot: Slot) -> str:
        high = slot.spec.type.bounds[1]  # type: ignore[attr-defined]
        return fitted(JINJA if high >= len(JINJA) + 2 else SHORT_JINJA, slot.spec.type)  # type: ignore[arg-type]

    values, _ = with_payloads(ws, kind, jinja, "docx")
    job = accepted(ws, kind, values, "docx")
    text = "\n".join(docx_text(path) for path in job.documents)
    assert "54439" not in text and "XX" not in text  # nothing was evaluated
    assert JINJA in text or SHORT_JINJA in text
    # docxtpl turns "{_{" in its output into "{{": the underscore typed must survive it.
    assert "endfor %}{{" not in text and "{%}" not in text


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_control_characters_excel_escaped_are_removed(ws: Workspace, kind: FormKind) -> None:
    def controls(number: int, slot: Slot) -> str:
        low = slot.spec.type.bounds[0]  # type: ignore[attr-defined]
        return "甲_x0007_乙_x001B_[31m丙_x000B_" + "（说明）" * max(0, -(-(low - 7) // 4))

    values, _ = with_payloads(ws, kind, controls)
    job = accepted(ws, kind, values)
    assert job.record is not None
    stored = repr(job.record.values)
    assert "甲乙[31m丙" in stored and "\\x07" not in stored and "\\x1b" not in stored
    assert "_x0007_" not in stored
    for register in (ws.outbox / "registers").glob("*.xlsx"):
        load_workbook(register)  # every register was written and reads back


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_a_hundred_thousand_characters_in_any_field_are_refused_by_its_bound(
    ws: Workspace, kind: FormKind, fmt: str
) -> None:
    values = good_values(ws, kind)
    huge = "9" * 100_000
    for slot in slots(kind):
        put(values, slot, huge)
    data = ws_fill(ws, kind, values, fmt)
    raw = READERS[fmt](data, kind)
    ctx = records.StoreContext(ws.rt.store, ws.config.settings(), NOW)
    form, problems = validate(kind.model, raw, ctx)
    assert form is None
    labels = {p.label for p in problems}
    for slot in slots(kind):
        label = f"{slot.table.label}第1行的{slot.spec.label}" if slot.table else slot.spec.label
        assert label in labels, label
    for problem in problems:
        assert problem.where is not None and problem.where.text != NOT_FOUND, problem
        assert len(problem.sentence()) < 400, problem.sentence()[:200]
    if fmt == "xlsx":  # the whole way once: returned, marked, its report readable
        ws.drop("十万字.xlsx", data)
        jobs = process_batch(collect_inbox(ws.config), ws.rt).jobs
        (job,) = [job for job in jobs if job.name == "十万字.xlsx"]
        assert job.outcome == "rejected" and len(job.problems) == len(problems)
        report = (ws.outbox / "rejected" / "十万字.xlsx.错误说明.txt").read_text("utf-8-sig")
        assert len(report) < 400 * len(problems) and "太长" in report
        load_workbook(io.BytesIO((ws.outbox / "rejected" / "十万字.xlsx.标注.xlsx").read_bytes()))
