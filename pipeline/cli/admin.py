"""Commands that set up and look after a working folder: ``init``, ``forms build``,
``registers``, ``archive verify``, ``kinds`` and the kinds' listings (``hazards``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from forms import KINDS, get_kind
from forms.base import FormKind, Listing
from pipeline.archive import verify_archive
from pipeline.blank_forms import write_blank_forms
from pipeline.cli.app import EXIT_WARNINGS, EnvironmentFailure, load, main, out, runtime
from pipeline.cli.processing import Folder, blank_forms_out, folder_option
from pipeline.doctor import examine
from pipeline.engine import export_all
from pipeline.errors import PipelineError
from pipeline.listing import list_records
from pipeline.workfolder import init_folder


@main.command()
@click.argument("folder", required=False, type=Folder, metavar="[文件夹]")
@click.pass_context
def init(ctx: click.Context, folder: Path | None) -> None:
    """为本单位建立工作文件夹：带说明的配置文件 unionforms.toml、收件箱、输出和状态文件夹。

    不指定文件夹时用当前文件夹。已有的配置文件和文件夹保持不变。
    """
    try:
        made = init_folder((folder or Path.cwd()).resolve())
    except PipelineError as exc:
        raise EnvironmentFailure(exc.message) from None
    output = out(ctx)
    for line in made.lines():
        output.say(line)


@main.group("forms")
def forms_group() -> None:
    """空白表单。"""


@forms_group.command("build")
@blank_forms_out
@click.pass_context
def forms_build(ctx: click.Context, target: Path | None) -> None:
    """为每一种表单生成空白表单（按表单名称命名），供各部门填写。"""
    config = load(ctx)
    folder = target or config.folders.outbox / "blank-forms"
    try:
        written = write_blank_forms(config, folder)
    except PipelineError as exc:
        raise EnvironmentFailure(exc.message) from None
    for path in written:
        out(ctx).say(f"已生成：{path}")


def numbering(kind: FormKind) -> str:
    """How records of the kind are numbered: by prefix, or under the record they follow up."""
    if kind.parent is None:
        return f"编号前缀 {kind.serial_prefix}" if kind.serial_prefix else "不编号"
    parent = get_kind(kind.parent.kind)
    example = f"{parent.serial_prefix}-2026-0001-{kind.parent.suffix}1"
    return f"跟进{parent.title}的记录，编号如 {example}"


@main.command()
@click.pass_context
def kinds(ctx: click.Context) -> None:
    """列出系统能处理的表单种类。"""
    load(ctx)  # a broken configuration is reported here too
    output = out(ctx)
    for kind in KINDS:
        output.say((kind.title, "bold"), f"（{kind.key}，{numbering(kind)}）")
        if kind.summary:
            output.say(f"    {kind.summary}")
        if kind.documents:
            output.say(f"    文书：{'、'.join(d.title for d in kind.documents)}")
        if kind.registers:
            output.say(f"    台账：{'、'.join(r.title for r in kind.registers)}")


@main.command()
@folder_option("outbox", "输出文件夹")
@click.pass_context
def registers(ctx: click.Context, outbox: Path | None) -> None:
    """按存储的记录重新导出全部台账（例如台账文件被误删或改动之后）。"""
    load(ctx, outbox=outbox)
    with runtime(ctx, "registers", create=False) as rt:
        result = export_all(rt, True)  # every register, changed or not
    output = out(ctx)
    for path in result.written:
        output.say(f"已导出：{path}")
    for note in result.notes:
        output.say(("注意：", "yellow"), note)
    for failure in result.failures:
        output.say(("警告：", "yellow"), failure.message)
    sys.exit(EXIT_WARNINGS if result.failures else 0)


@main.group("archive")
def archive_group() -> None:
    """归档。"""


@archive_group.command("verify")
@folder_option("outbox", "输出文件夹")
@click.pass_context
def archive_verify(ctx: click.Context, outbox: Path | None) -> None:
    """按状态数据库核对归档：每份已登记的表单都有归档，清单中每个文件的SHA-256都相符。

    退出状态：0 没有问题；1 有缺失或被改动的归档；2 这里不是工作文件夹。
    """
    config = load(ctx, outbox=outbox)
    with runtime(ctx) as rt:
        check = verify_archive(config.folders.outbox / "archive", rt.store)
    output = out(ctx)
    for fault in check.faults:
        output.say(("有问题", "red"), f"  {fault.where}：{fault.message}")
    output.say(f"核对了{check.checked}份归档，发现{len(check.faults)}处问题。")
    sys.exit(1 if check.faults else 0)


@main.command()
@click.pass_context
def doctor(ctx: click.Context) -> None:
    """检查处理中断、文件丢失等留下的问题，并说明怎么处理（只读，不做任何改动）。

    退出状态：0 没有问题；1 有需要处理的问题；2 这里不是工作文件夹。
    """
    load(ctx)
    with runtime(ctx) as rt:
        findings = examine(rt.store)
    output = out(ctx)
    for finding in findings:
        output.say(("需要处理", "red"), f"  {finding.subject}：{finding.problem}")
        output.say(f"    怎么办：{finding.remedy}")
    output.say(
        f"检查完毕，发现{len(findings)}个需要处理的问题。"
        if findings
        else "检查完毕，没有发现问题。"
    )
    sys.exit(1 if findings else 0)


def show_listing(kind: FormKind, listing: Listing, ctx: click.Context) -> None:
    load(ctx)
    with runtime(ctx) as rt:
        listed = list_records(rt, kind, listing)
    output = out(ctx)
    if not listed.rows:
        output.say(listing.empty)
        return
    output.table(
        f"{listed.title}（{listed.today:%Y-%m-%d}，共{len(listed.rows)}项）",
        listed.headers,
        [row.cells for row in listed.rows],
        [row.highlighted for row in listed.rows],
    )


def add_listing_command(kind: FormKind, listing: Listing) -> None:
    """One command per listing a kind declares (e.g. ``unionforms hazards``)."""

    @click.pass_context
    def command(ctx: click.Context) -> None:
        show_listing(kind, listing, ctx)

    main.command(listing.command, help=listing.help)(command)


for _kind in KINDS:
    for _listing in _kind.listings:
        add_listing_command(_kind, _listing)
