"""A data subject's access request (PIPL): everything held about one person, by ID number.

``export_person`` finds every record whose data holds the ID number (in a field, a table row
or a text), with the follow-ups filed under it, every returned form whose report quotes the
number, and the copies of those records returned as 重复提交. It writes them into a folder of
their own: ``个人信息汇总.txt`` listing every value under its label, and for each record a copy
of its archive (the original form as submitted and the documents made from it). The folder is
private like the other personal data, and the audit log records the export with the number
masked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from forms import get_kind
from forms.base import FormKind, RecordView
from pipeline.archive import record_folder
from pipeline.files import safe_file_name, safe_name, write_atomic
from pipeline.listing import cell_text
from pipeline.permissions import Sharing
from pipeline.privacy import mask_id
from pipeline.records import load_all
from pipeline.store import Store

SUMMARY = "个人信息汇总.txt"


@dataclass
class PersonExport:
    folder: Path
    records: list[RecordView] = field(default_factory=list)
    returned: list[Any] = field(default_factory=list)
    files: int = 0


def record_lines(kind: FormKind, record: RecordView, indent: str = "") -> list[str]:
    """One record: its heading, then every field, table row and derived value by label."""
    source = f"{record.subfolder}/{record.source_name}" if record.subfolder else record.source_name
    lines = [
        f"{indent}【{kind.title} {record.ident}】收到时间 {record.received_at:%Y-%m-%d %H:%M}，"
        f"原文件“{source}”"
    ]
    for spec in kind.model.field_defs():
        value = record.values.get(spec.key)
        if not spec.is_table:
            lines.append(f"{indent}  {spec.label}：{cell_text(value)}")
            continue
        lines.append(f"{indent}  {spec.label}：{'（无）' if not value else ''}")
        for number, row in enumerate(value or [], 1):
            cells = "；".join(f"{c.label}：{cell_text(row.get(c.key))}" for c in spec.columns)
            lines.append(f"{indent}    {number}. {cells}")
    for key, field_type in kind.derived.items():
        if key in record.derived:
            lines.append(f"{indent}  {field_type.label}：{cell_text(record.derived[key])}")
    return lines


def find(store: Store, id_number: str) -> tuple[list[RecordView], list[Any]]:
    """The records holding the number (each with its follow-ups), and the returned forms
    whose reports quote it."""
    holding = set(store.idents_mentioning(id_number))
    everything = load_all(store).by_kind
    views = [record for records in everything.values() for record in records]
    found = [r for r in views if r.ident in holding and r.parent not in holding]
    return found, store.returned_mentioning(id_number, sorted(holding))


def export_person(
    store: Store, outbox: Path, id_number: str, now: datetime, sharing: Sharing
) -> PersonExport:
    records, returned = find(store, id_number)
    folder = outbox / "个人信息查询" / safe_name(f"{mask_id(id_number)}-{now:%Y%m%d-%H%M%S}")
    export = PersonExport(sharing.folder(folder), records, returned)
    lines = [
        "【个人信息查询结果】",
        f"身份证号码：{id_number}",
        f"查询时间：{now:%Y-%m-%d %H:%M}",
        f"共找到{len(records)}条记录、{len(returned)}份退回的表单；"
        "各记录的原件和文书副本在同一文件夹中以编号命名的子文件夹里。",
        "",
    ]
    for record in records:
        kind = get_kind(record.kind)
        lines += record_lines(kind, record)
        for child in record.children:
            lines += record_lines(get_kind(child.kind), child, "    ")
        export.files += _copy_archive(outbox, kind, record, folder, sharing)
        lines.append("")
    for row in returned:
        lines += _returned_lines(row)
        export.files += _copy_returned(row, folder / "退回的表单", sharing)
    write_atomic(folder / SUMMARY, ("\r\n".join(lines) + "\r\n").encode("utf-8-sig"), sharing)
    store.log("export_person", f"{mask_id(id_number)}：{len(records)}条记录，{len(returned)}份退回")
    return export


def _copy_archive(
    outbox: Path, kind: FormKind, record: RecordView, target: Path, sharing: Sharing
) -> int:
    source = record_folder(outbox / "archive", kind, record)
    copied = 0
    for path in sorted(source.iterdir()) if source.is_dir() else []:
        if path.is_file():
            write_atomic(target / safe_name(record.ident) / path.name, path.read_bytes(), sharing)
            copied += 1
    return copied


def _returned_lines(row: Any) -> list[str]:
    received = row["received_at"][:16].replace("T", " ")
    lines = [f"【退回的表单】“{row['original_name']}”，收到时间 {received}"]
    lines += [f"  {error}" for error in json.loads(row["errors"] or "[]")]
    return [*lines, ""]


def _copy_returned(row: Any, target: Path, sharing: Sharing) -> int:
    copied = 0
    for name in json.loads(row["outputs"] or "[]"):
        path = Path(name)
        if path.is_file():
            write_atomic(target / safe_file_name(path.name), path.read_bytes(), sharing)
            copied += 1
    return copied
