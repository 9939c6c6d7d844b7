"""A register's .xlsx file put together from its parts: the workbook around the rows, and the
rows as compressed pieces that need not be compressed again.

A register is rewritten after a batch, and almost all of it is the rows of earlier records,
which do not change. Deflate streams compressed separately can be joined into one when each
but the last ends on a byte boundary (a "sync flush"), and a joined piece's CRC-32 follows
from the pieces' own (zlib's ``crc32_combine``, which Python's zlib does not offer). So the
rows of earlier exports are kept compressed (``pipeline.exports``) and a new export compresses
only the title rows, the new rows and the end of the sheet.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime

from pipeline.zipwrite import Member, stored_member, zip_bytes

SHEET = "xl/worksheets/sheet1.xml"
CRC_POLYNOMIAL = 0xEDB88320


@dataclass(frozen=True)
class Segment:
    """Deflated bytes that end on a byte boundary, with the CRC-32 and length of the data."""

    compressed: bytes
    crc: int
    size: int


def sheet_segment(data: bytes, final: bool = False) -> Segment:
    packer = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    compressed = packer.compress(data)
    compressed += packer.flush(zlib.Z_FINISH if final else zlib.Z_SYNC_FLUSH)
    return Segment(compressed, zlib.crc32(data), len(data))


def joined(segments: list[Segment]) -> Segment:
    crc, size = 0, 0
    for segment in segments:
        crc = crc32_combine(crc, segment.crc, segment.size)
        size += segment.size
    return Segment(b"".join(s.compressed for s in segments), crc, size)


def _times(matrix: list[int], vector: int) -> int:
    total, row = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[row]
        vector >>= 1
        row += 1
    return total


def _square(matrix: list[int]) -> list[int]:
    return [_times(matrix, matrix[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of two pieces of data joined, from their CRCs (zlib's algorithm)."""
    if length2 == 0:
        return crc1
    odd = [CRC_POLYNOMIAL] + [1 << n for n in range(31)]  # the operator for one zero bit
    even = _square(odd)  # two zero bits
    odd = _square(even)  # four
    while True:
        even = _square(odd)  # apply zeros for each set bit of length2, in bytes
        if length2 & 1:
            crc1 = _times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = _square(even)
        if length2 & 1:
            crc1 = _times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2


def assemble(skeleton: bytes, rows: list[Segment]) -> bytes:
    """The workbook ``skeleton`` (its sheet's rows end with the header) with ``rows`` put in
    after the header; every other member is copied as it is compressed."""
    with zipfile.ZipFile(io.BytesIO(skeleton)) as package:
        infos = package.infolist()
        members: list[Member] = []
        for info in infos:
            if info.filename != SHEET:
                members.append(stored_member(package, info))
                continue
            xml = package.read(info)
            cut = xml.rindex(b"</sheetData>")
            sheet = joined([sheet_segment(xml[:cut]), *rows, sheet_segment(xml[cut:], final=True)])
            members.append(Member(info.filename, sheet.compressed, sheet.crc, sheet.size))
    return zip_bytes(members, datetime(*infos[0].date_time))
