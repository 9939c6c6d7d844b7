"""Documents as they print, read back from the .docx: page setup, language and fonts, rows kept
whole, headers repeated, blocks kept together, room for seals, sections; for every document of
every good sample (the stress samples included), and the content that used to be wrong."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_SECTION
from docx.oxml.ns import qn
from docx.shared import Mm
from lxml import etree
from openpyxl import load_workbook

from forms import KINDS, get_kind
from pipeline import docx_form, xlsx_form
from pipeline.blank_xlsx import build_blank_xlsx
from pipeline.config import Config
from pipeline.engine import BatchResult
from pipeline.job import Location, Problem
from tests.conftest import Workspace, docx_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def accepted_documents(result: BatchResult) -> list[Path]:
    return [path for job in result.jobs if job.outcome == "accepted" for path in job.documents]


@pytest.fixture(scope="module")
def documents(by_format: dict[str, BatchResult]) -> list[Path]:
    found = accepted_documents(by_format["xlsx"])
    assert len(found) >= sum(len(kind.documents) for kind in KINDS)
    return found


def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as package:
        return etree.fromstring(package.read(name))


def test_every_document_is_a4_with_the_official_margins(documents: list[Path]) -> None:
    for path in documents:
        for section in docx.Document(str(path)).sections:
            assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
            assert (round(section.top_margin.mm), round(section.bottom_margin.mm)) == (37, 35)
            assert (round(section.left_margin.mm), round(section.right_margin.mm)) == (28, 26)


def test_every_document_declares_chinese_and_fonts_with_fallbacks(documents: list[Path]) -> None:
    for path in documents:
        defaults = part(path, "word/styles.xml").find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        assert defaults.find(f"{W}lang").get(f"{W}eastAsia") == "zh-CN", path.name
        assert defaults.find(f"{W}rFonts").get(f"{W}eastAsia") == "仿宋_GB2312"
        theme = part(path, "word/settings.xml").find(f"{W}themeFontLang")
        assert theme.get(f"{W}eastAsia") == "zh-CN"
        fonts = {f.get(f"{W}name"): f for f in part(path, "word/fontTable.xml")}
        assert "ＭＳ 明朝" not in fonts  # python-docx's Japanese fonts are gone
        expected = {"仿宋_GB2312": "仿宋", "方正小标宋简体": "宋体", "楷体_GB2312": "楷体"}
        for name, alternative in expected.items():
            assert fonts[name].find(f"{W}altName").get(f"{W}val") == alternative
            assert fonts[name].find(f"{W}charset").get(f"{W}val") == "86"  # GB2312


def test_body_style_is_22_lines_of_28_characters_with_indented_headings() -> None:
    styles = docx.Document(io.BytesIO(Path("templates/accident_report.docx").read_bytes())).styles
    body = styles["UF Body"].element
    assert body.pPr.find(f"{W}spacing").get(f"{W}line") == "579"  # 28.95 pt: 22 lines
    spacing = int(body.rPr.find(f"{W}spacing").get(f"{W}val"))  # twentieths of a point
    pitch = 16 + spacing / 20
    assert 28 * pitch <= Mm(156).pt < 29 * pitch  # 28 characters fill the 156 mm line
    for name in ("UF Body", "UF Heading 1", "UF Heading 2"):
        assert styles[name].paragraph_format.first_line_indent.pt == 32
    table = styles["UF Table"].element.pPr.find(f"{W}snapToGrid")
    assert table.get(f"{W}val") == "0"  # 12 pt table text is not spread to the 16 pt grid


def test_prose_documents_have_the_line_grid(documents: list[Path]) -> None:
    for path in documents:
        if "调查报告书" in path.name or "责任状" in path.name:
            grid = part(path, "word/document.xml").find(f".//{W}sectPr/{W}docGrid")
            assert (grid.get(f"{W}type"), grid.get(f"{W}linePitch")) == ("lines", "579")


def test_rows_are_not_split_across_pages(documents: list[Path]) -> None:
    for path in documents:
        for table in docx.Document(str(path)).tables:
            for tr in table._tbl.tr_lst:
                # a row of prose (its paragraphs indented) may continue on the next page
                prose = tr.xpath(".//w:ind[@w:firstLine='480']")
                kept = tr.find(f"{W}trPr/{W}cantSplit") is not None
                assert kept or prose, (path.name, "".join(tr.itertext())[:40])


@pytest.mark.parametrize("name", sorted({s.template for k in KINDS for s in k.documents}))
def test_list_tables_repeat_their_header_rows(name: str) -> None:
    document = docx.Document(str(Path("templates") / name))
    lists = [t for t in document.tables if "{%tr for" in "".join(t._tbl.itertext())]
    for table in lists:
        header = table.rows[0]._tr
        assert header.find(f"{W}trPr/{W}tblHeader") is not None, name
    if name in ("accident_report.docx", "hardship_file.docx"):
        assert lists  # the injured, four-nos, signature and family tables


def test_signatures_stay_with_what_they_sign(documents: list[Path]) -> None:
    for path in documents:
        document = docx.Document(str(path))
        if "调查报告书" in path.name:  # heading and every signature row but the last keep on
            heading = next(p for p in document.paragraphs if p.text == "八、调查组成员签名")
            assert heading.paragraph_format.keep_with_next
            signatures = document.tables[-2]
            for row in signatures.rows:
                assert row.cells[0].paragraphs[0].paragraph_format.keep_with_next
        if "审批表" in path.name:
            approval = document.tables[0]
            for row in approval.rows[-4:-1]:  # 部门意见, 工会审核意见 hold on to the next row
                assert row.cells[-1].paragraphs[0].paragraph_format.keep_with_next


def test_issuing_bodies_have_room_for_a_seal(documents: list[Path]) -> None:
    for path in documents:
        document = docx.Document(str(path))
        if "调查报告书" in path.name or "通知书" in path.name:
            block = document.tables[-1] if "调查报告书" in path.name else document.tables[1]
            name, day = (p.text for p in block.rows[0].cells[1].paragraphs)
            assert name.endswith(("有限责任公司", "工会")) and day.endswith("日")
            assert block.rows[0].height >= Mm(40)
        if "审批表" in path.name or "验收单" in path.name:
            seal = next(
                row for t in document.tables for row in t.rows if "（盖章）" in row.cells[-1].text
            )
            assert seal.height >= Mm(40)


def test_each_typed_line_is_a_paragraph_indented_like_the_body(ws: Workspace) -> None:
    ws.drop("隐患.xlsx", ws.xlsx("hazard", proposed_measures="1．更换密封垫；\n2．清理油污；"))
    ws.process()
    document = docx.Document(str(ws.outputs("documents")[0]))
    cell = next(
        c for t in document.tables for r in t.rows for c in r.cells if c.text.startswith("1．更换")
    )
    assert [p.text for p in cell.paragraphs] == ["1．更换密封垫；", "2．清理油污；"]
    for paragraph in cell.paragraphs:
        assert paragraph.paragraph_format.first_line_indent.pt == 24  # two 12 pt characters
        assert not paragraph._p.xpath(".//w:br")


def test_short_notice_keeps_its_slip_on_page_1_a_long_one_starts_it_on_an_odd_page(
    ws: Workspace,
) -> None:
    ws.drop("短.xlsx", ws.xlsx("hazard"))
    ws.drop("长.xlsx", ws.xlsx("hazard", 2))
    ws.process()
    short, long = ws.outputs("documents")  # YH-2026-0001 (短), YH-2026-0002 (长)
    assert len(docx.Document(str(short)).sections) == 1
    sections = docx.Document(str(long)).sections
    assert len(sections) == 2 and sections[1].start_type == WD_SECTION.ODD_PAGE
    for section in sections:  # both pages print their numbers
        assert section._sectPr.find(qn("w:footerReference")) is not None
    slip = docx_text(short).split("（沿此线剪下）")[1]
    assert "事故隐患整改回执" in slip and "收件箱" not in slip and "电子表单" not in slip


def test_hardship_file_names_no_file_and_leaves_room_for_the_clerk(ws: Workspace) -> None:
    ws.drop("张示例的申请.xlsx", ws.xlsx("hardship"))
    ws.process()
    archive, approval = ws.outputs("documents")
    text = docx_text(archive)
    assert "张示例的申请" not in text and ".xlsx" not in text and "原件" not in text
    assert "经办人" in text
    assert "申请人（签字）" in docx_text(approval)


def test_approval_keeps_to_one_page_and_puts_long_texts_on_an_attachment(ws: Workspace) -> None:
    ws.drop("长.xlsx", ws.xlsx("hardship", 2))
    ws.process()
    approval = docx.Document(str(ws.outputs("documents")[1]))
    form = approval.tables[0]
    assert "（内容较长，见附页）" in form.rows[6].cells[-1].text
    texts = [p.text for p in approval.paragraphs]
    assert "困难职工补助审批表附页" in texts and "一、困难情况" in texts and "二、部门意见" in texts


def test_family_table_is_a_table_of_its_own_with_repeated_header(ws: Workspace) -> None:
    ws.drop("长.xlsx", ws.xlsx("hardship", 2))
    ws.process()
    family = docx.Document(str(ws.outputs("documents")[0])).tables[1]
    assert family.rows[0].cells[0].text == "家庭成员（不含本人）"
    assert len(family.rows) == 12  # title, column labels, ten members
    for row in family.rows[:2]:
        assert row._tr.find(f"{W}trPr/{W}tblHeader") is not None


@pytest.mark.parametrize("kind", KINDS, ids=[kind.key for kind in KINDS])
def test_blank_forms_print_no_english(kind: object) -> None:
    config = Config()
    form = get_kind(kind.key)  # type: ignore[attr-defined]
    sheet = load_workbook(io.BytesIO(build_blank_xlsx(form, config))).worksheets[0]
    footer = sheet.oddFooter.right.text
    assert footer == f"{form.title} 第{form.version}版" and form.key not in footer


def test_marked_copies_drop_the_english_key_of_older_forms() -> None:
    form = get_kind("hardship")
    blank = load_workbook(io.BytesIO(build_blank_xlsx(form, Config())))
    blank.worksheets[0].oddFooter.right.text = "hardship 第1版"  # as forms before #10 said
    buffer = io.BytesIO()
    blank.save(buffer)
    sheet = blank.worksheets[0].title
    problem = Problem("姓名", Location("x", sheet=sheet, cell="B4"), None, "此项为必填项", True)
    marked = load_workbook(io.BytesIO(xlsx_form.mark(buffer.getvalue(), [problem]) or b""))
    assert marked[sheet].oddFooter.right.text == "第1版"


def test_docx_forms_without_the_key_are_still_identified() -> None:
    from pipeline.blank_docx import build_blank_docx

    for kind in KINDS:
        blank = build_blank_docx(kind, Config())
        document = docx_form.load(blank)
        for paragraph in document.paragraphs:  # a retyped copy: no title line, no property
            if paragraph.text == kind.title:
                paragraph.text = ""
        package = document.part.package
        for key, rel in list(package.rels.items()):
            if rel.reltype.endswith("/custom-properties"):
                package.rels.pop(key)
        stripped = io.BytesIO()
        document.save(stripped)
        assert docx_form.custom_kind(stripped.getvalue()) is None
        assert docx_form.identify(stripped.getvalue(), KINDS) is kind  # by its footer
