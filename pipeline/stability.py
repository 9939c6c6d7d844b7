"""When a file in the inbox is ready: unchanged for a while, and whole.

A copy onto the share arrives in pieces. As in paperless-ngx's FileStabilityTracker, each file's
size and modification time are remembered and the file is handed over only when they have not
changed for ``stable_for`` seconds of this machine's clock (never compared with the file's own
times: a file server's clock may be off). The file must then also be whole: a copy that stalled
looks stable but is cut off, and must never be returned as damaged. Only a file that stays
unchanged and cut off for ``give_up_after`` seconds goes to the engine, which returns it.
"""

from __future__ import annotations

import logging
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from pipeline.inputs import Source
from pipeline.screen import OLE_MAGIC, ZIP_MAGIC

log = logging.getLogger("unionforms")
Signature = tuple[int, int]  # size, modification time in nanoseconds
OLE_SECTOR = 512


def signature(path: Path) -> Signature | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def looks_whole(path: Path, max_unpacked: int) -> bool:
    """Whether a file that stopped changing is complete, or not an Office file at all.

    A copy in progress is cut off at the end: a zip package (.xlsx/.docx) lacks its central
    directory or fails a CRC; an OLE file (.xls/.doc) is not a whole number of sectors; a file
    the copier allocated in advance still begins with zero bytes.
    """
    try:
        with path.open("rb") as handle:
            head = handle.read(len(OLE_MAGIC))
            if not head.strip(b"\x00"):
                return False
            if head.startswith(ZIP_MAGIC):
                return _zip_whole(handle, max_unpacked)
            if head.startswith(OLE_MAGIC):
                return os.fstat(handle.fileno()).st_size % OLE_SECTOR == 0
    except OSError:
        return False
    return True  # not an Office file: nothing more will come; the engine says what it is


def _zip_whole(handle: IO[bytes], max_unpacked: int) -> bool:
    try:
        with zipfile.ZipFile(handle) as package:
            if sum(entry.file_size for entry in package.infolist()) > max_unpacked:
                return True  # screening refuses it; unpacking a zip bomb here would be the attack
            return package.testzip() is None
    except Exception:  # whatever a cut-off package makes zipfile or zlib raise: not whole yet
        return False


@dataclass
class Seen:
    signature: Signature
    since: float  # when this signature was first seen
    whole: bool | None = None  # None until the file has been stable long enough to check


class StabilityTracker:
    """Scans in, ready files out: each file once, and again only after it changes."""

    def __init__(self, stable_for: float, give_up_after: float, max_unpacked: int) -> None:
        self.stable_for = stable_for
        self.give_up_after = max(give_up_after, stable_for)
        self.max_unpacked = max_unpacked
        self.seen: dict[Path, Seen] = {}
        # Files processed but still in the inbox (the file changed meanwhile, or could not be
        # removed from the share): not handed over again until their signature changes.
        self.handled: dict[Path, Signature] = {}

    def ready(self, files: list[Source], now: float) -> list[Source]:
        """Of a full scan's sources, those to process now."""
        present = {source.path for source in files}
        for path in [*self.seen, *self.handled]:
            if path not in present:
                self.forget(path)
        found = []
        for source in files:
            path = source.path
            current = signature(path)
            if current is None or self.handled.get(path) == current:
                self.seen.pop(path, None)
                continue
            self.handled.pop(path, None)
            seen = self.seen.get(path)
            if seen is None or seen.signature != current:
                self.seen[path] = Seen(current, now)  # new or still growing: wait from now
            elif self._ready(path, seen, now):
                found.append(source)
        return found

    def _ready(self, path: Path, seen: Seen, now: float) -> bool:
        waited = now - seen.since
        if waited < self.stable_for:
            return False
        if seen.whole is None:
            seen.whole = looks_whole(path, self.max_unpacked)
            if not seen.whole:
                log.info("%s 大小已不变但文件还不完整，可能仍在复制中，稍后再看", path.name)
        return seen.whole or waited >= self.give_up_after

    def done(self, path: Path) -> None:
        """The engine has had ``path`` as it was when handed over."""
        seen = self.seen.pop(path, None)
        if seen is not None:
            self.handled[path] = seen.signature

    def forget(self, path: Path) -> None:
        self.seen.pop(path, None)
        self.handled.pop(path, None)

    def next_due(self) -> float | None:
        """The earliest time a file being watched could become ready."""
        times = [
            seen.since + (self.give_up_after if seen.whole is False else self.stable_for)
            for seen in self.seen.values()
        ]
        return min(times, default=None)
