"""The log: everything in ``state/unionforms.log`` (tracebacks included), a short Chinese line
on the console.

A person at the console reads one sentence per problem; whoever maintains the program finds
the full traceback in the log file, which rotates so it cannot fill the disk. ``--debug`` puts
the tracebacks on the console too. A log that cannot be written (a full disk) never stops the
work: logging swallows its own errors (``logging.raiseExceptions``).

Every line is made safe before it is written: control characters in a message (a file name
carrying a line break or a terminal escape) are shown as symbols, so no one can forge a log line
or recolour the console, and ID and phone numbers are masked, tracebacks included (PIPL). The
log files are owner-only, like the rest of the state folder.
"""

from __future__ import annotations

import io
import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import TextIO

from pipeline.files import printable, private_dir
from pipeline.privacy import redact

log = logging.getLogger("unionforms")
LOG_NAME = "unionforms.log"
LOG_BYTES, LOG_BACKUPS = 2_000_000, 5
# ``log.error(..., extra=FILE_ONLY)``: for the log file; the console says it another way.
FILE_ONLY = {"file_only": True}


def log_path(state: Path) -> Path:
    return state / LOG_NAME


class SafeFormatter(logging.Formatter):
    """Control characters of the message made visible, ID and phone numbers masked."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return printable(super().formatMessage(record))

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class PrivateFileHandler(RotatingFileHandler):
    """The rotating log, each file created owner-only (0600 on POSIX)."""

    def _open(self) -> io.TextIOWrapper:
        old_umask = os.umask(0o077)
        try:
            return super()._open()
        finally:
            os.umask(old_umask)


class ShortFormatter(SafeFormatter):
    """The message only: tracebacks belong in the log file."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info = record.exc_text = record.stack_info = None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def setup_logging(
    state: Path | None, console: TextIO, console_level: int = logging.WARNING, debug: bool = False
) -> None:
    """Log to ``state/unionforms.log`` (when a state folder is known) and to ``console``."""
    logging.raiseExceptions = False
    log.setLevel(logging.DEBUG if debug else logging.INFO)
    log.propagate = False
    for handler in list(log.handlers):
        log.removeHandler(handler)
        handler.close()
    if state is not None:
        try:
            private_dir(state)
            file_handler = PrivateFileHandler(
                log_path(state), maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
            )
        except OSError as exc:
            console.write(f"警告：无法写入日志文件 {log_path(state)}（{exc.strerror or exc}）\n")
        else:
            file_handler.setFormatter(SafeFormatter("%(asctime)s %(levelname)s %(message)s"))
            log.addHandler(file_handler)
    console_handler = logging.StreamHandler(console)
    console_handler.addFilter(lambda record: not getattr(record, "file_only", False))
    console_handler.setLevel(logging.DEBUG if debug else console_level)
    layout = "%(asctime)s  %(message)s", "%Y-%m-%d %H:%M:%S"
    console_handler.setFormatter(SafeFormatter(*layout) if debug else ShortFormatter(*layout))
    log.addHandler(console_handler)
