"""Word templates prepared once per process: docxtpl's output without docxtpl's per-render cost.

For every document docxtpl opens the whole package with python-docx, cleans the body's XML
with a few dozen regular expressions so Jinja can read it, compiles it, and serialises and
compresses every part of the package again. Only the Jinja rendering depends on the record.
A ``PreparedTemplate`` does the rest once: it opens the template, applies what the caller
does to every document of it (``finish``: the configured fonts, for instance), cleans and
compiles the body, the headers and footers and the core properties, and compresses every
other part as python-docx would write it. Rendering then fills in the compiled templates,
runs docxtpl's own steps after Jinja (its listing, table and drawing-id fixes) on the result,
and writes the package from the prepared parts and the few rendered ones.

The output is docxtpl's, part for part: ``tests/test_prepared.py`` renders every template
with every sample both ways and compares every part byte for byte. The steps copied from
``DocxTemplate.render_xml_part`` are marked; docxtpl is pinned below 0.21 in pyproject.toml.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import serialize_part_xml
from docx.oxml.parser import parse_xml
from docxtpl import DocxTemplate
from jinja2 import Environment, Template

from pipeline.zipwrite import Member, deflated, stored_member, zip_bytes

CORE_PROPERTIES = "docProps/core.xml"
# The core properties docxtpl renders as templates (``DocxTemplate.render_properties``).
PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
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
    """One template, ready to render many documents (see the module docstring)."""

    def __init__(
        self, tpl: DocxTemplate, env: Environment, finish: Callable[[DocumentObject], None]
    ) -> None:
        self.env = env
        self.tpl = tpl  # (unrendered: it is only ever used to prepare and to fix tables)
        self.tpl.init_docx()
        document = self.tpl.docx
        finish(document)
        self.body = env.from_string(_source(self.tpl, self.tpl.get_xml()))
        root = copy.deepcopy(document.element)
        self.body_index = root.index(root.body)
        root.remove(root.body)
        self.shell = root
        self.document_name = document.part.partname.membername
        self.sections = len(document.sections)
        self.parts = self._rendered_parts(document)
        core = document.core_properties
        self.core = copy.deepcopy(core._element)
        self.properties = {name: env.from_string(getattr(core, name)) for name in PROPERTIES}
        self.members = self._members(document)

    def _rendered_parts(self, document: DocumentObject) -> list[RenderedPart]:
        parts = []
        for rel in document.part.rels.values():
            if rel.reltype in (RT.HEADER, RT.FOOTER) and rel.target_part.blob:
                part = rel.target_part
                xml = self.tpl.get_part_xml(part)
                source = _source(self.tpl, xml)
                parts.append(
                    RenderedPart(part.partname.membername, self.env.from_string(source), "", True)
                )
        for part in document.part.package.parts if self.sections else ():
            if part.content_type == FOOTNOTES:
                xml = part.blob.decode("utf-8")
                source = _source(self.tpl, xml)
                parts.append(
                    RenderedPart(part.partname.membername, self.env.from_string(source), xml, False)
                )
        return parts

    @staticmethod
    def _members(document: DocumentObject) -> list[Member]:
        """Every member of the package as python-docx writes it, as it compressed it."""
        buffer = io.BytesIO()
        document.save(buffer)
        with zipfile.ZipFile(buffer) as package:
            return [stored_member(package, info) for info in package.infolist()]

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
