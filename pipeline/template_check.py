"""Templates the office edits: writing out the built-in ones, and checking edited ones.

A clerk edits a template in Word, WPS or LibreOffice. What can go wrong is caught here before a
form meets it: a variable the documents do not supply (a typo), a Jinja tag that no longer
parses (Word turned its quotes into “”), a tag split by formatting so that it prints as text,
and a file saved by a program in a way python-docx would corrupt. Each template is rendered
with the context of every good sample of its kind, as a real form would render it. A template
is screened like a submitted form before any library opens it (a template folder is as
writable as the inbox), and rendered with ``SafeTemplate`` as the documents are.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import docx
from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError

from forms import KINDS, get_kind
from forms.base import FormKind, RecordView
from pipeline.config import Config
from pipeline.errors import FormRejected
from pipeline.package import check_package
from pipeline.render import (
    ENVIRONMENT,
    LIBREOFFICE_SAVED,
    TEMPLATE_LIMITS,
    SafeTemplate,
    builtin_template,
    corrupting_properties,
    full_context,
)
from pipeline.samples import sample_record

# What is left of a tag that did not work, printed as text: Jinja's own braces, or the
# full-width ones a Chinese input method types.
LEFTOVER_TAG = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|｛[｛%％]|[｝%％]｝")
FULL_WIDTH = re.compile(r"[｛｝％]")
# docxtpl turns “” and ‘’ inside a tag back into " and ', but not the full-width ＂ and ＇.
QUOTES = "“”‘’＂＇"


@dataclass
class TemplateReport:
    """What ``templates check`` found in one template; ``problems`` empty means it is fine."""

    name: str
    source: str  # the file checked, or 内置模板
    problems: list[str] = field(default_factory=list)


def template_names() -> list[str]:
    """Every template the kinds' documents use, in registry order."""
    return list(dict.fromkeys(spec.template for kind in KINDS for spec in kind.documents))


def export_templates(folder: Path, overwrite: bool = False) -> list[tuple[Path, str]]:
    """Write the built-in templates into ``folder``; a file already there with other content
    is kept unless ``overwrite``. Returns each file with what was done, in Chinese."""
    folder.mkdir(parents=True, exist_ok=True)
    done = []
    for name in template_names():
        target, data = folder / name, builtin_template(name)
        if target.exists() and target.read_bytes() == data:
            done.append((target, "与内置模板相同，未改动"))
        elif target.exists() and not overwrite:
            done.append((target, "已存在且内容不同（可能已修改），未覆盖；要覆盖请加 --force"))
        else:
            target.write_bytes(data)
            done.append((target, "已写出"))
    return done


def check_templates(config: Config, folder: Path | None, today: date) -> list[TemplateReport]:
    """Check every template of every kind: the file in ``folder`` where there is one, else
    the built-in one (which the pipeline would use in its place)."""
    reports = []
    for kind in KINDS:
        records = _records(kind, config, today)
        contexts = [full_context(kind, config, record, today) for record in records]
        for spec in kind.documents:
            path = folder / spec.template if folder else None
            if path is not None and path.is_file():
                report = TemplateReport(spec.template, str(path))
                data = path.read_bytes()
            else:
                report = TemplateReport(spec.template, "内置模板")
                data = builtin_template(spec.template)
            report.problems = template_problems(data, contexts)
            reports.append(report)
    return reports


def template_problems(data: bytes, contexts: list[dict[str, Any]]) -> list[str]:
    """Every problem of one template, each a Chinese sentence."""
    problems = package_problems(data)
    if problems:
        return problems
    for context in contexts:
        for problem in _render_problems(data, context):
            if problem not in problems:
                problems.append(problem)
    return problems


def package_problems(data: bytes) -> list[str]:
    """A file that is no Word document, one screening refuses, or one python-docx would write
    out corrupt."""
    try:
        check_package(data, TEMPLATE_LIMITS)
    except FormRejected as exc:
        return [f"不是有效的Word文件（.docx），无法使用：{exc.message}"]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        return [f"不是有效的Word文件（.docx），无法打开：{exc}"]
    problems = []
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        problems.append(f"文件内部有重复的部件（{'、'.join(duplicates)}），Word会报告文件损坏")
    if corrupting_properties(document):
        problems.append(LIBREOFFICE_SAVED)
    return problems


def _render_problems(data: bytes, context: dict[str, Any]) -> list[str]:
    syntax = _syntax_problem(data)
    if syntax:
        return [syntax]
    try:
        missing = SafeTemplate(io.BytesIO(data)).get_undeclared_template_variables(
            ENVIRONMENT, context
        )
        if missing:
            return [_missing_message(name, context) for name in sorted(missing)]
        template = SafeTemplate(io.BytesIO(data))
        template.render(context, ENVIRONMENT, autoescape=True)
    except UndefinedError as exc:
        return [f"模板中的值无法取得：{exc.message}"]
    except TemplateError as exc:
        return [f"模板无法生成文书：{exc}"]
    return _leftover_tags(template)


def _syntax_problem(data: bytes) -> str | None:
    """A tag Jinja cannot parse, with the text around it as the clerk sees it in Word."""
    template = SafeTemplate(io.BytesIO(data))
    template.init_docx()
    # As docxtpl renders it: its own repairs first, then one paragraph a line
    xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", template.patch_xml(template.get_xml()))
    try:
        ENVIRONMENT.parse(xml)
    except TemplateSyntaxError as exc:
        lines = xml.splitlines()[max((exc.lineno or 1) - 2, 0) : (exc.lineno or 1) + 1]
        nearby = " ".join(re.sub(r"<[^>]+>", "", line).strip() for line in lines)
        return _syntax_message(exc.message or "", nearby)
    return None


SYNTAX_MESSAGES = (
    (re.compile(r"unexpected char '(.)'"), "有无法识别的字符“{0}”"),
    (re.compile(r"unknown tag '(\w+)'"), "有无法识别的标签“{0}”"),
    (re.compile(r"unexpected end of template"), "标签没有结束（缺少 endif、endfor 等）"),
    (re.compile(r"unexpected '(\S+)'"), "有多余的“{0}”"),
)


def _syntax_message(message: str, nearby: str) -> str:
    said = next(
        (
            chinese.format(*found.groups())
            for pattern, chinese in SYNTAX_MESSAGES
            if (found := pattern.search(message))
        ),
        "标签写法有误",
    )
    hint = ""
    if any(quote in nearby for quote in QUOTES):
        hint = "；标签里的引号是中文或全角引号，请改为英文半角引号（\"或'）"
    return f"模板标签写法有误：{said}（{message}）{hint}；出错处附近的文字：“{nearby[:120]}”"


def _missing_message(name: str, context: dict[str, Any]) -> str:
    known = "、".join(sorted(key for key in context if not key.startswith("_")))
    return f"模板用到了“{name}”，但文书没有这个值（是否拼错？可以使用的有：{known}）"


def _leftover_tags(template: SafeTemplate) -> list[str]:
    """Tags that printed as text: a ``{{`` split by formatting is no tag to Jinja."""
    document = template.docx
    texts = [paragraph.text for paragraph in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    found = dict.fromkeys(text.strip() for text in texts if LEFTOVER_TAG.search(text))
    return [_leftover_message(text) for text in found]


def _leftover_message(text: str) -> str:
    if FULL_WIDTH.search(text):
        cause = "标签的花括号或百分号是全角的（｛｝％），请切换到英文半角输入法重新输入"
    else:
        cause = "标签的花括号之间可能有空格或被拆开，请删掉整个标签后重新输入"
    return f"标签没有生效，原样印在了文书上：“{text[:60]}”；{cause}"


def _records(kind: FormKind, config: Config, today: date) -> list[RecordView]:
    """A record for every good sample of the kind (a child kind's under its parent's first)."""
    parent = None
    if kind.parent is not None:
        parents = _records(get_kind(kind.parent.kind), config, today)
        parent = parents[0] if parents else None
    now = datetime.combine(today, time(10, 0))
    samples = [sample for sample in kind.samples(today, parent) if sample.good]
    return [
        sample_record(kind, config, sample.values, now, number, parent)
        for number, sample in enumerate(samples, 1)
    ]
