"""Blank .docx forms, derived from a kind's model: the Word form departments fill in (SPEC §5).

The canonical Chinese 表格: scalar fields in a label/value table, two short fields to a row and
long ones across it; each table field a table of its own whose header row holds the column
labels, with empty rows below (repeated on every page). Short option lists are printed in
brackets after the label (``性别（男/女）``), other hints in the 填表说明 under the title.
The kind is recorded in the custom document property ``form_kind``, and the footer prints the
form's title and version (never the English key: nothing a clerk reads is English). No content
controls: LibreOffice 7.4 duplicates them and drops their tags on save (SPEC §5).
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from forms.base import FormKind
from forms.fields import FieldDef
from pipeline.config import Config
from pipeline.docx_build import Cell, DocBuilder, label, set_style, value

PAIR_GRID_MM = (32, 46, 32, 46)
LABEL_PT = 10.5
SHORT_HINT = 12  # characters; a longer hint goes to the 填表说明
MAX_BLANK_ROWS = 20
SMALL_TABLE_COLUMNS = 5  # wider tables use the small font
LANDSCAPE_COLUMNS = 7  # wider tables get a landscape page
SINGLE_LINE_TYPES = frozenset({"choice", "bool", "int", "money", "date", "datetime"})
TYPICAL_CHARS = {"date": 5, "datetime": 8, "money": 4, "int": 2, "bool": 2}  # full-width chars
RED = RGBColor(0xC0, 0x00, 0x00)
GREY = RGBColor(0x59, 0x59, 0x59)
NOTE = (
    "填表说明：带“*”的栏目必须填写；日期写作2026-03-05或2026年3月5日，金额以元为单位；"
    "括号内是可填写的选项或提示。请用Word或WPS直接在空白格内填写，不要改动栏目名称和表格结构，"
    "保存为.docx格式后放入收件箱。"
)
CUSTOM_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
    ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{}'
    "</Properties>"
)
CUSTOM_PROPERTY = (
    '<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name="{name}">'
    "<vt:lpwstr>{value}</vt:lpwstr></property>"
)


def field_hint(spec: FieldDef, settings: dict[str, Any]) -> str:
    """What a printed form says about a field besides its label: the options of a choice, or
    the kind's hint. A multiple choice keeps its own hint (it may say which options are
    needed); its options are written with 、, the separator a clerk should type."""
    options = spec.type.options(settings) or getattr(spec.type, "choices", ())
    if spec.type.type_name == "multi":
        return spec.type.hint or "、".join(options)
    return "/".join(options) if options else spec.type.hint


def is_short(spec: FieldDef) -> bool:
    """Fits half a row: a number, date or choice, or a one-line text of bounded length."""
    if spec.type.type_name in SINGLE_LINE_TYPES or spec.type.text_format:
        return True
    length = getattr(spec.type, "length", None)
    return getattr(spec.type, "lines", 1) == 1 and (length is None or length[1] <= 20)


class BlankDocx:
    """Builds the blank Word form of one kind."""

    def __init__(self, kind: FormKind, config: Config) -> None:
        self.kind = kind
        self.settings = config.settings()
        self.doc = DocBuilder(config.fonts)
        self.notes: list[str] = []
        self.union = config.organisation.union
        self.landscape = False

    def build(self) -> bytes:
        self.doc.title(self.kind.title)
        meta_line = self.doc.document.paragraphs[-1]
        pending: list[FieldDef] = []
        for spec in self.kind.model.field_defs():
            if spec.is_table:
                self._scalars(pending)
                pending = []
                self._table(spec)
            else:
                pending.append(spec)
        self._scalars(pending)
        self._signatures()
        self._notes(meta_line)
        self._footer()
        self._record_kind()
        return self.doc.save()

    def _hint(self, spec: FieldDef, owner: str = "") -> str:
        """The options of a choice, in brackets after the label when they are short; long
        option lists, those of a multiple choice and every other hint go to the notes."""
        hint = field_hint(spec, self.settings)
        multi = spec.type.type_name == "multi"
        options = hint != spec.type.hint  # options of a choice, not a sentence of advice
        if hint and (multi or not options or len(hint) > SHORT_HINT):
            self.notes.append(f"{owner}{spec.label}：{hint}")
            hint = ""
        shown = "可多选" if multi else hint
        return f"（{shown}）" if shown else ""

    def _orient(self, landscape: bool) -> None:
        if landscape != self.landscape:
            self.doc.section(landscape)
            self.landscape = landscape

    def _scalars(self, specs: list[FieldDef]) -> None:
        """Label/value rows: two short fields side by side, a long one across the row."""
        if not specs:
            return
        self._orient(False)
        rows: list[list[Cell]] = []
        placed: list[list[FieldDef]] = []
        queue = list(specs)
        while queue:
            first = queue.pop(0)
            if is_short(first) and queue and is_short(queue[0]):
                placed.append([first, queue.pop(0)])
                rows.append([label(""), value(""), label(""), value("")])
            else:
                placed.append([first])
                rows.append([label(""), value("", 3)])
        table = self.doc.table(rows, PAIR_GRID_MM)
        for row, fields in zip(table.rows, placed, strict=True):
            for cell, spec in zip(_distinct(row.cells)[::2], fields, strict=True):
                _write_label(cell.paragraphs[0], spec.label, self._hint(spec), spec.required)
            lines = getattr(fields[0].type, "lines", 1)
            row.height = Mm(9 if lines == 1 else 7 * lines + 2)

    def _table(self, spec: FieldDef) -> None:
        """A titled table: the header row holds the column labels, empty rows below."""
        columns = spec.columns
        self._orient(len(columns) > LANDSCAPE_COLUMNS)
        title = self.doc.document.add_paragraph(style="UF Table Label")
        title.alignment = WD_ALIGN_PARAGRAPH.LEFT
        title.paragraph_format.space_before = Pt(10)
        title.paragraph_format.keep_with_next = True
        hint = spec.type.describe()
        _write_label(title, spec.label, f"（{hint}）" if hint else "", spec.required)
        visible = spec.type.visible_rows  # type: ignore[attr-defined]
        if visible > MAX_BLANK_ROWS:
            self.notes.append(f"{spec.label}：行数不够时，在表格最后一格按Tab键即可增加一行")
        hints = [self._hint(column, f"{spec.label}—") for column in columns]
        rows = [[label("") for _ in columns]]
        rows += [[value("") for _ in columns] for _ in range(min(visible, MAX_BLANK_ROWS))]
        widths = [column_width(c, h) for c, h in zip(columns, hints, strict=True)]
        table = self.doc.table(rows, widths, header_rows=1)
        for cell, column, shown in zip(table.rows[0].cells, columns, hints, strict=True):
            _write_label(cell.paragraphs[0], column.label, shown, column.required, wrap=True)
        small = len(columns) > SMALL_TABLE_COLUMNS
        for row in table.rows:
            row.height = Mm(8)
            for paragraph in (p for cell in row.cells for p in cell.paragraphs):
                if small:
                    set_style(paragraph, self.doc.document, "UF Small")
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        # Two tables with nothing between them are one table to Word and LibreOffice.
        self.doc.document.add_paragraph(style="UF Small")

    def _signatures(self) -> None:
        """The kind's signature lines under the last table, with room to sign and date."""
        for line in self.kind.signatures:
            self.doc.paragraph(f"{line}：{'　' * 10}年　　月　　日", "UF Table", align="right")
            self.doc.document.paragraphs[-1].paragraph_format.space_before = Pt(18)

    def _notes(self, anchor: Paragraph) -> None:
        """填表说明 under the title, in small print (written last: the hints are known now)."""
        lines = [NOTE] + [f"{n}. {text}" for n, text in enumerate(self.notes, 1)]
        for line in lines:
            paragraph = anchor.insert_paragraph_before(line, style="UF Small")
            paragraph.paragraph_format.space_after = Pt(2)
            for run in paragraph.runs:
                run.font.color.rgb = GREY
        anchor.paragraph_format.line_spacing = Pt(8)  # a small gap before the table

    def _footer(self) -> None:
        text = f"{self.kind.title}　第{self.kind.version}版"
        section = self.doc.document.sections[0]
        for footer in (section.footer, section.even_page_footer):
            paragraph = footer.paragraphs[0].insert_paragraph_before(text, style="UF Small")
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in paragraph.runs:
                run.font.color.rgb = GREY

    def _record_kind(self) -> None:
        document = self.doc.document
        document.core_properties.title = self.kind.title
        document.core_properties.author = self.union
        properties = {"form_kind": self.kind.key, "form_version": self.kind.version}
        body = "".join(
            CUSTOM_PROPERTY.format(pid=pid, name=name, value=escape(text))
            for pid, (name, text) in enumerate(properties.items(), start=2)
        )
        package = document.part.package
        part = Part(
            PackURI("/docProps/custom.xml"),
            CONTENT_TYPE.OFC_CUSTOM_PROPERTIES,
            CUSTOM_XML.format(body).encode("utf-8"),
            package,
        )
        package.relate_to(part, RELATIONSHIP_TYPE.CUSTOM_PROPERTIES)


def printed_width(text: str) -> float:
    """Width in full-width characters: Chinese counts 1, Latin letters and digits 1/2."""
    return sum(1 if ord(char) >= 0x2E80 else 0.5 for char in text)


def column_width(column: FieldDef, hint: str) -> float:
    """A table column's relative width: its label, hint or typical value, whichever is widest."""
    options = column.type.options({})
    typical = max((len(option) for option in options), default=0) or TYPICAL_CHARS.get(
        column.type.type_name, 4
    )
    if column.type.text_format:
        typical = 6  # ID and phone numbers: half-width digits
    label = printed_width(column.label) + (0.5 if column.required else 0)
    return max(label, printed_width(hint), typical, 2) + 1.5


def _distinct(cells: tuple[_Cell, ...]) -> list[_Cell]:
    """The cells of a row once each (python-docx repeats a merged cell for every grid column)."""
    seen: list[_Cell] = []
    for cell in cells:
        if not seen or seen[-1]._tc is not cell._tc:
            seen.append(cell)
    return seen


def _write_label(
    paragraph: Paragraph, text: str, hint: str, required: bool, wrap: bool = False
) -> None:
    """The label in bold with a red ``*`` when required; a bracketed hint in plain type,
    on a line of its own in a table header (``wrap``)."""
    runs = [paragraph.add_run("*")] if required else []
    runs.append(paragraph.add_run(text))
    if hint:
        if wrap:
            runs[-1].add_break()
        runs.append(paragraph.add_run(hint))
        runs[-1].bold = False
    if required:
        runs[0].font.color.rgb = RED
    for run in runs:
        run.font.size = Pt(LABEL_PT)


def build_blank_docx(kind: FormKind, config: Config) -> bytes:
    return BlankDocx(kind, config).build()
