"""A zip package written from members compressed beforehand.

``zipfile`` compresses every member again each time a file is written. A Word document made
from a template shares most of its bytes with every other document from that template (the
styles alone are about 800 KB before compression), so those members are compressed once and
written as they are; only the members that differ per document are compressed per document.
The layout is plain zip as ``zipfile`` writes it (no data descriptors, no zip64: a member
here is never near 4 GB).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from datetime import datetime

LOCAL_HEADER = struct.Struct("<4s5H3L2H")
CENTRAL_HEADER = struct.Struct("<4s6H3L5H2L")
END_RECORD = struct.Struct("<4s4H2LH")
VERSION = 20  # deflate
MADE_ON_UNIX = 3 << 8
FILE_MODE = 0o600 << 16  # what zipfile.writestr gives a member
UTF8_NAME = 0x800


@dataclass(frozen=True)
class Member:
    """One member: its name, its bytes compressed (raw deflate), their CRC-32 and length."""

    name: str
    compressed: bytes
    crc: int
    size: int


def deflated(name: str, data: bytes, level: int = zlib.Z_DEFAULT_COMPRESSION) -> Member:
    packer = zlib.compressobj(level, zlib.DEFLATED, -15)
    compressed = packer.compress(data) + packer.flush()
    return Member(name, compressed, zlib.crc32(data), len(data))


def stored_member(package: zipfile.ZipFile, info: zipfile.ZipInfo) -> Member:
    """A member of an existing zip as it is stored there (deflated), without inflating it."""
    if info.compress_type != zipfile.ZIP_DEFLATED:
        return deflated(info.filename, package.read(info))
    package.fp.seek(info.header_offset)  # type: ignore[union-attr]
    header = package.fp.read(LOCAL_HEADER.size)  # type: ignore[union-attr]
    name_length, extra_length = struct.unpack("<2H", header[-4:])
    package.fp.seek(name_length + extra_length, 1)  # type: ignore[union-attr]
    compressed = package.fp.read(info.compress_size)  # type: ignore[union-attr]
    return Member(info.filename, compressed, info.CRC, info.file_size)


def _dos_time(when: datetime) -> tuple[int, int]:
    when = max(when, datetime(1980, 1, 1))
    time = (when.hour << 11) | (when.minute << 5) | (when.second // 2)
    date = ((when.year - 1980) << 9) | (when.month << 5) | when.day
    return time, date


def zip_bytes(members: list[Member], when: datetime) -> bytes:
    """The zip file holding ``members`` in order, each dated ``when``."""
    time, date = _dos_time(when)
    local: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for member in members:
        name = member.name.encode("utf-8")
        flags = 0 if name.isascii() else UTF8_NAME
        sizes = (member.crc, len(member.compressed), member.size)
        header = LOCAL_HEADER.pack(
            b"PK\x03\x04", VERSION, flags, zlib.DEFLATED, time, date, *sizes, len(name), 0
        )
        local += (header, name, member.compressed)
        central += (
            CENTRAL_HEADER.pack(
                b"PK\x01\x02",
                VERSION | MADE_ON_UNIX,
                VERSION,
                flags,
                zlib.DEFLATED,
                time,
                date,
                *sizes,
                len(name),
                0,
                0,
                0,
                0,
                FILE_MODE,
                offset,
            ),
            name,
        )
        offset += len(header) + len(name) + len(member.compressed)
    directory = b"".join(central)
    end = END_RECORD.pack(
        b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), offset, 0
    )
    return b"".join(local) + directory + end
