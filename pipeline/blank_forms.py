"""``unionforms forms build``: the blank form of every kind in every supported format; and the
pre-filled sheets of a follow-up kind, one per record it follows (e.g. a visit sheet per
hardship family, printed before a festival and returned through the inbox)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from forms import KINDS
from forms.base import FormKind, RecordView
from pipeline.blank_docx import build_blank_docx
from pipeline.blank_xlsx import build_blank_xlsx
from pipeline.config import Config
from pipeline.errors import ConfigError
from pipeline.files import follow_umask, safe_name, write_atomic
from pipeline.samples import FILLERS

BUILDERS: dict[str, Callable[[FormKind, Config], bytes]] = {
    "xlsx": build_blank_xlsx,
    "docx": build_blank_docx,
}


def write_blank_forms(config: Config, folder: Path) -> list[Path]:
    """Write ``<title>.<format>`` for every kind into ``folder``; returns the files written."""
    if folder.resolve().is_relative_to(config.folders.inbox.resolve()):
        raise ConfigError("空白表单不能写入收件箱（否则会被当作提交的表单处理），请换一个文件夹")
    written = []
    for kind in KINDS:
        for suffix, build in BUILDERS.items():
            # No personal data: readable as the umask says, so the share can hand them out.
            target = folder / f"{safe_name(kind.title)}.{suffix}"
            written.append(follow_umask(write_atomic(target, build(kind, config))))
    return written


def prefilled_form(
    kind: FormKind,
    config: Config,
    parent: RecordView,
    fmt: str,
    row: dict[str, Any] | None = None,
) -> bytes:
    """The blank ``fmt`` form of the follow-up ``kind`` with what it carries from ``parent``
    (and from one ``row`` of the parent's table) filled in: the serial, the name … and the
    rest left for whoever fills it in. It reads back like any form of the kind."""
    return FILLERS[fmt](kind, config, kind.prefill(parent, row))
