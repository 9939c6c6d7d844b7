"""Word templates prepared once: docxtpl's output without docxtpl's per-render cost.

For every document docxtpl opens the whole package with python-docx, cleans the body's XML
with a few dozen regular expressions so Jinja can read it, compiles it, and serialises and
compresses every part of the package again. Only the Jinja rendering depends on the record.
A ``PreparedTemplate`` does the rest once: it opens the template, applies what the caller
does to every document of it (``finish``: the configured fonts, for instance), cleans and
compiles the body, the headers and footers and the core properties, and compresses every
other part as python-docx would write it. Rendering then fills in the compiled templates,
runs docxtpl's own steps after Jinja (its listing, table and drawing-id fixes) on the result,
and writes the package from the prepared parts and the few rendered ones. What is prepared
is plain data and compiled code, kept between runs by ``pipeline.template_cache``.

The output is docxtpl's, part for part: ``tests/test_prepared.py`` renders every template
with every sample both ways and compares every part byte for byte. The steps copied from
``DocxTemplate.render_xml_part`` are marked; docxtpl is pinned below 0.21 in pyproject.toml.
"""

from __future__ import annotations

import copy
import io
import marshal
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import CodeType
from typing import Any

from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import serialize_part_xml
from docx.oxml.parser import parse_xml
from docxtpl import DocxTemplate
from jinja2 import Environment, Template
from lxml import etree

from pipeline.zipwrite import Member, deflated, stored_member, zip_bytes

CORE_PROPERTIES = "docProps/core.xml"
# The core properties docxtpl renders as templates (``DocxTemplate.render_properties``).
PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
# The layout of what ``dumps`` writes (the cache's key covers this module's code as well).
STATE_FORMAT = 1
FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def _source(tpl: DocxTemplate, xml: str) -> str:
    """What docxtpl hands to Jinja for a part: its cleaned XML, a line per paragraph."""
    return re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(xml))


def _after_jinja(tpl: DocxTemplate, xml: str) -> str:
    """docxtpl's steps after Jinja (``render_xml_part``): the lines joined again, escaped
    braces restored, tabs, line and paragraph breaks in values turned into Word XML."""
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    return str(tpl.resolve_listing(xml))


@dataclass
class RenderedPart:
    """A header, footer or footnotes part: rendered per document like the body."""

    name: str
    template: Template
    source: str  # footnotes are rendered once per section, again from the previous result
    xml_part: bool  # python-docx parses headers and footers again; footnotes stay text


class PreparedTemplate:
    """One template, ready to render many documents (see the module docstring).

    Everything it holds is plain data and compiled code (``state``), so it can be written
    with ``dumps`` and made again with ``loads`` in another process without the template's
    preparation (``pipeline.template_cache``); a fresh one is made from its state too, so the
    two cannot differ."""

    def __init__(self, tpl: DocxTemplate, env: Environment, state: dict[str, Any]) -> None:
        self.env = env
        self.tpl = tpl  # (unrendered: it only runs docxtpl's steps after Jinja)
        self.state = state
        self.body = self._template(state["body"])
        self.body_index = state["body_index"]
        self.shell = parse_xml(state["shell"])
        self.document_name = state["document"]
        self.sections = state["sections"]
        self.parts = [
            RenderedPart(name, self._template(code), source, xml_part)
            for name, code, source, xml_part in state["parts"]
        ]
        self.core = parse_xml(state["core"])
        self.properties = {name: self._template(code) for name, code in state["properties"]}
        self.members = [Member(*member) for member in state["members"]]

    def _template(self, code: CodeType) -> Template:
        return self.env.template_class.from_code(self.env, code, self.env.make_globals(None), None)

    @classmethod
    def prepare(
        cls, tpl: DocxTemplate, env: Environment, finish: Callable[[DocumentObject], None]
    ) -> PreparedTemplate:
        """Open the template, apply ``finish``, clean and compile what is rendered."""
        tpl.init_docx()
        document = tpl.docx
        finish(document)
        root = copy.deepcopy(document.element)
        body_index = root.index(root.body)
        root.remove(root.body)
        core = document.core_properties
        state = {
            "body": env.compile(_source(tpl, tpl.get_xml())),
            "body_index": body_index,
            "shell": etree.tostring(root),
            "document": document.part.partname.membername,
            "sections": len(document.sections),
            "parts": cls._rendered_parts(tpl, env, document),
            "core": etree.tostring(core._element),
            "properties": [(name, env.compile(getattr(core, name))) for name in PROPERTIES],
            "members": cls._members(document),
        }
        return cls(tpl, env, state)

    @staticmethod
    def _rendered_parts(
        tpl: DocxTemplate, env: Environment, document: DocumentObject
    ) -> list[tuple[str, CodeType, str, bool]]:
        """Headers and footers (and footnotes, when the document has sections): each part's
        name, compiled template, source and whether python-docx parses it again."""
        parts = []
        for rel in document.part.rels.values():
            if rel.reltype in (RT.HEADER, RT.FOOTER) and rel.target_part.blob:
                part = rel.target_part
                source = _source(tpl, tpl.get_part_xml(part))
                parts.append((part.partname.membername, env.compile(source), "", True))
        for part in document.part.package.parts if len(document.sections) else ():
            if part.content_type == FOOTNOTES:
                xml = part.blob.decode("utf-8")
                parts.append((part.partname.membername, env.compile(_source(tpl, xml)), xml, False))
        return parts

    @staticmethod
    def _members(document: DocumentObject) -> list[tuple[str, bytes, int, int]]:
        """Every member of the package as python-docx writes it, as it compressed it."""
        buffer = io.BytesIO()
        document.save(buffer)
        with zipfile.ZipFile(buffer) as package:
            members = [stored_member(package, info) for info in package.infolist()]
        return [(m.name, m.compressed, m.crc, m.size) for m in members]

    def dumps(self) -> bytes:
        """The prepared template as bytes, for ``loads`` in another process of this very
        program (compiled code is only good for the Python that made it)."""
        return marshal.dumps((STATE_FORMAT, self.state))

    @classmethod
    def loads(cls, data: bytes, tpl: DocxTemplate, env: Environment) -> PreparedTemplate:
        """What ``dumps`` wrote; ``ValueError`` when it is not that."""
        try:
            found, state = marshal.loads(data)
            if found != STATE_FORMAT:
                raise ValueError("another format")
            return cls(tpl, env, state)
        except (EOFError, TypeError, KeyError, etree.XMLSyntaxError) as exc:
            raise ValueError(f"not a prepared template: {exc!r}") from exc

    def render(
        self, context: dict[str, Any], stamp: Callable[[CoreProperties], None], when: datetime
    ) -> bytes:
        """The document for ``context`` as a .docx file's bytes; ``stamp`` sets its core
        properties after docxtpl's rendering of them; every member is dated ``when``."""
        changed = {self.document_name: self._document(context)}
        for part in self.parts:
            changed[part.name] = self._part(part, context)
        changed[CORE_PROPERTIES] = self._core(context, stamp)
        members = [
            deflated(m.name, changed[m.name]) if m.name in changed else m for m in self.members
        ]
        return zip_bytes(members, when)

    def _document(self, context: dict[str, Any]) -> bytes:
        self.tpl.docx_ids_index = 1000  # as ``DocxTemplate.render_init`` sets it per render
        tree = self.tpl.fix_tables(_after_jinja(self.tpl, self.body.render(context)))
        self.tpl.fix_docpr_ids(tree)
        root = copy.deepcopy(self.shell)
        root.insert(self.body_index, tree)
        return serialize_part_xml(root)

    def _part(self, part: RenderedPart, context: dict[str, Any]) -> bytes:
        xml = _after_jinja(self.tpl, part.template.render(context))
        if part.xml_part:
            return serialize_part_xml(parse_xml(xml.encode("utf-8")))
        for _ in range(self.sections - 1):  # ``render_footnotes`` renders once per section
            xml = self.tpl.render_xml_part(self.tpl.patch_xml(xml), None, context, self.env)
        return xml.encode("utf-8")

    def _core(self, context: dict[str, Any], stamp: Callable[[CoreProperties], None]) -> bytes:
        element = copy.deepcopy(self.core)
        properties = CoreProperties(element)
        for name, template in self.properties.items():
            setattr(properties, name, template.render(context))
        stamp(properties)
        return serialize_part_xml(element)
