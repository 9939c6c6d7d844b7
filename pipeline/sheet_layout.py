"""How text fits on a printed sheet: row heights, header labels and column groups.

Neither Excel nor LibreOffice measures wrapped text in rows they did not lay out themselves,
so every row height a workbook needs is worked out here, from the text and the column width.
Widths are in Excel's unit, the width of a digit of the workbook's default font (Calibri 11:
7 pixels); text is 10 pt, where a Chinese character takes about two units and a digit or
Latin letter one.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from unicodedata import east_asian_width

LINE_PT = 14  # one line of 10 pt text with its leading (宋体, or the CJK font standing in)
PADDING_PT = 3
MAX_ROW_PT = 409  # the tallest row Excel allows
MAX_LINES = (MAX_ROW_PT - PADDING_PT) // LINE_PT
# A width unit prints as 7 pixels in Excel and WPS (a digit of 宋体 or Calibri), but as 9 in
# a LibreOffice without those fonts: column groups are laid out for the wider, so that they
# never spill onto a page of their own; Excel prints the same scale with room to spare.
UNIT_PX = 9
# A4 landscape inside margins of 0.4 inch: what one printed page holds, in pixels at 100 %.
PRINTABLE_PX = round((297 - 2 * 10.16) / 25.4 * 96)
MIN_SCALE = 0.8  # 10 pt text printed at 80 % is 8 pt: the smallest a clerk reads with ease


def units(text: str) -> int:
    """Width of ``text`` in column-width units (quotes such as “” are wide in Chinese fonts)."""
    return sum(2 if east_asian_width(char) in "WFA" else 1 for char in text)


def text_lines(text: str, width: float) -> int:
    """Lines ``text`` takes wrapped in a column ``width`` units wide (its own breaks kept)."""
    room = max(int(width) - 1, 1)
    if 2 * len(text) <= room and "\n" not in text:
        return 1  # fits even if every character is wide: a register has 100,000s of these
    return sum(max(1, math.ceil(units(line) / room)) for line in text.split("\n"))


# A number, a date, a serial or a Latin word is never broken; any other character may be.
TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-:./_]*|.", re.S)
NO_LINE_START = frozenset("，。、；：？！）》」』”’%")


def wrap(text: str, width: float, slack: int = 4) -> list[str]:
    """``text`` broken into lines for a column ``width`` units wide: never inside a number,
    date or Latin word, never before closing punctuation, and with ``slack`` units to spare so
    that Excel, measuring a little differently, does not break the lines again itself."""
    room = max(int(width) - 1 - slack, 2)
    lines, line = [], ""
    for token in TOKEN.findall(text):
        if token == "\n":
            lines.append(line)
            line = ""
        elif line and units(line + token) > room and token not in NO_LINE_START:
            lines.append(line)
            line = token
        else:
            line += token
    lines.append(line)
    return lines


def row_height(lines: int) -> float:
    return min(MAX_ROW_PT, lines * LINE_PT + PADDING_PT)


def clip(text: str, width: float, lines: int, note: str) -> str:
    """The start of ``text`` that, followed by ``note``, fits in ``lines`` lines."""
    room = max(int(width) - 1, 1)
    cut = len(text)
    while cut > 0:
        shown = text[:cut].rstrip() + note
        # Each line holds at most ``room`` characters: a text with more than ``lines`` times
        # that (line breaks apart) cannot fit, and is not measured (a summary's list of
        # titles may run to 100,000 characters).
        if len(shown) - shown.count("\n") <= lines * room and text_lines(shown, width) <= lines:
            break
        cut -= max(1, (cut // 20))  # coarse steps first: a register may have thousands
    return text[:cut].rstrip() + note


def header_label(text: str, width: float) -> tuple[str, float]:
    """A header label and the width its column needs: on one line, or on two lines broken
    before its bracket (``经济损失合计`` / ``（元）``), never inside a word."""
    room = int(width) - 1
    if units(text) <= room:
        return text, width
    head, bracket, tail = text.partition("（")
    if bracket and max(units(head), units(bracket + tail)) <= room:
        return f"{head}\n{bracket}{tail}", width
    if bracket and units(head) <= room + 4:  # a little wider beats a third line
        return f"{head}\n{bracket}{tail}", max(units(head), units(bracket + tail)) + 1
    return text, units(text) + 1


def column_px(width: float) -> int:
    return int(width * UNIT_PX + 5)


@dataclass(frozen=True)
class PrintLayout:
    """How many landscape pages wide a sheet prints (``pages``), each application fitting
    the columns to them at the largest scale up to 100 % it can."""

    pages: int


def print_layout(widths: list[float], repeated: int = 1) -> PrintLayout:
    """As few pages wide as keep 10 pt text at 8 pt or more (``MIN_SCALE``), counting the
    first ``repeated`` columns again on every page after the first."""
    pixels = [column_px(width) for width in widths]
    title = sum(pixels[:repeated])
    capacity = PRINTABLE_PX / MIN_SCALE
    pages, current = 1, 0
    for width in pixels:
        if current and current + width > capacity:
            pages += 1
            current = title
        current += width
    return PrintLayout(pages)
