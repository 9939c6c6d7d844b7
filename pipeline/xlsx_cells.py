"""A filled .xlsx form's cell values, without loading the workbook.

A form's values sit in a few dozen cells, but ``openpyxl.load_workbook`` builds every cell,
style, merged cell and data validation of every sheet, which is most of the cost of reading a
form. This reads the workbook's sheet list and defined names, the shared strings and the
number formats (to know which numbers are dates), and a sheet's cells only when asked, each
sheet once. Cell values are converted by openpyxl's own sheet parser (``WorkSheetParser``,
the one ``load_workbook`` uses, with ``data_only``), so a value reads exactly as it did.

The parts are parsed by lxml, several times faster than defusedxml's pure-Python parser; that
is safe because screening (``pipeline.package``) has refused every package with a DTD in any
part before a form is read, the parser neither resolves entities nor reaches the network, and
each part with a DTD is refused here as well (``hardening.check_docinfo``), as the libraries'
own parsers refuse it. Inline strings and plain defined names (``'表'!$B$4``) are read
directly; anything else goes through openpyxl's own code.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from openpyxl.reader.strings import read_string_table
from openpyxl.styles.numbers import (
    BUILTIN_FORMATS,
    is_date_format,
    is_timedelta_format,
)
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries
from openpyxl.utils.datetime import CALENDAR_MAC_1904, WINDOWS_EPOCH
from openpyxl.utils.escape import unescape
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet._reader import WorkSheetParser

from pipeline.hardening import check_docinfo

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
OFFICE_DOCUMENT = "/officeDocument"
MAX_COVERED = 100_000  # merged cells listed one by one; a form has a few hundred
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
INLINE = f"{MAIN}is"
TEXT, RUN = f"{MAIN}t", f"{MAIN}r"
# 'Sheet name'!$A$1 or Sheet!$A$1:$B$2: one cell or range of one sheet
PLAIN_NAME = re.compile(
    r"(?:'((?:[^']|'')+)'|([^'!:\s\[\]]+))!(\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)"
)
ROW_TAGS = (f"{MAIN}row", f"{MAIN}mergeCell")


@dataclass(frozen=True)
class Merged:
    min_row: int
    min_col: int
    max_row: int
    max_col: int

    def __contains__(self, cell: tuple[int, int]) -> bool:
        row, column = cell
        return self.min_row <= row <= self.max_row and self.min_col <= column <= self.max_col


@dataclass
class Sheet:
    """One worksheet's non-empty cells (``(row, column) -> value``) and merged ranges."""

    title: str
    state: str
    cells: dict[tuple[int, int], Any] = field(default_factory=dict)
    merged: list[Merged] = field(default_factory=list)
    max_row: int = 0  # as openpyxl counts it: the last row with a cell, even an empty one
    _covered: dict[tuple[int, int], tuple[int, int]] | None = None

    def value(self, row: int, column: int) -> Any:
        """The value shown in a cell, as typed: a merged cell shows its range's first cell;
        Excel's escapes of characters XML cannot hold (``_x0007_``, and ``_x005F_`` for an
        underscore that looked like one) undone (fields drop the controls)."""
        value = self.cells.get(self._shown_by(row, column))
        return unescape(value) if isinstance(value, str) and "_x" in value else value

    def _shown_by(self, row: int, column: int) -> tuple[int, int]:
        covered = self._covered_cells()
        if covered is not None:
            return covered.get((row, column), (row, column))
        for merged in self.merged:
            if (row, column) in merged:
                return merged.min_row, merged.min_col
        return row, column

    def _covered_cells(self) -> dict[tuple[int, int], tuple[int, int]] | None:
        """Each merged cell's first cell, when the merged ranges are few enough to list."""
        if self._covered is None:
            area = sum(
                (m.max_row - m.min_row + 1) * (m.max_col - m.min_col + 1) for m in self.merged
            )
            if area > MAX_COVERED:
                return None
            self._covered = {}
            for m in reversed(self.merged):  # the first range listed wins, as in a scan
                for row in range(m.min_row, m.max_row + 1):
                    for column in range(m.min_col, m.max_col + 1):
                        self._covered[row, column] = (m.min_row, m.min_col)
        return self._covered

    def rows(self, max_row: int, max_col: int) -> Iterator[tuple[int, list[tuple[int, Any]]]]:
        """Rows (in order) with their non-empty cells ``(column, value)`` within the bounds."""
        by_row: dict[int, list[tuple[int, Any]]] = {}
        for (row, column), value in sorted(self.cells.items()):
            if row <= max_row and column <= max_col:
                by_row.setdefault(row, []).append((column, value))
        yield from by_row.items()


def _parsed(xml: bytes) -> Any:
    root = etree.fromstring(xml, PARSER)
    check_docinfo(root)
    return root


class Workbook:
    """The parts of an .xlsx package a form reader needs, each read when first needed."""

    def __init__(self, content: bytes) -> None:
        self.package = zipfile.ZipFile(io.BytesIO(content))
        self.path = self._office_document()
        root = _parsed(self.package.read(self.path))
        self.targets = self._relationships(self.path)
        properties = root.find(f"{MAIN}workbookPr")
        date1904 = properties is not None and properties.get("date1904") in ("1", "true")
        self.epoch = CALENDAR_MAC_1904 if date1904 else WINDOWS_EPOCH
        self.sheet_parts: dict[str, tuple[str, str]] = {}  # title -> (part, state)
        for sheet in root.iter(f"{MAIN}sheet"):
            part = self.targets.get(sheet.get(R_ID, ""))
            if part and part[1].endswith("/worksheet"):
                self.sheet_parts[sheet.get("name", "")] = (part[0], sheet.get("state", "visible"))
        self.sheetnames = list(self.sheet_parts)
        self.names = self._defined_names(root)
        self._sheets: dict[str, Sheet] = {}
        self._strings: list[str] | None = None
        self._dates: tuple[set[int], set[int]] | None = None
        self._destinations: dict[str, tuple[str, str]] | None = None

    def _office_document(self) -> str:
        for target, kind in self._relationships("").values():
            if kind.endswith(OFFICE_DOCUMENT):
                return target
        return "xl/workbook.xml"

    def _relationships(self, part: str) -> dict[str, tuple[str, str]]:
        """``id -> (part name, type)`` of the relationships of ``part`` ("" for the package)."""
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", f"{name}.rels")
        try:
            root = _parsed(self.package.read(rels))
        except KeyError:
            return {}
        found = {}
        for rel in root.iter(f"{RELS}Relationship"):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External":
                continue
            resolved = (
                target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            )
            found[rel.get("Id", "")] = (posixpath.normpath(resolved), rel.get("Type", ""))
        return found

    def _defined_names(self, root: Any) -> list[DefinedName]:
        """Workbook-level names first, then each sheet's own, as openpyxl binds them."""
        names = []
        for element in root.iter(f"{MAIN}definedName"):
            local = element.get("localSheetId")
            defined = DefinedName(
                element.get("name", ""),
                localSheetId=int(local) if local and local.isdigit() else None,
                attr_text=element.text or "",
            )
            if defined.is_reserved is None:
                names.append(defined)
        return sorted(names, key=lambda d: -1 if d.localSheetId is None else d.localSheetId)

    def _part(self, kind: str) -> str | None:
        for part, rel_type in self.targets.values():
            if rel_type.endswith(f"/{kind}"):
                return part
        return None

    @property
    def strings(self) -> list[str]:
        if self._strings is None:
            part = self._part("sharedStrings")
            self._strings = read_string_table(self.package.open(part)) if part else []
        return self._strings

    @property
    def date_styles(self) -> tuple[set[int], set[int]]:
        """Cell style indexes whose number format shows a date, and those showing a duration."""
        if self._dates is None:
            self._dates = set(), set()
            part = self._part("styles")
            if part:
                root = _parsed(self.package.read(part))
                custom = {
                    int(fmt.get("numFmtId", "0")): fmt.get("formatCode", "")
                    for fmt in root.iter(f"{MAIN}numFmt")
                }
                cell_xfs = root.find(f"{MAIN}cellXfs")
                for index, xf in enumerate(cell_xfs if cell_xfs is not None else ()):
                    number = int(xf.get("numFmtId", "0"))
                    code = custom.get(number) or BUILTIN_FORMATS.get(number) or ""
                    if is_date_format(code):
                        self._dates[0].add(index)
                    if is_timedelta_format(code):
                        self._dates[1].add(index)
        return self._dates

    def sheet(self, title: str) -> Sheet:
        if title not in self._sheets:
            part, state = self.sheet_parts[title]
            self._sheets[title] = self._read_sheet(title, part, state)
        return self._sheets[title]

    def sheets(self) -> Iterator[Sheet]:
        for title in self.sheetnames:
            yield self.sheet(title)

    def _read_sheet(self, title: str, part: str, state: str) -> Sheet:
        dates, durations = self.date_styles
        parser = WorkSheetParser(
            None, self.strings, True, self.epoch, dates, durations, rich_text=False
        )
        sheet = Sheet(title, state)
        with self.package.open(part) as source:
            events = etree.iterparse(source, tag=ROW_TAGS, resolve_entities=False, no_network=True)
            for _, element in events:
                if element.tag == f"{MAIN}row":
                    self._read_row(parser, sheet, element)
                    element.clear()
                elif element.tag == f"{MAIN}mergeCell":
                    sheet.merged.append(_merged(element.get("ref", "")))
            check_docinfo(events.root)
        return sheet

    @staticmethod
    def _read_row(parser: WorkSheetParser, sheet: Sheet, element: Any) -> None:
        """The row's cells, as ``WorkSheetParser.parse_row`` reads them; a cell that holds
        nothing (formatting only, most of a blank form) is only counted."""
        number = element.get("r")
        parser.row_counter = int(float(number)) if number else parser.row_counter + 1
        parser.col_counter = 0
        for child in element:
            if len(child) == 0 and child.get("r"):
                sheet.max_row = max(sheet.max_row, parser.row_counter)
                continue
            if child.get("t") == "inlineStr" and child.get("r"):
                row, column = coordinate_to_tuple(child.get("r"))
                sheet.max_row = max(sheet.max_row, row)
                value = inline_text(child)
                if value is not None:
                    sheet.cells[row, column] = value
                continue
            cell = parser.parse_cell(child)
            sheet.max_row = max(sheet.max_row, cell["row"])
            if cell["value"] is not None:
                sheet.cells[cell["row"], cell["column"]] = cell["value"]

    def destination(self, key: str) -> tuple[Sheet, str] | None:
        """The sheet and cell reference the defined name ``key`` names, if it names one."""
        if self._destinations is None:
            self._destinations = {}
            for defined in self.names:
                found = self._destination(defined)
                if found is not None:
                    self._destinations.setdefault(defined.name, found)
        found = self._destinations.get(key)
        return (self.sheet(found[0]), found[1]) if found else None

    def _destination(self, defined: DefinedName) -> tuple[str, str] | None:
        local = defined.localSheetId
        if local is not None and local >= len(self.sheetnames):
            return None  # a sheet-scoped name of a sheet that is not there: openpyxl drops it
        plain = PLAIN_NAME.fullmatch(defined.attr_text or "")
        if plain:
            title = plain.group(1).replace("''", "'") if plain.group(1) else plain.group(2)
            destinations = [(title, plain.group(3))]
        else:
            try:
                destinations = list(defined.destinations)
            except Exception:
                return None
        if len(destinations) == 1 and destinations[0][0] in self.sheet_parts:
            title, reference = destinations[0]
            return title, reference.replace("$", "")
        return None


def inline_text(cell: Any) -> str | None:
    """An inline string as openpyxl reads it (``Text.content``): its plain text and the text of
    its runs, phonetic guides left out; None when the cell has no string."""
    inline = cell.find(INLINE)
    if inline is None:
        return None
    parts = []
    for child in inline:
        if child.tag == TEXT:
            parts.append(child.text or "")
        elif child.tag == RUN:
            text = child.find(TEXT)
            if text is not None:
                parts.append(text.text or "")
    return "".join(parts)


def _merged(reference: str) -> Merged:
    min_col, min_row, max_col, max_row = range_boundaries(reference)
    return Merged(min_row or 1, min_col or 1, max_row or min_row or 1, max_col or min_col or 1)
