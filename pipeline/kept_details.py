"""The rows of a register's 详情 sheet, kept with the blocks of rows whose texts they hold.

Each text too long for its register cell is written out in full on the 详情 sheet, in the order
of the rows. A register of 100,000 records may hold hundreds of them; measuring and writing
them all at every export cost more than the rows a batch adds. So each block of rows
(``pipeline.sheet_rows``) keeps the 详情 rows of its own texts, compressed, with the row they
start at: a block kept as it was, whose texts still start there, gives its 详情 rows as they
were; the others are put together again, from the rows of their texts that were written
before (renumbered) and new rows for new texts only.
"""

from __future__ import annotations

import zlib
from dataclasses import replace

from pipeline.kept_rows import Block
from pipeline.kept_xml import renumbered, split
from pipeline.registers import (
    DETAILS_FIRST_ROW,
    Detail,
    cells_xml,
    detail_cells,
    detail_row_count,
    details_sheet,
    prime_styles,
    register_workbook,
)
from pipeline.sheet_file import Segment, sheet_segment


def details_xml(details: list[Detail], first: int) -> bytes:
    """The XML of the 详情 rows of ``details`` from row ``first``, as ``write_details`` writes
    them (in a workbook whose styles are numbered as every register's: ``prime_styles``)."""
    ws = details_sheet(register_workbook(), header=False)
    prime_styles(ws)
    return cells_xml(ws, detail_cells(ws, details, first), first)


class KeptDetails:
    """The XML of the 详情 rows of each text of the kept blocks: a block made again takes the
    rows of its texts that were written before, renumbered. Only the blocks holding such a
    text are decompressed, when first asked for."""

    def __init__(self, earlier: list[Block]) -> None:
        self.earlier = earlier
        self.places: dict[tuple[str, str, str], tuple[int, int, int]] | None = None
        self.opened: dict[int, list[bytes] | None] = {}

    def rows(self, detail: Detail) -> list[bytes] | None:
        if self.places is None:
            self.places = {}  # a text's block, and where its rows start and end in it
            for index, block in enumerate(self.earlier):
                start = 0
                for found in block.details if block.detail_xml is not None else ():
                    end = start + detail_row_count((found,))
                    self.places[_key(found)] = (index, start, end)
                    start = end
        place = self.places.get(_key(detail))
        if place is None:
            return None
        index, start, end = place
        if index not in self.opened:
            self.opened[index] = self._open(self.earlier[index])
        rows = self.opened[index]
        return None if rows is None else rows[start:end]

    @staticmethod
    def _open(block: Block) -> list[bytes] | None:
        assert block.detail_xml is not None
        rows = split(zlib.decompressobj(-15).decompress(block.detail_xml.compressed))
        return rows if len(rows) == detail_row_count(block.details) else None


def _key(detail: Detail) -> tuple[str, str, str]:
    return detail.ident, detail.header, detail.text


def _made(details: tuple[Detail, ...], first: int, kept: KeptDetails) -> bytes:
    """The 详情 rows of ``details`` from row ``first``: those written before renumbered,
    the others made, a run of them at a time."""
    parts: list[bytes] = []
    number, run = first, []  # run: the details not written before, from row ``number``
    for detail in details:
        rows = kept.rows(detail)
        if rows is None:
            run.append(detail)
            continue
        if run:
            parts.append(details_xml(run, number))
            number, run = number + detail_row_count(run), []
        parts += [renumbered(row, number + index) for index, row in enumerate(rows)]
        number += len(rows)
    if run:
        parts.append(details_xml(run, number))
    return b"".join(parts)


def with_details(
    sheets: list[list[Block]], earlier: list[Block]
) -> tuple[list[list[Block]], list[Segment]]:
    """The blocks of each sheet, each with the 详情 rows of its texts: a block's own when they
    start on the same row as before, else made again from the rows of the ``earlier`` blocks
    (renumbered) and new ones for new texts; and those rows in sheet order."""
    kept = KeptDetails(earlier)
    number, made, segments = DETAILS_FIRST_ROW, [], []
    for blocks in sheets:
        found = []
        for block in blocks:
            if block.details and (block.detail_xml is None or block.detail_from != number):
                xml = sheet_segment(_made(block.details, number, kept))
                block = replace(block, detail_xml=xml, detail_from=number)
            if block.detail_xml is not None:
                segments.append(block.detail_xml)
                number += detail_row_count(block.details)
            found.append(block)
        made.append(found)
    return made, segments
