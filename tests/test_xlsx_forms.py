"""Blank .xlsx forms and reading them back: defined names, label fallback, sheet-scoped names.

LibreOffice round trips of every kind are in test_other_programs.py."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from forms import KINDS, get_kind
from forms.base import FormKind
from pipeline import xlsx_form
from pipeline.blank_xlsx import KIND_SHEET, build_blank_xlsx
from pipeline.config import Config
from pipeline.job import RawForm
from tests.conftest import Workspace

HARDSHIP = get_kind("hardship")


@pytest.fixture(scope="module")
def blank() -> bytes:
    return build_blank_xlsx(HARDSHIP, Config())


def test_every_field_has_a_defined_name_on_its_input_cell(blank: bytes) -> None:
    wb = load_workbook(io.BytesIO(blank))
    for spec in HARDSHIP.model.field_defs():
        ((sheet, reference),) = wb.defined_names[spec.key].destinations
        if spec.is_table:
            first_col, first_row, last_col, last_row = range_boundaries(reference.replace("$", ""))
            assert (last_row - first_row + 1, last_col - first_col + 1) == (10, 5)
            header = [
                wb[sheet].cell(first_row - 1, c).value for c in range(first_col, last_col + 1)
            ]
            assert [str(h).lstrip("*") for h in header] == [c.label for c in spec.columns]
        else:
            cell = wb[sheet][reference.replace("$", "")]
            label = wb[sheet].cell(cell.row, 1).value
            assert str(label).lstrip("*") == spec.label


def test_blank_form_properties(blank: bytes) -> None:
    wb = load_workbook(io.BytesIO(blank))
    ws = wb[HARDSHIP.title]
    assert ws["A1"].value == HARDSHIP.title
    assert wb[KIND_SHEET].sheet_state == "hidden" and wb[KIND_SHEET]["B1"].value == "hardship"
    assert {p.name: p.value for p in wb.custom_doc_props} == {
        "form_kind": "hardship",
        "form_version": "1",
    }
    assert xlsx_form.custom_kind(blank) == "hardship"

    def cell(key: str):  # type: ignore[no-untyped-def]
        ((_, reference),) = wb.defined_names[key].destinations
        return ws[reference.replace("$", "")]

    assert cell("id_number").number_format == "@"
    assert cell("phone").number_format == "@"
    assert cell("application_date").number_format == "yyyy-mm-dd"
    assert cell("name").protection.locked is False
    assert ws.cell(cell("name").row, 1).protection.locked is True
    assert ws.protection.sheet is True
    dropdowns = {
        str(dv.sqref): dv for dv in ws.data_validations.dataValidation if dv.type == "list"
    }
    assert cell("gender").coordinate in dropdowns
    assert cell("hardship_category").coordinate in dropdowns
    prompts = [dv.prompt for dv in ws.data_validations.dataValidation if dv.prompt]
    assert any("18位身份证号码" in p for p in prompts)
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage


def test_choice_dropdown_lists_the_options(blank: bytes) -> None:
    wb = load_workbook(io.BytesIO(blank))
    ws = wb[HARDSHIP.title]
    options = {}
    for dv in ws.data_validations.dataValidation:
        if dv.type == "list":
            _sheet, area = dv.formula1.split("!")
            options[str(dv.sqref)] = [row[0].value for row in wb["_lists"][area.replace("$", "")]]
    ((_, gender),) = wb.defined_names["gender"].destinations
    assert options[gender.replace("$", "")] == ["男", "女"]


def test_department_dropdown_when_departments_are_configured() -> None:
    from pipeline.config import Rules

    blank = build_blank_xlsx(HARDSHIP, Config(rules=Rules(departments=("运行部", "检修部"))))
    wb = load_workbook(io.BytesIO(blank))
    lists = [[c.value for c in col if c.value] for col in wb["_lists"].iter_cols()]
    assert ["运行部", "检修部"] in lists


def test_the_sample_reads_back_as_typed(ws: Workspace) -> None:
    data = ws.xlsx("hardship")
    assert xlsx_form.identify(data, KINDS) is HARDSHIP
    raw = xlsx_form.read(data, HARDSHIP)
    assert raw.fields["name"].value == "张示例"
    assert raw.fields["name"].where.text.endswith("B4单元格")
    assert [row["member_name"].value for row in raw.tables["family_members"]] == [
        "李示例",
        "张小例",
    ]
    assert raw.notes == []


def without_defined_names(data: bytes) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    for key in list(wb.defined_names):
        del wb.defined_names[key]
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def table_values(raw: RawForm) -> dict[str, list[dict[str, Any]]]:
    return {
        key: [{k: c.value for k, c in row.items()} for row in rows]
        for key, rows in raw.tables.items()
    }


@pytest.mark.parametrize("kind", KINDS, ids=[kind.key for kind in KINDS])
def test_label_fallback_reads_the_same_values(ws: Workspace, kind: FormKind) -> None:
    data = ws.xlsx(kind.key)
    by_name = xlsx_form.read(data, kind)
    by_label = xlsx_form.read(without_defined_names(data), kind)
    assert {k: v.value for k, v in by_label.fields.items()} == {
        k: v.value for k, v in by_name.fields.items()
    }
    assert {k: v.where for k, v in by_label.fields.items()} == {
        k: v.where for k, v in by_name.fields.items()
    }
    assert table_values(by_label) == table_values(by_name)
    assert any("已按栏目名称" in note for note in by_label.notes)


def test_sheet_scoped_names_are_used(ws: Workspace) -> None:
    wb = load_workbook(io.BytesIO(ws.xlsx("hardship")))
    sheet = wb[HARDSHIP.title]
    for key in list(wb.defined_names):
        sheet.defined_names[key] = wb.defined_names[key]
        del wb.defined_names[key]
    buffer = io.BytesIO()
    wb.save(buffer)
    raw = xlsx_form.read(buffer.getvalue(), HARDSHIP)
    assert raw.fields["id_number"].value == ws.sample_values("hardship")["id_number"]
    assert raw.notes == []


def test_identified_by_title_when_the_kind_marks_are_gone(ws: Workspace) -> None:
    wb = load_workbook(io.BytesIO(ws.xlsx("hardship")))
    del wb[KIND_SHEET]
    wb.custom_doc_props.props.clear()
    buffer = io.BytesIO()
    wb.save(buffer)
    assert xlsx_form.custom_kind(buffer.getvalue()) is None
    assert xlsx_form.identify(buffer.getvalue(), KINDS) is HARDSHIP


@pytest.mark.parametrize(
    ("kind", "key", "sheet", "rows", "columns"),
    [
        ("accident", "injured", "受伤人员", 20, 8),
        ("fp_pledge", "roster", "育龄人员基础资料", 200, 9),
    ],
)
def test_wide_tables_get_a_sheet_of_their_own(
    kind: str, key: str, sheet: str, rows: int, columns: int
) -> None:
    form = get_kind(kind)
    wb = load_workbook(io.BytesIO(build_blank_xlsx(form, Config())))
    ((where, reference),) = wb.defined_names[key].destinations
    first_col, first_row, last_col, last_row = range_boundaries(reference.replace("$", ""))
    assert where == sheet and (last_row - first_row + 1, last_col - first_col + 1) == (
        rows,
        columns,
    )
    own = wb[sheet]
    assert own.page_setup.orientation == "landscape" and own.print_title_rows == "$5:$5"
    main = wb[form.title]
    pointers = [c.value for row in main.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(f"请在“{sheet}”工作表中填写" in text for text in pointers)
