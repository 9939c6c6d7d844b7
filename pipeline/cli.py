"""The ``unionforms`` command. Each command parses its options, calls one core function and
turns a ``PipelineError`` into a Chinese message and exit status 2.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import click
from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from forms import KINDS
from forms.base import FormKind, Listing
from pipeline.archive import verify_archive
from pipeline.blank_forms import write_blank_forms
from pipeline.config import Config, load_config
from pipeline.engine import OUTCOMES, BatchResult, collect, export_all, process_batch
from pipeline.errors import PipelineError
from pipeline.job import Job
from pipeline.listing import list_records
from pipeline.lock import processing_lock
from pipeline.runtime import Runtime, open_runtime
from pipeline.samples import run_samples
from pipeline.service import run_service

COLOURS = {"accepted": "green", "rejected": "red", "duplicate": "yellow", "failed": "magenta"}
console = Console(highlight=False)


class EnvironmentFailure(click.ClickException):
    """A usage or environment problem: exit status 2."""

    exit_code = 2

    def show(self, file: object = None) -> None:
        click.echo(f"错误：{self.message}", err=True)


FolderOption = click.Path(file_okay=False, path_type=Path)


def settings(ctx: click.Context, **folders: Path | None) -> Config:
    try:
        return load_config(ctx.obj).with_folders(**folders)
    except PipelineError as exc:
        raise EnvironmentFailure(exc.message) from None


@contextmanager
def runtime(config: Config, command: str | None = None) -> Iterator[Runtime]:
    """The runtime. A ``command`` that processes forms or writes the outbox also holds the
    state folder's lock (one such process at a time); one that only reads does not."""
    folders = config.folders
    try:
        lock = processing_lock(folders.state, folders.inbox, command) if command else nullcontext()
        with lock:
            rt = open_runtime(config)
            try:
                yield rt
            finally:
                rt.close()
    except PipelineError as exc:
        raise EnvironmentFailure(exc.message) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="配置文件（默认：当前文件夹中的 unionforms.toml；没有则用内置默认值）",
)
@click.version_option(package_name="unionforms")
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """盛源热电工会表单处理：读取、校验、编号表单，生成公文、台账和归档。"""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    ctx.obj = config_path


def form_line(job: Job) -> str:
    outcome = job.outcome
    colour = COLOURS.get(outcome, "white")
    detail = job.record.ident if outcome == "accepted" and job.record else job.message
    return (
        f"{job.received_at:%H:%M:%S}  [{colour}]{OUTCOMES.get(outcome, outcome)}[/{colour}]  "
        f"{job.display_name}  {detail}"
    )


def run_batch(rt: Runtime, files: list[tuple[Path, str]]) -> BatchResult:
    if len(files) < 5 or not console.is_terminal:
        return process_batch(files, rt, lambda job: console.print(form_line(job)))
    columns = (
        TextColumn("处理表单"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("", total=len(files))

        def done(job: Job) -> None:
            progress.console.print(form_line(job))
            progress.update(task, advance=1, description=job.name)

        return process_batch(files, rt, done)


def summary(result: BatchResult, outbox: Path) -> None:
    table = Table(title="本次处理结果", show_lines=False)
    for header in ("收到", "通过", "退回", "重复提交", "出错"):
        table.add_column(header, justify="right")
    table.add_row(
        str(len(result.jobs)),
        f"[green]{result.count('accepted')}",
        f"[red]{result.count('rejected')}",
        f"[yellow]{result.count('duplicate')}",
        f"[magenta]{result.count('failed')}",
    )
    console.print(table)
    if result.count("accepted"):
        console.print(f"文书：{outbox / 'documents'}    台账：{outbox / 'registers'}")
    if result.count("rejected") or result.count("duplicate"):
        console.print(f"退回的表单及错误说明在：{outbox / 'rejected'}")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--inbox", type=FolderOption, help="收件箱文件夹（默认取自配置）")
@click.option("--outbox", type=FolderOption, help="输出文件夹（默认取自配置）")
@click.pass_context
def process(
    ctx: click.Context, paths: tuple[Path, ...], inbox: Path | None, outbox: Path | None
) -> None:
    """处理一次：读取收件箱（或指定的文件、文件夹）中的全部表单后退出。

    退出状态：0 全部通过；1 有表单被退回或重复提交；2 用法或环境错误。
    """
    config = settings(ctx, inbox=inbox, outbox=outbox)
    folders = config.folders
    if not paths and not folders.inbox.is_dir():
        raise EnvironmentFailure(f"收件箱文件夹不存在或无法访问：{folders.inbox}")
    files = collect(paths or (folders.inbox,), skip=(folders.outbox, folders.state))
    with runtime(config, "process") as rt:
        if not files:
            console.print(f"收件箱中没有待处理的表单：{folders.inbox}")
            export_all(rt)
            return
        result = run_batch(rt, files)
    summary(result, folders.outbox)
    if result.count("failed"):
        raise EnvironmentFailure(
            f"有{result.count('failed')}份表单处理出错（原因见上），文件仍留在收件箱；"
            "排除问题后再次运行即可"
        )
    sys.exit(0 if result.all_accepted else 1)


@main.command()
@click.option("--inbox", type=FolderOption, help="收件箱文件夹（默认取自配置）")
@click.option("--outbox", type=FolderOption, help="输出文件夹（默认取自配置）")
@click.option(
    "--polling", is_flag=True, help="定时轮询收件箱（网络共享文件夹收不到变化通知时使用）"
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    help="轮询间隔秒数（与 --polling 一起用；默认取自配置 watch.polling_interval_seconds）",
)
@click.pass_context
def watch(
    ctx: click.Context,
    inbox: Path | None,
    outbox: Path | None,
    polling: bool,
    interval: float | None,
) -> None:
    """作为服务持续监视收件箱：启动时先处理已有的表单，之后每放入一份就处理一份。

    文件复制完成（大小不再变化且能完整打开）后才处理；收件箱暂时无法访问时会等待并重试。
    按 Ctrl+C 或发送 SIGTERM 停止：手头的表单处理完才退出。日志在状态文件夹的 watch.log 中。
    """
    config = settings(ctx, inbox=inbox, outbox=outbox)
    with runtime(config, "watch") as rt:
        run_service(rt, polling, interval, sys.stdout)


@main.group("forms")
def forms_group() -> None:
    """空白表单。"""


@forms_group.command("build")
@click.option("--out", type=FolderOption, help="输出文件夹（默认：outbox/blank-forms）")
@click.pass_context
def forms_build(ctx: click.Context, out: Path | None) -> None:
    """为每一种表单生成空白表单（按表单名称命名），供各部门填写。"""
    config = settings(ctx)
    folder = out or config.folders.outbox / "blank-forms"
    try:
        written = write_blank_forms(config, folder)
    except PipelineError as exc:
        raise EnvironmentFailure(exc.message) from None
    for path in written:
        console.print(f"已生成：{path}")


@main.command()
def kinds() -> None:
    """列出系统能处理的表单种类。"""
    for kind in KINDS:
        prefix = kind.serial_prefix or "无"
        console.print(f"[bold]{kind.title}[/bold]（{kind.key}，编号前缀 {prefix}）")
        if kind.summary:
            console.print(f"    {kind.summary}")
        if kind.documents:
            console.print(f"    文书：{'、'.join(d.title for d in kind.documents)}")
        if kind.registers:
            console.print(f"    台账：{'、'.join(r.title for r in kind.registers)}")


@main.command()
@click.option("--outbox", type=FolderOption, help="输出文件夹（默认取自配置）")
@click.pass_context
def registers(ctx: click.Context, outbox: Path | None) -> None:
    """按存储的记录重新导出全部台账（例如台账文件被误删或改动之后）。"""
    config = settings(ctx, outbox=outbox)
    with runtime(config, "registers") as rt:
        for path in export_all(rt):
            console.print(f"已导出：{path}")


@main.group("archive")
def archive_group() -> None:
    """归档。"""


@archive_group.command("verify")
@click.option("--outbox", type=FolderOption, help="输出文件夹（默认取自配置）")
@click.pass_context
def archive_verify(ctx: click.Context, outbox: Path | None) -> None:
    """逐一核对归档清单中每个文件的SHA-256，报告缺失或被改动的文件。"""
    config = settings(ctx, outbox=outbox)
    checked, faults = verify_archive(config.folders.outbox / "archive")
    for fault in faults:
        console.print(f"[red]有问题[/red]  {fault.folder}：{fault.message}")
    console.print(f"核对了{checked}份归档，发现{len(faults)}处问题。")
    sys.exit(1 if faults else 0)


@main.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """演示：把几份填好的示例表单（含有错误的）放进收件箱并处理，展示完整流程。"""
    config = settings(ctx)
    inbox = config.folders.inbox
    inbox.mkdir(parents=True, exist_ok=True)
    console.print(f"把每种表单的示例放入收件箱并处理：{inbox}")
    with runtime(config, "demo") as rt:
        run = run_samples(
            config,
            rt.clock().date(),
            inbox,
            lambda: run_batch(
                rt, collect((inbox,), skip=(config.folders.outbox, config.folders.state))
            ),
            resubmit_first=True,
            formats=("xlsx", "docx"),
        )
    summary(BatchResult(jobs=run.jobs), config.folders.outbox)
    if run.accepted < run.expected_good:
        raise EnvironmentFailure("演示中应当通过的示例表单没有全部通过，请查看上面的说明")
    console.print(
        "演示完成。有错误的示例和重复提交的文件已退回（见 rejected 文件夹中的错误说明）；"
        "其余已编号，生成了文书、台账和归档。整改回执在其隐患编号之后提交。"
    )


def show_listing(kind: FormKind, listing: Listing, ctx: click.Context) -> None:
    config = settings(ctx)
    with runtime(config) as rt:
        listed = list_records(rt, kind, listing)
    if not listed.rows:
        console.print(listing.empty)
        return
    # No column rules: a listing must fit an 80-column console.
    table = Table(
        title=f"{listed.title}（{listed.today:%Y-%m-%d}，共{len(listed.rows)}项）",
        box=box.SIMPLE_HEAD,
    )
    for index, header in enumerate(listed.headers):
        # Serials and dates would be cut in the middle; Chinese text wraps well anywhere.
        cells = [row.cells[index] for row in listed.rows]
        latin = all(cell.isascii() for cell in cells)
        table.add_column(
            header, min_width=max(map(cell_len, cells)) if latin else None, overflow="fold"
        )
    for row in listed.rows:
        table.add_row(*row.cells, style="bold red" if row.highlighted else None)
    console.print(table)


def add_listing_command(kind: FormKind, listing: Listing) -> None:
    """One command per listing a kind declares (e.g. ``unionforms hazards``)."""

    @click.pass_context
    def command(ctx: click.Context) -> None:
        show_listing(kind, listing, ctx)

    main.command(listing.command, help=listing.help)(command)


for _kind in KINDS:
    for _listing in _kind.listings:
        add_listing_command(_kind, _listing)
