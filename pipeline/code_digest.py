"""A digest of the program's own source: what changes when the program is upgraded."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from pathlib import Path


def code_digest(wanted: Callable[[str], bool]) -> str:
    """The SHA-256 of the source of every loaded module whose name ``wanted`` accepts."""
    digest = hashlib.sha256()
    for name, module in sorted(sys.modules.items()):
        if wanted(name):
            source = getattr(module, "__file__", None)
            if source and Path(source).is_file():
                digest.update(name.encode() + Path(source).read_bytes())
    return digest.hexdigest()
