"""One process works a state folder at a time: an OS lock on ``state/processing.lock``.

The store resumes an interrupted form on the assumption that nobody else is working on it,
and the outbox's temporary names are fixed per target (``files.atomic_path``), so ``watch``,
``process``, ``registers`` and ``demo`` hold this lock while they run. It is an advisory lock
on an open file (flock on POSIX, msvcrt on Windows), not a PID file: the operating system
drops it when the process ends, however it ends, so a crash or ``kill -9`` never leaves a
stale lock behind. The file also notes who holds it, for the message the next one gets.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from pipeline.errors import Busy
from pipeline.files import private_dir

LOCK_NAME = "processing.lock"
# Windows locks a byte range; lock one far past the note so others can still read the note.
WINDOWS_LOCK_OFFSET = 1 << 20


def _try_lock(handle: IO[bytes]) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt

            handle.seek(WINDOWS_LOCK_OFFSET)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _note(path: Path) -> dict[str, Any]:
    try:
        note = json.loads(path.read_bytes().rstrip(b"\x00") or b"{}")
    except (OSError, ValueError):
        return {}
    return note if isinstance(note, dict) else {}


def busy_message(path: Path) -> str:
    note = _note(path)
    state = path.parent
    if not note:
        return f"已有另一个 unionforms 进程在使用状态文件夹 {state}；请等它结束后再试。"
    return (
        f"已有另一个 unionforms 进程（{note.get('command', '?')}，进程号{note.get('pid', '?')}，"
        f"{note.get('started', '?')}起）在处理收件箱 {note.get('inbox', '?')}，"
        f"同一状态文件夹 {state} 同时只能由一个进程使用；"
        "请等它结束，或先停止正在运行的监视服务后再试。"
    )


@contextmanager
def processing_lock(state: Path, inbox: Path, command: str) -> Iterator[None]:
    """Hold the state folder's lock for the block, or raise ``Busy`` naming who holds it."""
    path = private_dir(state) / LOCK_NAME
    # Opened without truncating: until we hold the lock, the note belongs to the holder.
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0)
    handle = os.fdopen(os.open(path, flags, 0o600), "r+b")
    try:
        if not _try_lock(handle):
            raise Busy(busy_message(path))
        note = {
            "command": command,
            "pid": os.getpid(),
            "inbox": str(inbox),
            "started": datetime.now().strftime("%Y-%m-%d %H:%M"),
        }
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(note, ensure_ascii=False).encode("utf-8"))
        handle.flush()
        yield
    finally:
        handle.close()  # closing the file releases the lock
