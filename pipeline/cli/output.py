"""What the commands print, and how: rich on a terminal, plain unwrapped lines otherwise.

Every piece of text is a rich ``Text`` built from parts, never markup: a file called
``表[a].xlsx`` prints as it is named, and no value from a form or a file name can raise a
markup error. Printing never stops the work: when stdout is a closed pipe (``| head``) or a
full disk, the first failed write turns printing off for the rest of the run and the batch goes
on (SPEC §5).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator, Sequence
from typing import TextIO

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from pipeline.files import printable

Part = str | tuple[str, str]  # text, or (text, style)


def _printable(part: Part) -> Part:
    if isinstance(part, str):
        return printable(part, keep="\t")
    return printable(part[0], keep="\t"), part[1]


class PipeConsole(Console):
    """rich's console, except that a closed pipe is ours to handle: rich would exit(1)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError


class Output:
    """The console of one command run."""

    def __init__(self, file: TextIO | None = None) -> None:
        self.file = file or sys.stdout
        terminal = self.file.isatty()
        self.console = PipeConsole(
            file=self.file, highlight=False, markup=False, emoji=False, soft_wrap=not terminal
        )
        self.closed = False

    @property
    def terminal(self) -> bool:
        return self.console.is_terminal

    def say(self, *parts: Part) -> None:
        """One line made of plain text and ``(text, style)`` parts; written as it is (never
        wrapped, tabs kept) when the output is not a terminal. Control characters (a file
        name's line break or terminal escape) are shown as symbols, never sent as they are."""
        line = Text.assemble(*(_printable(part) for part in parts))
        self._print(line if self.terminal else line.plain)

    def _print(self, renderable: Text | Table | str) -> None:
        if self.closed:
            return
        try:
            if isinstance(renderable, str):
                self.file.write(renderable + "\n")
            else:
                self.console.print(renderable)
            self.file.flush()
        except (BrokenPipeError, OSError, ValueError):
            self._close()

    def _close(self) -> None:
        """Stop printing; point stdout at the null device so the exit flush cannot fail."""
        self.closed = True
        with contextlib.suppress(OSError, ValueError, AttributeError):
            if self.file is sys.stdout:
                null = os.open(os.devnull, os.O_WRONLY)
                os.dup2(null, sys.stdout.fileno())
                os.close(null)

    def table(
        self,
        title: str,
        headers: Sequence[str],
        rows: Sequence[Sequence[str]],
        highlighted: Sequence[bool] = (),
    ) -> None:
        """A table on a terminal; the title and tab-separated lines elsewhere."""
        rows = [[printable(cell) for cell in row] for row in rows]
        if not self.terminal:
            self.say(title)
            for line in [headers, *rows]:
                self.say("\t".join(line))
            return
        table = Table(title=title, box=box.SIMPLE_HEAD)
        for index, header in enumerate(headers):
            # Serials and dates would be cut in the middle; Chinese text wraps well anywhere.
            cells = [row[index] for row in rows]
            latin = all(cell.isascii() for cell in cells)
            width = max(map(cell_len, cells), default=0) if latin else None
            table.add_column(header, min_width=width, overflow="fold")
        for number, row in enumerate(rows):
            marked = number < len(highlighted) and highlighted[number]
            table.add_row(*row, style="bold red" if marked else None)
        self._print(table)

    @contextlib.contextmanager
    def progress(self, total: int, label: str) -> Iterator[Progress | None]:
        """A progress bar on a terminal for long work; None otherwise."""
        if not self.terminal or total < 5 or self.closed:
            yield None
            return
        columns = (
            TextColumn(label),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
        )
        with Progress(*columns, console=self.console, transient=True) as bar:
            bar.add_task("", total=total)
            yield bar
