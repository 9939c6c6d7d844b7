"""体育器材借还登记表: an item lent or returned, filed under its equipment (``TQ-2026-0001-借还1``).

The standard: 建立专人负责工会所购买的各类体育器材管理.

Returns are matched to the borrower's open loans, oldest first. The equipment's row of the
register shows what is out, damaged, lost and still available; the loan register shows what
each loan still has out and highlights loans past their return date, which ``unionforms
equipment-out`` lists as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Annotated, Any

from forms import equipment
from forms.base import (
    Column,
    DocumentSpec,
    FormContext,
    FormKind,
    FormModel,
    Listing,
    Parent,
    RecordView,
    RegisterSpec,
    RuleResult,
    rule,
)
from forms.fields import Bool, Choice, Date, Department, Integer, Phone, Serial, Text
from forms.followup import no_such_record, not_before
from forms.samples import Sample

LEND, RETURN = "借出", "归还"
ACTIONS = (LEND, RETURN)
GOOD, DAMAGED, LOST = "完好", "损坏", "丢失"
CONDITIONS = (GOOD, DAMAGED, LOST)


@dataclass
class Loan:
    """A loan and how much of it has come back."""

    ident: str
    borrower: tuple[str, str]
    quantity: int
    due: date
    returned: int = 0

    @property
    def outstanding(self) -> int:
        return self.quantity - self.returned


@dataclass
class Ledger:
    """The loans of one item after its returns, and what came back damaged or was lost."""

    loans: dict[str, Loan] = field(default_factory=dict)
    damaged: int = 0
    lost: int = 0

    def out_to(self, borrower: tuple[str, str]) -> list[Loan]:
        return [
            loan for loan in self.loans.values() if loan.borrower == borrower and loan.outstanding
        ]

    @property
    def on_loan(self) -> int:
        return sum(loan.outstanding for loan in self.loans.values())


def who(values: dict[str, Any]) -> tuple[str, str]:
    return values["borrower"], values["borrower_department"]


def ledger(item: RecordView) -> Ledger:
    """Play the item's loans and returns in order; a return settles the oldest loans first."""
    book = Ledger()
    for child in (c for c in item.children if c.kind == KIND.key):
        values = child.values
        if values["action"] == LEND:
            book.loans[child.ident] = Loan(
                child.ident, who(values), values["quantity"], values["due_date"]
            )
            continue
        left = values["quantity"]
        for loan in book.out_to(who(values)):
            taken = min(left, loan.outstanding)
            loan.returned += taken
            left -= taken
        if values["condition"] == DAMAGED:
            book.damaged += values["quantity"]
        elif values["condition"] == LOST:
            book.lost += values["quantity"]
    return book


def available(item: RecordView, book: Ledger) -> int:
    return item.values["quantity"] - book.on_loan - book.damaged - book.lost


class EquipmentLoanForm(FormModel):
    equipment_serial: Annotated[
        str,
        Serial(
            "器材编号",
            prefix=equipment.KIND.serial_prefix or "",
            hint="体育器材入库单上的编号，格式如 TQ-2026-0001",
        ),
    ]
    action: Annotated[str, Choice("登记类型", choices=ACTIONS)]
    borrower: Annotated[str, Text("借用人", length=(2, 20))]
    borrower_department: Annotated[str, Department("借用部门")]
    borrower_phone: Annotated[str | None, Phone("联系电话")] = None
    quantity: Annotated[int, Integer("数量", bounds=(1, 10000))]
    event_date: Annotated[date, Date("借出或归还日期", past=True)]
    due_date: Annotated[date | None, Date("约定归还日期", hint="借出时填写")] = None
    condition: Annotated[str | None, Choice("归还时状况", choices=CONDITIONS)] = None
    purpose: Annotated[str | None, Text("用途", lines=2)] = None
    handler: Annotated[str, Text("经手人", hint="器材保管人")]

    @rule("equipment_serial", "action", "quantity", "borrower", "borrower_department")
    def enough_in_stock(self, ctx: FormContext) -> RuleResult:
        item = ctx.record(self.equipment_serial)
        if item is None:
            yield "equipment_serial", no_such_record("体育器材", equipment.KIND.title)
            return
        book = ledger(item)
        if self.action == LEND and self.quantity > available(item, book):
            yield "quantity", f"超过在库可借数量（{available(item, book)}{item.values['unit']}）"
        borrower = (self.borrower, self.borrower_department)
        out = sum(loan.outstanding for loan in book.out_to(borrower))
        if self.action == RETURN and self.quantity > out:
            yield (
                "quantity",
                f"超过{self.borrower}（{self.borrower_department}）借出未还的数量"
                f"（{out}{item.values['unit']}）；请核对借用人、部门和数量",
            )

    @rule("event_date", "equipment_serial")
    def after_purchase(self, ctx: FormContext) -> RuleResult:
        item = ctx.record(self.equipment_serial)
        bought = item.values.get("purchase_date") if item else None
        yield from not_before("event_date", self.event_date, bought, "器材的购置日期")

    @rule("action", "due_date", "condition", "event_date")
    def lend_or_return(self, ctx: FormContext) -> RuleResult:
        lending = self.action == LEND
        needed, unwanted = ("due_date", "condition") if lending else ("condition", "due_date")
        if getattr(self, needed) is None:
            yield needed, f"登记类型为“{self.action}”时必须填写"
        if getattr(self, unwanted) is not None:
            yield unwanted, f"登记类型为“{self.action}”时不填写"
        if self.due_date is not None and self.due_date < self.event_date:
            yield "due_date", f"不能早于借出日期（{self.event_date.isoformat()}）"


def _loan_state(record: RecordView, today: date) -> dict[str, Any]:
    """What is still out of a loan, and whether it is late; nothing for a return."""
    if record.values["action"] != LEND or record.parent_record is None:
        return {"outstanding": None, "overdue": False, "overdue_note": ""}
    loan = ledger(record.parent_record).loans[record.ident]
    late = (today - loan.due).days
    overdue = loan.outstanding > 0 and late > 0
    return {
        "outstanding": loan.outstanding,
        "overdue": overdue,
        "overdue_note": f"逾期{late}天" if overdue else "",
    }


LOAN_COLUMNS = (
    Column("ident", width=18),
    Column("equipment_name", width=12),
    Column("action", width=6),
    Column("borrower", width=9),
    Column("borrower_department", width=10),
    Column("quantity", width=6),
    Column("event_date", width=11),
    Column("due_date", width=11),
    Column("outstanding", width=7),
    Column("overdue_note", width=9),
)


class EquipmentLoan(FormKind):
    key = "equipment_loan"
    title = "体育器材借还登记表"
    model = EquipmentLoanForm
    parent = Parent(kind=equipment.KIND.key, key="equipment_serial", suffix="借还")
    name_key = "borrower"
    summary = "体育器材借出和归还登记，台账显示在库数量和逾期未还的器材"
    documents = (DocumentSpec("体育器材借还单", "equipment_loan.docx"),)
    derived = {
        "equipment_name": Text("器材名称"),
        "specification": Text("规格型号"),
        "unit": Text("计量单位"),
        "storage_location": Text("存放地点"),
        "outstanding": Integer("未还数量"),
        "overdue": Bool("逾期"),
        "overdue_note": Text("逾期情况"),
    }
    registers = (
        RegisterSpec(
            "体育器材借还登记簿",
            columns=(
                *LOAN_COLUMNS,
                Column("condition", width=8),
                Column("purpose", width=18),
                Column("handler", width=8),
            ),
            highlight="overdue",
            sheets=(
                RegisterSpec(
                    "逾期未还的体育器材",
                    columns=LOAN_COLUMNS,
                    where=lambda row: bool(row["overdue"]),
                    order=lambda row: row["due_date"],
                    highlight="overdue",
                ),
            ),
        ),
    )
    listings = (
        Listing(
            "equipment-out",
            "列出借出未还的体育器材，逾期的排在最前（逾期：过了约定归还日期仍未归还）。",
            RegisterSpec(
                "借出未还的体育器材",
                columns=(
                    Column("ident"),
                    Column("equipment_name", "器材"),
                    Column("borrower", "借用人"),
                    Column("borrower_department", "部门"),
                    Column("outstanding", "未还"),
                    Column("due_date", "约定归还"),
                    Column("overdue_note", "逾期"),
                ),
                where=lambda row: bool(row["outstanding"]),
                order=lambda row: (not row["overdue"], row["due_date"]),
                highlight="overdue",
            ),
            empty="没有借出未还的体育器材。",
        ),
    )
    parent_values = {
        "on_loan": Integer("借出未还"),
        "damaged": Integer("损坏"),
        "lost": Integer("丢失"),
        "in_stock": Integer("在库可借"),
        "overdue_quantity": Integer("逾期未还"),
    }
    parent_columns = {
        "体育器材台账": tuple(Column(key, width=7) for key in parent_values),
    }

    def live(self, record: RecordView, today: date) -> dict[str, Any]:
        keys = ("equipment_name", "specification", "unit", "storage_location")
        return record.from_parent(keys) | _loan_state(record, today)

    def parent_live(
        self, parent: RecordView, children: list[RecordView], today: date
    ) -> dict[str, Any]:
        book = ledger(parent)
        late = [loan for loan in book.loans.values() if loan.outstanding and loan.due < today]
        return {
            "on_loan": book.on_loan,
            "damaged": book.damaged,
            "lost": book.lost,
            "in_stock": available(parent, book),
            "overdue_quantity": sum(loan.outstanding for loan in late),
        }

    def samples(self, today: date, parent: RecordView | None = None) -> list[Sample]:
        return _samples(today, parent)


def _samples(today: date, parent: RecordView | None) -> list[Sample]:
    serial = parent.serial if parent and parent.serial else f"TQ-{today.year}-0001"
    item = parent.values if parent else equipment.KIND.samples(today)[0].values
    bought = item["purchase_date"]
    lent = max(bought, today - timedelta(days=10))
    loan: dict[str, Any] = {
        "equipment_serial": serial,
        "action": LEND,
        "borrower": "冯演示",
        "borrower_department": "检修部",
        "borrower_phone": "13900000051",
        "quantity": 5,
        "event_date": lent,
        "due_date": lent + timedelta(days=7),
        "purpose": "检修部篮球队训练",
        "handler": "郑样例",
    }
    back = loan | {"action": RETURN, "quantity": 3, "event_date": today, "due_date": None}
    purpose = "部门之间篮球友谊赛及赛前集中训练，比赛结束后统一清点归还，如有损坏照价赔偿；"
    # Names keep a batch in order: the loans, then the return that settles part of them.
    return [
        Sample("体育器材借还-篮球-借出", loan),
        Sample(
            "体育器材借还-篮球-借出（长文本）",
            loan
            | {
                "quantity": 2,
                "event_date": today,
                "due_date": today + timedelta(days=6),
                "purpose": (purpose * 30)[:1000],
            },
        ),
        Sample("体育器材借还-篮球-归还", back | {"condition": GOOD}),
        Sample(
            "体育器材借还-篮球（有错误）",
            loan
            | {
                "quantity": 500,
                "event_date": today + timedelta(days=1),
                "due_date": today - timedelta(days=1),
                "condition": "完整",
            },
            good=False,
        ),
    ]


KIND = EquipmentLoan()
