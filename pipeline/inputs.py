"""Which files a run takes: the inbox, or the files and folders a person names.

Every path is resolved first, and one real file (the same inode, however it was named: twice
on the command line, through a folder and by itself, relative and absolute, or by a hard link)
is one ``Source``. Files in the inbox belong to the process (they leave it once their outputs
are durable); files named from elsewhere belong to the person who named them: they are read
and copied into the archive or the returned forms, never moved or deleted (unless ``move``).
Outside the inbox only files with a form's extension are taken; the outbox, the state folder
and the templates are refused as inputs. Lock, temp, hidden and system files and symbolic
links (which could point anywhere on this machine) are never taken; nor is a hard link in the
inbox whose file has another name outside it (the inbox is writable by many: a link would bring
in a file from elsewhere on this disk), nor a file whose name is not UTF-8 (it could not be
recorded or shown as it is).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import Config
from pipeline.errors import InputRefused
from pipeline.files import is_ignored, is_utf8, printable
from pipeline.screen import FORM_SUFFIXES, MACRO_SUFFIXES

TAKEN_SUFFIXES = FORM_SUFFIXES | MACRO_SUFFIXES


@dataclass(frozen=True)
class Source:
    """One file to process: where it is, its folder relative to the inbox (or to the folder
    it was found under), and whether the process may remove it when done."""

    path: Path
    subfolder: str = ""
    owned: bool = True


@dataclass
class Collected:
    sources: list[Source] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # what was left alone, said in Chinese


def _within(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def refused_folders(config: Config) -> dict[Path, str]:
    """Folders no input may come from, with what they are called."""
    from pipeline.render import builtin_templates  # (render imports docxtpl; load it late)

    folders = config.folders
    refused = {folders.outbox.resolve(): "输出文件夹", folders.state.resolve(): "状态文件夹"}
    if folders.templates is not None:
        refused[folders.templates.resolve()] = "模板文件夹"
    builtin = builtin_templates()
    if isinstance(builtin, Path):
        refused[builtin.resolve()] = "模板文件夹"
    return refused


def collect_inbox(config: Config) -> Collected:
    """Every file in the inbox (subfolders included)."""
    return collect([config.folders.inbox], config)


def collect(paths: Iterable[Path], config: Config, move: bool = False) -> Collected:
    """The sources under ``paths`` (files or folders), each real file once, in a stable order."""
    inbox = config.folders.inbox.resolve()
    refused = refused_folders(config)
    found = Collected()
    seen: set[tuple[int, int]] = set()
    links = InboxLinks(inbox)
    for given in paths:
        if given.is_symlink() or is_ignored(given):
            found.skipped.append(
                f"跳过“{printable(str(given))}”：符号链接、临时文件或隐藏文件不处理"
            )
            continue
        root = given.resolve()
        _refuse(root, refused)
        for path, base in _walk(root, inbox, refused):
            in_inbox = _within(path, inbox)
            if not in_inbox and path.suffix.lower() not in TAKEN_SUFFIXES:
                if root == path:  # named by itself: say why nothing happens to it
                    found.skipped.append(
                        f"跳过“{printable(str(given))}”：不是表单文件（.xlsx/.docx/.xls/.doc）"
                    )
                continue
            status = _status(path)
            if status is None or (status.st_dev, status.st_ino) in seen:
                continue
            seen.add((status.st_dev, status.st_ino))
            refusal = _refusal(path, status, links) if in_inbox else None
            if refusal:
                found.skipped.append(refusal)
                continue
            relative = path.parent.relative_to(inbox if in_inbox else base).as_posix()
            subfolder = "" if relative == "." else relative
            found.sources.append(Source(path, subfolder, owned=in_inbox or move))
    return found


def _refuse(root: Path, refused: dict[Path, str]) -> None:
    for folder, what in refused.items():
        if _within(root, folder):
            raise InputRefused(
                f"“{root}”在{what}（{folder}）中，不能作为要处理的表单；"
                "请指定收件箱或存放表单的文件夹"
            )


def _walk(root: Path, inbox: Path, refused: dict[Path, str]) -> Iterator[tuple[Path, Path]]:
    """``(file, the folder its subfolder is counted from)`` under ``root``, sorted by name."""
    if root.is_file():
        yield root, root.parent
        return
    if not root.is_dir():
        return
    for folder, dirs, names in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(
            d
            for d in dirs
            if not is_ignored(Path(d))
            and not (here / d).is_symlink()
            and (here / d).resolve() not in refused
        )
        for name in sorted(names):
            path = here / name
            if not is_ignored(path) and not path.is_symlink() and path.is_file():
                yield path, root


def _status(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


class InboxLinks:
    """How many names each multiply linked file has inside the inbox (counted when asked)."""

    def __init__(self, inbox: Path) -> None:
        self.inbox = inbox
        self.names: Counter[tuple[int, int]] | None = None

    def inside(self, status: os.stat_result) -> int:
        if self.names is None:
            self.names = Counter()
            for folder, _dirs, files in os.walk(self.inbox):
                for name in files:
                    found = _status(Path(folder) / name)
                    if (
                        found is not None
                        and found.st_nlink > 1
                        and not os.path.islink(os.path.join(folder, name))
                    ):
                        self.names[(found.st_dev, found.st_ino)] += 1
        return self.names[(status.st_dev, status.st_ino)]


def _refusal(path: Path, status: os.stat_result, links: InboxLinks) -> str | None:
    """Why a file in the inbox is left alone, or None when it is taken."""
    shown = printable(str(path))
    if not is_utf8(str(path)):
        return f"跳过“{shown}”：文件名中有无法识别的字符（不是UTF-8编码），请改名后重新放入"
    if status.st_nlink > 1 and status.st_nlink > links.inside(status):
        return (
            f"跳过“{shown}”：它是收件箱以外某个文件的硬链接，为免把别处的文件带进来，不处理；"
            "请放入文件的副本"
        )
    return None
