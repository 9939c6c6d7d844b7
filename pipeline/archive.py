"""The archive: for every accepted form, the original byte for byte, its documents and a
manifest with the SHA-256 of each, in a folder of its own (owner-only); and the check of the
whole archive against the store, so a lost folder is found, not just an altered file.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forms import UnknownKind, get_kind
from forms.base import FormKind, RecordView
from pipeline.files import (
    private_dir,
    safe_file_name,
    safe_name,
    write_all_atomic,
)
from pipeline.store import Store

MANIFEST = "manifest.json"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record_folder(root: Path, kind: FormKind, record: RecordView) -> Path:
    return root / safe_name(kind.title) / str(record.year) / safe_name(record.ident)


def archive_record(
    root: Path, kind: FormKind, record: RecordView, original: bytes, documents: list[Path]
) -> Path:
    """Write the archive folder; the manifest goes last, so a folder with one is complete.
    The folder is synced once, after the manifest: until the form is recorded as accepted,
    which follows, an interrupted run writes the whole folder again."""
    private_dir(root)
    folder = private_dir(record_folder(root, kind, record))
    files = {safe_file_name(f"原件-{record.source_name}"): original}
    files |= {document.name: document.read_bytes() for document in documents}
    manifest = {
        "kind": kind.key,
        "title": kind.title,
        "ident": record.ident,
        "serial": record.serial,
        "original_name": record.source_name,
        "received_at": record.received_at.isoformat(timespec="seconds"),
        "files": {name: sha256(data) for name, data in files.items()},
    }
    files[MANIFEST] = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
    write_all_atomic({folder / name: data for name, data in files.items()})
    return folder


@dataclass(frozen=True)
class ArchiveFault:
    where: str  # the serial, or the folder when the store does not know it
    message: str


@dataclass
class ArchiveCheck:
    checked: int = 0
    faults: list[ArchiveFault] = field(default_factory=list)


def verify_archive(root: Path, store: Store) -> ArchiveCheck:
    """Check the archive against the store: every accepted record has its folder and manifest,
    every file a manifest lists is there with its hash, and no folder is unaccounted for."""
    result = ArchiveCheck()
    expected: set[Path] = set()
    for row in store.accepted_records():
        folder = _expected_folder(root, row)
        expected.add(folder)
        result.checked += 1
        result.faults += [ArchiveFault(row["ident"], m) for m in check_folder(folder, row["ident"])]
    for manifest in sorted(root.rglob(MANIFEST)) if root.exists() else []:
        if manifest.parent not in expected:
            result.faults.append(
                ArchiveFault(str(manifest.parent), "状态数据库中没有与这份归档对应的记录")
            )
    return result


def _expected_folder(root: Path, row: Any) -> Path:
    try:
        title = get_kind(row["kind"]).title
    except UnknownKind:  # a retired kind: where the archive stage put it at the time
        outputs = json.loads(row["submission_outputs"] or "[]")
        return Path(outputs[-1]) if outputs else root / "?" / row["ident"]
    return root / safe_name(title) / str(row["year"]) / safe_name(row["ident"])


def check_folder(folder: Path, ident: str) -> list[str]:
    """What is wrong with one record's archive folder, in Chinese (nothing: an empty list)."""
    if not folder.is_dir():
        return [f"归档文件夹不见了（应在 {folder}）"]
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
        items = files.items()
    except FileNotFoundError:
        return [f"归档不完整：缺少清单文件 {MANIFEST}（{folder}）"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return [f"清单文件 {MANIFEST} 无法读取或已损坏（{folder}）"]
    faults = []
    if manifest.get("ident") != ident:
        faults.append(f"清单记载的编号是“{manifest.get('ident')}”，与记录不符（{folder}）")
    for name, expected in items:
        path = folder / name
        if not path.is_file():
            faults.append(f"缺少文件“{name}”（{folder}）")
        elif sha256(path.read_bytes()) != expected:
            faults.append(f"文件“{name}”的内容与归档时不一致（SHA-256不符）")
    return faults
