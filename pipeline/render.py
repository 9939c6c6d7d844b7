"""Rendering: the kind's Word templates filled with a record, saved atomically.

Templates are rendered with autoescape on, so ``<``, ``>``, ``&`` and quotes typed in a form
print as typed and never become Word XML. Values print in document style without filters:
dates as ``2026年3月5日``, amounts as ``16,409.02``, lists joined with 、, booleans as 是/否,
line breaks kept; ``|rmb`` spells an amount in 人民币大写.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from docx.document import Document as DocumentObject
from docx.opc.coreprops import CoreProperties
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, TemplateError
from markupsafe import Markup, escape

from forms.base import DocumentSpec, FormKind, RecordView
from forms.words import cn_date, money_figures, rmb_upper
from pipeline.config import Config, Fonts
from pipeline.docx_style import apply_fonts
from pipeline.errors import TemplateProblem
from pipeline.files import safe_name, write_all_atomic
from pipeline.permissions import Sharing
from pipeline.prepared import PreparedTemplate

LINE_BREAK = Markup('</w:t><w:br/><w:t xml:space="preserve">')


def document_text(value: Any) -> Any:
    """How a value prints in a document when the template says just ``{{ value }}``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime | date):
        return cn_date(value)
    if isinstance(value, Decimal):
        return money_figures(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "、".join(value)
    if isinstance(value, str) and "\n" in value and not isinstance(value, Markup):
        return LINE_BREAK.join(escape(line) for line in value.split("\n"))
    return value


def make_environment() -> Environment:
    env = Environment(autoescape=True, finalize=document_text, undefined=StrictUndefined)
    env.filters["rmb"] = rmb_upper
    env.filters["money"] = money_figures
    env.filters["cn_date"] = cn_date
    return env


ENVIRONMENT = make_environment()


def common_context(config: Config, record: RecordView, today: date) -> dict[str, Any]:
    """Names every template may use, whatever its kind."""
    return {
        "org": config.organisation.model_dump(),
        "serial": record.serial or record.ident,
        "ident": record.ident,
        "parent_serial": record.parent,
        "today": today,
        "received_at": record.received_at,
        "source_name": record.source_name,
        "doc_number": (
            f"{config.organisation.document_prefix}〔{record.year}〕"
            f"{int(record.serial.rsplit('-', 1)[1])}号"
            if record.serial
            else ""
        ),
    }


def full_context(kind: FormKind, config: Config, record: RecordView, today: date) -> dict[str, Any]:
    return common_context(config, record, today) | kind.context(record, today)


BUILTIN_TEMPLATES = "pipeline.builtin_templates"


@cache
def _file_bytes(path: Path, mtime_ns: int) -> bytes:
    return path.read_bytes()


def builtin_templates() -> Traversable:
    """The built-in templates: inside the installed package, or, when the program runs from a
    source checkout that is not installed (``python -m pipeline`` in it), the checkout's
    ``templates/`` folder, which the package would have been built from."""
    try:
        return files(BUILTIN_TEMPLATES)
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "templates"


@cache
def builtin_template(name: str) -> bytes:
    """A template shipped inside the installed package."""
    resource = builtin_templates() / name
    try:
        return resource.read_bytes()
    except OSError:
        raise TemplateProblem(
            f"内置文书模板 {name} 缺失，安装可能不完整；请重新安装 unionforms"
        ) from None


def template_bytes(config: Config, name: str) -> bytes:
    """``name`` from the configured templates folder when it holds one, else the built-in."""
    folder = config.folders.templates
    if folder is not None:
        path = folder / name
        try:
            return _file_bytes(path, path.stat().st_mtime_ns)
        except FileNotFoundError:
            pass
        except OSError as exc:
            raise TemplateProblem(f"文书模板 {path} 无法读取：{exc.strerror or exc}") from None
    return builtin_template(name)


def load_template(config: Config, name: str) -> DocxTemplate:
    return DocxTemplate(io.BytesIO(template_bytes(config, name)))


def document_name(kind: FormKind, record: RecordView, title: str) -> str:
    subject = kind.record_name(record)
    parts = [record.ident, title] + ([subject] if subject else [])
    return safe_name("-".join(parts)) + ".docx"


# -- what is done to every document besides docxtpl's substitution ------------------------
# ``finish_template`` may touch only what rendering leaves alone (styles, settings …): the
# fast path applies it once per template, before rendering. ``stamp`` is per document.


def finish_template(document: DocumentObject, config: Config) -> None:
    apply_fonts(document, config.fonts)


def stamp(
    properties: CoreProperties, spec: DocumentSpec, record: RecordView, config: Config
) -> None:
    properties.title, properties.subject = spec.title, record.ident
    properties.author = properties.last_modified_by = config.organisation.union
    properties.created = properties.modified = record.received_at


# -- rendering ------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _prepared(data: bytes, fonts: Fonts, name: str) -> PreparedTemplate:
    config = Config(fonts=fonts)
    try:
        return PreparedTemplate(data, ENVIRONMENT, lambda doc: finish_template(doc, config))
    except TemplateError as exc:
        raise TemplateProblem(f"文书模板 {name} 无法生成：{exc}") from None


def prepared_template(config: Config, name: str) -> PreparedTemplate:
    """The template ``name`` prepared for ``config``: once per process while it is unchanged."""
    return _prepared(template_bytes(config, name), config.fonts, name)


def render_package(
    config: Config, spec: DocumentSpec, record: RecordView, context: dict[str, Any]
) -> bytes:
    """One document as the bytes of a .docx file."""
    template = prepared_template(config, spec.template)
    try:
        return template.render(
            context, lambda core: stamp(core, spec, record, config), record.received_at
        )
    except TemplateError as exc:
        raise TemplateProblem(f"文书模板 {spec.template} 无法生成：{exc}") from None


def docxtpl_package(
    config: Config, spec: DocumentSpec, record: RecordView, context: dict[str, Any]
) -> bytes:
    """The same document made by plain docxtpl: what ``render_package`` must equal."""
    template = load_template(config, spec.template)
    template.render(context, ENVIRONMENT, autoescape=True)
    finish_template(template.docx, config)
    stamp(template.docx.core_properties, spec, record, config)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def render_documents(
    kind: FormKind,
    record: RecordView,
    config: Config,
    folder: Path,
    today: date,
    sharing: Sharing | None = None,
) -> list[Path]:
    """Every document of the kind for this record, written into ``folder``."""
    context = full_context(kind, config, record, today)
    documents = {
        folder / document_name(kind, record, spec.title): render_package(
            config, spec, record, context
        )
        for spec in kind.documents
    }
    return write_all_atomic(documents, sharing)
