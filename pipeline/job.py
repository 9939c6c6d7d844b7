"""The job: one submitted file as it moves through the stages, and what the stages find."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from forms.base import FormKind, FormModel, RecordView
from pipeline.files import printable
from pipeline.inputs import Source

NOT_FOUND = "表中未找到此栏"


@dataclass(frozen=True)
class Location:
    """Where a value was read: ``text`` is what a clerk reads, the rest is for marking it."""

    text: str
    sheet: str | None = None
    cell: str | None = None
    table: int | None = None
    row: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class RawValue:
    value: Any
    where: Location


@dataclass
class RawForm:
    """Values as found in the file, before validation, each with its location."""

    fields: dict[str, RawValue] = field(default_factory=dict)
    tables: dict[str, list[dict[str, RawValue]]] = field(default_factory=dict)
    table_locations: dict[str, Location] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def shown(value: Any, limit: int = 60) -> str:
    """A raw value the way the report quotes it."""
    if isinstance(value, datetime):
        text = (
            value.strftime("%Y-%m-%d %H:%M")
            if value.time() != datetime.min.time()
            else (value.strftime("%Y-%m-%d"))
        )
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, float) and abs(value) >= 1e15:
        # Excel keeps 15 significant digits: show what it shows, not the float's residue
        # (an ID number typed as a number is 659002198801010000 there, not ...010176).
        text = f"{Decimal(f'{value:.15g}'):f}"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, Decimal):
        text = f"{value:f}"
    else:
        text = printable(str(value).replace("\r\n", "⏎").replace("\n", "⏎").strip())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a form, said in one Chinese sentence."""

    label: str
    where: Location | None
    value: Any
    expected: str
    missing: bool = False

    def sentence(self) -> str:
        place = f"（{self.where}）" if self.where else ""
        if self.missing:
            return f"「{self.label}」{place}未填写，{self.expected}。"
        return f"「{self.label}」{place}填写为“{shown(self.value)}”，{self.expected}。"


@dataclass
class Job:
    """One file from the inbox and everything learned about it on the way."""

    source: Path
    name: str
    subfolder: str
    received_at: datetime
    owned: bool = True  # in the inbox: it leaves once done; named from elsewhere: it stays
    data: bytes = b""
    sha256: str = ""
    fmt: str = ""
    content: bytes = b""
    kind: FormKind | None = None
    raw: RawForm | None = None
    form: FormModel | None = None
    derived: dict[str, Any] = field(default_factory=dict)
    submission_id: int | None = None
    record: RecordView | None = None
    resumed_stage: str = ""
    documents: list[Path] = field(default_factory=list)
    archive_dir: Path | None = None
    outcome: str = ""
    message: str = ""
    problems: list[Problem] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    # Said to the person without changing the outcome: a PDF that could not be made, a file
    # that changed while it was read or could not leave the inbox.
    warnings: list[str] = field(default_factory=list)
    converted: bool = False  # content is LibreOffice's conversion of a legacy file

    @classmethod
    def from_source(cls, source: Source, received_at: datetime) -> Job:
        """The job of ``source``; its name and subfolder as they may be shown and recorded
        (control characters made visible), its path as it is."""
        name, subfolder = printable(source.path.name), printable(source.subfolder)
        return cls(source.path, name, subfolder, received_at, source.owned)

    def forget_bytes(self) -> None:
        """Drop the file's bytes; what ordering and resuming need (hash, kind) stays."""
        self.data = self.content = b""

    @property
    def display_name(self) -> str:
        return f"{self.subfolder}/{self.name}" if self.subfolder else self.name
