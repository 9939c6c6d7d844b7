"""File-system helpers every stage uses: which files to ignore, safe names, durable writes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Container, Iterator
from pathlib import Path

# Office (~$x.xlsx), LibreOffice (.~lock.x.xlsx#), WPS (.~x.xlsx, ~x.tmp) and system files.
IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", ".ds_store", "ehthumbs.db"})
IGNORED_PATTERN = re.compile(
    r"^(~\$|\.~|~.*\.tmp$|\._)|\.(tmp|part|crdownload|partial)$|#$"
    # Excel saves into a temporary file named by eight hex digits with no extension, then
    # renames it over the workbook: a clerk saving straight into the inbox makes one.
    r"|^[0-9A-F]{8}$",
    re.I,
)
WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.I)
UNSAFE_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
MAX_NAME_BYTES = 150
PRIVATE_DIR = 0o700
TEMP_PREFIX = ".~tmp-"


def is_ignored(path: Path) -> bool:
    """Lock, temp, hidden and system files are never forms."""
    name = path.name
    return (
        name.startswith(".") or name.lower() in IGNORED_NAMES or bool(IGNORED_PATTERN.search(name))
    )


def safe_name(text: str, limit: int = MAX_NAME_BYTES) -> str:
    """A file-name part built from form values: no separators, no '..', no reserved names.

    Bounded in bytes, because Linux limits a name to 255 bytes and a Chinese character
    takes three.
    """
    cleaned = re.sub(r"\s+", " ", UNSAFE_CHARS.sub("_", text)).replace("..", "_")
    cleaned = cleaned.strip(" .")
    while len(cleaned.encode("utf-8")) > limit:
        cleaned = cleaned[:-1].rstrip(" .")
    if not cleaned or WINDOWS_RESERVED.match(cleaned):
        cleaned = f"_{cleaned}"
    return cleaned


def current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def follow_umask(path: Path) -> Path:
    """Give ``path`` the mode a new file gets (for files without personal data, written
    through a private temporary file)."""
    if os.name == "posix":
        path.chmod(0o666 & ~current_umask())
    return path


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the owner only on POSIX."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    if os.name == "posix":
        path.chmod(PRIVATE_DIR)
    return path


def fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_name(name: str) -> str:
    """The fixed temporary name for writing ``name`` (hashed: a long name must still fit)."""
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:16]
    return f"{TEMP_PREFIX}{digest}{Path(name).suffix[:16]}"


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` durably.

    A reader never sees half a file: until the rename, ``target`` is the old file or absent.
    The temporary name is fixed per target, so a write redone after a crash replaces what
    the killed attempt left instead of leaving a stray half-written file beside the output.
    That is safe because one process writes the outbox at a time (``pipeline.lock``).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(temp_name(target.name))
    temp.unlink(missing_ok=True)  # never write through whatever a crash or a stranger left
    os.close(os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    try:
        yield temp
        with temp.open("rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
        fsync_dir(target.parent)
    finally:
        temp.unlink(missing_ok=True)


def write_atomic(target: Path, data: bytes) -> Path:
    with atomic_path(target) as temp:
        temp.write_bytes(data)
    return target


def unique_path(folder: Path, name: str, taken: Container[Path] = ()) -> Path:
    """``folder/name``, or ``stem(2).ext`` … when that name exists or is in ``taken``."""
    candidate = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 2
    while candidate.exists() or candidate in taken:
        candidate = folder / f"{stem}({number}){suffix}"
        number += 1
    return candidate
