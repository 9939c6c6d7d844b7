"""The form kinds, registered in one tuple. Adding a kind means adding its module here."""

from __future__ import annotations

from forms import hardship
from forms.base import FormKind

KINDS: tuple[FormKind, ...] = (hardship.KIND,)


class UnknownKind(KeyError):
    """No registered form kind has this key."""


def get_kind(key: str) -> FormKind:
    for kind in KINDS:
        if kind.key == key:
            return kind
    raise UnknownKind(key)
