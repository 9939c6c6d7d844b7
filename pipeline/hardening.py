"""Defence in depth for the XML parsers inside the Office libraries.

Screening (``pipeline.package``) streams every XML part of a submitted file through defusedxml
before any library opens it. This module makes each library's own parsing refuse the same
things, should anything reach it unscreened (a template edited by the office, a part screening
did not look at), with defusedxml's own exceptions:

- openpyxl reads worksheets and shared strings with defusedxml's ``iterparse`` when defusedxml
  is installed (``require_defused_openpyxl`` refuses to work when the environment turned that
  off with ``OPENPYXL_DEFUSEDXML=False``); its other parts go through lxml without resolving
  entities, and ``install`` makes that ``fromstring`` refuse a DTD as well.
- python-docx parses every package part with lxml without resolving entities; ``install`` makes
  its ``parse_xml`` (which docxtpl uses too, also to load its templates) refuse a DTD.
- docxtpl parses the rendered document again with a parser of its own: ``pipeline.render``
  streams what it hands over through ``check_xml`` first.
- msoffcrypto reads an encrypted file's EncryptionInfo with minidom: it gets defusedxml's.

Refusing a DTD after lxml parsed without resolving entities is what defusedxml's lxml support
did; the check is cheap because nothing was expanded.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

import docx.opc.oxml
import docx.oxml.parser
import msoffcrypto.format.ooxml
import openpyxl.reader.excel
import openpyxl.xml
import openpyxl.xml.functions
from defusedxml import DTDForbidden
from defusedxml.ElementTree import DefusedXMLParser
from defusedxml.minidom import parseString as defused_parse_string

from pipeline.errors import UnsafeEnvironment

# (library's modules, the name its modules bind the parse function to, the original function)
PARSERS: tuple[tuple[str, str, Callable[..., Any]], ...] = (
    ("openpyxl", "fromstring", openpyxl.xml.functions.fromstring),
    ("docx", "parse_xml", docx.oxml.parser.parse_xml),
    ("docx", "parse_xml", docx.opc.oxml.parse_xml),
    ("docxtpl", "parse_xml", docx.oxml.parser.parse_xml),
    ("docxtpl", "parse_xml", docx.opc.oxml.parse_xml),
)


def check_docinfo(element: Any) -> None:
    """Refuse an lxml tree whose document declared a DTD (where entities are declared)."""
    if not hasattr(element, "getroottree"):
        return  # an ElementTree element from defusedxml: it refused DTDs itself
    docinfo = element.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise DTDForbidden(docinfo.root_name, docinfo.system_url, docinfo.public_id)


# Only its refusals are used (``check_xml``): they raise defusedxml's exceptions.
REFUSING = DefusedXMLParser(forbid_dtd=True)


def check_xml(xml: str | bytes) -> None:
    """Stream ``xml`` through expat with only defusedxml's refusals set (a DTD, an entity
    declared, an external reference raise its exceptions; malformed XML raises ElementTree's
    ``ParseError``, as defusedxml's parser does). Nothing else is called back: defusedxml's
    parser builds the tree in Python, element by element, which took a third of a worker's
    time on rendered documents; this takes a fifteenth of that."""
    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = REFUSING.defused_start_doctype_decl
    parser.EntityDeclHandler = REFUSING.defused_entity_decl
    parser.UnparsedEntityDeclHandler = REFUSING.defused_unparsed_entity_decl
    parser.ExternalEntityRefHandler = REFUSING.defused_external_entity_ref_handler
    try:
        parser.Parse(xml, True)
    except expat.ExpatError as exc:
        problem = ParseError(
            f"{expat.ErrorString(exc.code)}: line {exc.lineno}, column {exc.offset}"
        )
        problem.code, problem.position = exc.code, (exc.lineno, exc.offset)
        raise problem from None


def guarded(parse: Callable[..., Any]) -> Callable[..., Any]:
    """``parse`` refusing documents with a DTD."""

    def parse_refusing_dtd(xml: Any, *args: Any, **kwargs: Any) -> Any:
        element = parse(xml, *args, **kwargs)
        check_docinfo(element)
        return element

    parse_refusing_dtd.__wrapped__ = parse  # type: ignore[attr-defined]
    return parse_refusing_dtd


def _defused_minidom(text: bytes | str) -> Any:
    return defused_parse_string(text, forbid_dtd=True)


def install() -> None:
    """Guard every loaded module's binding of the libraries' parse functions (idempotent:
    run again after more of a library has been imported)."""
    for library, name, original in PARSERS:
        replacement = guarded(original)
        for module_name, module in list(sys.modules.items()):
            if module is None or module_name.split(".")[0] != library:
                continue
            if getattr(module, name, None) is original:
                setattr(module, name, replacement)
    msoffcrypto.format.ooxml.parseString = _defused_minidom


def unguarded_bindings() -> list[str]:
    """Modules still binding an unguarded parse function (what the tests check is empty)."""
    return [
        f"{module_name}.{name}"
        for library, name, original in PARSERS
        for module_name, module in list(sys.modules.items())
        if module is not None
        and module_name.split(".")[0] == library
        and getattr(module, name, None) is original
    ]


def openpyxl_is_defused() -> bool:
    return bool(openpyxl.xml.DEFUSEDXML) and openpyxl.xml.functions.iterparse.__module__.startswith(
        "defusedxml"
    )


def require_defused_openpyxl() -> None:
    """Refuse to process forms when openpyxl would parse them without defusedxml."""
    install()
    if not openpyxl_is_defused():
        raise UnsafeEnvironment(
            "openpyxl 没有启用 defusedxml（可能设置了环境变量 OPENPYXL_DEFUSEDXML=False，"
            "或 defusedxml 没有安装），为安全起见不处理表单；请去掉该设置或重新安装 unionforms"
        )


install()
