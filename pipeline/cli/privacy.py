"""Commands for personal data (PIPL): ``purge`` what is past its retention period, and
``export-person``, everything held about one person."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from forms.fields import IdNumber, Invalid
from pipeline.cli.app import EnvironmentFailure, load, main, out, runtime
from pipeline.cli.output import Output
from pipeline.engine import export_all
from pipeline.errors import PipelineError
from pipeline.personal import export_person
from pipeline.purge import PurgePlan, carry_out, plan_purge


def _date(ctx: click.Context, param: click.Parameter, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"“{value}”不是日期，应写成 2016-01-01 这样") from None


def show_plan(output: Output, plan: PurgePlan) -> None:
    rows = [
        [item.ident, item.title, item.received.isoformat(), plain_day(item.ended)]
        for item in plan.records
    ]
    if rows:
        output.table("保存期限已满、将删除的记录", ["编号", "表单", "收到日期", "了结日期"], rows)
    if plan.returned:
        output.table(
            "保存期限已满、将删除的退回表单",
            ["文件", "收到日期"],
            [[item.ident, item.received.isoformat()] for item in plan.returned],
        )
    if plan.kept:
        output.table(
            "收到日期在此之前、但仍须保存的记录",
            ["编号", "表单", "原因"],
            [[kept.ident, kept.title, kept.reason] for kept in plan.kept],
        )


def plain_day(day: date | None) -> str:
    return day.isoformat() if day else ""


@main.command()
@click.option(
    "--before",
    required=True,
    callback=_date,
    metavar="日期",
    help="只考虑在这一天之前收到的记录和退回的表单，例如 2016-01-01",
)
@click.option("--kind", "kind_key", metavar="种类", help="只删除这一种表单（见 unionforms kinds）")
@click.option("--dry-run", is_flag=True, help="只列出会删除和会保留的内容，不做任何改动")
@click.option("--yes", is_flag=True, help="不再询问，直接删除")
@click.pass_context
def purge(ctx: click.Context, before: date, kind_key: str | None, dry_run: bool, yes: bool) -> None:
    """删除保存期限已满的记录（连同回执、文书和归档）和退回的表单。

    保存期限在 unionforms.toml 的 [retention] 和 [privacy] 中按表单种类设置，从事项了结之日
    （例如困难档案销档、隐患整改验收）起算；尚未了结或未满期限的一律保留并说明原因。删除前会
    列出清单并要求确认；删除记入审计日志，台账随即重新导出，编号不会被再次使用。
    """
    load(ctx)
    output = out(ctx)
    with runtime(ctx, "purge") as rt:
        try:
            plan = plan_purge(rt.store, rt.config, before, kind_key, rt.clock().date())
        except PipelineError as exc:
            raise EnvironmentFailure(exc.message) from None
        show_plan(output, plan)
        if plan.empty:
            output.say("没有保存期限已满、可以删除的内容。")
            return
        if dry_run:
            output.say("（试运行：没有删除任何内容。去掉 --dry-run 才会删除。）")
            return
        if not yes:
            question = (
                f"确定永久删除以上{len(plan.records)}条记录（连同文书和归档）"
                f"和{len(plan.returned)}份退回的表单吗？删除后无法恢复"
            )
            click.confirm(question, abort=True)
        removed = carry_out(plan, rt.store, rt.config.folders.outbox)
        export = export_all(rt, True)  # every register made again: none keeps a removed row
    output.say(
        f"已删除{len(plan.records)}条记录、{len(plan.returned)}份退回的表单，共{removed}个文件；"
        "已记入审计日志，台账已重新导出。"
    )
    for failure in export.failures:
        output.say(("警告：", "yellow"), failure.message)


def _id_number(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        parsed: Any = IdNumber("身份证号码").parse(value, None)
    except Invalid as exc:
        raise click.BadParameter(f"身份证号码{exc}") from None
    return str(parsed)


@main.command("export-person")
@click.argument("id_number", metavar="身份证号码", callback=_id_number)
@click.pass_context
def export_person_command(ctx: click.Context, id_number: str) -> None:
    """导出与某人有关的全部个人信息（本人查询、复制个人信息时使用）。

    按身份证号码查找：含有该号码的记录及其回执，错误说明中写有该号码的退回表单。结果放在
    输出文件夹的“个人信息查询”下：一份汇总说明，以及每条记录的原件和文书副本。交给本人后，
    请删除这个文件夹（其中是完整的个人信息）。
    """
    load(ctx)
    with runtime(ctx, "export-person") as rt:
        found = export_person(rt.store, rt.config.folders.outbox, id_number, rt.clock(), rt.sharing)
    output = out(ctx)
    output.say(
        f"找到{len(found.records)}条记录、{len(found.returned)}份退回的表单，"
        f"共复制{found.files}个文件：{found.folder}"
    )
    if not found.records and not found.returned:
        output.say("本系统中没有保存与这个身份证号码有关的记录。")
