"""Commands that process forms: ``process``, ``watch`` and ``demo``."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pipeline.cli.app import (
    EXIT_OK,
    EXIT_REJECTED,
    EnvironmentFailure,
    load,
    main,
    out,
    runtime,
    session,
)
from pipeline.cli.output import Output
from pipeline.cli.printing import pdf_option, want_pdf
from pipeline.engine import OUTCOMES, BatchResult, collect, export_all, process_batch
from pipeline.job import Job
from pipeline.runtime import Runtime
from pipeline.samples import run_samples
from pipeline.service import run_service

COLOURS = {"accepted": "green", "rejected": "red", "duplicate": "yellow", "failed": "magenta"}
Folder = click.Path(file_okay=False, path_type=Path)
FC = TypeVar("FC", bound=Callable[..., Any])


def folder_option(name: str, what: str) -> Callable[[FC], FC]:
    return click.option(f"--{name}", type=Folder, metavar="文件夹", help=f"{what}（默认取自配置）")


def form_line(output: Output, job: Job) -> None:
    outcome = job.outcome
    detail = job.record.ident if outcome == "accepted" and job.record else job.message
    output.say(
        f"{job.received_at:%H:%M:%S}  ",
        (OUTCOMES.get(outcome, outcome), COLOURS.get(outcome, "")),
        f"  {job.display_name}  {detail}",
    )


def run_batch(output: Output, rt: Runtime, files: list[tuple[Path, str]]) -> BatchResult:
    with output.progress(len(files), "处理表单") as bar:

        def done(job: Job) -> None:
            form_line(output, job)
            if bar is not None:
                bar.update(bar.task_ids[0], advance=1, description=job.name)

        return process_batch(files, rt, done)


def summary(output: Output, result: BatchResult, outbox: Path) -> None:
    counts = [
        str(len(result.jobs)),
        *(str(result.count(o)) for o in ("accepted", "rejected", "duplicate", "failed")),
    ]
    output.table("本次处理结果", ["收到", "通过", "退回", "重复提交", "出错"], [counts])
    if result.count("accepted"):
        output.say(f"文书：{outbox / 'documents'}    台账：{outbox / 'registers'}")
    if result.count("rejected") or result.count("duplicate"):
        output.say(f"退回的表单及错误说明在：{outbox / 'rejected'}")


@main.command()
@click.argument(
    "paths", nargs=-1, type=click.Path(exists=True, path_type=Path), metavar="[文件或文件夹]..."
)
@folder_option("inbox", "收件箱文件夹")
@folder_option("outbox", "输出文件夹")
@pdf_option
@click.pass_context
def process(
    ctx: click.Context,
    paths: tuple[Path, ...],
    inbox: Path | None,
    outbox: Path | None,
    pdf: bool,
) -> None:
    """处理一次：读取收件箱（或指定的文件、文件夹）中的全部表单后退出。

    退出状态：0 全部通过；1 有表单被退回或重复提交；2 用法、环境错误或系统故障（表单仍留在收件箱）。
    """
    config = load(ctx, inbox=inbox, outbox=outbox)
    want_pdf(ctx, pdf)
    output = out(ctx)
    output.say(config.describe())
    folders = config.folders
    if not paths and not folders.inbox.is_dir():
        raise EnvironmentFailure(f"收件箱文件夹不存在或无法访问：{folders.inbox}")
    files = collect(paths or (folders.inbox,), skip=(folders.outbox, folders.state))
    with runtime(ctx, "process") as rt:
        if not files:
            output.say(f"收件箱中没有待处理的表单：{folders.inbox}")
            export_all(rt)
            return
        result = run_batch(output, rt, files)
    summary(output, result, folders.outbox)
    if result.count("failed"):
        raise EnvironmentFailure(
            f"有{result.count('failed')}份表单因系统故障没有处理完（不是表单的问题），"
            "文件仍留在收件箱；排除问题后再次运行即可"
        )
    sys.exit(EXIT_OK if result.all_accepted else EXIT_REJECTED)


@main.command()
@folder_option("inbox", "收件箱文件夹")
@folder_option("outbox", "输出文件夹")
@click.option(
    "--polling", is_flag=True, help="定时轮询收件箱（网络共享文件夹收不到变化通知时使用）"
)
@click.option(
    "--interval",
    type=float,
    metavar="秒数",
    help="轮询间隔秒数，不小于0.1（与 --polling 一起用；"
    "默认取自配置 watch.polling_interval_seconds）",
)
@pdf_option
@click.pass_context
def watch(
    ctx: click.Context,
    inbox: Path | None,
    outbox: Path | None,
    polling: bool,
    interval: float | None,
    pdf: bool,
) -> None:
    """作为服务持续监视收件箱：启动时先处理已有的表单，之后每放入一份就处理一份。

    文件复制完成（大小不再变化且能完整打开）后才处理；收件箱暂时无法访问时会等待并重试。
    按 Ctrl+C 或发送 SIGTERM 停止：手头的表单处理完才退出。日志在状态文件夹的 unionforms.log 中。
    """
    if interval is not None and not 0.1 <= interval <= 3600:
        raise click.BadParameter("应为0.1至3600之间的秒数", param_hint="--interval")
    config = load(ctx, inbox=inbox, outbox=outbox)
    want_pdf(ctx, pdf)
    out(ctx).say(config.describe())
    with runtime(ctx, "watch") as rt:
        session(ctx).log_to_state(logging.INFO)
        run_service(rt, polling, interval)


@main.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """演示：把几份填好的示例表单（含有错误的）放进收件箱并处理，展示完整流程。"""
    config = load(ctx)
    output = out(ctx)
    output.say(config.describe())
    inbox = config.folders.inbox
    inbox.mkdir(parents=True, exist_ok=True)
    output.say(f"把每种表单的示例放入收件箱并处理：{inbox}")
    with runtime(ctx, "demo") as rt:
        skip = (config.folders.outbox, config.folders.state)
        run = run_samples(
            config,
            rt.clock().date(),
            inbox,
            lambda: run_batch(output, rt, collect((inbox,), skip=skip)),
            resubmit_first=True,
            formats=("xlsx", "docx"),
        )
    summary(output, BatchResult(jobs=run.jobs), config.folders.outbox)
    if run.accepted < run.expected_good:
        raise EnvironmentFailure("演示中应当通过的示例表单没有全部通过，请查看上面的说明")
    output.say(
        "演示完成。有错误的示例和重复提交的文件已退回（见 rejected 文件夹中的错误说明）；"
        "其余已编号，生成了文书、台账和归档。整改回执在其隐患编号之后提交。"
    )
