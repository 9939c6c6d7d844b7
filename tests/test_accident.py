"""Every rule of SPEC §3.4 (工伤事故调查表), the 四不放过 gate and the report."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import docx
import pytest

from forms import get_kind
from forms.accident import CATEGORIES
from forms.gb6441 import grade
from tests.conftest import Workspace, docx_text, register_rows
from tests.rules import NOW, TODAY, Checker, Ctx

KIND = get_kind("accident")
CHECK = Checker(KIND)
FOUR_NOS = ("cause_identified", "responsible_handled", "measures_implemented", "people_educated")


def sample(**changes: Any) -> dict[str, Any]:
    return CHECK.sample(**changes)


def injured(*degrees: str) -> list[dict[str, Any]]:
    return [{"injured_name": f"钱示例{i}", "injury_degree": d} for i, d in enumerate(degrees, 1)]


def test_the_sample_passes() -> None:
    assert CHECK.problems(sample()) == []


def test_categories_are_the_twenty_of_gb_6441() -> None:
    assert len(CATEGORIES) == 20 and CATEGORIES[0] == "物体打击" and CATEGORIES[-1] == "其他伤害"


@pytest.mark.parametrize(
    ("key", "good", "bad", "message"),
    [
        ("occurred_at", NOW, NOW + timedelta(minutes=1), "不能晚于现在（2026-06-15 10:30）"),
        ("occurred_at", "2026-06-01 08:15", "2026-06-01", "应填写到具体时刻"),
        ("category", "中毒和窒息", "高空坠落", "应为以下选项之一：物体打击、车辆伤害"),
        ("process", "一" * 20, "一" * 19, "应为不少于20个字（现为19个字）"),
        ("methods", "现场勘察 调查询问当事人", "现场勘察、问话", "“问话”"),
        ("direct_loss", "1,200.00", "-1", "金额不能为负数"),
        ("indirect_loss", "0", "一千", "应为金额数字"),
        ("cause_identified", "☑是", "也许", "应填“是”或“否”"),
        ("report_date", TODAY, TODAY + timedelta(days=1), "不能晚于今天"),
    ],
)
def test_field_rule(key: str, good: Any, bad: Any, message: str) -> None:
    today_report = {"report_date": TODAY}  # an accident of today is reported today at the earliest
    assert CHECK.problems(sample(**today_report | {key: good})) == []
    assert message in CHECK.only_problem(sample(**today_report | {key: bad}))


@pytest.mark.parametrize(
    "key",
    [
        "title",
        "occurred_at",
        "location",
        "department",
        "category",
        "injured",
        "process",
        "findings_people",
        "findings_objects",
        "findings_management",
        "methods",
        "direct_cause",
        "indirect_cause",
        "direct_loss",
        "indirect_loss",
        "responsibility",
        "measures",
        *FOUR_NOS,
        "team",
        "report_date",
    ],
)
def test_required_fields(key: str) -> None:
    assert "未填写，此项为必填项" in CHECK.only_problem(sample(**{key: None}))


@pytest.mark.parametrize(
    ("methods", "missing"),
    [
        ("现场勘察、技术鉴定", "调查询问当事人"),
        ("调查询问当事人、模拟试验", "现场勘察"),
        ("技术鉴定", "现场勘察、调查询问当事人"),
    ],
)
def test_site_survey_and_interviews_go_together(methods: str, missing: str) -> None:
    assert CHECK.problems(sample(methods="调查询问当事人、现场勘察")) == []
    sentence = CHECK.only_problem(sample(methods=methods))
    assert sentence.startswith("「调查方法」") and f"缺少“{missing}”" in sentence


def test_report_not_before_the_accident() -> None:
    occurred = datetime(2026, 6, 10, 23, 50)
    assert CHECK.problems(sample(occurred_at=occurred, report_date=occurred.date())) == []
    sentence = CHECK.only_problem(sample(occurred_at=occurred, report_date="2026-06-09"))
    assert "「报告日期」" in sentence and "不能早于事故发生日期（2026-06-10）" in sentence


def test_injured_table_rows() -> None:
    assert "应有1至20行，现有21行" in CHECK.only_problem(sample(injured=injured(*["轻伤"] * 21)))
    row = {"injured_name": "钱示例", "injured_age": 15, "injury_degree": "擦伤"}
    found = CHECK.problems(sample(injured=[row]))
    assert any("「受伤人员第1行的年龄」" in s and "16至70" in s for s in found)
    assert any("「受伤人员第1行的伤害程度」" in s and "轻伤、重伤、死亡" in s for s in found)
    missing_name = CHECK.only_problem(sample(injured=[{"injury_degree": "轻伤"}]))
    assert "「受伤人员第1行的姓名」" in missing_name
    negative = CHECK.only_problem(
        sample(injured=[row | {"injured_age": 30, "injury_degree": "轻伤", "service_years": -1}])
    )
    assert "「受伤人员第1行的本工种工龄」" in negative


@pytest.mark.parametrize(
    ("degrees", "severity"),
    [
        (("轻伤",), "轻伤事故"),
        (("轻伤", "重伤", "轻伤"), "重伤事故"),
        (("重伤", "死亡"), "死亡事故"),
    ],
)
def test_severity_from_the_worst_injury(degrees: tuple[str, ...], severity: str) -> None:
    derived = KIND.derive(CHECK.form(sample(injured=injured(*degrees))), Ctx())
    assert derived["severity"] == severity
    assert derived["injured_count"] == len(degrees)
    assert derived["deaths"] == degrees.count("死亡")


def test_total_loss_is_direct_plus_indirect() -> None:
    derived = KIND.derive(CHECK.form(sample(direct_loss="16,000", indirect_loss="409.02")), Ctx())
    assert derived["total_loss"] == Decimal("16409.02")


def accept(ws: Workspace, **changes: Any) -> str:
    ws.drop("事故.xlsx", ws.xlsx("accident", **changes))
    (job,) = ws.process().jobs
    assert job.outcome == "accepted", [p.sentence() for p in job.problems]
    (report,) = ws.outputs("documents")
    return docx_text(report)


def test_report_sections_amounts_and_signature_lines(ws: Workspace) -> None:
    text = accept(ws, team="吴示例（组长）、郑样例 冯演示", **dict.fromkeys(FOUR_NOS, "是"))
    assert text.startswith("工伤事故调查报告书")
    assert "应急管理部门：" in text
    for heading in (
        "一、事故单位概况",
        "二、事故经过",
        "三、人员伤亡和直接经济损失",
        "四、事故原因和性质",
        "五、责任认定及处理意见",
        "六、防范和整改措施",
        "七、“四不放过”落实情况",
        "八、调查组成员签名",
    ):
        assert heading in text
    assert "直接经济损失38,600.00元（人民币叁万捌仟陆佰元整）" in text
    assert "合计51,009.50元（人民币伍万壹仟零玖元伍角）" in text
    assert "该事故是一起机械伤害重伤事故，事故等级为一般事故" in text
    assert "钱示例 | 男 | 34 | 输煤检修工 | 8 | 左手 | 挫伤、轧伤、压伤 | 重伤" in text
    signatures = docx.Document(str(ws.outputs("documents")[0])).tables[-2]
    assert [row.cells[0].text for row in signatures.rows] == [
        "姓名",
        "吴示例（组长）",
        "郑样例",
        "冯演示",
    ]
    assert "未结案" not in text and "本事故结案" in text


def test_open_items_keep_the_case_open_and_say_what_is_not_done(ws: Workspace) -> None:
    text = accept(ws, responsible_handled="否", measures_implemented="×")
    assert "（调查中，未结案）" in text
    assert "责任人员尚未处理，整改措施尚未落实，本事故暂不结案" in text
    assert "责任人员未处理不放过 | 未处理" in text and "事故原因未查清不放过 | 已查清" in text
    # an open item is never named by the words that say it is done
    assert "已处理、" not in text and "尚未落实：" not in text and "措施已落实" not in text


def test_report_is_addressed_to_the_configured_authority(ws: Workspace) -> None:
    organisation = ws.config.organisation.model_copy(
        update={"safety_authority": "阿拉尔市应急管理局"}
    )
    ws.rt.config = ws.config.model_copy(update={"organisation": organisation})
    assert "阿拉尔市应急管理局：" in accept(ws)


def test_register_row_and_open_highlight(ws: Workspace) -> None:
    accept(ws)
    header, rows = register_rows(ws.outbox / "registers" / "工伤事故台账.xlsx")
    (row,) = [dict(zip(header, r, strict=True)) for r in rows]
    assert row["编号"] == "SG-2026-0001"
    assert (row["受伤人数"], row["重伤"], row["轻伤"], row["死亡"]) == (2, 1, 1, 0)
    assert row["经济损失合计（元）"] == pytest.approx(51009.50)
    assert row["结案状态"] == "调查中" and row["“四不放过”未落实项"] == "整改措施尚未落实"
    assert row["事故严重程度"] == "重伤事故" and row["事故等级"] == "一般事故"
    assert row["发生时间"] == datetime(2026, 6, 6, 14, 20)


@pytest.mark.parametrize(
    ("degrees", "said"),
    [
        (("重伤", "轻伤"), "造成1人重伤、1人轻伤。"),
        (("轻伤",) * 3, "造成3人轻伤。"),
        (("轻伤",) * 17 + ("重伤", "死亡", "重伤"), "造成1人死亡、2人重伤、17人轻伤。"),
    ],
)
def test_report_says_who_was_hurt_how(ws: Workspace, degrees: tuple[str, ...], said: str) -> None:
    text = accept(ws, injured=injured(*degrees))
    assert said in text and "伤亡。" not in text
    if "死亡" not in said:
        assert "死亡" not in text.split("事故发生后")[0]


def test_report_names_the_accident_once_without_brackets(ws: Workspace) -> None:
    text = accept(ws)
    assert "发生一起机械伤害事故，造成" in text
    assert "（检修部输煤皮带机械伤害事故）" not in text
    assert "事故名称：检修部输煤皮带机械伤害事故。" in text


@pytest.mark.parametrize(
    ("deaths", "serious", "loss", "expected"),
    [
        (0, 0, "0", "一般事故"),
        (2, 9, "9999999.99", "一般事故"),
        (3, 0, "0", "较大事故"),
        (0, 10, "0", "较大事故"),
        (0, 0, "10000000", "较大事故"),
        (10, 0, "0", "重大事故"),
        (0, 50, "0", "重大事故"),
        (0, 0, "50000000", "重大事故"),
        (30, 0, "0", "特别重大事故"),
        (0, 100, "0", "特别重大事故"),
        (0, 0, "100000000", "特别重大事故"),
    ],
)
def test_grade_of_decree_493(deaths: int, serious: int, loss: str, expected: str) -> None:
    # 第三条: "以上" includes the number, "以下" does not
    assert grade(deaths, serious, Decimal(loss)) == expected


def test_report_and_register_state_the_decree_493_grade(ws: Workspace) -> None:
    text = accept(ws, direct_loss="12,500,000", injured=injured("死亡", "轻伤"))
    assert (
        "事故严重程度：死亡事故；事故等级：较大事故（《生产安全事故报告和调查处理条例》第三条）"
        in text
    )
    header, rows = register_rows(ws.outbox / "registers" / "工伤事故台账.xlsx")
    (row,) = [dict(zip(header, r, strict=True)) for r in rows]
    assert row["事故等级"] == "较大事故" and row["事故严重程度"] == "死亡事故"


def test_injury_analysis_of_gb_6441_in_the_causes(ws: Workspace) -> None:
    text = accept(ws)
    causes = text.split("四、事故原因和性质")[1].split("五、责任认定")[0]
    assert "（六）伤害分析（GB 6441-1986）" in causes and "（七）事故性质" in causes
    assert "起因物：动力传送机构。" in causes and "致害物：机械。" in causes
    assert "伤害方式：碰撞。" in causes
    assert "不安全状态：防护、保险、信号等装置缺乏或有缺陷。" in causes
    assert (
        "不安全行为：操作错误，忽视安全，忽视警告；机器运转时加油、修理、检查、调整、焊接、清扫等工作。"
        in causes
    )
    assert "受伤性质：钱示例为挫伤、轧伤、压伤；孙样例为割伤、擦伤、刺伤。" in causes


def test_injury_analysis_is_optional(ws: Workspace) -> None:
    people = [{k: v for k, v in p.items() if k != "injury_nature"} for p in sample()["injured"]]
    blank = dict.fromkeys(
        ("cause_object", "harm_object", "injury_mode", "unsafe_conditions", "unsafe_acts")
    )
    text = accept(ws, injured=people, **blank)
    assert "伤害分析" not in text and "（六）事故性质" in text


@pytest.mark.parametrize(
    ("key", "bad", "message"),
    [
        ("cause_object", "皮带", "应为以下选项之一：锅炉、压力容器"),
        ("injury_mode", "卷入", "应为以下选项之一：碰撞、撞击"),
        ("unsafe_acts", "违章作业", "含有不在选项中的“违章作业”"),
    ],
)
def test_injury_analysis_takes_the_options_of_appendix_a(key: str, bad: str, message: str) -> None:
    assert message in CHECK.only_problem(sample(**{key: bad}))


def test_unsafe_acts_with_commas_inside_are_read_whole() -> None:
    form = CHECK.form(sample(unsafe_acts="操作错误，忽视安全，忽视警告、不安全装束"))
    assert form.unsafe_acts == ["操作错误，忽视安全，忽视警告", "不安全装束"]


def test_each_typed_line_of_a_text_is_a_paragraph_with_the_body_indent(ws: Workspace) -> None:
    accept(ws, measures="1．恢复防护罩；\n\n　　2．全面检查防护设施；\n3．开展专项培训。")
    document = docx.Document(str(ws.outputs("documents")[0]))
    texts = [p.text for p in document.paragraphs]
    start = texts.index("六、防范和整改措施") + 1
    assert texts[start : start + 3] == [
        "1．恢复防护罩；",
        "2．全面检查防护设施；",
        "3．开展专项培训。",
    ]
    for paragraph in document.paragraphs[start : start + 3]:
        assert paragraph.style.name == "UF Body" and not paragraph.runs[0]._r.xpath(".//w:br")
        assert paragraph.style.paragraph_format.first_line_indent.pt == 32
