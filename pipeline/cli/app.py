"""The ``unionforms`` group: options every command shares, how configuration and the runtime
are opened, and how failures reach the person at the console.

A ``PipelineError`` becomes one Chinese sentence and exit status 2. Any other exception is a
fault of ours: its traceback goes to the log file and the console says, in one sentence, what
did not happen and where the details are (``--debug`` shows the traceback instead).
"""

from __future__ import annotations

import logging
import sys
import tempfile
import traceback
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from pipeline.cli import chinese
from pipeline.cli.output import Output
from pipeline.config import Config, load_config
from pipeline.errors import PipelineError
from pipeline.files import private_dir
from pipeline.lock import processing_lock
from pipeline.logs import log_path, setup_logging
from pipeline.runtime import Runtime, open_runtime
from pipeline.store import require_store

chinese.install()
EXIT_OK, EXIT_REJECTED, EXIT_ENVIRONMENT, EXIT_WARNINGS, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class EnvironmentFailure(click.ClickException):
    """A usage or environment problem, or a fault of ours: exit status 2."""

    exit_code = EXIT_ENVIRONMENT

    def show(self, file: Any = None) -> None:
        click.echo(f"错误：{self.message}", err=True)


@dataclass
class Session:
    """One run of the command: the options given before the command name, the output."""

    config_path: Path | None
    debug: bool
    out: Output = field(default_factory=Output)
    config: Config | None = None

    def load(self, **folders: Path | None) -> Config:
        """The configuration (see ``pipeline.config``), command-line folders applied."""
        try:
            self.config = load_config(self.config_path).with_folders(**folders)
        except PipelineError as exc:
            raise EnvironmentFailure(exc.message) from None
        return self.config

    def log_to_state(self, console_level: int = logging.WARNING) -> None:
        """Log into the state folder's log file from now on (commands that use the store)."""
        assert self.config is not None
        state = self.config.folders.state
        try:
            private_dir(state)
        except OSError as exc:
            raise EnvironmentFailure(
                f"无法创建状态文件夹 {state}（{exc.strerror or exc}）；"
                "请检查 unionforms.toml 中的 [folders] state"
            ) from None
        setup_logging(state, sys.stderr, console_level, self.debug)

    def bug_report(self) -> Path:
        """Append the traceback in hand to the log file; returns where it went."""
        state = self.config.folders.state if self.config else None
        target = log_path(state) if state and state.is_dir() else None
        for path in (target, Path(tempfile.gettempdir()) / "unionforms-error.log"):
            if path is None:
                continue
            try:
                with path.open("a", encoding="utf-8") as handle:
                    handle.write(f"{datetime.now():%Y-%m-%d %H:%M:%S} 程序内部错误\n")
                    handle.write(traceback.format_exc())
            except OSError:
                continue
            return path
        return Path("（无法写入日志）")


def session(ctx: click.Context) -> Session:
    found: Session = ctx.find_root().obj
    return found


class MainGroup(chinese.Group):
    """The top group: turns a fault of ours into one Chinese sentence and the log file."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception:
            current = ctx.obj
            if current is None or current.debug:
                raise
            where = current.bug_report()
            raise EnvironmentFailure(
                f"程序内部错误，本次操作没有完成（不是表单或操作的问题）；"
                f"详细信息已写入 {where}，请把它交给维护人员。"
                "加 --debug 运行可在屏幕上看到详细信息。"
            ) from None


@click.group(cls=MainGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="配置文件",
    help="配置文件（默认依次查找：环境变量 UNIONFORMS_CONFIG、当前文件夹中的 unionforms.toml；"
    "都没有则用内置默认值，文件夹在当前文件夹下）",
)
@click.option("--debug", is_flag=True, help="出错时在屏幕上显示详细的程序信息（供维护人员排查）")
@click.version_option(package_name="unionforms", message="%(prog)s %(version)s")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None, debug: bool) -> None:
    """盛源热电工会表单处理：读取、校验、编号表单，生成公文、台账和归档。"""
    ctx.obj = Session(config_path, debug)
    setup_logging(None, sys.stderr, logging.WARNING, debug)


def load(ctx: click.Context, **folders: Path | None) -> Config:
    return session(ctx).load(**folders)


@contextmanager
def runtime(
    ctx: click.Context, command: str | None = None, lock: bool = True, create: bool = True
) -> Iterator[Runtime]:
    """The runtime. A ``command`` that processes forms or writes the outbox logs into the state
    folder and holds its lock (one such process at a time) unless ``lock`` is false (a report
    or a batch writes only new folders of its own and the store, which SQLite itself guards);
    it makes the store on its first run unless ``create`` is false (a command that only works
    on forms already processed). Without a command, the store is opened read-only, without the
    lock. Either way a command run in the wrong folder says so instead of making a state folder
    there."""
    current = session(ctx)
    config = current.config or current.load()
    folders = config.folders
    try:
        if not (command and create):
            require_store(folders.state)
        if command:
            current.log_to_state()
        held = (
            processing_lock(folders.state, folders.inbox, command)
            if command and lock
            else nullcontext()
        )
        with held:
            rt = open_runtime(config, read_only=not command)
            try:
                yield rt
            finally:
                rt.close()
    except PipelineError as exc:
        raise EnvironmentFailure(exc.message) from None


def out(ctx: click.Context) -> Output:
    return session(ctx).out
