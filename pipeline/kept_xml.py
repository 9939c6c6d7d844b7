"""The rows of a register sheet's kept blocks, for a block made again.

A block whose rows changed is made again (``pipeline.sheet_rows``), but most of its rows
usually did not: a new record joins the last block, a new first row moves every row down.
A row's digest says what its XML is but for its number (``RegisterWriter.row_key``), so a row
written before is cut out of its kept block (decompressed) and renumbered, and only new and
changed rows are made from their records.
"""

from __future__ import annotations

import hashlib
import re
import zlib

from pipeline.kept_rows import Block
from pipeline.registers import Detail


def block_key(start: int, keys: list[str]) -> str:
    """The key of a block of rows: its first row's place and its rows' digests."""
    return hashlib.sha1(f"{start}:{','.join(keys)}".encode()).hexdigest()


ROW_NUMBER = re.compile(rb'(<row r="|<c r="[A-Z]+)[0-9]+"')


def split(xml: bytes) -> list[bytes]:
    """The XML of each row of ``xml`` (a text's ``<`` is written ``&lt;``: only rows start
    ``<row ``)."""
    return [b"<row " + part for part in xml.split(b"<row ")[1:]]


def renumbered(xml: bytes, number: int) -> bytes:
    return ROW_NUMBER.sub(lambda found: found[1] + b'%d"' % number, xml)


class KeptXml:
    """The XML of the rows of the kept blocks, by row digest: equal digests, equal XML but
    for the row's number (``RegisterWriter.row_key``), so a row that was written before is
    taken from the block it was kept in, renumbered, rather than made again from its
    records. Only blocks whose digest matches the rows noted for them are used."""

    def __init__(self, keys: list[str] | None, earlier: list[Block], size: int) -> None:
        self.keys = keys or []  # the rows' digests when the kept blocks were made
        self.earlier = earlier  # the kept blocks, of ``size`` rows (the last fewer)
        self.size = size
        self.places: dict[str, int] | None = None
        self.opened: dict[int, tuple[list[bytes], dict[int, list[Detail]]] | None] = {}

    def row(self, key: str) -> tuple[bytes, list[Detail]] | None:
        """The XML of a row of digest ``key`` (numbered as it was) and its details."""
        if self.places is None:
            self.places = dict(zip(self.keys, range(len(self.keys)), strict=True))
        place = self.places.get(key)
        if place is None:
            return None
        index = place // self.size
        if index not in self.opened:
            self.opened[index] = self._open(index)
        found = self.opened[index]
        if found is None:
            return None
        rows, details = found
        return rows[place % self.size], details.get(place % self.size, [])

    def _open(self, index: int) -> tuple[list[bytes], dict[int, list[Detail]]] | None:
        start = index * self.size
        keys = self.keys[start : start + self.size]
        if index >= len(self.earlier) or self.earlier[index].key != block_key(start, keys):
            return None
        block = self.earlier[index]
        rows = split(zlib.decompressobj(-15).decompress(block.segment.compressed))
        if len(rows) != len(keys):
            return None
        details: dict[int, list[Detail]] = {}
        for detail, row in zip(block.details, block.detail_rows, strict=True):
            details.setdefault(row, []).append(detail)
        return rows, details
