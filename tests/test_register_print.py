"""Registers and marked copies as they print: rows as tall as their text, nothing cut off
without its full text on the 详情 sheet, header labels broken between words, wide registers
over several pages at a readable size, error lists whose lines neither overprint nor split a
date."""

from __future__ import annotations

import math
import re

import pytest
from openpyxl import load_workbook

from forms import KINDS
from pipeline.registers import CLIPPED, RegisterWriter
from pipeline.sheet_layout import MIN_SCALE, PRINTABLE_PX, column_px, wrap
from tests.conftest import Workspace

LONG = "挡煤墙出现多条竖向裂缝，最宽处约5毫米，堆煤侧压力大，有局部坍塌的危险。" * 40  # 1,480


def lines_needed(text: str, width: float) -> int:
    """Lines a text takes at two units a Chinese character, counted independently."""
    room = int(width) - 1
    return sum(
        max(1, math.ceil(sum(2 if ord(c) > 0x2E80 else 1 for c in line) / room))
        for line in text.split("\n")
    )


def test_rows_are_as_tall_as_their_text(ws: Workspace) -> None:
    address = "阿拉尔市示例区示例街道幸福路示例小区18号楼3单元602室" * 3
    ws.drop("a.xlsx", ws.xlsx("hardship", address=address))
    ws.process()
    sheet = load_workbook(ws.outbox / "registers" / "困难职工档案台账.xlsx").active
    header = [str(c.value).replace("\n", "") for c in sheet[3]]
    column = header.index("家庭住址") + 1
    width = sheet.column_dimensions[sheet.cell(3, column).column_letter].width
    assert sheet.cell(4, column).value == address  # whole, not cut
    assert sheet.row_dimensions[4].height >= 13 * lines_needed(address, width)


def test_text_too_tall_for_a_row_is_cut_with_a_note_and_printed_whole_on_details(
    ws: Workspace,
) -> None:
    ws.drop("a.xlsx", ws.xlsx("hazard", description=LONG))
    ws.process()
    workbook = load_workbook(ws.outbox / "registers" / "事故隐患整改跟踪台账.xlsx")
    sheet = workbook.active
    header = [str(c.value).replace("\n", "") for c in sheet[3]]
    cell = sheet.cell(4, header.index("隐患描述") + 1)
    assert cell.value.endswith(CLIPPED) and LONG.startswith(cell.value[: -len(CLIPPED)])
    assert sheet.row_dimensions[4].height == 409  # the tallest row Excel allows
    details = workbook["详情"]
    rows = [[c.value for c in row] for row in details.iter_rows(min_row=2)]
    assert [row[:2] for row in rows] == [
        ["YH-2026-0001", "隐患描述"],
        ["YH-2026-0001", "隐患描述（续）"],
    ]
    assert "".join(row[2] for row in rows) == LONG
    for number in range(2, 2 + len(rows)):  # each of its rows tall enough for its part
        text = details.cell(number, 3).value
        assert details.row_dimensions[number].height >= 13 * lines_needed(text, 100)
    assert details.print_title_rows == "$1:$1"


@pytest.mark.parametrize("kind", KINDS, ids=[kind.key for kind in KINDS])
def test_header_labels_break_between_words_and_fit_their_column(kind: object) -> None:
    from pipeline.config import Config

    for spec in kind.registers:  # type: ignore[attr-defined]
        writer = RegisterWriter(kind, spec, Config())  # type: ignore[arg-type]
        for label, width, header in zip(
            writer.labels, writer.widths, writer.headers(), strict=True
        ):
            assert label.replace("\n", "") == header
            for line in label.split("\n"):
                assert 2 * len(line) <= width - 1, (spec.title, label)
            if "\n" in label:  # broken only before its bracket: 人均月收入 / （元）
                assert label.split("\n")[1].startswith("（")


@pytest.mark.parametrize("kind", KINDS, ids=[kind.key for kind in KINDS])
def test_wide_registers_print_over_pages_at_eight_points_or_more(kind: object) -> None:
    from pipeline.config import Config

    for spec in kind.registers:  # type: ignore[attr-defined]
        writer = RegisterWriter(kind, spec, Config())  # type: ignore[arg-type]
        pages = writer_pages(writer)
        repeated = column_px(writer.widths[0]) * (pages - 1)
        total = sum(column_px(width) for width in writer.widths) + repeated
        # the pages hold the columns at 80 % or more: 10 pt text prints at 8 pt at least
        assert total * MIN_SCALE <= pages * PRINTABLE_PX, spec.title


def writer_pages(writer: RegisterWriter) -> int:
    from pipeline.sheet_layout import print_layout

    return print_layout(writer.widths).pages


def test_register_print_setup_names_its_pages_and_repeats_the_serial(ws: Workspace) -> None:
    ws.drop("a.xlsx", ws.xlsx("accident"))
    ws.process()
    sheet = load_workbook(ws.outbox / "registers" / "工伤事故台账.xlsx").active
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and int(setup.paperSize) == 9
    assert int(setup.fitToWidth) >= 2 and int(setup.fitToHeight) == 0
    assert sheet.print_title_rows == "$3:$3" and sheet.print_title_cols == "$A:$A"
    assert setup.pageOrder == "overThenDown"


DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def test_marked_copy_lines_neither_overprint_nor_split_a_date(ws: Workspace) -> None:
    bad = {"found_date": "2026-06-16", "deadline": "2026-01-01", "description": "通风不好"}
    ws.drop("错.xlsx", ws.xlsx("hazard", **bad))
    (job,) = ws.process().jobs
    assert job.outcome == "rejected"
    sheet = load_workbook(ws.outbox / "rejected" / "错.xlsx.标注.xlsx")["错误说明"]
    sentences = [p.sentence() for p in job.problems]
    for number, sentence in enumerate(sentences, 3):
        text = sheet.cell(number, 2).value
        assert text.replace("\n", "") == sentence  # the sentence, broken into lines
        lines = text.split("\n")
        assert sheet.row_dimensions[number].height >= 13 * len(lines)
        assert all(DATE.search(line) or not re.search(r"\d{4}-\d*$", line) for line in lines)
        for date in DATE.findall(sentence):  # every date whole on one line
            assert any(date in line for line in lines)


def test_wrap_keeps_numbers_whole_and_punctuation_off_the_start_of_a_line() -> None:
    text = "「整改期限」填写为“2026-01-01”，不能早于发现日期（2026-06-16）。" * 3
    for width in range(12, 60):
        lines = wrap(text, width)
        assert "".join(lines) == text
        for date in DATE.findall(text):
            assert any(date in line for line in lines)
        assert not any(line.startswith(("，", "。", "）")) for line in lines[1:])
