"""File-system helpers every stage uses: which files to ignore, safe names, durable writes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Container, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from pipeline.permissions import Sharing

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
UNSAFE_CHARS = re.compile(
    r'[\x00-\x1f\x7f-\x9f<>:"/\\|?*\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]'
)
# Characters that must not reach a console or a log line as they are: C0 and C1 controls (a
# name can carry an escape sequence that recolours the terminal, or a line break that forges
# a log line), bidirectional overrides (they reorder what is shown) and the surrogates Python
# uses for bytes of a name that are not UTF-8.
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
MAX_NAME_BYTES = 150
PRIVATE_DIR = 0o700
TEMP_PREFIX = ".~tmp-"


def is_ignored(path: Path) -> bool:
    """Lock, temp, hidden and system files are never forms."""
    name = path.name
    return (
        name.startswith(".") or name.lower() in IGNORED_NAMES or bool(IGNORED_PATTERN.search(name))
    )


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the control pictures: ␀ … ␛ … ␟
    return "\u2421" if code == 0x7F else "\ufffd"


def printable(text: str, keep: str = "") -> str:
    """``text`` safe to show on a console or in a log: unprintable characters (see
    ``UNPRINTABLE``) become visible symbols, except those in ``keep``."""
    return UNPRINTABLE.sub(lambda m: m.group() if m.group() in keep else _visible(m), text)


def is_utf8(text: str) -> bool:
    """False for a name some bytes of which were not UTF-8 (Python kept them as surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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


def safe_path(relative: str) -> str:
    """A relative folder (``运行部/一值``) with each part made safe (``safe_name``)."""
    return "/".join(safe_name(part) for part in relative.split("/") if part)


def safe_file_name(name: str, limit: int = MAX_NAME_BYTES) -> str:
    """``safe_name`` for a whole file name: a long name is shortened in the middle of its stem,
    never losing its extension (it must still open with a double-click)."""
    path = Path(name)
    extension = path.suffix[1:]
    if extension and len(extension) <= 10 and extension.isalnum():
        stem, suffix = safe_name(path.stem, 10_000), "." + extension
    else:
        stem, suffix = safe_name(name, 10_000), ""
    room = limit - len(suffix.encode("utf-8"))
    return (stem if len(stem.encode("utf-8")) <= room else _middle_cut(stem, room)) + suffix


def _middle_cut(text: str, room: int) -> str:
    """``text`` in at most ``room`` bytes: its start, "…", its last quarter."""
    tail = ""
    for char in reversed(text):
        if len((char + tail).encode("utf-8")) > room // 4:
            break
        tail = char + tail
    head = ""
    for char in text:
        if len(f"{head}{char}…{tail}".encode()) > room:
            break
        head += char
    return f"{head.rstrip(' .')}…{tail}"


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
    """Create ``path`` (and the parents it needs) readable by the owner only on POSIX."""
    missing = list(missing_folders(path))
    if missing:
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    if os.name == "posix":
        for folder in missing or [path]:
            folder.chmod(PRIVATE_DIR)
    return path


def missing_folders(path: Path) -> Iterator[Path]:
    """``path`` and its parents up to the first that exists (nothing when ``path`` does)."""
    while not path.exists():
        yield path
        if path.parent == path:
            return
        path = path.parent


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


def _new_temp(target: Path, sharing: Sharing | None) -> tuple[Path, BinaryIO]:
    """The fixed temporary file for ``target``, created owner-only and open for writing;
    whatever a crash or a stranger left under that name is removed, never written through."""
    if sharing is None:
        target.parent.mkdir(parents=True, exist_ok=True)
    else:
        sharing.folder(target.parent)
    temp = target.with_name(temp_name(target.name))
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(temp, flags, 0o600)
    except FileExistsError:
        temp.unlink()
        fd = os.open(temp, flags, 0o600)
    return temp, os.fdopen(fd, "wb")


def _put_in_place(temp: Path, target: Path, sharing: Sharing | None, sync_folder: bool) -> None:
    if sharing is not None:
        sharing.file(temp)
    os.replace(temp, target)
    if sync_folder:
        fsync_dir(target.parent)


@contextlib.contextmanager
def atomic_path(
    target: Path, sharing: Sharing | None = None, sync_folder: bool = True, durable: bool = True
) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` durably.

    A reader never sees half a file: until the rename, ``target`` is the old file or absent.
    The temporary name is fixed per target, so a write redone after a crash replaces what
    the killed attempt left instead of leaving a stray half-written file beside the output.
    That is safe because one process writes the outbox at a time (``pipeline.lock``).
    The file is owner-only until renamed; ``sharing`` gives it (and the folders made for it)
    the permissions for files with personal data. ``sync_folder=False`` leaves making the
    rename durable to the caller (``write_all_atomic``: one folder sync for many files);
    ``durable=False`` syncs nothing, for a file that is checked when read and made again
    when it is not right (the kept rows of a register): a crash may lose it, never tear it
    unnoticed.
    """
    temp, handle = _new_temp(target, sharing)
    handle.close()
    try:
        yield temp  # written by its path (a library saving a workbook)
        if durable:
            with temp.open("rb+") as written:
                os.fsync(written.fileno())
        _put_in_place(temp, target, sharing, sync_folder and durable)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_atomic(
    target: Path,
    data: bytes,
    sharing: Sharing | None = None,
    durable: bool = True,
    sync_folder: bool = True,
) -> Path:
    """``atomic_path`` for bytes in hand, written and synced through the one open file
    (a form's documents and archive copies: a dozen files per form)."""
    temp, handle = _new_temp(target, sharing)
    try:
        with handle:
            handle.write(data)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        _put_in_place(temp, target, sharing, sync_folder and durable)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def write_all_atomic(files: dict[Path, bytes], sharing: Sharing | None = None) -> list[Path]:
    """``write_atomic`` for several files, with one sync per folder instead of one per file
    (each sync of a folder costs a few milliseconds; a form has up to a dozen files)."""
    for target, data in files.items():
        write_atomic(target, data, sharing, sync_folder=False)
    for folder in dict.fromkeys(target.parent for target in files):
        fsync_dir(folder)
    return list(files)


def unique_path(folder: Path, name: str, taken: Container[Path] = ()) -> Path:
    """``folder/name``, or ``stem(2).ext`` … when that name exists or is in ``taken``."""
    candidate = folder / name
    stem, suffix = Path(name).stem, Path(name).suffix
    number = 2
    while candidate.exists() or candidate in taken:
        candidate = folder / f"{stem}({number}){suffix}"
        number += 1
    return candidate
