"""Word forms for every kind: the blank .docx, samples filled in Word fashion or retyped, marked
copies of rejected ones; every record compared with the one the .xlsx sample gives."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from lxml import etree

from forms import KINDS, get_kind
from forms.base import FormKind
from forms.fields import is_blank
from pipeline import docx_form
from pipeline.blank_docx import build_blank_docx
from pipeline.config import Config
from pipeline.engine import BatchResult
from pipeline.files import safe_name
from pipeline.samples import fill_docx, type_into, typed_text
from tests.batches import (
    assert_same_records,
    every_good_sample,
    jobs_by_sample,
    replaced_in_part,
    run_batch,
    samples_of,
)
from tests.conftest import NOW, Workspace
from tests.retyped import retyped_docx

KIND_IDS = [kind.key for kind in KINDS]
HARDSHIP = get_kind("hardship")


# -- the blank form ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_blank_docx_is_an_a4_label_value_form(kind: FormKind) -> None:
    blank = build_blank_docx(kind, Config())
    document = docx_form.load(blank)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert document.paragraphs[0].text == kind.title
    assert docx_form.custom_kind(blank) == kind.key
    assert docx_form.identify(blank, KINDS) is kind
    footer = section.footer.paragraphs[0].text
    assert footer == f"{kind.title}　第{kind.version}版"  # no English key a clerk would read
    layout = docx_form.locate(document, kind)
    for spec in kind.model.field_defs():
        if spec.is_table:
            area = layout.areas[spec.key]
            assert set(area.columns) == {column.key for column in spec.columns}
            assert area.rows and all(not cell.text for r in area.rows for cell in area.grid.rows[r])
        else:
            slot = layout.slots[spec.key]
            assert slot.value is not None and slot.value.text == "", spec.key
    assert b"<w:sdt>" not in zipfile.ZipFile(io.BytesIO(blank)).read("word/document.xml")
    raw = docx_form.read(blank, kind)
    assert all(value.value is None for value in raw.fields.values())


def test_blank_docx_sets_east_asian_fonts_and_bracket_hints() -> None:
    config = Config()
    document = docx_form.load(build_blank_docx(HARDSHIP, config))
    fonts = document.styles["UF Table"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == config.fonts.table
    labels = [cell.text for row in document.tables[0].rows for cell in row.cells]
    assert "*性别（男/女）" in labels and "*姓名" in labels and "岗位" in labels
    notes = "\n".join(p.text for p in document.paragraphs[:8])
    assert "*致困原因（可多选）" in labels
    assert "致困原因：因病、因残、因伤" in notes  # too long for the label cell


# -- filled in Word ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_docx_samples_give_the_same_records_as_xlsx(
    kind: FormKind, by_format: dict[str, BatchResult]
) -> None:
    docx_jobs = jobs_by_sample(by_format["docx"], kind)
    xlsx_jobs = jobs_by_sample(by_format["xlsx"], kind)
    for sample in samples_of(kind, by_format["xlsx"]):
        job, reference = docx_jobs[safe_name(sample.name)], xlsx_jobs[safe_name(sample.name)]
        assert job.outcome == reference.outcome
        if sample.good:
            assert job.record is not None and reference.record is not None
            assert (job.record.values, job.record.derived) == (
                reference.record.values,
                reference.record.derived,
            )
        else:
            assert [p.label for p in job.problems] == [p.label for p in reference.problems]


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_rejected_docx_comes_back_marked(kind: FormKind, by_format: dict[str, BatchResult]) -> None:
    rejected = [j for j in jobs_by_sample(by_format["docx"], kind).values() if j.problems]
    assert rejected
    for job in rejected:
        marked = next(p for p in job.outputs if p.name.endswith(".标注.docx"))
        report = next(p for p in job.outputs if p.name.endswith(".错误说明.txt"))
        document = docx.Document(str(marked))
        comments = _comments(marked.read_bytes())
        summary = [p.text for p in document.paragraphs[: len(job.problems) + 1]]
        text = report.read_text(encoding="utf-8-sig")
        for number, problem in enumerate(job.problems, 1):
            assert problem.sentence() in text
            assert f"{number}. {problem.sentence()}" in summary
            if problem.where is not None and problem.where.table is not None:
                assert "个表格第" in problem.sentence()
                assert any(problem.sentence() in comment for comment in comments)
                cell = docx_form.grids(document)[problem.where.table].rows[problem.where.row]
                shading = cell[problem.where.column].cell._tc.tcPr.find(qn("w:shd"))
                assert shading.get(qn("w:fill")) == docx_form.BAD_FILL
        # the marked copy is still a form: fixing it and sending it back works
        assert docx_form.identify(marked.read_bytes(), KINDS) is kind


# -- retyped or typed over -----------------------------------------------------------------


@pytest.fixture(scope="module")
def retyped(
    by_format: dict[str, BatchResult], tmp_path_factory: pytest.TempPathFactory
) -> BatchResult:
    """Every good sample retyped into a new Word document, in one batch."""
    files = every_good_sample(by_format["xlsx"], retyped_docx, "docx")
    assert all(docx_form.custom_kind(data) is None for data in files.values())
    return run_batch(tmp_path_factory.mktemp("retyped"), files)


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_a_retyped_form_with_odd_labels_is_accepted(
    kind: FormKind, retyped: BatchResult, by_format: dict[str, BatchResult]
) -> None:
    assert_same_records(retyped, by_format["xlsx"], kind)


def test_retyped_labels_with_spaces_and_hints_read_right() -> None:
    values = HARDSHIP.samples(NOW.date())[0].values
    data = retyped_docx(HARDSHIP, values)
    printed = [c.text for row in docx.Document(io.BytesIO(data)).tables[0].rows for c in row.cells]
    assert "姓  名：" in printed and "性  别(男/女)" in printed and "本人月收入(元)：" in printed
    raw = docx_form.read(data, HARDSHIP)
    assert raw.fields["name"].value == "张示例"
    assert raw.fields["gender"].value == "男"
    assert raw.fields["monthly_wage"].value == "4200.00"
    assert raw.fields["gender"].where.text == "第1个表格第1行“性别”右边的格"
    members = raw.tables["family_members"]
    assert [row["member_name"].value for row in members] == ["李示例", "张小例"]
    assert members[1]["age"].where.text == "第2个表格第4行“年龄”列"


def word_typed(cell: _Cell, text: str, author: str = "运行部") -> None:
    """Type ``text`` the way Word records it with track changes on: the old text deleted,
    the first line inserted in two runs, a proofing mark, Word's _GoBack bookmark, and a
    blank line ``____`` left after the last line."""
    type_into(cell, text)
    paragraph = cell.paragraphs[0]._p
    line = text.split("\n")[0]
    for run in paragraph.findall(qn("w:r")):
        paragraph.remove(run)

    def element(tag: str, parent=None, text: str | None = None, **attributes: str):  # type: ignore[no-untyped-def]
        made = OxmlElement(tag, {qn(f"w:{k}"): v for k, v in attributes.items()})
        if text is not None:
            made.text = text
        (paragraph if parent is None else parent).append(made)
        return made

    element("w:proofErr", type="spellStart")
    deleted = element("w:del", id="901", author=author, date="2026-06-01T09:00:00Z")
    element("w:delText", element("w:r", deleted), "旧内容")
    inserted = element("w:ins", id="902", author=author, date="2026-06-01T09:00:00Z")
    element("w:t", element("w:r", inserted), line[: len(line) // 2])
    element("w:t", element("w:r"), line[len(line) // 2 :])
    element("w:bookmarkStart", id="0", name="_GoBack")
    element("w:bookmarkEnd", id="0")
    cell.paragraphs[-1].add_run("____")


def ticked(paragraph: Paragraph, value: bool) -> None:
    """☑是 ☐否 made of Wingdings 2 symbols, as Word's Insert > Symbol makes them."""
    for run in paragraph.runs:
        run._r.getparent().remove(run._r)
    for checked, word in ((value, "是"), (not value, "否")):
        symbol = OxmlElement(
            "w:sym", {qn("w:font"): "Wingdings 2", qn("w:char"): "F052" if checked else "F0A3"}
        )
        paragraph.add_run()._r.append(symbol)
        paragraph.add_run(f"{word} ")


def typed_over(kind: FormKind, values: dict[str, Any]) -> bytes:
    """The blank form filled in Word: every value typed with track changes on (bools ticked
    with symbols), the first one typed into its label cell after a colon instead."""
    document = docx_form.load(fill_docx(kind, Config(), values))
    layout = docx_form.locate(document, kind)
    specs = kind.model.field_defs()
    scalars = [s for s in specs if not s.is_table and not is_blank(values.get(s.key))]
    for spec in scalars[1:]:
        cell = layout.slots[spec.key].value
        assert cell is not None
        if spec.type.type_name == "bool":
            ticked(cell.cell.paragraphs[0], spec.type.parse(values[spec.key], None))
        else:
            word_typed(cell.cell, typed_text(values[spec.key]))
    first = layout.slots[scalars[0].key]
    first.label.cell.paragraphs[0].add_run("：" + typed_text(values[scalars[0].key]))
    assert first.value is not None
    type_into(first.value.cell, "")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def typed_over_batch(
    by_format: dict[str, BatchResult], tmp_path_factory: pytest.TempPathFactory
) -> BatchResult:
    files = every_good_sample(by_format["xlsx"], typed_over, "docx")
    return run_batch(tmp_path_factory.mktemp("typed-over"), files)


@pytest.mark.parametrize("kind", KINDS, ids=KIND_IDS)
def test_a_form_typed_over_in_word_is_accepted(
    kind: FormKind, typed_over_batch: BatchResult, by_format: dict[str, BatchResult]
) -> None:
    assert_same_records(typed_over_batch, by_format["xlsx"], kind)


def test_merged_cells_in_a_retyped_table() -> None:
    """A vertically merged cell counts for every row it covers; a cell merged across two
    columns belongs to the first."""
    values = HARDSHIP.samples(NOW.date())[0].values
    members = [
        {"member_name": "张小例", "relation": "子女", "age": 19},
        {"member_name": "张小样", "relation": "子女", "age": 15},
    ]
    document = docx.Document(io.BytesIO(retyped_docx(HARDSHIP, values | {"family_members": []})))
    table = document.tables[1]  # columns reversed: 月收入 工作单位 年龄 关系 姓名
    rows = [table.add_row().cells for _ in members]
    for cells, member in zip(rows, members, strict=True):
        cells[4].text, cells[2].text = member["member_name"], str(member["age"])
    rows[0][3].merge(rows[1][3]).text = "子女"
    rows[1][0].merge(rows[1][1]).text = "0"  # across 月收入 and 工作单位
    buffer = io.BytesIO()
    document.save(buffer)
    raw = docx_form.read(buffer.getvalue(), HARDSHIP)
    read = [{k: v.value for k, v in row.items() if v.value} for row in raw.tables["family_members"]]
    assert read == [
        {"member_name": "张小例", "relation": "子女", "age": "19"},
        {"member_name": "张小样", "relation": "子女", "age": "15", "monthly_income": "0"},
    ]


def test_cell_text_is_what_prints() -> None:
    """Deleted tracked text, nested tables and text boxes are not the cell's value; Word's
    symbol check boxes and line breaks are."""
    document = docx.Document()
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    word_typed(cell, "张示例")
    line = cell.add_paragraph()
    line.add_run("第二行").add_break()
    line.add_run("第三行")
    cell.add_table(rows=1, cols=1).cell(0, 0).text = "内嵌表格"
    ticked(cell.add_paragraph(), False)
    (grid,) = docx_form.grids(document)[:1]
    # (python-docx puts an empty paragraph after a nested table: an empty line)
    assert grid.rows[0][0].text == "张示例____\n第二行\n第三行\n\n☐是 ☑否"
    assert docx_form.typed("____张示例____") == "张示例" and docx_form.typed(" ＿＿ ") is None


def test_identified_by_footer_code_when_the_title_is_gone(ws: Workspace) -> None:
    document = docx_form.load(ws.docx("hardship"))
    document.paragraphs[0].text = "申请表"
    buffer = io.BytesIO()
    document.save(buffer)
    # The kind property lost (a property naming an unknown kind is refused: test_hostile).
    renamed = replaced_in_part(
        buffer.getvalue(), "docProps/custom.xml", b'name="form_kind"', b'name="retyped"'
    )
    assert docx_form.custom_kind(renamed) is None
    assert docx_form.identify(renamed, KINDS) is HARDSHIP


def test_a_word_document_that_is_no_form_is_returned(ws: Workspace) -> None:
    document = docx.Document()
    document.add_paragraph("关于召开职工代表大会的通知")
    document.add_table(rows=2, cols=2).cell(0, 0).text = "时间"
    buffer = io.BytesIO()
    document.save(buffer)
    ws.drop("通知.docx", buffer.getvalue())
    (job,) = ws.process().jobs
    assert job.outcome == "rejected" and job.kind is None and "无法识别" in job.message


def _comments(data: bytes) -> list[str]:
    """The text of each comment of a .docx."""
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/comments.xml")
    return [
        "\n".join(p.xpath("string(.)") for p in c.iter(qn("w:p"))) for c in etree.fromstring(xml)
    ]
