"""体育器材入库登记表 (serial prefix TQ): sports equipment the union bought, one item a form.

The standard: 建立专人负责工会所购买的各类体育器材管理.

Each form is one item (name, specification, quantity, unit price) with where it is kept and who
keeps it. Lending and returning are follow-ups (``forms.equipment_loan``); the stock on hand in
the register follows from them.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any

from forms.base import Column, DocumentSpec, FormKind, FormModel, RecordView, RegisterSpec
from forms.fields import Choice, Date, Integer, Money, Phone, Text
from forms.samples import Sample

CATEGORIES = ("球类", "田径", "健身器材", "棋牌", "户外用品", "其他")


class EquipmentForm(FormModel):
    equipment_name: Annotated[str, Text("器材名称", length=(2, 30))]
    category: Annotated[str, Choice("器材类别", choices=CATEGORIES)]
    specification: Annotated[str | None, Text("规格型号")] = None
    quantity: Annotated[int, Integer("数量", bounds=(1, 10000))]
    unit: Annotated[str, Text("计量单位", length=(1, 4), hint="个、副、台、套等")]
    unit_price: Annotated[Decimal, Money("单价（元）", positive=True)]
    purchase_date: Annotated[date, Date("购置日期", past=True)]
    supplier: Annotated[str | None, Text("供货单位")] = None
    storage_location: Annotated[str, Text("存放地点")]
    keeper: Annotated[str, Text("保管人", length=(2, 20), hint="负责管理的专人")]
    keeper_phone: Annotated[str | None, Phone("保管人电话")] = None
    remarks: Annotated[str | None, Text("备注", lines=2)] = None


class Equipment(FormKind):
    key = "equipment"
    title = "体育器材入库登记表"
    model = EquipmentForm
    serial_prefix = "TQ"
    name_key = "equipment_name"
    summary = "工会购置的体育器材入库登记，专人保管；借出、归还另行登记，台账显示在库数量"
    documents = (DocumentSpec("体育器材入库单", "equipment.docx"),)
    derived = {"total_value": Money("金额（元）")}
    registers = (
        RegisterSpec(
            "体育器材台账",
            columns=(
                Column("serial", width=13),
                Column("equipment_name", width=14),
                Column("category", width=8),
                Column("specification", width=14),
                Column("unit", width=5),
                Column("quantity", width=6),
                Column("unit_price", width=10),
                Column("total_value", width=11),
                Column("purchase_date", width=11),
                Column("storage_location", width=14),
                Column("keeper", width=8),
            ),
        ),
    )

    def live(self, record: RecordView, today: date) -> dict[str, Any]:
        values = record.values
        return {"total_value": values["quantity"] * values["unit_price"]}

    def samples(self, today: date, parent: RecordView | None = None) -> list[Sample]:
        return _samples(today)


def _samples(today: date) -> list[Sample]:
    good: dict[str, Any] = {
        "equipment_name": "篮球",
        "category": "球类",
        "specification": "7号标准比赛用球",
        "quantity": 20,
        "unit": "个",
        "unit_price": Decimal("180.00"),
        "purchase_date": today - timedelta(days=30),
        "supplier": "阿拉尔市示例体育用品商店",
        "storage_location": "职工活动中心器材室",
        "keeper": "郑样例",
        "keeper_phone": "13900000041",
        "remarks": "职工篮球赛专用，借用须登记。",
    }
    remark = "器材随机附有说明书和保修卡，存放时注意防潮，每季度检查一次，损坏的及时报修；"
    return [
        Sample("篮球-体育器材入库登记", good),
        Sample(
            "乒乓球台-体育器材入库登记（有错误）",
            good
            | {
                "equipment_name": "乒乓球台",
                "category": "球类器材",
                "quantity": 0,
                "unit_price": "-1500",
                "purchase_date": today + timedelta(days=10),
            },
            good=False,
        ),
        Sample(
            "多功能健身器-体育器材入库登记（长文本）",
            good
            | {
                "equipment_name": "多功能综合训练器（含配套器械）",
                "category": "健身器材",
                "specification": "商用级，含高拉、低拉、推胸、蝴蝶机、腿部屈伸等八个训练站",
                "quantity": 2,
                "unit": "套",
                "unit_price": Decimal("38650.50"),
                "remarks": (remark * 30)[:1000],
            },
        ),
    ]


KIND = Equipment()
