"""Purging what is past its retention period (PIPL: personal data kept no longer than needed).

``plan_purge`` works out from the store which records received before a date may go, with the
follow-ups filed under them: a record only when its kind's retention period (``[retention]``,
counted from ``FormKind.closed_on``, the day its matter ended) is over. A record still open, or
inside its period, is kept, and the plan says why. Returned forms go after ``[privacy]
returned_years``. ``carry_out`` deletes the documents, archive folders and returned copies
first — only ever inside the outbox — and then the rows, in one transaction that writes a
``purged`` entry in the audit log; a purge cut short is finished by running it again, and
``archive verify`` passes afterwards. Serials are never given again (``pipeline.store``).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from forms import KINDS, UnknownKind, get_kind
from forms.base import FormKind, RecordView
from pipeline.config import Config
from pipeline.errors import PipelineError
from pipeline.records import load_all
from pipeline.store import Store


class PurgeRefused(PipelineError):
    """The purge asked for cannot be done as asked (an unknown or dependent kind)."""

    code = "purge_refused"


@dataclass
class Item:
    """One thing to delete: a record with its follow-ups, or a returned form."""

    ident: str  # the serial, or the returned file's name
    title: str
    received: date
    ended: date | None = None
    record_ids: list[int] = field(default_factory=list)
    submission_ids: list[int] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Kept:
    ident: str
    title: str
    reason: str


@dataclass
class PurgePlan:
    before: date
    kind: str | None
    records: list[Item] = field(default_factory=list)
    returned: list[Item] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.records and not self.returned

    def summary(self) -> str:
        """The audit log's entry: what went, by serial (no personal data), and the condition."""
        condition = f"--before {self.before.isoformat()}" + (
            f" --kind {self.kind}" if self.kind else ""
        )
        idents = "、".join(item.ident for item in self.records) or "无"
        return (
            f"按保存期限删除（{condition}）：记录{len(self.records)}条（{idents}），"
            f"退回的表单{len(self.returned)}份"
        )


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def _kind(key: str | None) -> FormKind | None:
    if key is None:
        return None
    try:
        kind = get_kind(key)
    except UnknownKind:
        known = "、".join(f"{k.key}（{k.title}）" for k in KINDS if k.parent is None)
        raise PurgeRefused(f"没有这种表单：“{key}”；可以指定的有：{known}") from None
    if kind.parent is not None:
        raise PurgeRefused(
            f"“{kind.title}”随所属的“{get_kind(kind.parent.kind).title}”一起保存和删除，"
            "不能单独删除；请指定所属记录的种类"
        )
    return kind


def plan_purge(
    store: Store, config: Config, before: date, kind_key: str | None, today: date
) -> PurgePlan:
    """What a purge of records received before ``before`` would delete, and what it keeps."""
    only = _kind(kind_key)
    plan = PurgePlan(before, kind_key)
    rows = {row["ident"]: row for row in store.record_rows()}
    views = load_all(store)
    for key, records in views.by_kind.items():
        if only is not None and key != only.key:
            continue
        kind = get_kind(key)
        for record in records:
            if record.parent is None and record.received_at.date() < before:
                _weigh(plan, kind, record, rows, config, today)
    for raw_kind, raws in views.raw.items():
        for raw in raws:
            if (only is None or raw_kind == only.key) and raw.received_at.date() < before:
                reason = "本程序无法读取这条记录，不能判断保存期限"
                plan.kept.append(Kept(raw.ident, raw_kind, reason))
    _returned(plan, store, config, only, today)
    return plan


def _weigh(
    plan: PurgePlan,
    kind: FormKind,
    record: RecordView,
    rows: dict[str, Any],
    config: Config,
    today: date,
) -> None:
    ended = kind.closed_on(record)
    if ended is None:
        plan.kept.append(Kept(record.ident, kind.title, f"尚未了结：{kind.retention_open}"))
        return
    years = getattr(config.retention, kind.key)
    until = add_years(ended, years)
    if until > today:
        since = f"从{kind.retention_from}{ended.isoformat()}起{years}年"
        plan.kept.append(
            Kept(record.ident, kind.title, f"保存期限到{until.isoformat()}（{since}）")
        )
        return
    parts = (record, *record.children)
    unfinished = [r for r in parts if rows[r.ident]["submission_outcome"] != "accepted"]
    if unfinished:
        plan.kept.append(Kept(record.ident, kind.title, "处理尚未完成，先运行 unionforms process"))
        return
    item = Item(record.ident, kind.title, record.received_at.date(), ended)
    for part in parts:
        row = rows[part.ident]
        item.record_ids.append(row["id"])
        item.submission_ids.append(row["submission_id"])
        item.files += [Path(p) for p in json.loads(row["submission_outputs"] or "[]")]
    plan.records.append(item)


def _returned(
    plan: PurgePlan, store: Store, config: Config, only: FormKind | None, today: date
) -> None:
    """Returned forms received before the date and older than ``returned_years``."""
    due = add_years(today, -config.privacy.returned_years) + timedelta(days=1)
    for row in store.returned_before(min(plan.before, due).isoformat()):
        if only is not None and row["kind"] != only.key:
            continue
        received = datetime.fromisoformat(row["received_at"]).date()
        plan.returned.append(
            Item(
                row["original_name"],
                "退回的表单",
                received,
                submission_ids=[row["id"]],
                files=[Path(p) for p in json.loads(row["outputs"] or "[]")],
            )
        )


def carry_out(plan: PurgePlan, store: Store, outbox: Path) -> int:
    """Delete what ``plan`` lists: files first, then rows; returns how many files went."""
    removed = 0
    for item in (*plan.records, *plan.returned):
        removed += _remove(item.files, outbox)
    store.purge(
        [i for item in plan.records for i in item.record_ids],
        [i for item in (*plan.records, *plan.returned) for i in item.submission_ids],
        plan.summary(),
    )
    return removed


def _remove(paths: Iterable[Path], outbox: Path) -> int:
    """Delete files and folders inside the outbox (never outside), and folders left empty."""
    root = outbox.resolve()
    removed = 0
    for path in paths:
        try:
            resolved = path.resolve()
        except OSError:
            continue
        if not resolved.is_relative_to(root) or resolved == root:
            continue
        if resolved.is_dir():
            removed += sum(1 for p in resolved.rglob("*") if p.is_file())
            shutil.rmtree(resolved)
        elif resolved.exists():
            resolved.unlink()
            removed += 1
        _prune(resolved.parent, root)
    return removed


def _prune(folder: Path, root: Path) -> None:
    """Remove ``folder`` and its parents while they are empty, up to the outbox's own
    folders (documents/, archive/, rejected/ stay)."""
    while folder != root and folder.parent != root and folder.is_dir():
        if any(folder.iterdir()):
            return
        folder.rmdir()
        folder = folder.parent
