"""Batch generation and reports (#11), through the command line, on data the tests make: a
roster of 60 departments with bad rows, a year of hardship, hazard and accident records
through the real pipeline. The numbers in the outputs are checked against the records."""

from __future__ import annotations

import zipfile
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import Result
from openpyxl import Workbook, load_workbook

from forms import get_kind
from forms.samples import fictional_id
from pipeline import xlsx_form
from pipeline.engine import open_runtime
from tests.conftest import NOW, Workspace, office, run_cli

CATEGORIES = ("深度困难", "相对困难", "意外致困")
DEPARTMENTS = ("运行部", "检修部", "燃料部")


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``unionforms`` with the tests' clock (2026-06-15 10:30)."""
    from pipeline.cli import app

    monkeypatch.setattr(
        app, "open_runtime", lambda config, **kw: open_runtime(config, lambda: NOW, **kw)
    )
    return run_cli


def docx_paragraphs(path: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def only(folder: Path, pattern: str) -> Path:
    """The one file matching ``pattern`` under ``folder``."""
    (found,) = (path for path in folder.rglob(pattern) if path.is_file())
    return found


def run_folder(root: Path, prefix: str) -> Path:
    """The one run folder under ``root`` whose name starts with ``prefix``."""
    (found,) = (path for path in root.iterdir() if path.name.startswith(prefix))
    return found


# -- reports ---------------------------------------------------------------------------------


def hardship_year(ws: Workspace, config: Path) -> list[dict[str, Any]]:
    """Twelve applications of 2026, three categories over three departments, and one of 2025."""
    values = []
    for number in range(12):
        changes = {
            "name": f"示例{number}号"[:20],
            "id_number": fictional_id("19800101", 2 * number + 1),
            "gender": "男",
            "hardship_category": CATEGORIES[number % 3],
            "department": DEPARTMENTS[number % 3 if number < 9 else 0],
            "requested_amount": Decimal(1000 + 250 * number),
            "application_date": date(2026, 1 + number % 5, 10),
        }
        values.append(ws.sample_values("hardship", 1) | changes)
    old = ws.sample_values("hardship", 1) | {"application_date": date(2025, 12, 20)}
    inbox = config.parent / "in"
    for number, value in enumerate([*values, old]):
        (inbox / f"{number:02d}.xlsx").write_bytes(ws.xlsx("hardship", 1, **value))
    return values


def test_hardship_report_for_the_parent_union(ws: Workspace, tmp_path: Path, cli: Any) -> None:
    config = office(tmp_path)
    values = hardship_year(ws, config)
    assert cli(config, "process").exit_code == 0
    result: Result = cli(config, "report", "hardship", "--year", "2026")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "reports" / "困难职工名单汇总表（2026年）2026-06-15"
    book = load_workbook(only(folder, "*.xlsx"))
    detail = book.worksheets[0]
    rows = list(detail.iter_rows(min_row=4, values_only=True))
    body = [r for r in rows if isinstance(r[0], int)]
    assert len(body) == 12  # the 2025 application is not in 2026's list
    assert all("********" in str(r[4]) for r in body)  # ID numbers masked: it leaves the office
    subtotals = {str(r[0]): r[10] for r in rows if str(r[0]).startswith("小计")}
    for category in CATEGORIES:
        expected = sum(v["requested_amount"] for v in values if v["hardship_category"] == category)
        (found,) = [amount for label, amount in subtotals.items() if category in label]
        assert Decimal(str(found)) == expected
    total = next(r for r in rows if str(r[0]).startswith("合计"))
    assert Decimal(str(total[10])) == sum(v["requested_amount"] for v in values)
    stats = book["统计"]
    counted = {r[0]: r[1] for r in stats.iter_rows(values_only=True) if r[0] in DEPARTMENTS}
    assert counted == dict(Counter(v["department"] for v in values))
    with zipfile.ZipFile(only(folder, "*.xlsx")) as package:
        assert any(name.startswith("xl/charts/chart") for name in package.namelist())
    letter = docx_paragraphs(only(folder, "*.docx"))
    assert "盛源热电工会〔2026〕1号" in letter and "一师电力公司工会：" in letter
    grand = sum(v["requested_amount"] for v in values)
    assert f"{grand:,.2f}元" in letter and "人民币" in letter
    assert "共受理困难职工帮扶申请12份" in letter
    again = cli(config, "report", "hardship", "--year", "2026")
    assert again.exit_code == 0
    second = tmp_path / "out" / "reports" / "困难职工名单汇总表（2026年）2026-06-15-2"
    assert "盛源热电工会〔2026〕2号" in docx_paragraphs(only(second, "*.docx"))
    assert folder.is_dir()  # the first run's output is still there


def hazard_values(ws: Workspace, found: date, **changes: Any) -> dict[str, Any]:
    return ws.sample_values("hazard", 0) | {"found_date": found, "deadline": found + timedelta(20)}


def test_hazard_report_by_quarter(ws: Workspace, tmp_path: Path, cli: Any) -> None:
    config = office(tmp_path)
    inbox = tmp_path / "in"
    plan = [  # found, category, level
        (date(2026, 4, 3), "火灾", "一般事故隐患"),
        (date(2026, 4, 20), "电气", "一般事故隐患"),
        (date(2026, 5, 9), "坍塌", "重大事故隐患"),
        (date(2026, 6, 1), "火灾", "一般事故隐患"),
        (date(2026, 2, 1), "火灾", "一般事故隐患"),  # first quarter: not in the report
    ]
    for number, (found, category, level) in enumerate(plan):
        values = ws.sample_values("hazard", 0) | {
            "found_date": found,
            "deadline": found + timedelta(days=20),
            "category": category,
            "level": level,
            "location": f"示例地点{number}",
        }
        (inbox / f"{number}.xlsx").write_bytes(ws.xlsx("hazard", 0, **values))
    assert cli(config, "process").exit_code == 0
    closing = ws.sample_values("hazard_followup") | {
        "hazard_serial": "YH-2026-0001",
        "effect": "隐患已消除",
        "completed_date": date(2026, 4, 10),
        "verify_date": date(2026, 4, 11),
    }
    (inbox / "回执.xlsx").write_bytes(ws.xlsx("hazard_followup", **closing))
    assert cli(config, "process").exit_code == 0
    result = cli(config, "report", "hazards", "--quarter", "2026Q2")
    assert result.exit_code == 0, result.output
    folder = run_folder(
        tmp_path / "out" / "reports", "事故隐患排查治理情况统计表（2026年第二季度）"
    )
    stats = load_workbook(only(folder, "*.xlsx"))["统计"]
    table = {
        r[0]: r[1:5]
        for r in stats.iter_rows(values_only=True)
        if r[0] in ("火灾", "电气", "坍塌", "合计")
    }
    # 发现, 已整改, 未整改, 其中逾期 (on 2026-06-15: YH-0002 and -0003 are past their deadline)
    assert table["火灾"] == (2, 1, 1, 0)
    assert table["电气"] == (1, 0, 1, 1)
    assert table["坍塌"] == (1, 0, 1, 1)
    assert table["合计"] == (4, 1, 3, 2)
    report = docx_paragraphs(only(folder, "*.docx"))
    assert "2026年第二季度共排查发现事故隐患4项" in report
    assert "应提交职工代表大会审议的重大事故隐患" in report and "YH-2026-0003" in report
    assert "重点跟踪" in report and "2026年7月15日前报送" in report
    bad = cli(config, "report", "hazards", "--quarter", "2026Q5")
    assert bad.exit_code == 2 and "季度“2026Q5”的写法不对" in bad.output
    both = cli(config, "report", "hazards", "--year", "2026", "--month", "2026-04")
    assert both.exit_code == 2 and "--year、--month 只能选一个" in both.output


def test_accident_report_totals_open_cases_and_rates(
    ws: Workspace, tmp_path: Path, cli: Any
) -> None:
    config = office(tmp_path, "\n[organisation]\nheadcount = 400\n")
    inbox = tmp_path / "in"
    first = ws.sample_values("accident", 0)
    late = first | {
        "title": "运行部除氧器平台物体打击事故",
        "occurred_at": first["occurred_at"] - timedelta(days=100),
        "report_date": first["occurred_at"].date() - timedelta(days=20),  # 80 days later
        "measures_implemented": "是",
        "direct_loss": Decimal("1000"),
        "indirect_loss": Decimal("500"),
    }
    (inbox / "1.xlsx").write_bytes(ws.xlsx("accident", 0))
    (inbox / "2.xlsx").write_bytes(ws.xlsx("accident", 0, **late))
    assert cli(config, "process").exit_code == 0
    result = cli(config, "report", "accidents", "--year", "2026")
    assert result.exit_code == 0, result.output
    folder = run_folder(tmp_path / "out" / "reports", "工伤事故统计表")
    text = docx_paragraphs(only(folder, "*.docx"))
    loss = first["direct_loss"] + first["indirect_loss"] + Decimal("1500")
    assert f"合计{loss:,.2f}元" in text and "共发生工伤事故2起" in text
    assert "造成2人重伤、2人轻伤" in text and "伤亡" not in text.split("造成")[1][:12]
    assert "整改措施尚未落实" in text  # the first is open; the open item said as not done
    assert "第80天提交，超过60日" in text
    assert "千人死亡率0.00，千人重伤率5.00" in text
    detail = load_workbook(only(folder, "*.xlsx")).worksheets[0]
    total = next(r for r in detail.iter_rows(values_only=True) if str(r[0]).startswith("合计"))
    assert total[8:11] == (0, 2, 2)  # deaths, serious, minor: whole numbers


def test_visits_due_lists_key_persons_by_department(
    ws: Workspace, tmp_path: Path, cli: Any
) -> None:
    config = office(tmp_path)
    (tmp_path / "in" / "责任状.xlsx").write_bytes(ws.xlsx("fp_pledge"))
    assert cli(config, "process").exit_code == 0
    result = cli(config, "report", "visits-due", "--within", "30")
    assert result.exit_code == 0, result.output
    roster = ws.sample_values("fp_pledge")["roster"]
    due = [p for p in roster if p.get("key_followup") == "是"]
    assert "育龄人员重点回访到期名单" in result.output
    listed = [p["person_name"] for p in due if p["person_name"] in result.output]
    assert listed  # the key persons due within 30 days are listed
    assert not any(
        p["person_name"] in result.output for p in roster if p.get("key_followup") != "是"
    )


# -- batches ---------------------------------------------------------------------------------


def roster_of_60(path: Path) -> dict[int, str]:
    """A roster with 60 departments and four bad rows; returns the bad rows' numbers."""
    wb = Workbook()
    ws = wb.active
    ws.append(["各部门计划生育责任状签订名单"])
    ws.append(["部门名称", "部门负责人"])
    bad = {}
    for number in range(60):
        ws.append([f"示例部门{number:02d}", f"示例{number:02d}号"])
    ws.append(["示例部门99", None])
    bad[ws.max_row] = "负责人"
    ws.append(["示例部门05", "重复的"])
    bad[ws.max_row] = "重复"
    ws.append(["很长" * 30, "某人"])
    bad[ws.max_row] = "超过"
    ws.append([None, "没有部门的人"])
    bad[ws.max_row] = "单位"
    wb.save(path)
    return bad


def test_pledges_for_a_roster_and_who_has_returned_them(
    ws: Workspace, tmp_path: Path, cli: Any
) -> None:
    config = office(tmp_path, store=True)  # made by init: no form yet
    roster = tmp_path / "名单.xlsx"
    bad = roster_of_60(roster)
    result = cli(config, "generate", "pledges", "--roster", str(roster), "--year", "2027")
    assert result.exit_code == 1, result.output  # some rows were bad; the rest were made
    for number, what in bad.items():
        line = next(line for line in result.output.splitlines() if f"第{number}行" in line)
        assert what in line
    folder = run_folder(tmp_path / "out" / "generated", "计划生育责任状（2027年）")
    forms = sorted((folder / "回交表单").glob("*.xlsx"))
    assert len(forms) == 60 and len(list((folder / "回交表单").glob("*.docx"))) == 60
    assert len(list((folder / "打印签字").glob("*.docx"))) == 60
    kind = get_kind("fp_pledge")
    read = xlsx_form.read(forms[0].read_bytes(), kind)
    assert read.fields["party_b"].value == "示例部门00" and read.fields["year"].value == 2027
    assert read.fields["party_a"].value == "阿拉尔盛源热电有限责任公司"
    printed = docx.Document(str(only(folder / "打印签字", "*示例部门07*")))
    assert "示例部门07" in "\n".join(p.text for p in printed.paragraphs) + "".join(
        c.text for t in printed.tables for r in t.rows for c in r.cells
    )
    # Three departments fill theirs in and send them back through the inbox.
    for number in (3, 17, 42):
        wb = load_workbook(forms[number])
        for name, value in (("party_a_signatory", "冯示例"), ("sign_date", "2026-06-10")):
            sheet, reference = next(iter(wb.defined_names[name].destinations))
            wb[sheet][reference.replace("$", "")] = value
        wb.save(tmp_path / "in" / forms[number].name)
    assert cli(config, "process").exit_code == 0
    status = cli(config, "status", "pledges", "--year", "2027")
    assert status.exit_code == 0
    assert "共发出60份，已交3份，未交57份。" in status.output
    lines = [line for line in status.output.splitlines() if line.startswith("示例部门")]
    assert [line.split("\t")[0] for line in lines if "\t已交\t" in line] == [
        "示例部门03",
        "示例部门17",
        "示例部门42",
    ]
    book = load_workbook(tmp_path / "out" / "registers" / "计划生育责任状签订台账.xlsx")
    sheet = book["计划生育责任状交回情况2027"]
    states = [r[4] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert states.count("未交") == 57 and states.count("已交") == 3


def test_a_batch_stopped_part_way_leaves_a_folder_named_unfinished(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+C in the middle of a batch: the forms made so far are in a folder whose name says
    it is unfinished, and the clerk is told how many were made and what to do."""
    from pipeline import batches

    config = office(tmp_path, store=True)
    roster = tmp_path / "名单.xlsx"
    roster_of_60(roster)
    real_write = batches._write_one
    made: list[int] = []

    def interrupted(*args: Any) -> list[Path]:
        if len(made) == 5:
            raise KeyboardInterrupt
        made.append(1)
        return real_write(*args)

    monkeypatch.setattr(batches, "_write_one", interrupted)
    result = cli(config, "generate", "pledges", "--roster", str(roster), "--year", "2027")
    assert result.exit_code == 130, result.output
    said = " ".join(result.output.split())
    assert "已中断：60份中已生成5份，没有全部完成" in said and "（未完成）" in said
    generated = tmp_path / "out" / "generated"
    [folder] = list(generated.iterdir())
    assert folder.name.endswith("（未完成）")
    assert len(list((folder / "回交表单").glob("*.xlsx"))) == 5
    monkeypatch.undo()
    again = cli(config, "generate", "pledges", "--roster", str(roster), "--year", "2027")
    assert again.exit_code == 1, again.output  # the roster's four bad rows
    [whole] = [path for path in generated.iterdir() if path != folder]
    assert not whole.name.endswith("（未完成）")
    assert len(list((whole / "回交表单").glob("*.xlsx"))) == 60


def test_visit_sheets_for_every_family_come_back_through_the_inbox(
    ws: Workspace, tmp_path: Path, cli: Any
) -> None:
    config = office(tmp_path)
    hardship_year(ws, config)
    assert cli(config, "process").exit_code == 0
    result = cli(config, "generate", "visits", "--year", "2026", "--festival", "春节")
    assert result.exit_code == 0, result.output
    folder = run_folder(tmp_path / "out" / "generated", "困难职工走访慰问（2026年）")
    listing = load_workbook(only(folder, "困难职工走访慰问名单*.xlsx")).active
    cells = [r for r in listing.iter_rows(min_row=4, values_only=True)]
    headings = [r[0] for r in cells if r[0] in DEPARTMENTS]
    assert sorted(headings) == sorted(DEPARTMENTS)  # a section per department
    # every file numbered in 2026, the one applied for in December 2025 among them
    assert sum(1 for r in cells if isinstance(r[0], int)) == 13
    header = [c.value for c in listing[3]]
    assert {"走访时间", "走访人", "慰问金/物品", "家庭近况"} <= set(header)
    sheets = sorted((folder / "回交表单").glob("*.xlsx"))
    assert len(sheets) == 13
    wb = load_workbook(sheets[0])
    for name, value in (
        ("visit_date", "2026-06-12"),
        ("visitors", "工会主席、女工委员"),
        ("amount", "800"),
        ("family_situation", "配偶病情稳定，孩子学习良好，家庭收入略有增加。"),
    ):
        sheet, reference = next(iter(wb.defined_names[name].destinations))
        wb[sheet][reference.replace("$", "")] = value
    wb.save(tmp_path / "in" / "走访.xlsx")
    processed = cli(config, "process")
    assert processed.exit_code == 0, processed.output
    status = cli(config, "status", "visits", "--year", "2026")
    assert "共发出13份，已交1份，未交12份。" in status.output
