"""The lean workbook reader reads every cell as ``openpyxl.load_workbook`` does: the same value
in every cell of every sheet, merged cells showing their first cell, the same last row and the
same defined names, for every sample of every kind, and for forms LibreOffice saved again."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell

from forms import KINDS
from forms.base import FormKind
from pipeline.config import Config
from pipeline.samples import fill_xlsx
from pipeline.xlsx_cells import Workbook
from tests.conftest import NOW, SOFFICE, needs_soffice

KIND_IDS = [kind.key for kind in KINDS]


def assert_reads_as_openpyxl(content: bytes) -> int:
    """Compare every cell; returns how many non-empty cells there were."""
    reference = load_workbook(io.BytesIO(content), data_only=True, keep_links=False)
    lean = Workbook(content)
    assert lean.sheetnames == reference.sheetnames
    filled = 0
    for ws in reference.worksheets:
        sheet = lean.sheet(ws.title)
        assert sheet.state == ws.sheet_state
        assert sheet.max_row == ws.max_row, ws.title
        for (row, column), cell in ws._cells.items():
            if isinstance(cell, MergedCell):
                first = next(r for r in ws.merged_cells.ranges if cell.coordinate in r)
                expected = ws.cell(first.min_row, first.min_col).value
            else:
                expected = cell.value
            assert sheet.value(row, column) == expected, f"{ws.title}!{cell.coordinate}"
            filled += expected is not None
        assert set(sheet.cells) <= set(ws._cells)
    for key, defined in reference.defined_names.items():
        (title, reference_cells), *_ = defined.destinations
        found = lean.destination(key)
        assert found is not None and (found[0].title, found[1]) == (
            title,
            reference_cells.replace("$", ""),
        )
    return filled


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_every_sample_reads_as_openpyxl_reads_it(kind: FormKind) -> None:
    parent = None
    for sample in kind.samples(NOW.date(), parent):
        assert assert_reads_as_openpyxl(fill_xlsx(kind, Config(), sample.values)) > 10


def test_dates_numbers_and_text_keep_their_types() -> None:
    kind = next(k for k in KINDS if k.key == "hardship")
    values = kind.samples(NOW.date())[0].values | {
        "application_date": NOW.date(),
        "household_size": 3,
        "monthly_wage": 1234.5,
        "address": "=1+1",
    }
    content = fill_xlsx(kind, Config(), values)
    assert_reads_as_openpyxl(content)
    sheet, reference = Workbook(content).destination("application_date") or (None, "")
    assert sheet is not None and reference == "B20"
    assert sheet.value(20, 2) == NOW.replace(hour=0, minute=0)  # a real Excel date
    wb = Workbook(content)
    address, _ = wb.destination("address") or (None, "")
    assert address is not None and address.cells[11, 2] == "=1+1"  # typed text, not a formula


@needs_soffice
def test_forms_saved_again_by_libreoffice_read_as_openpyxl_reads_them(tmp_path: Path) -> None:
    files = []
    for kind in KINDS:
        path = tmp_path / f"{kind.key}.xlsx"
        path.write_bytes(fill_xlsx(kind, Config(), kind.samples(NOW.date())[0].values))
        files.append(str(path))
    out = tmp_path / "saved"
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *files,
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    saved = sorted(out.glob("*.xlsx"))
    assert len(saved) == len(KINDS)
    for path in saved:
        assert assert_reads_as_openpyxl(path.read_bytes()) > 10
