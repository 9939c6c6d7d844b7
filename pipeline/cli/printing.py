"""Printing: ``--pdf`` for ``process`` and ``watch``, and ``unionforms print`` for documents
already issued."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from pipeline.cli.app import EXIT_OK, EXIT_REJECTED, EnvironmentFailure, load, main, out, runtime
from pipeline.cli.app import session as current_session
from pipeline.convert import find_soffice
from pipeline.pdf import print_records

FC = TypeVar("FC", bound=Callable[..., Any])
NO_LIBREOFFICE = (
    "生成PDF需要LibreOffice，但本机找不到 {command}；请安装LibreOffice，"
    "或在 unionforms.toml 的 [limits] soffice 中写明它的位置"
)


def pdf_option(command: FC) -> FC:
    return click.option(
        "--pdf",
        is_flag=True,
        help="每份文书另存一份PDF供打印（需要LibreOffice；也可在配置 [documents] pdf 中打开）",
    )(command)


def want_pdf(ctx: click.Context, pdf: bool) -> None:
    """``--pdf``: PDFs for this run, whatever the configuration says; LibreOffice must be
    there, or the person who asked for PDFs would get none without noticing."""
    current = current_session(ctx)
    config = current.config or current.load()
    if not pdf:
        return
    if find_soffice(config.limits.soffice) is None:
        raise EnvironmentFailure(NO_LIBREOFFICE.format(command=config.limits.soffice))
    documents = config.documents.model_copy(update={"pdf": True})
    current.config = config.model_copy(update={"documents": documents})


@main.command("print")
@click.argument("idents", nargs=-1, required=True, metavar="编号...")
@click.option(
    "--out",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    metavar="文件夹",
    help="PDF放进这个文件夹（默认放在输出文件夹中各文书的旁边）",
)
@click.pass_context
def print_command(ctx: click.Context, idents: tuple[str, ...], folder: Path | None) -> None:
    """为已生成的文书制作PDF供打印，例如 unionforms print KN-2026-0001 YH-2026-0001-回执1。

    用LibreOffice转换，字体嵌入PDF。退出状态：0 全部完成；1 有编号找不到或有文书未能转换；
    2 本机没有LibreOffice等环境问题。服务（watch）运行时也可以使用。
    """
    config = load(ctx)
    if find_soffice(config.limits.soffice) is None:
        raise EnvironmentFailure(NO_LIBREOFFICE.format(command=config.limits.soffice))
    output = out(ctx)
    with runtime(ctx) as rt:
        results = print_records(rt, list(idents), folder.resolve() if folder else None)
    for printed in results:
        for pdf in printed.pdfs:
            output.say(("已生成", "green"), f"  {pdf}")
        for problem in printed.problems:
            output.say(("未完成", "red"), f"  {printed.ident}：{problem}")
    sys.exit(EXIT_REJECTED if any(p.problems for p in results) else EXIT_OK)
