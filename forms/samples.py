"""Example values for each kind: the demo and the tests fill blank forms with them.

Names are obviously fictional (示例, 样例, 演示 …) and ID numbers are made up with valid
GB 11643 check characters, under the area code of 阿拉尔市 (659002).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from forms.fields import ID_CHECK_CHARS, id_check_char

SAMPLE_AREA = "659002"


@dataclass(frozen=True)
class Sample:
    """Values for one filled form; ``good`` says whether it should be accepted."""

    name: str
    values: dict[str, Any]
    good: bool = True


def fictional_id(birth: str, sequence: int) -> str:
    """A made-up ID number born on ``birth`` (YYYYMMDD); odd ``sequence`` = 男, even = 女."""
    first17 = f"{SAMPLE_AREA}{birth}{sequence:03d}"
    return first17 + id_check_char(first17)


def miswritten_id(id_number: str) -> str:
    """The same number with a wrong check character, as a tired clerk might copy it."""
    wrong = ID_CHECK_CHARS[(ID_CHECK_CHARS.index(id_number[17]) + 1) % len(ID_CHECK_CHARS)]
    return id_number[:17] + wrong


STRESS_LENGTH = 1000  # characters in each long text of a stress sample


def long_text(sentences: Sequence[str], length: int = STRESS_LENGTH, numbered: bool = False) -> str:
    """``sentences`` in turn, three to a typed line (a paragraph), numbered ``1．`` ``2．`` …
    when ``numbered``, up to the last whole sentence within ``length`` characters: the long
    texts of stress samples (a clerk's text ends on a full stop, not in mid-word)."""
    lines: list[str] = []
    total, index = 0, 0
    while total < length:
        chunk = "".join(sentences[(index + n) % len(sentences)] for n in range(3))
        line = f"{len(lines) + 1}．{chunk}" if numbered else chunk
        lines.append(line)
        total += len(line) + 1
        index += 3
    text = "\n".join(lines)[:length]
    end = text.rfind("。")
    return text[: end + 1] if end > 0 else text[:-1] + "。"
