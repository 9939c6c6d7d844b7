"""Commands made from what the kinds declare: ``report <name>``, ``generate <name>``,
``generate roster-template`` and ``status <name>``.

Each ends with a table of what it wrote; exit status 0, 1 when some roster rows were bad,
2 on a usage or environment error. Outputs go to a new dated folder under the outbox.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from forms import KINDS
from forms.base import FormKind
from forms.reports import Batch, Period, Report
from pipeline.batches import BatchRun, GenerationStopped, generate, returns, returns_table
from pipeline.cli.app import EXIT_INTERRUPTED, EnvironmentFailure, load, main, out, runtime
from pipeline.cli.output import Output
from pipeline.cli.processing import blank_forms_out
from pipeline.errors import PipelineError
from pipeline.files import follow_umask, safe_name, write_atomic
from pipeline.listing import cell_text
from pipeline.registers import Masks, cell_value
from pipeline.reporting import (
    ReportData,
    due_period,
    make_report,
    month_period,
    quarter_period,
    year_period,
)
from pipeline.roster import roster_template
from pipeline.runs import write_report

PERIOD_OPTIONS = {
    "year": click.option("--year", type=int, metavar="年份", help="年度，例如 2026（默认今年）"),
    "quarter": click.option("--quarter", metavar="季度", help="季度，例如 2026Q4"),
    "month": click.option("--month", metavar="月份", help="月份，例如 2026-11"),
    "due": click.option(
        "--within",
        type=int,
        default=30,
        show_default=True,
        metavar="天数",
        help="列出今天起这么多天内到期的（已逾期的也列出）",
    ),
}


@main.group("report")
def report_group() -> None:
    """报表：按年度、季度或月份汇总记录，生成Excel统计表和Word报告。"""


@main.group("generate")
def generate_group() -> None:
    """批量生成：按名单为每个单位生成预先填好的文书和回交表单。"""


@main.group("status")
def status_group() -> None:
    """批量生成的表单交回情况：哪些单位已交、哪些未交。"""


def period_of(report: Report, options: dict[str, Any], today: date) -> Period:
    given = [f"--{name}" for name in ("year", "quarter", "month") if options.get(name)]
    if len(given) > 1:
        raise EnvironmentFailure(f"{'、'.join(given)} 只能选一个：一份报表只统计一个期间")
    try:
        if options.get("quarter"):
            return quarter_period(options["quarter"])
        if options.get("month"):
            return month_period(options["month"])
        if "due" in report.periods:
            return due_period(today, int(options.get("within") or 30))
        return year_period(int(options.get("year") or today.year))
    except PipelineError as exc:
        raise EnvironmentFailure(exc.message) from None


def wrote(output: Output, paths: list[Path], what: Callable[[Path], str]) -> None:
    """The table every command ends with: each file written and what it is."""
    output.table("本次生成的文件", ["文件", "内容"], [[str(path), what(path)] for path in paths])


def shown(value: Any) -> str:
    return cell_text(cell_value(value, None, Masks()))


def show_rows(output: Output, data: ReportData) -> None:
    columns = data.report.table.columns
    output.table(
        f"{data.report.title}（{data.period.label}，共{len(data.rows)}条）",
        [data.header(column.key) for column in columns],
        [[shown(row.get(column.key)) for column in columns] for row in data.rows],
    )


def run_report(ctx: click.Context, kind: FormKind, report: Report, options: dict[str, Any]) -> None:
    load(ctx)
    output = out(ctx)
    with runtime(ctx, "report", lock=False, create=False) as rt:
        period = period_of(report, options, rt.clock().date())
        data = make_report(rt, kind, report, period)
        if not data.rows:
            output.say(f"{report.title}（{period.label}）：{report.empty}")
            return
        written = write_report(rt, data)
    if report.due_key:
        show_rows(output, data)
    for tally in data.tallies:
        output.table(
            f"{tally.title}（{period.label}）",
            tally.headers,
            [[shown(v) for v in r] for r in tally.rows],
        )
    wrote(output, written, lambda path: "统计表" if path.suffix == ".xlsx" else "报告（Word）")


def add_report(kind: FormKind, report: Report) -> None:
    @click.pass_context
    def command(ctx: click.Context, **options: Any) -> None:
        run_report(ctx, kind, report, options)

    for period in report.periods:
        command = PERIOD_OPTIONS[period](command)
    report_group.command(report.command, help=report.help)(command)


def run_batch(
    ctx: click.Context, kind: FormKind, batch: Batch, year: int, choice: str, roster: Path | None
) -> None:
    load(ctx)
    output = out(ctx)
    with (
        runtime(ctx, "generate", lock=False, create=False) as rt,
        output.progress(1, "生成") as bar,
    ):

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.update(bar.task_ids[0], completed=done, total=total)

        try:
            run = generate(rt, kind, batch, year, choice, roster, progress)
        except GenerationStopped as stopped:
            if isinstance(stopped.cause, KeyboardInterrupt):
                output.say(("已中断：", "yellow"), stopped.message.removeprefix("已中断："))
                sys.exit(EXIT_INTERRUPTED)
            raise EnvironmentFailure(stopped.message) from None
        except PipelineError as exc:
            raise EnvironmentFailure(exc.message) from None
    report_run(output, batch, year, run)
    sys.exit(1 if run.problems else 0)


def report_run(output: Output, batch: Batch, year: int, run: BatchRun) -> None:
    for problem in run.problems:
        output.say(("名单有误：", "red"), problem, "（这一行未生成，其余照常）")
    output.table(
        f"{batch.title}（{year}年）",
        ["文件夹", "份数", "文件数", "名单中有误的行"],
        [[str(run.folder), str(run.recipients), str(len(run.written)), str(len(run.problems))]],
    )
    output.say(f"交回情况：unionforms status {batch.command} --year {year}")


def add_batch(kind: FormKind, batch: Batch) -> None:
    @click.pass_context
    def command(ctx: click.Context, year: int, roster: Path | None = None, **choice: str) -> None:
        picked = next(iter(choice.values()), "")
        run_batch(ctx, kind, batch, year, picked, roster)

    year_option = click.option(
        "--year", type=int, required=True, metavar="年份", help="年度，例如 2027"
    )
    command = year_option(command)
    if batch.roster:
        command = click.option(
            "--roster",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            required=True,
            metavar="名单.xlsx",
            help="单位名单（每行一个单位及其负责人；模板见 unionforms generate roster-template）",
        )(command)
    if batch.choice is not None:
        command = click.option(
            f"--{batch.choice.option}",
            type=click.Choice(batch.choice.choices),
            default=batch.choice.default,
            show_default=True,
            help=batch.choice.help,
        )(command)
    generate_group.command(batch.command, help=batch.help)(command)

    @click.pass_context
    @year_option
    def status(ctx: click.Context, year: int) -> None:
        show_returns(ctx, kind, batch, year)

    status_group.command(batch.command, help=f"{batch.title}的交回情况：已交、未交。")(status)


def show_returns(ctx: click.Context, kind: FormKind, batch: Batch, year: int) -> None:
    load(ctx)
    with runtime(ctx) as rt:
        items = returns(rt, kind, batch, year)
    output = out(ctx)
    if not items:
        output.say(f"没有为{year}年生成过{batch.title}（unionforms generate {batch.command}）。")
        return
    table = returns_table(kind, batch, items)
    output.table(f"{batch.title}交回情况（{year}年）", table.headers, table.rows, table.missing)
    output.say(table.summary)


@generate_group.command("roster-template")
@blank_forms_out
@click.pass_context
def roster_templates(ctx: click.Context, target: Path | None) -> None:
    """生成空白的单位名单模板（.xlsx），填好后用于 unionforms generate。"""
    config = load(ctx)
    folder = target or config.folders.outbox / "blank-forms"
    written = [
        follow_umask(
            write_atomic(
                folder / f"{safe_name(batch.title)}名单（模板）.xlsx", roster_template(batch)
            )
        )
        for kind in KINDS
        for batch in kind.batches
        if batch.roster
    ]
    wrote(out(ctx), written, lambda path: "单位名单模板")


for _kind in KINDS:
    for _report in _kind.reports:
        add_report(_kind, _report)
    for _batch in _kind.batches:
        add_batch(_kind, _batch)
