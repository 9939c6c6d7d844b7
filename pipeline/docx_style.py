"""Official-document layout for Word files (GB/T 9704-2012 where it applies).

A4 with margins 37/35/28/26 mm; title 22 pt, body 16 pt on 22 lines of 28 characters (a line
pitch of 28.95 pt, characters spaced to 15.79 pt; prose documents also get Word's line grid);
headings 一、 in 黑体 and （一） in 楷体, indented two characters like the body; page numbers
``— 1 —`` in 14 pt, odd pages right, even pages left. Chinese fonts are set for East Asian
text (``w:eastAsia``), not only the Latin font, or Word would print Chinese in whatever its
default East Asian font is; the language and font table are in ``pipeline.docx_fonts``.
"""

from __future__ import annotations

import math
from typing import cast

from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.section import Section
from docx.shared import Length, Mm, Pt
from docx.styles.style import BaseStyle, ParagraphStyle
from docx.text.paragraph import Paragraph

from pipeline.config import Fonts
from pipeline.docx_fonts import declare_chinese

LINE_PITCH = 28.95  # pt: 22 lines in the 225 mm type area of GB/T 9704
BODY_PT = 16
CHARS_PER_LINE = 28
TEXT_WIDTH = Mm(210 - 28 - 26)
# Style name -> (fonts attribute, size in pt, bold, alignment, fixed line spacing in pt or None)
STYLES: dict[str, tuple[str, float, bool, WD_ALIGN_PARAGRAPH | None, float | None]] = {
    "UF Title": ("title", 22, False, WD_ALIGN_PARAGRAPH.CENTER, 36),
    "UF Body": ("body", BODY_PT, False, WD_ALIGN_PARAGRAPH.JUSTIFY, LINE_PITCH),
    "UF Heading 1": ("heading", BODY_PT, False, None, LINE_PITCH),
    "UF Heading 2": ("subheading", BODY_PT, False, None, LINE_PITCH),
    "UF Meta": ("body", 14, False, WD_ALIGN_PARAGRAPH.RIGHT, 24),
    "UF Table": ("table", 12, False, None, 20),
    "UF Table Label": ("table", 12, True, WD_ALIGN_PARAGRAPH.CENTER, 20),
    "UF Small": ("table", 10.5, False, None, 16),
    "UF Page Number": ("table", 14, False, None, None),
}


def set_run_fonts(element: object, east_asian: str, latin: str) -> None:
    """Set ascii/hAnsi (Latin) and eastAsia fonts on a style's or run's ``w:rPr``."""
    if hasattr(element, "get_or_add_rPr"):
        rpr = element.get_or_add_rPr()
    else:  # w:rPrDefault is a plain element: its only child is w:rPr
        rpr = element.find(qn("w:rPr"))  # type: ignore[attr-defined]
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            element.append(rpr)  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


# What follows w:snapToGrid in CT_PPrBase: Word refuses properties out of schema order.
AFTER_SNAP_TO_GRID = (
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)
# What follows w:spacing in CT_RPr.
AFTER_CHARACTER_SPACING = (
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)
# Styles laid on the document grid: the prose. Titles, tables and small print keep their own
# spacing (on a grid of 16 pt characters, 12 pt text would be spread out to 16 pt).
ON_GRID = ("UF Body", "UF Heading 1", "UF Heading 2")
INDENTED = ON_GRID  # first line indented two characters


def apply_fonts(document: DocumentObject, fonts: Fonts) -> None:
    """Point every unionforms style (and the document default) at the configured fonts, and
    declare the text Chinese (``pipeline.docx_fonts``)."""
    for name, (attribute, *_rest) in STYLES.items():
        style = _find_style(document, name)
        if style is not None:
            set_run_fonts(style.element, getattr(fonts, attribute), fonts.latin)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None:
            set_run_fonts(rpr_default, fonts.body, fonts.latin)
    set_run_fonts(document.styles["Normal"].element, fonts.body, fonts.latin)
    declare_chinese(document, fonts)


def _find_style(document: DocumentObject, name: str) -> BaseStyle | None:
    for style in document.styles:
        if style.name == name:
            return style
    return None


def define_styles(document: DocumentObject, fonts: Fonts) -> None:
    """Create the unionforms paragraph styles (used by templates and blank forms)."""
    for name, (attribute, size, bold, alignment, spacing) in STYLES.items():
        style = cast(
            ParagraphStyle,
            _find_style(document, name) or document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH),
        )
        style.base_style = document.styles["Normal"]
        style.font.size = Pt(size)
        style.font.bold = bold
        set_run_fonts(style.element, getattr(fonts, attribute), fonts.latin)
        paragraph = style.paragraph_format
        paragraph.space_before = Pt(0)
        paragraph.space_after = Pt(0)
        if alignment is not None:
            paragraph.alignment = alignment
        if spacing is not None:
            paragraph.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            paragraph.line_spacing = Pt(spacing)
        if name in INDENTED:
            paragraph.first_line_indent = Pt(2 * BODY_PT)
        if name in ON_GRID:
            _condensed(style)
        else:
            style.element.get_or_add_pPr().insert_element_before(
                _off("w:snapToGrid"), *AFTER_SNAP_TO_GRID
            )
    set_run_fonts(document.styles["Normal"].element, fonts.body, fonts.latin)
    declare_chinese(document, fonts)


def _off(tag: str) -> BaseOxmlElement:
    element = OxmlElement(tag)
    element.set(qn("w:val"), "0")
    return element


def page_setup(document: DocumentObject, landscape: bool = False) -> None:
    """A4 with the GB/T 9704 margins and ``— n —`` page numbers, odd right, even left."""
    section = document.sections[0]
    orient(section, landscape)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(20)
    document.settings.odd_and_even_pages_header_footer = True
    style = cast(ParagraphStyle, document.styles["UF Page Number"])
    _page_number(section.footer.paragraphs[0], style, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], style, WD_ALIGN_PARAGRAPH.LEFT)


def orient(section: Section, landscape: bool) -> Length:
    """Turn an A4 section portrait or landscape; returns the width left for text."""
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (
        (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    )
    return Mm((297 if landscape else 210) - 28 - 26)


def _page_number(
    paragraph: Paragraph, style: ParagraphStyle, alignment: WD_ALIGN_PARAGRAPH
) -> None:
    paragraph.style = style
    paragraph.alignment = alignment
    # 空一字: one 14 pt character between the number and the edge of the text block
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = Pt(14)
    else:
        paragraph.paragraph_format.left_indent = Pt(14)
    paragraph.add_run("— ")
    _field(paragraph, "PAGE")
    paragraph.add_run(" —")


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES …) showing ``1`` until the reader updates it."""
    for kind in ("begin", "instr", "separate", "text", "end"):
        run = paragraph.add_run()
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = "1"
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


def prose_grid(document: DocumentObject) -> None:
    """The GB/T 9704 line grid on every section: 22 lines to the page.

    The 28 characters of a line come from the body styles' character spacing
    (``_condensed``), not from a character grid: LibreOffice spreads the characters of Word's
    ``linesAndChars`` grid over almost twice the width.
    """
    for section in document.sections:
        sect_pr = section._sectPr
        grid = sect_pr.find(qn("w:docGrid"))
        if grid is None:  # python-docx's sections have one; it is next to last in CT_SectPr
            grid = OxmlElement("w:docGrid")
            sect_pr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(round(LINE_PITCH * 20)))
        grid.attrib.pop(qn("w:charSpace"), None)


def _condensed(style: ParagraphStyle) -> None:
    """Characters of the body size spaced so that 28 fill the 156 mm line (15.79 pt each)."""
    pitch = TEXT_WIDTH.pt / CHARS_PER_LINE
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(math.floor((pitch - BODY_PT) * 20)))  # twentieths of a point
    style.element.get_or_add_rPr().insert_element_before(spacing, *AFTER_CHARACTER_SPACING)
