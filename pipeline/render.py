"""Rendering: the kind's Word templates filled with a record, saved atomically.

Templates are rendered with autoescape on, so ``<``, ``>``, ``&`` and quotes typed in a form
print as typed and never become Word XML, and ``{{ }}`` or ``{% %}`` typed in a form print as
typed too (values are never rendered again; docxtpl's own ``{_{`` rewrite is defused below).
Templates are screened like submitted files before docxtpl opens them. Values print in
document style without filters: dates as ``2026年3月5日``, amounts as ``16,409.02``, lists
joined with 、, booleans as 是/否; each line typed in a multi-line text becomes a paragraph of
its own, with the formatting (and so the first-line indent) of the paragraph it is printed in.
``|rmb`` spells an amount in 人民币大写.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from defusedxml import DefusedXmlException
from docx.document import Document as DocumentObject
from docx.opc.coreprops import CoreProperties
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, TemplateError
from lxml.etree import XMLSyntaxError
from markupsafe import Markup, escape

from forms.base import DocumentSpec, FormKind, RecordView
from forms.fields import without_controls
from forms.words import cn_date, money_figures, rmb_upper
from pipeline import template_cache
from pipeline.config import Config, Fonts
from pipeline.docx_style import apply_fonts
from pipeline.errors import FormRejected, TemplateProblem
from pipeline.files import safe_name, write_all_atomic, write_atomic
from pipeline.hardening import check_xml
from pipeline.package import PackageLimits, check_package
from pipeline.permissions import Sharing
from pipeline.prepared import PreparedTemplate

# docxtpl turns this character into the end of the paragraph and the start of a new one with
# the same paragraph and run properties (its "listing" feature).
NEW_PARAGRAPH = Markup("\a")
# docxtpl turns "{_{" "}_}" "{_%" "%_}" in its output into "{{" "}}" "{%" "%}": an underscore
# typed in a form is written as a character reference so it prints as typed.
UNDERSCORE = Markup("&#95;")
log = logging.getLogger("unionforms")
TEMPLATE_LIMITS = PackageLimits(max_parts=1000, max_unpacked=50 * 1048576)


class SafeTemplate(DocxTemplate):
    """docxtpl, with its own second parse of the rendered document defused."""

    def fix_tables(self, xml: str) -> Any:
        check_xml(xml)
        return super().fix_tables(xml)


def as_text(value: str) -> Markup:
    """A value's text, escaped, without the controls docxtpl would turn into breaks (``\a``,
    ``\f``), its underscores safe from docxtpl's rewrite."""
    return Markup(escape(without_controls(value))).replace("_", UNDERSCORE)


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
    if isinstance(value, str) and not isinstance(value, Markup):
        return paragraphs(value) if "\n" in value else as_text(value)
    return value


def paragraphs(text: str) -> Markup:
    """Each typed line as a paragraph; blank lines and the indent typed before a line go, as
    the paragraph's own first-line indent does that job."""
    lines = (line.strip() for line in text.split("\n"))
    return NEW_PARAGRAPH.join(as_text(line) for line in lines if line)


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
    return screened_template(template_bytes(config, name), name)


def screened_template(data: bytes, name: str) -> DocxTemplate:
    """The template ``name``, screened like a submitted file: a broken or hostile template is
    a ``TemplateProblem`` naming it, not a crash inside docxtpl."""
    try:
        check_package(data, TEMPLATE_LIMITS)
    except FormRejected as exc:
        raise TemplateProblem(f"文书模板 {name} 已损坏或无法使用：{exc.message}") from None
    return SafeTemplate(io.BytesIO(data))


# What a template that does not render raises: Jinja's errors, and the XML errors of the parse
# of the rendered body (malformed, or a DTD defused by ``SafeTemplate``).
RENDER_ERRORS = (TemplateError, XMLSyntaxError, DefusedXmlException)


# The relationship type newer LibreOffice writes for docProps/core.xml. python-docx does not
# know it and, once a property is set, writes a second docProps/core.xml that Word refuses.
ODD_CORE_PROPERTIES = (
    "http://schemas.openxmlformats.org/officedocument/2006/relationships/metadata/core-properties"
)
LIBREOFFICE_SAVED = (
    "这个模板由新版LibreOffice保存，其“文档属性”的写法会使生成的文书损坏（Word无法打开）；"
    "请在Word或WPS中打开模板，另存为.docx后再用"
)


def corrupting_properties(document: DocumentObject) -> bool:
    return any(rel.reltype == ODD_CORE_PROPERTIES for rel in document.part.package.rels.values())


def document_folder(outbox: Path, kind: FormKind, record: RecordView) -> Path:
    """Where a record's documents are written: ``documents/<form title>/<year>``."""
    return outbox / "documents" / kind.title / str(record.year)


def document_name(kind: FormKind, record: RecordView, title: str) -> str:
    subject = kind.record_name(record)
    parts = [record.ident, title] + ([subject] if subject else [])
    return safe_name("-".join(parts)) + ".docx"


# -- what is done to every document besides docxtpl's substitution ------------------------
# ``finish_template`` may touch only what rendering leaves alone (styles, settings …): the
# fast path applies it once per template, before rendering. ``stamp`` is per document.


def finish_template(document: DocumentObject, config: Config, name: str) -> None:
    if corrupting_properties(document):
        raise TemplateProblem(
            f"文书模板 {name}：{LIBREOFFICE_SAVED}（unionforms templates check 可检查全部模板）"
        )
    apply_fonts(document, config.fonts)


@dataclass(frozen=True)
class Stamp:
    """The core properties every document gets: its title, what it is about (a record's
    ident, a report's or batch's form title), the union, and its date."""

    title: str
    subject: str
    when: datetime

    def put(self, properties: CoreProperties, config: Config) -> None:
        properties.title, properties.subject = self.title, self.subject
        properties.author = properties.last_modified_by = config.organisation.union
        properties.created = properties.modified = self.when


# -- rendering ------------------------------------------------------------------------------


@lru_cache(maxsize=32)
def _prepared(data: bytes, fonts: Fonts, name: str) -> PreparedTemplate:
    """Prepared once per process: read from the cache of prepared templates when an earlier
    run (or another worker) prepared the same template for the same fonts, else prepared
    here and kept there."""
    kept_as = template_cache.key(data, fonts.model_dump_json())
    kept = template_cache.read(kept_as)
    if kept is not None:
        try:
            return PreparedTemplate.loads(kept, SafeTemplate(io.BytesIO(data)), ENVIRONMENT)
        except ValueError as exc:
            log.info("已缓存的文书模板 %s 无法使用，重新准备：%s", name, exc)
    config = Config(fonts=fonts)
    template = screened_template(data, name)
    try:
        prepared = PreparedTemplate.prepare(
            template, ENVIRONMENT, lambda doc: finish_template(doc, config, name)
        )
    except RENDER_ERRORS as exc:
        raise TemplateProblem(f"文书模板 {name} 无法生成：{exc}") from None
    template_cache.write(kept_as, prepared.dumps())
    return prepared


def prepared_template(config: Config, name: str) -> PreparedTemplate:
    """The template ``name`` prepared for ``config``: once per process while it is unchanged."""
    return _prepared(template_bytes(config, name), config.fonts, name)


def render_package(
    config: Config, template_name: str, context: dict[str, Any], stamp: Stamp
) -> bytes:
    """One document as the bytes of a .docx file."""
    template = prepared_template(config, template_name)
    try:
        return template.render(context, lambda core: stamp.put(core, config), stamp.when)
    except RENDER_ERRORS as exc:
        raise TemplateProblem(f"文书模板 {template_name} 无法生成：{exc}") from None


def docxtpl_package(
    config: Config, template_name: str, context: dict[str, Any], stamp: Stamp
) -> bytes:
    """The same document made by plain docxtpl: what ``render_package`` must equal."""
    template = load_template(config, template_name)
    try:
        template.render(context, ENVIRONMENT, autoescape=True)
    except RENDER_ERRORS as exc:
        raise TemplateProblem(f"文书模板 {template_name} 无法生成：{exc}") from None
    finish_template(template.docx, config, template_name)
    stamp.put(template.docx.core_properties, config)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def record_stamp(spec: DocumentSpec, record: RecordView) -> Stamp:
    return Stamp(spec.title, record.ident, record.received_at)


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
            config, spec.template, context, record_stamp(spec, record)
        )
        for spec in kind.documents
    }
    return write_all_atomic(documents, sharing)


def render_document(
    config: Config,
    spec: DocumentSpec,
    context: dict[str, Any],
    target: Path,
    subject: str,
    when: datetime,
    sharing: Sharing | None = None,
) -> Path:
    """One template filled with ``context``, written to ``target`` (a report's letter, a
    pre-filled pledge)."""
    data = render_package(config, spec.template, context, Stamp(spec.title, subject, when))
    return write_atomic(target, data, sharing)
