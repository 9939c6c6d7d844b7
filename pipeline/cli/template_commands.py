"""``unionforms templates``: write out the built-in Word templates for the office to edit, and
check edited ones before a form meets them."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from pipeline.cli.app import EXIT_OK, EXIT_REJECTED, EnvironmentFailure, load, main, out
from pipeline.cli.processing import Folder
from pipeline.template_check import check_templates, export_templates


@main.group("templates")
def templates_group() -> None:
    """文书模板：导出内置模板供修改，检查修改过的模板。"""


@templates_group.command("export")
@click.argument("folder", type=Folder, metavar="文件夹")
@click.option("--force", is_flag=True, help="覆盖文件夹中已有的同名模板（默认保留）")
@click.pass_context
def templates_export(ctx: click.Context, folder: Path, force: bool) -> None:
    """把内置的文书模板写到指定文件夹，供在Word、WPS或LibreOffice中修改。

    改好后在 unionforms.toml 的 [folders] templates 中写上这个文件夹：其中有的模板代替同名的
    内置模板，没有的仍用内置模板。修改后请运行 unionforms templates check 检查。
    """
    config = load(ctx)
    try:
        done = export_templates(folder.resolve(), overwrite=force)
    except OSError as exc:
        raise EnvironmentFailure(f"无法写入文件夹 {folder}：{exc.strerror or exc}") from None
    output = out(ctx)
    for path, what in done:
        output.say(f"{path}：{what}")
    configured = config.folders.templates
    if configured is None or configured != folder.resolve():
        output.say(
            f'要使用这些模板，请在 unionforms.toml 的 [folders] 中写：templates = "{folder}"'
        )


@templates_group.command("check")
@click.argument("folder", required=False, type=Folder, metavar="[文件夹]")
@click.pass_context
def templates_check(ctx: click.Context, folder: Path | None) -> None:
    """用每种表单的示例数据生成一遍文书，检查模板：用到了没有的值、标签写错（如被改成中文引号）、
    标签被格式拆开而原样印出、文件由新版LibreOffice保存而会使文书损坏。

    不指定文件夹时检查配置的模板文件夹（[folders] templates），未配置则检查内置模板。
    退出状态：0 全部正常；1 有模板有问题。
    """
    config = load(ctx)
    folder = (folder.resolve() if folder else None) or config.folders.templates
    if folder is not None and not folder.is_dir():
        raise EnvironmentFailure(f"模板文件夹不存在：{folder}")
    output = out(ctx)
    reports = check_templates(config, folder, date.today())
    for report in reports:
        if report.problems:
            output.say(("有问题", "red"), f"  {report.name}（{report.source}）")
            for problem in report.problems:
                output.say(f"    - {problem}")
        else:
            output.say(("正常", "green"), f"  {report.name}（{report.source}）")
    broken = sum(1 for report in reports if report.problems)
    output.say(f"检查了{len(reports)}个模板，{broken}个有问题。")
    sys.exit(EXIT_REJECTED if broken else EXIT_OK)
