"""Matching a printed label to a field: the fallback readers use when names are missing.

A label on a form may carry a required-mark, a colon, spaces between its characters
(``姓  名``) and a bracketed hint (``性别（男/女）``); full-width and half-width brackets are
the same bracket. ``label_key`` reduces all of these to one comparable key.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from forms.base import FormKind
from forms.fields import FieldDef

BRACKETED_TAIL = re.compile(r"(\([^()]*\))+$")
DECORATION = re.compile(r"[\s*＊:：·•\u200b]")


def label_key(text: Any) -> str:
    """Normalise printed label text: width-folded, no spaces, marks or trailing colon."""
    if not isinstance(text, str):
        return ""
    folded = unicodedata.normalize("NFKC", text)
    return DECORATION.sub("", folded)


def without_hint(key: str) -> str:
    return BRACKETED_TAIL.sub("", key)


class LabelIndex:
    """Finds which field, if any, a piece of label text names."""

    def __init__(self, specs: Iterable[FieldDef]) -> None:
        self.exact: dict[str, FieldDef] = {}
        self.loose: dict[str, FieldDef] = {}
        for spec in specs:
            key = label_key(spec.label)
            self.exact[key] = spec
            self.loose.setdefault(without_hint(key), spec)

    def match(self, text: Any) -> FieldDef | None:
        key = label_key(text)
        if not key:
            return None
        return self.exact.get(key) or self.loose.get(without_hint(key))


def title_matches(kind: FormKind, text: Any) -> bool:
    return bool(text) and without_hint(label_key(text)) == label_key(kind.title)
