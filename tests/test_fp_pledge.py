"""Every rule of SPEC §3.5 (计划生育责任状), the pledge document and both registers."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import docx
import pytest
from docx.enum.section import WD_SECTION
from docx.oxml.ns import qn
from openpyxl import load_workbook

from forms import get_kind
from pipeline.engine import collect_inbox, open_runtime, process_batch
from pipeline.samples import fill_xlsx
from tests.conftest import NOW, Workspace, docx_text, make_config, register_rows
from tests.rules import TODAY, Checker, Ctx

KIND = get_kind("fp_pledge")
CHECK = Checker(KIND)


def sample(**changes: Any) -> dict[str, Any]:
    return CHECK.sample(**changes)


def person(name: str, **changes: Any) -> dict[str, Any]:
    return {"person_name": name, "person_department": "运行部"} | changes


def test_the_sample_passes() -> None:
    assert CHECK.problems(sample()) == []


@pytest.mark.parametrize(
    ("key", "good", "bad", "message"),
    [
        ("year", 2000, 1999, "应为2000至2100之间的整数"),
        ("level", "班组—个人", "班组-个人", "公司—部门、部门—班组、班组—个人"),
    ],
)
def test_field_rule(key: str, good: Any, bad: Any, message: str) -> None:
    days = {"term_start": date(good, 1, 1), "term_end": date(good, 12, 31)} if key == "year" else {}
    assert CHECK.problems(sample(**days | {key: good})) == []
    assert message in CHECK.only_problem(sample(**{key: bad}))


def test_year_2100_is_the_last() -> None:
    last = {"year": 2100, "term_start": date(2100, 1, 1), "term_end": date(2100, 6, 30)}
    assert CHECK.problems(sample(**last)) == []
    assert "应为2000至2100" in CHECK.only_problem(sample(**last | {"year": 2101}))


@pytest.mark.parametrize(
    "key",
    [
        "year",
        "level",
        "party_a",
        "party_a_signatory",
        "party_b",
        "party_b_signatory",
        "term_start",
        "term_end",
        "sign_date",
    ],
)
def test_required_fields(key: str) -> None:
    assert "未填写，此项为必填项" in CHECK.only_problem(sample(**{key: None}))


def test_extra_clauses_and_roster_are_optional() -> None:
    assert CHECK.problems(sample(extra_clauses=None, roster=[])) == []


def test_term_start_within_the_year() -> None:
    assert CHECK.problems(sample(term_start=date(2026, 1, 1))) == []
    sentence = CHECK.only_problem(sample(term_start=date(2025, 12, 31)))
    assert sentence.startswith("「责任期限起」") and "应在责任年度2026年之内" in sentence


def test_term_end_after_start_and_within_the_year() -> None:
    start = date(2026, 3, 1)
    assert CHECK.problems(sample(term_start=start, term_end=start + timedelta(days=1))) == []
    same_day = CHECK.only_problem(sample(term_start=start, term_end=start))
    assert "「责任期限止」" in same_day and "应晚于责任期限起（2026-03-01）" in same_day
    next_year = CHECK.only_problem(sample(term_end=date(2027, 1, 1)))
    assert "「责任期限止」" in next_year and "应在责任年度2026年之内" in next_year


def test_roster_rows_are_checked_with_their_row_number() -> None:
    bad = person(
        "陈示例",
        person_gender="女士",
        person_birth_date=TODAY + timedelta(days=1),
        marital_status="已婚已育",
        children=11,
        person_phone="12345",
        key_followup="重点",
        last_visit_date=TODAY + timedelta(days=1),
    )
    found = CHECK.problems(sample(roster=[person("林样例"), bad]))
    labels = [s.split("」")[0] for s in found]
    assert labels == [
        "「育龄人员基础资料第2行的性别",
        "「育龄人员基础资料第2行的出生日期",
        "「育龄人员基础资料第2行的婚姻状况",
        "「育龄人员基础资料第2行的子女数",
        "「育龄人员基础资料第2行的联系电话",
        "「育龄人员基础资料第2行的重点回访",
        "「育龄人员基础资料第2行的最近回访日期",
    ]
    unnamed = CHECK.only_problem(sample(roster=[{"person_department": "运行部"}]))
    assert "「育龄人员基础资料第1行的姓名」" in unnamed and "未填写" in unnamed


def test_at_most_two_hundred_persons() -> None:
    many = [person(f"陈示例{i}") for i in range(201)]
    assert "应有0至200行，现有201行" in CHECK.only_problem(sample(roster=many))
    assert CHECK.problems(sample(roster=many[:200])) == []


def test_interval_of_the_day_is_kept_with_the_pledge() -> None:
    form = CHECK.form(sample())
    derived = KIND.derive(form, Ctx(visit_interval_days=30))
    assert derived == {"roster_count": 4, "key_count": 3, "visit_interval_days": 30}


# -- outputs ------------------------------------------------------------------------------


def test_pledge_printed_twice_with_current_law_clauses(ws: Workspace) -> None:
    ws.drop("责任状.xlsx", ws.xlsx("fp_pledge"))
    (job,) = ws.process().jobs
    assert job.outcome == "accepted" and job.record and job.record.serial == "JS-2026-0001"
    (path,) = ws.outputs("documents")
    assert path.name == "JS-2026-0001-计划生育责任状-运行部一值.docx"
    text = docx_text(path)
    assert text.count("计划生育责任状\n编号：JS-2026-0001") == 2
    assert "甲方：运行部　　　乙方：运行部一值" in text
    assert text.count("本责任状一式两份，甲乙双方各执一份。") == 2
    assert "一对夫妻可以生育三个子女" in text and "优生优育" in text
    for outdated in ("独生子女", "只生一个", "一孩", "罚款", "社会抚养费", "超生", "处罚"):
        assert outdated not in text
    assert "乙方每季度末将育龄人员变动情况报甲方女工委员。" in text
    assert "自2026年1月1日起至2026年12月31日止" in text
    document = docx.Document(str(path))
    # each copy a section of its own, numbered from 1, the second starting on an odd page
    sections = document.sections
    assert len(sections) == 2 and sections[1].start_type == WD_SECTION.ODD_PAGE
    for section in sections:
        assert section._sectPr.find(qn("w:pgNumType")).get(qn("w:start")) == "1"
        assert section.footer.paragraphs[0].text.startswith("— ")  # the page number
    marks = [p.text for p in document.paragraphs if p.text.startswith("编号：")]
    assert marks == ["编号：JS-2026-0001　　甲方存", "编号：JS-2026-0001　　乙方存"]
    assert text.index("乙方存") > text.index("本责任状一式两份")  # the second copy's mark
    signatures = [t for t in document.tables if "甲方（盖章）" in t.rows[0].cells[0].text]
    assert len(signatures) == 2
    assert signatures[0].rows[2].cells[0].text.strip() == "（冯示例）"


def test_pledge_without_extra_clauses(ws: Workspace) -> None:
    ws.drop("责任状.xlsx", ws.xlsx("fp_pledge", extra_clauses=None))
    ws.process()
    assert "补充条款" not in docx_text(ws.outputs("documents")[0])


def test_signing_register(ws: Workspace) -> None:
    ws.drop("责任状.xlsx", ws.xlsx("fp_pledge"))
    ws.process()
    header, rows = register_rows(ws.outbox / "registers" / "计划生育责任状签订台账.xlsx")
    (row,) = [dict(zip(header, r, strict=True)) for r in rows]
    assert (row["编号"], row["签订层级"], row["乙方"]) == (
        "JS-2026-0001",
        "部门—班组",
        "运行部一值",
    )
    assert (row["育龄人员数"], row["重点回访人数"]) == (4, 3)


def persons(ws: Workspace) -> dict[str, dict[str, Any]]:
    header, rows = register_rows(ws.outbox / "registers" / "育龄人员基础资料档案.xlsx")
    return {r[0]: dict(zip(header, r, strict=True)) for r in rows}


def test_persons_register_with_next_visits(ws: Workspace) -> None:
    ws.drop("责任状.xlsx", ws.xlsx("fp_pledge"))
    ws.process()
    table = persons(ws)
    assert list(table) == ["陈示例", "林样例", "黄演示", "何示例"]
    # visited 100 days ago, every 90 days: due 10 days ago
    assert table["陈示例"]["下次回访日期"].date() == TODAY - timedelta(days=10)
    assert table["陈示例"]["回访到期"] == "是"
    assert table["林样例"]["下次回访日期"].date() == TODAY + timedelta(days=60)
    assert table["林样例"]["回访到期"] == "否"
    assert table["黄演示"]["下次回访日期"] is None and table["黄演示"]["回访到期"] is None
    assert table["何示例"]["下次回访日期"].date() == TODAY  # never visited: at once
    assert table["陈示例"]["联系电话"] == "13900000011"
    assert table["陈示例"]["来源责任状"] == "JS-2026-0001"
    sheet = load_workbook(ws.outbox / "registers" / "育龄人员基础资料档案.xlsx").active
    assert sheet["A4"].fill.fgColor.rgb.endswith("FCE4D6")  # 陈示例, due
    assert not sheet["A5"].fill.fgColor.rgb.endswith("FCE4D6")


def test_latest_pledge_wins_for_a_person(ws: Workspace) -> None:
    ws.drop("1.xlsx", ws.xlsx("fp_pledge"))
    ws.process()
    moved = sample()["roster"][0] | {"children": 2, "person_department": "检修部"}
    newcomer = person("孔样例", key_followup="否")
    ws.drop("2.xlsx", ws.xlsx("fp_pledge", party_b="检修部一班", roster=[moved, newcomer]))
    ws.process()
    table = persons(ws)
    assert len(table) == 5
    assert table["陈示例"]["子女数"] == 2 and table["陈示例"]["部门"] == "检修部"
    assert table["陈示例"]["来源责任状"] == "JS-2026-0002"
    assert table["林样例"]["来源责任状"] == "JS-2026-0001"


def test_the_configured_interval_sets_the_next_visit(tmp_path: Any) -> None:
    config = make_config(tmp_path, visit_interval_days=30)
    config.folders.inbox.mkdir(parents=True)
    (config.folders.inbox / "a.xlsx").write_bytes(fill_xlsx(KIND, config, sample()))
    rt = open_runtime(config, clock=lambda: NOW)
    try:
        process_batch(collect_inbox(config), rt)
    finally:
        rt.close()
    header, rows = register_rows(config.folders.outbox / "registers" / "育龄人员基础资料档案.xlsx")
    lin = dict(zip(header, rows[1], strict=True))
    assert lin["下次回访日期"].date() == TODAY  # visited 30 days ago, every 30 days
