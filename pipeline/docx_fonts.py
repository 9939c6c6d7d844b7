"""Chinese documents that print Chinese everywhere: language, theme and font table.

python-docx's own template declares Japanese as the East Asian language of its theme and lists
Japanese fonts (ＭＳ 明朝) in its font table, and its default text is marked en-US. Word, WPS and
LibreOffice choose glyphs and substitute missing fonts by these: a document made on it prints
Chinese with Japanese glyph shapes on a machine without the named font. Here every document
says zh-CN (the default East Asian language, and the theme's), and the font table describes
each configured font as a GB2312 (charset 86) font with the name of a stock Windows font as
its alternative, so Word without 仿宋_GB2312 or 方正小标宋简体 takes 仿宋 or 宋体.
"""

from __future__ import annotations

from typing import Any

from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from pipeline.config import Fonts

LANGUAGE = "zh-CN"
GB2312 = "86"  # w:charset of fonts for Simplified Chinese
DRAWING = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
# Font -> (alternative name on a stock Windows, PANOSE, family, pitch)
KNOWN_FONTS: dict[str, tuple[str, str, str, str]] = {
    "宋体": ("SimSun", "02010600030101010101", "auto", "variable"),
    "黑体": ("SimHei", "02010609060101010101", "modern", "fixed"),
    "仿宋": ("FangSong", "02010609060101010101", "modern", "fixed"),
    "楷体": ("KaiTi", "02010609060101010101", "modern", "fixed"),
    "仿宋_GB2312": ("仿宋", "02010609030101010101", "modern", "fixed"),
    "楷体_GB2312": ("楷体", "02010609030101010101", "modern", "fixed"),
    "方正小标宋简体": ("宋体", "02000000000000000000", "script", "variable"),
    "方正仿宋_GBK": ("仿宋", "02000000000000000000", "script", "variable"),
    "方正楷体_GBK": ("楷体", "02000000000000000000", "script", "variable"),
    "方正黑体_GBK": ("黑体", "02000000000000000000", "script", "variable"),
}
JAPANESE_CHARSET = "80"


def declare_chinese(document: DocumentObject, fonts: Fonts) -> None:
    """zh-CN as the language of the text and of the theme, and a font table for ``fonts``."""
    _default_language(document)
    _theme_language(document)
    _theme_fonts(document)
    _font_table(document, fonts)


def _default_language(document: DocumentObject) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        return
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr is None:
        return
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)  # last in CT_RPr's sequence among the elements written here
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), LANGUAGE)


def ordered_child(parent: Any, tag: str, before: str) -> Any:
    """The child ``tag`` of ``parent``; when missing, made just before its child ``before``
    (or last): the schema's sequence puts ``tag`` there, and Word refuses elements out of it."""
    child = parent.find(qn(tag))
    if child is None:
        child = OxmlElement(tag)
        following = parent.find(qn(before))
        if following is not None:
            following.addprevious(child)
        else:
            parent.append(child)
    return child


def _theme_language(document: DocumentObject) -> None:
    # CT_Settings order: themeFontLang comes before clrSchemeMapping and what follows it
    lang = ordered_child(document.settings.element, "w:themeFontLang", "w:clrSchemeMapping")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), LANGUAGE)


def _theme_fonts(document: DocumentObject) -> None:
    """The theme's East Asian fonts: 宋体, as Word's own Chinese theme has them."""
    for rel in document.part.rels.values():
        if rel.reltype != RT.THEME or rel.is_external:
            continue
        part = rel.target_part
        root = etree.fromstring(part.blob)
        for ea in root.iter(f"{DRAWING}ea"):
            ea.set("typeface", "宋体")
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _font_table(document: DocumentObject, fonts: Fonts) -> None:
    table = _font_table_part(document)
    if table is None:
        return
    root = etree.fromstring(table.blob)
    for font in root.findall(qn("w:font")):
        charset = font.find(qn("w:charset"))
        if charset is not None and charset.get(qn("w:val")) == JAPANESE_CHARSET:
            root.remove(font)  # ＭＳ 明朝 and ＭＳ ゴシック of python-docx's template
    listed = {font.get(qn("w:name")) for font in root.findall(qn("w:font"))}
    chinese = {fonts.title, fonts.body, fonts.heading, fonts.subheading, fonts.table}
    for name in sorted(chinese - listed):
        root.append(_font_entry(name))
    table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _font_table_part(document: DocumentObject) -> Part | None:
    for rel in document.part.rels.values():
        if rel.reltype == RT.FONT_TABLE and not rel.is_external:
            return rel.target_part
    return None


def _font_entry(name: str) -> etree._Element:
    """A w:font of the font table (CT_Font: altName, panose1, charset, family, pitch)."""
    alternative, panose, family, pitch = KNOWN_FONTS.get(
        name, ("宋体", "02010600030101010101", "auto", "variable")
    )
    font = etree.Element(qn("w:font"), {qn("w:name"): name})
    if alternative != name:
        etree.SubElement(font, qn("w:altName"), {qn("w:val"): alternative})
    etree.SubElement(font, qn("w:panose1"), {qn("w:val"): panose})
    etree.SubElement(font, qn("w:charset"), {qn("w:val"): GB2312})
    etree.SubElement(font, qn("w:family"), {qn("w:val"): family})
    etree.SubElement(font, qn("w:pitch"), {qn("w:val"): pitch})
    return font
