"""``unionforms generate``: a kind's declared ``Batch`` — pre-filled forms for many recipients.

Recipients come from a roster workbook (its header row found by the column names or their
synonyms, each data row checked, bad rows reported by their sheet row number without stopping
the rest) or from another kind's records. For each recipient the kind's blank forms are filled
with what is known (``.xlsx`` and ``.docx``, to be completed and returned through the inbox),
its documents are printed pre-filled when asked, and the recipient is recorded as expected,
so ``unionforms status`` shows who has returned theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from forms import get_kind
from forms.base import FormKind, RecordView
from forms.reports import RECORD, Batch, Row
from pipeline import records
from pipeline.errors import PipelineError
from pipeline.files import safe_name, write_atomic
from pipeline.registers import ExtraSheet
from pipeline.render import full_context, render_document
from pipeline.roster import BadRoster, read_roster
from pipeline.runs import run_folder
from pipeline.runtime import Runtime
from pipeline.samples import FILLERS

# -- generating ---------------------------------------------------------------------------


@dataclass
class BatchRun:
    folder: Path
    written: list[Path] = field(default_factory=list)
    recipients: int = 0
    problems: list[str] = field(default_factory=list)


def recipients(
    rt: Runtime, batch: Batch, year: int, roster: Path | None
) -> tuple[list[Row], list[str]]:
    """Who the batch is for: roster rows, or the records of the source kind in ``year``."""
    if batch.roster:
        if roster is None:
            raise BadRoster("请用 --roster 指定名单文件（.xlsx）")
        read = read_roster(roster, batch.roster, rt)
        return [row for _, row in read.rows], read.problems
    assert batch.source_kind is not None
    source = get_kind(batch.source_kind)
    today = rt.clock().date()
    rows = [
        source.row_values(record, today)
        | {"serial": record.serial, "ident": record.ident, RECORD: record}
        for record in records.all_views(rt.store)[source.key]
        if record.year == year
    ]
    return [row for row in rows if batch.source_where is None or batch.source_where(row)], []


def generate(
    rt: Runtime,
    kind: FormKind,
    batch: Batch,
    year: int,
    choice: str,
    roster: Path | None,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> BatchRun:
    """Pre-filled forms (and documents) for every recipient, each recorded as expected."""
    people, problems = recipients(rt, batch, year, roster)
    now = rt.clock()
    organisation = rt.config.organisation.model_dump()
    run = BatchRun(
        run_folder(rt.outbox / "generated", f"{batch.title}（{year}年）", now.date(), rt)
    )
    run.problems = problems
    try:
        for done, person in enumerate(people, 1):
            values = batch.values(person, year, choice, organisation)
            run.written += _write_one(rt, kind, batch, values, run.folder, now)
            key = str(values[batch.key])
            label = str(values.get(batch.label_key) or "") if batch.label_key else ""
            rt.store.expect(kind.key, batch.command, year, key, label, choice, now)
            run.recipients += 1
            progress(done, len(people))
        if batch.listing is not None:
            run.written.append(_write_listing(rt, batch, people, year, run.folder, now))
    except BaseException as exc:
        run.folder = _unfinished(run.folder)
        if isinstance(exc, KeyboardInterrupt | PipelineError):
            raise GenerationStopped(run, len(people), exc) from exc
        raise
    return run


class GenerationStopped(Exception):
    """``generate`` stopped part way (Ctrl+C, a full disk …): what it made, in a folder whose
    name says it is unfinished, so no one sends out half a batch as if it were whole."""

    def __init__(self, run: BatchRun, total: int, cause: BaseException) -> None:
        super().__init__(run.folder)
        self.run, self.total, self.cause = run, total, cause

    @property
    def message(self) -> str:
        reason = self.cause.message if isinstance(self.cause, PipelineError) else "已中断"
        return (
            f"{reason}：{self.total}份中已生成{self.run.recipients}份，没有全部完成；"
            f"文件夹已改名为“{self.run.folder}”，其中的文件不要下发（可以删除）。"
            "重新运行本命令会在新的文件夹中生成全部表单。"
        )


def _unfinished(folder: Path) -> Path:
    """``folder`` renamed ``…（未完成）``; where it cannot be renamed, as it is."""
    target = folder.with_name(f"{folder.name}（未完成）")
    try:
        return folder.rename(target)
    except OSError:
        return folder


def _write_one(
    rt: Runtime, kind: FormKind, batch: Batch, values: Row, folder: Path, now: datetime
) -> list[Path]:
    label = values.get(batch.label_key) if batch.label_key else None
    name = safe_name("-".join(str(part) for part in (values[batch.key], label, kind.title) if part))
    written = []
    for fmt, fill in FILLERS.items():
        target = folder / "回交表单" / f"{name}.{fmt}"
        written.append(write_atomic(target, fill(kind, rt.config, values), rt.sharing))
    if batch.documents:
        record = provisional_record(kind, values, now)
        context = full_context(kind, rt.config, record, now.date())
        for spec in kind.documents:
            title = f"{spec.title}-{kind.record_name(record)}"
            target = folder / "打印签字" / f"{safe_name(title)}.docx"
            written.append(
                render_document(rt.config, spec, context, target, kind.title, now, rt.sharing)
            )
    return written


def provisional_record(kind: FormKind, values: Row, now: datetime) -> RecordView:
    """A record not yet received: what is known filled in, the rest blank (no serial)."""
    known = {spec.key: values.get(spec.key) for spec in kind.model.field_defs()}
    for spec in kind.model.field_defs():
        if spec.is_table and known[spec.key] is None:
            known[spec.key] = []
    return RecordView(
        kind=kind.key,
        serial=None,
        ident="",
        year=now.year,
        values=known,
        derived=dict.fromkeys(kind.derived),
        received_at=now,
        source_name="",
    )


def _write_listing(
    rt: Runtime, batch: Batch, people: list[Row], year: int, folder: Path, now: datetime
) -> Path:
    from pipeline.summary_book import write_listing  # (imports reporting; keep this one light)

    assert batch.listing is not None
    target = folder / f"{safe_name(batch.listing.title)}（{year}年）.xlsx"
    return write_listing(
        batch.listing,
        batch.listing_group,
        people,
        target,
        rt.config.organisation.union,
        now,
        rt.sharing,
    )


# -- what came back ---------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    key: str
    label: str
    choice: str
    sent: datetime
    received: list[tuple[str, date]]  # ident, date received


def returns(
    rt: Runtime,
    kind: FormKind,
    batch: Batch,
    year: int,
    views: dict[str, list[RecordView]] | None = None,
) -> list[Expected]:
    """Everyone the batch sent a form to for ``year``, with what came back from them since:
    a form of the kind naming the same recipient (and the same choice, e.g. 春节, and the
    same year when the form has one) received after it was sent."""
    back = (views or records.all_views(rt.store))[kind.key]
    found = []
    for row in rt.store.expected(kind.key):
        if row["batch"] != batch.command or row["year"] != year:
            continue
        sent = datetime.fromisoformat(row["created_at"])
        received = [
            (record.ident, record.received_at.date())
            for record in back
            if _answers(record, batch, row) and record.received_at >= sent.replace(microsecond=0)
        ]
        found.append(Expected(row["key"], row["label"], row["choice"], sent, received))
    return found


@dataclass(frozen=True)
class ReturnsTable:
    """The returns as a table: 未交 first, each row marked when nothing came back."""

    headers: list[str]
    rows: list[list[str]]
    missing: list[bool]

    @property
    def summary(self) -> str:
        back = self.missing.count(False)
        return f"共发出{len(self.rows)}份，已交{back}份，未交{len(self.rows) - back}份。"


def returns_table(kind: FormKind, batch: Batch, items: list[Expected]) -> ReturnsTable:
    def label(key: str) -> str:
        found = kind.value_type(key)
        return found.label if found else key

    ordered = sorted(items, key=lambda item: (bool(item.received), item.choice, item.key))
    headers = [label(batch.key), *([label(batch.label_key)] if batch.label_key else [])]
    headers += [
        *([batch.choice.help] if batch.choice else []),
        "发出日期",
        "状态",
        "交回编号",
        "收到日期",
    ]
    rows = [
        [
            item.key,
            *([item.label] if batch.label_key else []),
            *([item.choice] if batch.choice else []),
            item.sent.date().isoformat(),
            "已交" if item.received else "未交",
            "、".join(ident for ident, _ in item.received),
            "、".join(day.isoformat() for _, day in item.received),
        ]
        for item in ordered
    ]
    return ReturnsTable(headers, rows, [not item.received for item in ordered])


def returns_sheets(rt: Runtime, views: dict[str, list[RecordView]]) -> dict[str, list[ExtraSheet]]:
    """For each kind that sent forms out, a 交回情况 sheet per year on its first register."""
    sheets: dict[str, list[ExtraSheet]] = {}
    sent = rt.store.expected()
    for kind_key, batch in all_batches():
        kind = get_kind(kind_key)
        years = sorted(
            {r["year"] for r in sent if (r["kind"], r["batch"]) == (kind_key, batch.command)}
        )
        for year in years:
            table = returns_table(kind, batch, returns(rt, kind, batch, year, views))
            sheet = ExtraSheet(
                f"{batch.title}交回情况{year}", table.headers, table.rows, table.missing
            )
            sheets.setdefault(kind.registers[0].title, []).append(sheet)
    return sheets


def _answers(record: RecordView, batch: Batch, sent: Any) -> bool:
    values = record.values
    if str(values.get(batch.key)) != sent["key"]:
        return False
    if batch.year_key and values.get(batch.year_key) != sent["year"]:
        return False
    option = batch.choice.option if batch.choice else None
    return not (option and option in values and values[option] != sent["choice"])


def batch_of(command: str) -> tuple[FormKind, Batch]:
    for kind_key, batch in all_batches():
        if batch.command == command:
            return get_kind(kind_key), batch
    raise KeyError(command)


def all_batches() -> Iterable[tuple[str, Batch]]:
    from forms import KINDS

    return [(kind.key, batch) for kind in KINDS for batch in kind.batches]
