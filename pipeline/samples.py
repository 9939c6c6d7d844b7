"""Filled forms made from the blank forms and a kind's example values (demo and tests).

Values are written where a clerk would type them: through the workbook's defined names in
.xlsx, into the cells the .docx reader finds by label, so a sample follows the blank form
whenever the form changes. Samples of a kind whose
forms refer to another record (a follow-up to its hazard) are made in a later round, once a
sample of the parent kind has been accepted and numbered, so they can name its serial.
"""

from __future__ import annotations

import copy
import io
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docx.table import _Cell
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from forms import KINDS, get_kind
from forms.base import FormKind, RecordView
from forms.samples import Sample
from pipeline import docx_form
from pipeline.blank_docx import build_blank_docx
from pipeline.blank_xlsx import build_blank_xlsx
from pipeline.config import Config
from pipeline.files import safe_name
from pipeline.job import Location, RawForm, RawValue
from pipeline.records import adopt
from pipeline.validate import validate

if TYPE_CHECKING:
    from pipeline.engine import BatchResult
    from pipeline.job import Job


@lru_cache(maxsize=128)
def blank(build: Callable[[FormKind, Config], bytes], kind: FormKind, config: Config) -> bytes:
    """A blank form, built once per kind and configuration: filling hundreds of forms (a
    batch, the samples) would otherwise build the same blank form hundreds of times."""
    return build(kind, config)


def _put(ws: Any, row: int, column: int, value: Any) -> None:
    """Type a value into a cell; text stays text (input cells are text-formatted, so Excel
    keeps ``=…`` typed there as text too)."""
    if isinstance(value, list | tuple):
        value = "、".join(str(item) for item in value)
    cell = ws.cell(row, column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def fill_xlsx(kind: FormKind, config: Config, values: dict[str, Any]) -> bytes:
    """The blank .xlsx form of ``kind`` with ``values`` typed in (raw values, as a clerk would)."""
    wb = load_workbook(io.BytesIO(blank(build_blank_xlsx, kind, config)))
    fill_workbook(wb, kind, values)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def fill_workbook(wb: Any, kind: FormKind, values: dict[str, Any]) -> None:
    """Type ``values`` into the loaded blank workbook ``wb`` through its defined names."""
    for key, value in values.items():
        sheet, reference = next(iter(wb.defined_names[key].destinations))
        ws = wb[sheet]
        min_col, min_row, _, max_row = range_boundaries(reference.replace("$", ""))
        if isinstance(value, list) and value and isinstance(value[0], dict):
            if len(value) > max_row - min_row + 1:
                # Rows typed below the table are not part of the form: the reader never
                # sees them, so a sample (or a prefilled sheet) must not put them there.
                raise ValueError(
                    f"{key}: {len(value)} rows, the form holds {max_row - min_row + 1}"
                )
            columns = [
                c.key for c in next(s for s in kind.model.field_defs() if s.key == key).columns
            ]
            for offset, row in enumerate(value):
                for index, column in enumerate(columns):
                    if column in row:
                        _put(ws, min_row + offset, min_col + index, row[column])
        elif not isinstance(value, list) or value:
            _put(ws, min_row, min_col, value)


def typed_text(value: Any) -> str:
    """A value as a clerk types it into Word: 2026-01-05, 1200.00, 是, 因病、因残."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, list | tuple):
        return "、".join(typed_text(item) for item in value)
    return str(value)


def type_into(cell: _Cell, text: str) -> None:
    """Replace what a cell says, keeping its paragraph style; lines become paragraphs."""
    first, *others = cell.paragraphs
    for paragraph in others:
        paragraph._p.getparent().remove(paragraph._p)
    for run in first.runs:
        run._r.getparent().remove(run._r)
    lines = text.split("\n")
    first.add_run(lines[0])
    for line in lines[1:]:
        cell.add_paragraph(line, style=first.style)


def fill_docx(kind: FormKind, config: Config, values: dict[str, Any]) -> bytes:
    """The blank .docx form of ``kind`` with ``values`` typed in, rows added where needed."""
    document = docx_form.load(blank(build_blank_docx, kind, config))
    layout = docx_form.locate(document, kind)
    for key, area in layout.areas.items():
        for _ in range(len(values.get(key) or []) - len(area.rows)):
            last = area.grid.table.rows[area.rows[-1]]._tr
            last.addnext(copy.deepcopy(last))
    layout = docx_form.locate(document, kind)
    for key, value in values.items():
        if key in layout.areas:
            area = layout.areas[key]
            for row_index, row in zip(area.rows, value or [], strict=False):
                for column, grid_column in area.columns.items():
                    cell = area.grid.covering(row_index, grid_column)
                    if cell is not None and column in row:
                        type_into(cell.cell, typed_text(row[column]))
        elif (slot := layout.slots.get(key)) is not None and slot.value is not None:
            type_into(slot.value.cell, typed_text(value))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def raw_form(kind: FormKind, values: dict[str, Any]) -> RawForm:
    """Values as a reader would hand them over, each at a location named after its key."""
    raw = RawForm()
    for spec in kind.model.field_defs():
        value = values.get(spec.key)
        if spec.is_table:
            raw.tables[spec.key] = [
                {
                    c.key: RawValue(row.get(c.key), Location(f"{spec.key}[{i}].{c.key}"))
                    for c in spec.columns
                }
                for i, row in enumerate(value or [])
            ]
            raw.table_locations[spec.key] = Location(spec.key)
        else:
            raw.fields[spec.key] = RawValue(value, Location(f"cell-{spec.key}"))
    return raw


class SampleContext:
    """A ``FormContext`` for a sample checked on its own: the only record it can refer to is
    the parent it was made for."""

    def __init__(self, now: datetime, settings: dict[str, Any], parent: RecordView | None) -> None:
        self.now, self.today = now, now.date()
        self.settings = settings
        self.parent = parent

    def record(self, serial: str) -> RecordView | None:
        return self.parent if self.parent is not None and self.parent.serial == serial else None

    def serials_with(self, kind: str, key: str, value: Any, year: int) -> list[str]:
        return []

    def records_with(self, kind: str, key: str, value: Any) -> list[RecordView]:
        return []


def sample_record(
    kind: FormKind,
    config: Config,
    values: dict[str, Any],
    now: datetime,
    number: int = 1,
    parent: RecordView | None = None,
) -> RecordView:
    """A good sample as the ``number``-th accepted record of its kind would show it, without
    a store (``unionforms templates check`` renders templates with it). Its fields are checked
    one by one; rules that look at other records (earlier loans of an item …) are not, as the
    sample is shown without them."""
    ctx = SampleContext(now, config.settings(), parent)
    form, problems = validate(kind.model, raw_form(kind, values), ctx, rules=False)
    if form is None:
        raise ValueError(f"{kind.key} sample does not validate: {problems}")
    serial = f"{kind.serial_prefix}-{now.year}-{number:04d}" if kind.serial_prefix else None
    suffix = kind.parent.suffix if kind.parent else ""
    record = RecordView(
        kind=kind.key,
        serial=serial,
        ident=serial or f"{parent.ident if parent else '示例'}-{suffix}{number}",
        year=now.year,
        values=form.values(),
        derived=kind.derive(form, ctx),
        received_at=now,
        source_name=f"{kind.title}.xlsx",
        parent=parent.serial if parent else None,
    )
    if parent is not None:  # filed under its parent, as the store would (a loan's ledger …)
        adopt(parent, record)
    return record


FILLERS: dict[str, Callable[[FormKind, Config, dict[str, Any]], bytes]] = {
    "xlsx": fill_xlsx,
    "docx": fill_docx,
}


def write_samples(
    kind: FormKind,
    config: Config,
    samples: list[Sample],
    folder: Path,
    formats: tuple[str, ...] = ("xlsx",),
) -> list[Path]:
    """Write each sample, taking the formats in turn (the first sample in the first format)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for index, sample in enumerate(samples):
        fmt = formats[index % len(formats)]
        path = folder / f"{safe_name(sample.name)}.{fmt}"
        path.write_bytes(FILLERS[fmt](kind, config, sample.values))
        written.append(path)
    return written


def _depth(kind: FormKind) -> int:
    return 0 if kind.parent is None else 1 + _depth(get_kind(kind.parent.kind))


def sample_rounds(kinds: tuple[FormKind, ...] = KINDS) -> list[list[FormKind]]:
    """The kinds in rounds: those that refer to no other record first, then their children."""
    rounds: dict[int, list[FormKind]] = {}
    for kind in kinds:
        rounds.setdefault(_depth(kind), []).append(kind)
    return [rounds[depth] for depth in sorted(rounds)]


@dataclass
class SampleRun:
    """What processing every kind's samples gave: the jobs, and how many should have passed."""

    jobs: list[Job] = field(default_factory=list)
    expected_good: int = 0

    @property
    def accepted(self) -> int:
        return sum(1 for job in self.jobs if job.outcome == "accepted")


def _first_accepted(jobs: list[Job], written: list[Path]) -> RecordView | None:
    """The record of the first sample file (in sample order) that was accepted."""
    by_path = {job.source.resolve(): job for job in jobs}
    for path in written:
        job = by_path.get(path.resolve())
        if job is not None and job.outcome == "accepted":
            return job.record
    return None


def run_samples(
    config: Config,
    today: date,
    folder: Path,
    process: Callable[[], BatchResult],
    per_kind_folders: bool = False,
    resubmit_first: bool = False,
    formats: tuple[str, ...] = ("xlsx",),
) -> SampleRun:
    """Write every kind's samples into ``folder`` and ``process`` them, round by round.

    ``per_kind_folders`` puts each kind's samples in a subfolder named by its key;
    ``resubmit_first`` adds a copy of the very first sample, to show a duplicate refused;
    ``formats`` are taken in turn, sample by sample (see ``write_samples``).
    """
    run = SampleRun()
    parents: dict[str, RecordView | None] = {}
    for kinds in sample_rounds():
        written: dict[str, list[Path]] = {}
        for kind in kinds:
            samples = kind.samples(today, parents.get(kind.parent.kind) if kind.parent else None)
            target = folder / kind.key if per_kind_folders else folder
            written[kind.key] = write_samples(kind, config, samples, target, formats)
            run.expected_good += sum(1 for sample in samples if sample.good)
        if resubmit_first and not run.jobs:
            first = next(paths[0] for paths in written.values() if paths)
            shutil.copyfile(first, first.with_name(f"{first.stem}（再次提交）{first.suffix}"))
        jobs = process().jobs
        run.jobs.extend(jobs)
        parents |= {key: _first_accepted(jobs, paths) for key, paths in written.items()}
    return run
