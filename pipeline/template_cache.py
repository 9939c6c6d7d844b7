"""Prepared Word templates kept on disk, so a run does not prepare them again.

Preparing a template (``pipeline.prepared``) costs about 80 ms: a batch of every kind prepares
seventeen, every run, and in a worker pool every worker prepares those it uses. A prepared
template is written here once and read back (in about a millisecond) by every later run and
worker, of any working folder on the machine.

The folder is the user's cache folder: ``$XDG_CACHE_HOME`` (else ``~/.cache``) on Linux,
``%LOCALAPPDATA%`` on Windows, then ``unionforms/templates``; owner-only. Each file is named by a
digest of everything the preparation depends on: the template's bytes, the fonts, the source
of the modules that prepare it, the versions of docxtpl, python-docx, Jinja and lxml, and
Python's (compiled code only suits the Python that made it). Templates are blank forms: no
personal data is kept here. Deleting the folder is always safe.

A file carries the SHA-256 of its contents: one that is cut short, altered or of another
format is prepared again and replaced. A folder that cannot be written only means preparing
every time (logged, never an error). Files not used for ``UNUSED_DAYS`` are removed when a new
one is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sys
import tempfile
import time
from functools import cache
from importlib import metadata
from pathlib import Path

from pipeline.code_digest import code_digest
from pipeline.files import private_dir

log = logging.getLogger("unionforms")
LIBRARIES = ("docxtpl", "python-docx", "jinja2", "lxml", "markupsafe")
# The modules whose code decides what a prepared template holds.
CODE = frozenset(
    {"pipeline.prepared", "pipeline.render", "pipeline.docx_style", "pipeline.zipwrite"}
)
SUFFIX = ".prepared"
UNUSED_DAYS = 60
CHECK = hashlib.sha256().digest_size


def folder() -> Path | None:
    """The cache folder; None when this account has no home to keep one in."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "unionforms" / "templates"
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except RuntimeError:  # a service account without a home folder
            return None
    return Path(base) / "unionforms" / "templates"


@cache
def _program() -> bytes:
    """What every prepared template depends on besides its own bytes and the fonts."""
    digest = hashlib.sha256(sys.version.encode())
    digest.update(str(sys.implementation.cache_tag).encode())
    for name in LIBRARIES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{name}={metadata.version(name)};".encode())
    digest.update(code_digest(CODE.__contains__).encode())
    return digest.digest()


def key(template: bytes, fonts: str) -> str:
    """The name of the prepared ``template`` with ``fonts`` (their settings, as text)."""
    digest = hashlib.sha256(_program())
    digest.update(hashlib.sha256(template).digest())
    digest.update(fonts.encode("utf-8"))
    return digest.hexdigest()


def read(name: str) -> bytes | None:
    """The prepared template kept as ``name``, when there is one and it is whole."""
    where = folder()
    if where is None:
        return None
    path = where / (name + SUFFIX)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    check, contents = data[:CHECK], data[CHECK:]
    if hashlib.sha256(contents).digest() != check:
        log.info("已缓存的模板 %s 不完整，重新准备", path)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # used: kept
    return contents


def write(name: str, contents: bytes) -> None:
    """Keep ``contents`` as ``name`` (replacing any); a failure is only logged. Several
    processes may write the same name at once: each writes a file of its own, then renames."""
    where = folder()
    if where is None:
        return
    target = where / (name + SUFFIX)
    try:
        private_dir(target.parent)
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(hashlib.sha256(contents).digest() + contents)
            os.replace(temp, target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        _forget_unused(target.parent)
    except OSError as exc:
        log.info("无法缓存准备好的文书模板（%s）：%s", target.parent, exc)


def _forget_unused(where: Path) -> None:
    oldest = time.time() - UNUSED_DAYS * 86400
    for path in where.iterdir():
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < oldest:
                path.unlink()
