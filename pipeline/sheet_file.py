"""A register's .xlsx file put together from its parts: the workbook around the rows, and the
rows as compressed pieces that need not be compressed again.

A register is rewritten after a batch, and almost all of it is the rows of earlier records,
which do not change (``pipeline.sheet_rows`` makes blocks of rows, ``pipeline.kept_rows``
keeps them). Deflate streams compressed separately can be joined into one when each but the
last ends on a byte boundary (a "sync flush"), and a joined piece's CRC-32 follows from the
pieces' own (zlib's ``crc32_combine``, which Python's zlib does not offer). So the
rows of earlier exports are kept compressed and a new export compresses only the title rows,
the blocks of rows that changed and the end of each sheet.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from pipeline.zipwrite import Member, stored_member, zip_bytes

SHEET = "xl/worksheets/sheet{}.xml"
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


def _multiply(a: int, b: int) -> int:
    """``a`` times ``b`` modulo the CRC-32 polynomial (bit-reversed, as zlib's ``multmodp``)."""
    product, bit = 0, 1 << 31
    while True:
        if a & bit:
            product ^= b
            if not a & (bit - 1):
                return product
        bit >>= 1
        b = (b >> 1) ^ CRC_POLYNOMIAL if b & 1 else b >> 1


def _powers() -> list[int]:
    """x to the power 2**n modulo the polynomial, for n from 0 to 31 (zlib's x2n_table)."""
    found, power = [], 1 << 30  # x
    for _ in range(32):
        found.append(power)
        power = _multiply(power, power)
    return found


POWERS = _powers()


@cache
def _shift(length: int) -> int:
    """x to the power of 8 × ``length`` (the bits of ``length`` bytes), modulo the polynomial
    (zlib's ``x2nmodp``). Asked for one byte of a length at a time (``crc32_combine``), so
    at most 256 powers per byte place are kept."""
    shift, n, bits = 1 << 31, 3, length  # 1, then times x**(2**n) for each bit of 8 * length
    while bits:
        if bits & 1:
            shift = _multiply(POWERS[n & 31], shift)
        bits >>= 1
        n += 1
    return shift


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of two pieces of data joined, from their CRCs (zlib's algorithm): ``crc1``
    times x to the power of the second piece's length in bits, plus ``crc2``. The power is
    made from that of each byte of the length, kept (a register joins hundreds of pieces)."""
    shift, place = 1 << 31, 0
    while length2 >> place:
        part = (length2 >> place) & 0xFF
        if part:
            shift = _multiply(shift, _shift(part << place))
        place += 8
    return _multiply(shift, crc1) ^ crc2


def assemble(skeleton: bytes, rows: dict[int, list[Segment]]) -> bytes:
    """The workbook ``skeleton`` (each sheet's rows ending with its header) with ``rows[n]``
    put in after the header of its ``n``th sheet (from 1); every other member is copied as it
    is compressed."""
    sheets = {SHEET.format(number): segments for number, segments in rows.items()}
    with zipfile.ZipFile(io.BytesIO(skeleton)) as package:
        infos = package.infolist()
        members: list[Member] = []
        for info in infos:
            if info.filename not in sheets:
                members.append(stored_member(package, info))
                continue
            xml = package.read(info)
            cut = xml.rindex(b"</sheetData>")
            body = [sheet_segment(xml[:cut]), *sheets[info.filename]]
            sheet = joined([*body, sheet_segment(xml[cut:], final=True)])
            members.append(Member(info.filename, sheet.compressed, sheet.crc, sheet.size))
    return zip_bytes(members, datetime(*infos[0].date_time))
