"""体育器材入库登记表 and 体育器材借还登记表: their rules, stock on hand from loans and returns,
loans past their return date in the registers and in ``unionforms equipment-out``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from forms import get_kind
from forms.equipment_loan import ledger
from pipeline.cli import app, main
from pipeline.engine import open_runtime
from tests.conftest import NOW, Workspace, docx_text
from tests.rules import TODAY, Checker, Ctx, child, record

KIND = get_kind("equipment")
LOAN = get_kind("equipment_loan")
CHECK = Checker(KIND)
BOUGHT = KIND.samples(TODAY)[0].values["purchase_date"]


def test_the_samples_pass() -> None:
    assert CHECK.problems(CHECK.sample()) == []
    assert CHECK.problems(KIND.samples(TODAY)[2].values) == []


@pytest.mark.parametrize(
    ("key", "bad", "message"),
    [
        ("category", "球类器材", "应为以下选项之一：球类、田径、健身器材、棋牌、户外用品、其他"),
        ("quantity", 0, "应为1至10000之间的整数"),
        ("unit_price", "0", "金额应大于0"),
        ("purchase_date", TODAY + timedelta(days=1), "不能晚于今天"),
        ("unit", "个个个个个", "应为1至4个字"),
        ("keeper", None, "此项为必填项"),
    ],
)
def test_field_rule(key: str, bad: Any, message: str) -> None:
    assert message in CHECK.only_problem(CHECK.sample(**{key: bad}))


# -- loans ---------------------------------------------------------------------------------

LENT = LOAN.samples(TODAY)[0].values
RETURNED = LOAN.samples(TODAY)[2].values


def item_with(*events: dict[str, Any]) -> Any:
    children = [
        child(LOAN, event, f"TQ-2026-0001-借还{n}", "TQ-2026-0001")
        for n, event in enumerate(events, 1)
    ]
    return record(KIND, CHECK.sample(), "TQ-2026-0001", children)


def loans_checker(*events: dict[str, Any]) -> Checker:
    return Checker(LOAN, ctx=Ctx({"TQ-2026-0001": item_with(*events)}))


def test_the_loan_samples_pass_in_order() -> None:
    assert loans_checker().problems(LENT) == []
    assert loans_checker(LENT).problems(RETURNED) == []


def test_no_more_lent_than_in_stock() -> None:
    check = loans_checker(LENT | {"quantity": 15})  # 20 bought
    assert check.problems(LENT) == []
    assert "超过在库可借数量（5个）" in check.only_problem(LENT | {"quantity": 6})
    # 10 of the 15 come back, 4 are lost, 1 is still out: 15 can be lent again.
    back = RETURNED | {"quantity": 10}
    lost = RETURNED | {"quantity": 4, "condition": "丢失"}
    again = loans_checker(LENT | {"quantity": 15}, back, lost)
    assert again.problems(LENT | {"quantity": 15}) == []
    assert "超过在库可借数量（15个）" in again.only_problem(LENT | {"quantity": 16})


def test_no_more_returned_than_the_borrower_has_out() -> None:
    check = loans_checker(LENT)  # 冯演示 of 检修部 has 5
    assert check.problems(RETURNED | {"quantity": 5}) == []
    sentence = check.only_problem(RETURNED | {"quantity": 6})
    assert "超过冯演示（检修部）借出未还的数量（5个）" in sentence
    other = check.only_problem(RETURNED | {"borrower": "王样例"})
    assert "超过王样例（检修部）借出未还的数量（0个）" in other


def test_lending_and_returning_ask_for_different_things() -> None:
    check = loans_checker(LENT)
    found = check.problems(LENT | {"due_date": None, "condition": "完好"})
    assert found == [
        "「约定归还日期」（cell-due_date）未填写，登记类型为“借出”时必须填写。",
        "「归还时状况」（cell-condition）填写为“完好”，登记类型为“借出”时不填写。",
    ]
    assert "登记类型为“归还”时必须填写" in check.only_problem(RETURNED | {"condition": None})
    early = check.only_problem(LENT | {"due_date": LENT["event_date"] - timedelta(days=1)})
    assert "不能早于借出日期" in early
    before = check.only_problem(LENT | {"event_date": BOUGHT - timedelta(days=1)})
    assert f"不能早于器材的购置日期（{BOUGHT.isoformat()}）" in before


def test_returns_settle_the_oldest_loans_first() -> None:
    first = LENT | {"quantity": 3, "due_date": TODAY - timedelta(days=2)}
    second = LENT | {"quantity": 4, "due_date": TODAY + timedelta(days=5)}
    other = LENT | {"borrower": "王样例", "quantity": 2}
    back = RETURNED | {"quantity": 5, "condition": "损坏"}
    book = ledger(item_with(first, second, other, back))
    outstanding = {ident[-3:]: loan.outstanding for ident, loan in book.loans.items()}
    assert outstanding == {"借还1": 0, "借还2": 2, "借还3": 2}
    assert (book.on_loan, book.damaged, book.lost) == (4, 5, 0)
    values = LOAN.parent_live(item_with(first, second, other, back), [], TODAY)
    assert values["in_stock"] == 20 - 4 - 5


# -- through the pipeline -----------------------------------------------------------------


def sheet(ws: Workspace, name: str, index: int = 0) -> list[dict[str, Any]]:
    book = load_workbook(ws.outbox / "registers" / name)
    table = [list(r) for r in book.worksheets[index].iter_rows(min_row=3, values_only=True)]
    return [dict(zip([str(h) for h in table[0]], row, strict=True)) for row in table[1:]]


def test_stock_on_hand_and_loans_past_their_date(ws: Workspace) -> None:
    ws.drop("1-入库.xlsx", ws.xlsx("equipment"))
    ws.drop("2-借出.xlsx", ws.xlsx("equipment_loan", 0))  # 5, due 3 days ago
    ws.drop("3-借出.docx", ws.docx("equipment_loan", 1))  # 2 more, due in 6 days
    ws.drop("4-归还.xlsx", ws.xlsx("equipment_loan", 2))  # 3 back in good order
    ws.drop("5-归还.xlsx", ws.xlsx("equipment_loan", 2, quantity=1, condition="丢失"))
    result = ws.process()
    assert [j.record.ident for j in result.jobs if j.record] == [
        "TQ-2026-0001",
        *(f"TQ-2026-0001-借还{n}" for n in range(1, 5)),
    ]
    (item,) = sheet(ws, "体育器材台账.xlsx")
    assert (item["借出未还"], item["丢失"], item["在库可借"], item["逾期未还"]) == (3, 1, 16, 1)
    assert item["金额（元）"] == 3600
    loans = sheet(ws, "体育器材借还登记簿.xlsx")
    assert [(r["编号"][-3:], r["未还数量"], r["逾期情况"]) for r in loans] == [
        ("借还1", 1, "逾期3天"),
        ("借还2", 2, None),
        ("借还3", None, None),
        ("借还4", None, None),
    ]
    late = sheet(ws, "体育器材借还登记簿.xlsx", 1)
    assert [(r["编号"], r["借用人"], r["未还数量"]) for r in late] == [
        ("TQ-2026-0001-借还1", "冯演示", 1)
    ]
    slip = docx_text(ws.outputs("documents", "*借还1*")[0])
    assert "体育器材借出单" in slip and f"约定归还日期：{cn(LENT['due_date'])}" in slip
    back = docx_text(ws.outputs("documents", "*借还3*")[0])
    assert "体育器材归还单" in back and "归还时状况：完好" in back


def cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_equipment_out_lists_loans_overdue_first(
    ws: Workspace, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws.drop("1-入库.xlsx", ws.xlsx("equipment"))
    ws.drop("2-借出.xlsx", ws.xlsx("equipment_loan", 1, borrower="王样例"))  # due in 6 days
    ws.drop("3-借出.xlsx", ws.xlsx("equipment_loan", 0))  # 冯演示, 3 days late
    ws.process()
    config = tmp_path / "listing.toml"
    config.write_text(
        f'[folders]\ninbox = "{ws.inbox}"\noutbox = "{ws.outbox}"\nstate = "{ws.root / "state"}"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(
        app, "open_runtime", lambda config, **kw: open_runtime(config, lambda: NOW, **kw)
    )
    result = CliRunner().invoke(main, ["--config", str(config), "equipment-out"])
    assert result.exit_code == 0, result.output
    assert "借出未还的体育器材" in result.output and "共2项" in result.output
    assert result.output.index("冯演示") < result.output.index("王样例")
    assert "逾期3天" in result.output
