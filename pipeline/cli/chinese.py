"""click in Chinese: its own messages (usage, errors, help) translated, its metavars renamed.

click reads every message it prints through gettext (``from gettext import gettext as _`` in
each module), so replacing ``_`` and ``ngettext`` in those modules with a lookup in
``MESSAGES`` is a complete catalogue. ``tests/test_cli_language.py`` checks that every message
a person can reach is in it, so a click upgrade that adds one fails a test instead of printing
English.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from typing import Any

import click

MESSAGES = {
    "Aborted!": "已中断。",
    "Usage:": "用法:",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Missing command.": "缺少命令。",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看说明。",
    "No such option {name!r}.": "没有这个选项：{name}。",
    "No such command {name!r}.": "没有这个命令：{name}。",
    "Did you mean {possibility}?": "是不是要用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是不是要用其中之一：{possibilities}？）",
    "Got unexpected extra argument ({args})": "多出了参数（{args}）",
    "Got unexpected extra arguments ({args})": "多出了参数（{args}）",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "Invalid value: {message}": "取值不正确：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint}的取值不正确：{message}",
    "Option {name!r} does not take a value.": "选项 {name} 后面不应带值。",
    "Option {name!r} requires an argument.": "选项 {name} 后面缺少值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name} 后面需要{nargs}个值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name} 需要{nargs}个值。",
    "Show this message and exit.": "显示本说明后退出。",
    "Show the version and exit.": "显示版本号后退出。",
    "Do you want to continue?": "是否继续？",
    "Confirm the action without prompting.": "不再询问，直接执行。",
    "Repeat for confirmation": "再输入一次以确认",
    "Error: The two entered values do not match.": "错误：两次输入的内容不一致。",
    "Error: invalid input": "错误：输入不正确",
    "Press any key to continue...": "按任意键继续……",
    "unknown error": "未知错误",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "(dynamic)": "（动态）",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value!r} is not {choice}.": "“{value}”不是 {choice}。",
    "{value!r} is not one of {choices}.": "“{value}”不在可选范围内：{choices}。",
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的数字。",
    "{value} is not in the range {range}.": "{value} 超出了允许的范围 {range}。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "“{value}”应为是或否。",
    "{value!r} does not match the format {format}.": "“{value}”不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "“{value}”不符合格式 {formats}。",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在。",
    "{name} {filename!r} is a file.": "“{filename}”是一个文件，这里应为文件夹。",
    "{name} {filename!r} is a directory.": "“{filename}”是一个文件夹，这里应为文件。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”无法读取（没有权限）。",
    "{name} {filename!r} is not writable.": "{name}“{filename}”无法写入（没有权限）。",
    "{name} {filename!r} is not executable.": "{name}“{filename}”不能执行。",
    "Could not open file {filename!r}: {message}": "无法打开文件“{filename}”：{message}",
}

# Modules of click that bind ``_``/``ngettext`` at import time.
CLICK_MODULES = (
    "click.core",
    "click.decorators",
    "click.exceptions",
    "click.formatting",
    "click.parser",
    "click.termui",
    "click.types",
)


def translate(message: str) -> str:
    return MESSAGES.get(message, message)


def translate_plural(singular: str, plural: str, count: int) -> str:
    return translate(singular if count == 1 else plural)


def install() -> None:
    """Make click speak Chinese (idempotent)."""
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = translate  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = translate_plural  # type: ignore[attr-defined]
    # click quotes an option's name in ASCII quotes and ends "Missing option" with an ASCII
    # full stop of its own, outside its catalogue.
    for cls in (click.Parameter, click.Option, click.Argument):
        hint = cls.__dict__["get_error_hint"]
        if not getattr(hint, "chinese", False):
            cls.get_error_hint = _quoted(hint)  # type: ignore[method-assign]
    missing = click.MissingParameter.format_message
    if not getattr(missing, "chinese", False):
        click.MissingParameter.format_message = _full_stop(missing)  # type: ignore[method-assign]


def _quoted(hint: Callable[..., str]) -> Callable[..., str]:
    def chinese(self: click.Parameter, ctx: click.Context | None) -> str:
        return re.sub(r"'([^']*)'", r"“\1”", hint(self, ctx))

    chinese.chinese = True  # type: ignore[attr-defined]
    return chinese


def _full_stop(format_message: Callable[[click.MissingParameter], str]) -> Callable[..., str]:
    def chinese(self: click.MissingParameter) -> str:
        head, _, rest = format_message(self).partition(".")  # after the name: names have none
        return f"{head.replace(' “', '“')}。{rest.strip()}"

    chinese.chinese = True  # type: ignore[attr-defined]
    return chinese


class Command(click.Command):
    """A command whose usage line reads ``[选项]`` instead of ``[OPTIONS]``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class Group(click.Group):
    """A group of Chinese commands (and of Chinese subgroups)."""

    command_class = Command
    group_class = type  # subgroups are of this class too

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)
