"""The boundaries between the steps of processing a form, where a crash must be survivable.

The engine calls ``reached(point)`` at each one. Nothing happens there in a real run; the crash
tests replace ``reached`` with a function that ends the process on the spot at one point
(``os._exit``, as ``kill -9`` would: no ``finally`` runs, nothing is flushed), then run again and
count records, documents, archive folders and returned copies. ``POINTS`` lists every point the
engine has, so a boundary added without a name here shows up as untested.
"""

from __future__ import annotations

POINTS = (
    # intake, after each stage
    "after:load",
    "after:screen_file",
    "after:identify",
    "after:record_kind",
    # an accepted form, after each stage
    "after:read",
    "after:check",
    "after:number",
    "after:render",
    "after:print_pdfs",
    "after:archive",
    # a returned form
    "after:plan_rejection",
    "after:write_rejection",
    # either, once the outcome is stored, then leaving the inbox
    "after:finish",
    "after:releasing",
    "after:unlink",
    # the batch, before the registers
    "before:export",
)


def reached(point: str) -> None:
    """A form (or the batch) got to ``point``."""
