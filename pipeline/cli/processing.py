"""Commands that process forms: ``process``, ``watch`` and ``demo``.

Exit status of ``process`` (and ``demo``): 0 every form accepted; 1 some returned (mistakes or
重复提交); 3 done, but with warnings (a register open in Excel, a file that could not leave the
inbox); 2 a usage or environment error, or a fault of ours (the forms concerned wait in the
inbox); 130 stopped by Ctrl+C (the forms not reached wait in the inbox).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from forms import KINDS
from pipeline.cli.app import (
    EXIT_ENVIRONMENT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_REJECTED,
    EXIT_WARNINGS,
    EnvironmentFailure,
    load,
    main,
    out,
    runtime,
    session,
)
from pipeline.cli.output import Output
from pipeline.cli.printing import pdf_option, want_pdf
from pipeline.config import Config
from pipeline.engine import OUTCOMES, BatchResult, collect, collect_inbox, export_all, process_batch
from pipeline.errors import PipelineError
from pipeline.inputs import Collected, Source
from pipeline.job import Job
from pipeline.runtime import Runtime
from pipeline.samples import run_samples
from pipeline.service import run_service
from pipeline.signals import StopRequest, stop_on_signals
from pipeline.store import count_records
from pipeline.workfolder import init_folder

COLOURS = {"accepted": "green", "rejected": "red", "duplicate": "yellow", "failed": "magenta"}
Folder = click.Path(file_okay=False, path_type=Path)
FC = TypeVar("FC", bound=Callable[..., Any])


def folder_option(name: str, what: str) -> Callable[[FC], FC]:
    return click.option(f"--{name}", type=Folder, metavar="文件夹", help=f"{what}（默认取自配置）")


# Where blank forms and roster templates go (``forms build``, ``generate roster-template``).
blank_forms_out = click.option(
    "--out", "target", type=Folder, metavar="文件夹", help="输出文件夹（默认：outbox/blank-forms）"
)


def form_line(output: Output, job: Job) -> None:
    """One line per form as it is finished, with the time it was (a batch finishes forms
    in kind order, not in the order they arrived: their arrival times would go backwards)."""
    outcome = job.outcome
    detail = job.record.ident if outcome == "accepted" and job.record else job.message
    output.say(
        f"{datetime.now():%H:%M:%S}  ",
        (OUTCOMES.get(outcome, outcome), COLOURS.get(outcome, "")),
        f"  {job.display_name}  {detail}",
    )


def run_batch(
    output: Output, rt: Runtime, sources: list[Source], stop: Callable[[], bool]
) -> BatchResult:
    with output.progress(len(sources), "处理表单") as bar:

        def done(job: Job) -> None:
            form_line(output, job)
            if bar is not None:
                bar.update(bar.task_ids[0], advance=1, description=job.name)

        return process_batch(sources, rt, done, stop)


def summary(output: Output, result: BatchResult, outbox: Path) -> None:
    """What the batch did, then everything a person must act on, one line each."""
    counts = [
        str(len(result.jobs) - result.count("skipped")),
        *(str(result.count(o)) for o in ("accepted", "rejected", "duplicate", "failed")),
    ]
    output.table("本次处理结果", ["收到", "通过", "退回", "重复提交", "出错"], [counts])
    if result.count("accepted"):
        output.say(f"文书：{outbox / 'documents'}    台账：{outbox / 'registers'}")
    if result.count("rejected") or result.count("duplicate"):
        output.say(f"退回的表单及错误说明在：{outbox / 'rejected'}")
    if result.count("skipped"):
        output.say(
            f"另有{result.count('skipped')}份表单以前已处理完毕，但无法从收件箱删除，已跳过"
            "（运行 unionforms doctor 查看）"
        )
    for note in result.export.notes:
        output.say(("注意：", "yellow"), note)
    for warning in result.warnings:
        output.say(("警告：", "yellow"), warning)
    if result.stopped:
        output.say(("已停止：", "yellow"), result.stopped)


def exit_status(result: BatchResult, interrupted: bool) -> int:
    if result.count("failed"):
        raise EnvironmentFailure(
            f"有{result.count('failed')}份表单因系统故障没有处理完（不是表单的问题），"
            "文件仍留在收件箱；排除问题后再次运行即可"
        )
    if interrupted:
        return EXIT_INTERRUPTED
    if result.stopped:
        return EXIT_ENVIRONMENT
    if result.warnings or result.export.failures:
        return EXIT_WARNINGS
    return EXIT_OK if result.all_accepted else EXIT_REJECTED


def gather(config: Config, paths: tuple[Path, ...], move: bool) -> Collected:
    if not paths and not config.folders.inbox.is_dir():
        raise EnvironmentFailure(f"收件箱文件夹不存在或无法访问：{config.folders.inbox}")
    try:
        return collect(paths, config, move) if paths else collect_inbox(config)
    except PipelineError as exc:
        raise EnvironmentFailure(exc.message) from None


@main.command()
@click.argument(
    "paths", nargs=-1, type=click.Path(exists=True, path_type=Path), metavar="[文件或文件夹]..."
)
@folder_option("inbox", "收件箱文件夹")
@folder_option("outbox", "输出文件夹")
@click.option(
    "--move", is_flag=True, help="收件箱以外的文件处理后也移走（默认只读取，原文件保持不动）"
)
@pdf_option
@click.pass_context
def process(
    ctx: click.Context,
    paths: tuple[Path, ...],
    inbox: Path | None,
    outbox: Path | None,
    move: bool,
    pdf: bool,
) -> None:
    """处理一次：读取收件箱（或指定的文件、文件夹）中的全部表单后退出。

    收件箱以外的文件只读取，不移动、不删除。退出状态：0 全部通过；1 有表单被退回或重复提交；
    3 已处理完，但有需要注意的警告（例如台账正被Excel打开）；2 用法、环境错误或系统故障
    （表单仍留在收件箱）；130 按 Ctrl+C 中断。
    """
    config = load(ctx, inbox=inbox, outbox=outbox)
    want_pdf(ctx, pdf)
    output = out(ctx)
    output.say(config.describe())
    collected = gather(config, paths, move)
    for note in collected.skipped:
        output.say(note)
    stop = StopRequest()
    with runtime(ctx, "process") as rt, stop_on_signals(stop):
        if len(collected.sources) > 1:
            rt.start_workers()
        if collected.sources:
            result = run_batch(output, rt, collected.sources, stop)
        else:
            output.say(f"没有待处理的表单：{', '.join(map(str, paths)) or config.folders.inbox}")
            result = BatchResult(export=export_all(rt))
    summary(output, result, config.folders.outbox)
    sys.exit(exit_status(result, stop.stopping))


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
        rt.start_workers()
        run_service(rt, polling, interval)


DEMO_REFUSED = (
    "这个工作文件夹（状态数据库 {state}）已有{count}条正式记录；演示会把虚构的示例编号、"
    "写进正式的台账和归档，而且无法删除。请在单独的文件夹中演示：unionforms demo --dir 演示文件夹"
    "（没有时会新建）；确实要在这里演示，请加 --yes"
)


@main.command()
@click.option(
    "--dir",
    "folder",
    type=Folder,
    metavar="文件夹",
    help="在这个单独的文件夹中演示（没有时新建，并写好配置文件），不碰当前的工作文件夹",
)
@click.option(
    "--yes", is_flag=True, help="当前工作文件夹已有正式记录时也照样演示（示例会进入正式台账）"
)
@click.pass_context
def demo(ctx: click.Context, folder: Path | None, yes: bool) -> None:
    """演示：把几份填好的示例表单（含有错误的）放进收件箱并处理，展示完整流程。

    已有正式记录的工作文件夹不做演示（除非加 --yes），以免虚构的示例混进正式台账。
    """
    if folder is not None:
        try:
            made = init_folder(folder.resolve())
        except PipelineError as exc:
            raise EnvironmentFailure(exc.message) from None
        session(ctx).config_path = made.folder / "unionforms.toml"
    config = load(ctx)
    output = out(ctx)
    output.say(config.describe())
    existing = count_records(config.folders.state)
    if existing and not yes:
        raise EnvironmentFailure(DEMO_REFUSED.format(state=config.folders.state, count=existing))
    inbox = config.folders.inbox
    inbox.mkdir(parents=True, exist_ok=True)
    output.say(f"把每种表单的示例放入收件箱并处理：{inbox}")
    stop = StopRequest()
    with runtime(ctx, "demo") as rt, stop_on_signals(stop):
        rt.start_workers()
        run = run_samples(
            config,
            rt.clock().date(),
            inbox,
            lambda: run_batch(output, rt, collect_inbox(config).sources, stop),
            resubmit_first=True,
            formats=("xlsx", "docx"),
        )
    summary(output, BatchResult(jobs=run.jobs), config.folders.outbox)
    if run.accepted < run.expected_good:
        raise EnvironmentFailure("演示中应当通过的示例表单没有全部通过，请查看上面的说明")
    followups = "、".join(kind.title for kind in KINDS if kind.parent)
    output.say(
        "演示完成。有错误的示例和重复提交的文件已退回（见 rejected 文件夹中的错误说明）；"
        "其余已编号，生成了文书、台账和归档。"
        + (f"{followups}在其所跟进的记录编号之后提交。" if followups else "")
    )
