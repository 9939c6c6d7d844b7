"""The archive: for every accepted form, the original byte for byte, its documents and a
manifest with the SHA-256 of each, in a folder of its own; and the check of the whole archive.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from forms.base import FormKind, RecordView
from pipeline.files import private_dir, safe_name, write_atomic

MANIFEST = "manifest.json"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def record_folder(root: Path, kind: FormKind, record: RecordView) -> Path:
    return root / safe_name(kind.title) / str(record.year) / safe_name(record.ident)


def archive_record(
    root: Path, kind: FormKind, record: RecordView, original: bytes, documents: list[Path]
) -> Path:
    """Write the archive folder; the manifest goes last, so a folder with one is complete."""
    private_dir(root)
    folder = private_dir(record_folder(root, kind, record))
    files = {f"原件-{safe_name(record.source_name)}": original}
    files |= {document.name: document.read_bytes() for document in documents}
    for name, data in files.items():
        write_atomic(folder / name, data)
    manifest = {
        "kind": kind.key,
        "title": kind.title,
        "ident": record.ident,
        "serial": record.serial,
        "original_name": record.source_name,
        "received_at": record.received_at.isoformat(timespec="seconds"),
        "files": {name: sha256(data) for name, data in files.items()},
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2)
    write_atomic(folder / MANIFEST, text.encode("utf-8"))
    return folder


@dataclass(frozen=True)
class ArchiveFault:
    folder: Path
    message: str


def verify_archive(root: Path) -> tuple[int, list[ArchiveFault]]:
    """Check every manifest under ``root``: each listed file present with its hash."""
    faults = []
    manifests = sorted(root.rglob(MANIFEST)) if root.exists() else []
    for manifest_path in manifests:
        folder = manifest_path.parent
        try:
            files = json.loads(manifest_path.read_text(encoding="utf-8"))["files"]
        except (OSError, ValueError, KeyError, TypeError):
            faults.append(ArchiveFault(folder, "清单文件 manifest.json 无法读取或已损坏"))
            continue
        for name, expected in files.items():
            path = folder / name
            if not path.is_file():
                faults.append(ArchiveFault(folder, f"缺少文件“{name}”"))
            elif sha256(path.read_bytes()) != expected:
                faults.append(
                    ArchiveFault(folder, f"文件“{name}”的内容与归档时不一致（SHA-256不符）")
                )
    described = {path.parent for path in manifests}
    for folder in sorted(root.glob("*/*/*")) if root.exists() else []:
        if folder.is_dir() and folder not in described:
            faults.append(ArchiveFault(folder, "归档不完整：缺少清单文件 manifest.json"))
    return len(manifests), faults
