"""A register's rows kept between exports, in ``state/register-rows/`` (owner-only).

Two files per register: ``<title>.blocks``, the compressed blocks of rows of every sheet one
after another, and ``<title>.json``, what they are: per sheet its blocks (the digest of their
rows, where they lie in ``.blocks``, their CRC-32 and length, the texts too long for their
cells), and for a sheet of one row per record, each record's sort key and row digest, so a
batch need not read the records whose rows did not change. The register's note in
``registers.json`` holds the digest of the ``.json`` file, which holds the digest of the
``.blocks`` file: anything that does not match (a crash between writing them and noting
them, a file changed by hand) and the register is made whole.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipeline.files import private_dir, safe_name, write_atomic
from pipeline.registers import Detail
from pipeline.sheet_file import Segment

FOLDER = "register-rows"


@dataclass(frozen=True)
class Block:
    """Consecutive rows of a sheet, compressed; ``key`` is the digest of their first number
    and their rows' digests. ``details`` are their texts too long for a cell, each with the
    place of its row in the block in ``detail_rows``, and written out on the 详情 sheet in
    ``detail_xml``."""

    key: str
    segment: Segment
    details: tuple[Detail, ...] = ()
    detail_rows: tuple[int, ...] = ()
    # The 详情 rows of ``details``, starting at row ``detail_from`` (``pipeline.kept_details``).
    detail_xml: Segment | None = None
    detail_from: int = 0


@dataclass
class KeptSheet:
    blocks: list[Block] = field(default_factory=list)
    # For a sheet of one row per record, in record order: [ident, sort key (``listed``), row
    # digest or None when ``where`` leaves the record out]; for a sheet made group by group:
    # [group value, its place, its rows' digests]; for a sheet of ``latest_by`` rows, see
    # ``pipeline.latest_rows``; None for a sheet made from all records.
    entries: list[list[Any]] | None = None


@dataclass
class Kept:
    sheets: list[KeptSheet]
    last: dict[str, list[int]]  # kind -> [records, last record id] when they were made
    day: str  # the date they were made (ISO): a sheet's rows may change with it


def listed(value: Any) -> Any:
    """A sort key as it reads back from JSON: tuples as lists (which compare alike), so that
    kept keys are compared as they are read, without a pass over 100,000 of them."""
    if isinstance(value, tuple | list):
        return [listed(item) for item in value]
    return value


TAGS: dict[str, Callable[[str], Any]] = {
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "decimal": Decimal,
}


def _tagged(value: Any) -> Any:
    """What ``json.dumps`` cannot write of a sort key: dates and amounts, tagged."""
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    raise TypeError(f"a sort key of type {type(value).__name__} cannot be kept")


def _untagged(found: dict[str, Any]) -> Any:
    """A value ``_tagged`` wrote, read back (any other JSON object as it is)."""
    if len(found) == 1:
        ((tag, text),) = found.items()
        if tag in TAGS and isinstance(text, str):
            return TAGS[tag](text)
    return found


def _paths(folder: Path, title: str) -> tuple[Path, Path]:
    name = safe_name(title)
    return folder / f"{name}.json", folder / f"{name}.blocks"


def read(state: Path, title: str, digest: str | None) -> Kept | None:
    """The kept rows of register ``title`` if they are those noted with ``digest``."""
    if not digest:
        return None
    described, blocks = _paths(state / FOLDER, title)
    try:
        text = described.read_bytes()
        data = blocks.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(text).hexdigest() != digest:
        return None
    found = json.loads(text, object_hook=_untagged)
    if hashlib.sha256(data).hexdigest() != found["blocks"]:
        return None
    sheets = [_sheet(sheet, data) for sheet in found["sheets"]]
    return Kept(sheets, found["last"], found["day"])


def _sheet(found: dict[str, Any], data: bytes) -> KeptSheet:
    blocks = []
    for key, offset, length, crc, size, details, written in found["blocks"]:
        segment = Segment(data[offset : offset + length], crc, size)
        found_details = tuple(Detail(*detail[:3]) for detail in details)
        rows = tuple(detail[3] for detail in details)
        xml, first = None, 0
        if written is not None:
            at, xml_length, xml_crc, xml_size, first = written
            xml = Segment(data[at : at + xml_length], xml_crc, xml_size)
        blocks.append(Block(key, segment, found_details, rows, xml, first))
    return KeptSheet(blocks, found["entries"])


def write(state: Path, title: str, kept: Kept) -> str:
    """Keep ``kept`` for register ``title``; returns the digest to note."""
    described, blocks = _paths(private_dir(state / FOLDER), title)
    data, sheets, offset = [], [], 0
    for sheet in kept.sheets:
        noted = []
        for block in sheet.blocks:
            segment = block.segment
            details = [
                [d.ident, d.header, d.text, row]
                for d, row in zip(block.details, block.detail_rows, strict=True)
            ]
            noted.append([block.key, offset, len(segment.compressed), segment.crc, segment.size])
            data.append(segment.compressed)
            offset += len(segment.compressed)
            written, xml = None, block.detail_xml
            if xml is not None:
                written = [offset, len(xml.compressed), xml.crc, xml.size, block.detail_from]
                data.append(xml.compressed)
                offset += len(xml.compressed)
            noted[-1] += [details, written]
        sheets.append({"blocks": noted, "entries": sheet.entries})
    joined = b"".join(data)
    digest = hashlib.sha256(joined).hexdigest()
    found = {"blocks": digest, "sheets": sheets, "last": kept.last, "day": kept.day}
    text = json.dumps(found, ensure_ascii=False, default=_tagged).encode("utf-8")
    # Not synced: both are checked against their digests when read, and a register whose
    # kept rows do not match is made whole (a crash costs one slower export, nothing more).
    write_atomic(blocks, joined, durable=False)
    write_atomic(described, text, durable=False)
    # The rows an earlier version kept (``<title>.deflate``) are read no more; they hold
    # personal data that a purge would otherwise leave behind.
    blocks.with_suffix(".deflate").unlink(missing_ok=True)
    return hashlib.sha256(text).hexdigest()
