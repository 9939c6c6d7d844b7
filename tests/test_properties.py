"""Property-based (#13): random values for every field of every kind, written into the blank
.xlsx and .docx forms, are either accepted with the record holding what was typed (after the
documented normalisation, ``tests.strategies``) or refused with every error located; never an
exception escaping. A smaller run goes the whole way through the engine: never a lost file.

The examples are derandomised (the "ci" profile of tests/conftest.py), so CI runs the same
ones every time, in whichever worker of ``pytest -n`` runs a test; set
``HYPOTHESIS_PROFILE=explore`` to search further on a developer's machine.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from forms import KINDS
from forms.base import FormKind
from pipeline import records, samples
from pipeline.blank_xlsx import build_blank_xlsx
from pipeline.config import Config
from pipeline.engine import collect_inbox, open_runtime, process_batch
from pipeline.job import NOT_FOUND
from pipeline.labels import LabelIndex
from pipeline.stages import READERS
from pipeline.validate import validate
from tests.conftest import NOW, Workspace, make_config
from tests.kinds import accepted_parent, slots
from tests.strategies import ANY, Typed, typed

EXAMPLES = {"xlsx": 100, "docx": 100}  # per kind: 200, a few hundred (profile "ci")
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
KIND_IDS = [kind.key for kind in KINDS]
# Out-of-range numbers typed into date cells are among the examples: openpyxl says so, then
# reads them as errors, which the fields refuse like any other wrong value.
pytestmark = pytest.mark.filterwarnings("ignore:Cell .* is marked as a date:UserWarning")


class Filler:
    """Fills forms fast: each blank form built once; a blank workbook loaded once and its
    input cells put back after each save (loading it took a third of an example's time)."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.workbooks: dict[str, tuple[Any, list[tuple[Any, Any, str]]]] = {}

    def __call__(self, kind: FormKind, fmt: str, values: dict[str, Any]) -> bytes:
        if fmt == "docx":
            return samples.FILLERS[fmt](kind, self.config, values)
        wb, cells = self._blank(kind)
        samples.fill_workbook(wb, kind, values)
        buffer = io.BytesIO()
        wb.save(buffer)
        for cell, value, data_type in cells:
            cell.value, cell.data_type = value, data_type
        return buffer.getvalue()

    def _blank(self, kind: FormKind) -> tuple[Any, list[tuple[Any, Any, str]]]:
        if kind.key not in self.workbooks:
            wb = load_workbook(io.BytesIO(build_blank_xlsx(kind, self.config)))
            cells = []
            for defined in wb.defined_names.values():
                for sheet, reference in defined.destinations:
                    low_col, low_row, high_col, high_row = range_boundaries(reference)
                    for row in wb[sheet].iter_rows(low_row, high_row, low_col, high_col):
                        cells += [(cell, cell.value, cell.data_type) for cell in row]
            self.workbooks[kind.key] = wb, cells
        return self.workbooks[kind.key]


@pytest.fixture(scope="module")
def start(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A store holding each parent kind's first good sample, and every kind's good values."""
    root = tmp_path_factory.mktemp("properties")
    config = make_config(root)
    config.folders.inbox.mkdir(parents=True)
    rt = open_runtime(config, clock=lambda: NOW)
    ws = Workspace(root, config, rt)
    values = {}
    for kind in KINDS:
        parent = accepted_parent(ws, kind)
        values[kind.key] = next(s for s in kind.samples(NOW.date(), parent) if s.good).values
    yield {"ws": ws, "values": values, "fill": Filler(config)}
    rt.close()


@st.composite
def changes(
    draw: st.DrawFn, kind: FormKind, fmt: str, base: dict[str, Any]
) -> dict[tuple[str, str | None], Typed]:
    """Values for one to four fields or table columns, the rest left as the good sample has
    them; a table column gets a value in each row the sample has (in one to three rows of an
    empty table), so the rows keep their other columns."""
    chosen = draw(st.lists(st.sampled_from(list(slots(kind))), min_size=1, max_size=4))
    found: dict[tuple[str, str | None], Typed] = {}
    for slot in chosen:
        if slot.table is None:
            found[(slot.spec.key, None)] = draw(typed(slot.spec.type, fmt))
            continue
        count = len(base.get(slot.table.key) or []) or draw(st.integers(1, 3))
        cells = draw(st.lists(typed(slot.spec.type, fmt), min_size=count, max_size=count))
        found[(slot.table.key, slot.spec.key)] = Typed(
            [c.raw for c in cells], [c.expected for c in cells]
        )
    return found


def apply(base: dict[str, Any], found: dict[tuple[str, str | None], Typed]) -> dict[str, Any]:
    """The good sample's values with the drawn ones written over them."""
    values = {
        key: [dict(row) for row in value] if _is_table(value) else value
        for key, value in base.items()
    }
    for (key, column), value in found.items():
        if column is None:
            values[key] = value.raw
            continue
        rows = values.get(key) or []
        rows += [{} for _ in range(len(value.raw) - len(rows))]
        for row, raw in zip(rows, value.raw, strict=False):
            row[column] = raw
        values[key] = rows
    return values


def _is_table(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict)


def expected_for(fmt: str, value: Typed, labels: LabelIndex) -> Any:
    """The expected stored value, or ANY; in a .docx, text that is a field's label reads as
    nothing filled in (the reader takes it for the next label)."""
    if fmt == "docx" and isinstance(value.raw, str) and labels.match(value.raw.strip()):
        return ANY
    return value.expected


def assert_located(problems: list[Any], fmt: str) -> None:
    assert problems
    for problem in problems:
        where = problem.where
        assert where is not None and where.text != NOT_FOUND, problem
        if fmt == "xlsx":
            assert where.sheet and where.cell, problem
        else:
            assert where.table is not None and where.row is not None, problem
        assert problem.sentence().startswith("「") and problem.label in problem.sentence()


def assert_stored(
    kind: FormKind,
    fmt: str,
    found: dict[tuple[str, str | None], Typed],
    values: dict[str, Any],
    stored: dict[str, Any],
) -> None:
    """Every drawn value with an expectation is stored as expected. A table is compared row by
    row when no row was dropped as blank (then the rows line up with what was written)."""
    labels = LabelIndex(kind.model.field_defs())
    for (key, column), value in found.items():
        if column is None:
            expected = expected_for(fmt, value, labels)
            if expected is not ANY:
                assert stored[key] == expected, (key, value.raw, stored[key])
            continue
        if len(stored[key]) != len(values[key]):
            continue
        for index, (raw, expected) in enumerate(zip(value.raw, value.expected, strict=True)):
            wanted = expected_for(fmt, Typed(raw, expected), labels)
            if wanted is not ANY:
                assert stored[key][index][column] == wanted, (key, column, raw, stored[key])


def run_example(
    start: dict[str, Any], kind: FormKind, fmt: str, found: dict[tuple[str, str | None], Typed]
) -> None:
    ws: Workspace = start["ws"]
    values = apply(start["values"][kind.key], found)
    raw_form = READERS[fmt](start["fill"](kind, fmt, values), kind)
    ctx = records.StoreContext(ws.rt.store, ws.config.settings(), NOW)
    form, problems = validate(kind.model, raw_form, ctx)
    if form is None:
        assert_located(problems, fmt)
    else:
        assert_stored(kind, fmt, found, values, form.values())


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_any_value_in_any_field_is_stored_as_typed_or_refused_where_it_is(
    start: dict[str, Any], kind: FormKind, fmt: str
) -> None:
    @settings(max_examples=EXAMPLES[fmt] if PROFILE == "ci" else settings().max_examples)
    @given(found=changes(kind, fmt, start["values"][kind.key]))
    def example(found: dict[tuple[str, str | None], Typed]) -> None:
        run_example(start, kind, fmt, found)

    example()


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_the_whole_way_no_form_is_lost(
    tmp_path_factory: pytest.TempPathFactory, kind: FormKind
) -> None:
    """Through the engine: every file ends accepted with its original archived, or returned
    byte for byte; none stays behind, none fails as a fault of ours."""
    root = tmp_path_factory.mktemp(f"whole-{kind.key}")
    config = make_config(root)
    config.folders.inbox.mkdir(parents=True)
    rt = open_runtime(config, clock=lambda: NOW)
    ws = Workspace(root, config, rt)
    base = next(s for s in kind.samples(NOW.date(), accepted_parent(ws, kind)) if s.good).values
    counter = iter(range(10**6))

    @settings(max_examples=5)  # through the engine, documents and all: the costly part
    @given(found=changes(kind, "xlsx", base), fmt=st.sampled_from(["xlsx", "docx"]))
    def example(found: dict[tuple[str, str | None], Typed], fmt: str) -> None:
        name = f"表{next(counter)}.{fmt}"
        data = samples.FILLERS[fmt](kind, config, apply(base, found))
        ws.drop(name, data)
        (job,) = process_batch(collect_inbox(config), rt).jobs
        assert job.outcome in ("accepted", "rejected", "duplicate"), job.message
        assert not (config.folders.inbox / name).exists()
        if job.outcome == "accepted":
            assert job.archive_dir is not None
            assert (job.archive_dir / f"原件-{name}").read_bytes() == data
        else:
            assert (config.folders.outbox / "rejected" / name).read_bytes() == data

    try:
        example()
    finally:
        rt.close()
