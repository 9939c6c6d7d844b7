"""Example hazard reports: two ordinary ones, one with long content (every text a thousand
characters) for layout checks, and one with mistakes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from forms.samples import Sample, long_text


def hazard_samples(today: date) -> list[Sample]:
    found = today - timedelta(days=12)
    fire: dict[str, Any] = {
        "found_date": found,
        "reporter": "张示例",
        "department": "运行部",
        "location": "一号锅炉燃油泵房",
        "category": "火灾",
        "level": "一般事故隐患",
        "description": "燃油泵出口法兰密封垫老化渗油，泵体下方地面有油污，附近有电气设备。",
        "possible_consequence": "渗漏的燃油遇电火花或高温表面可能引发火灾。",
        "proposed_measures": "更换法兰密封垫，清理地面油污，泵体下方加装接油盘。",
        "plan_channel": "立即整改",
        "deadline": found + timedelta(days=20),
        "responsible_department": "检修部",
        "responsible_person": "王样例",
    }
    wall_found = today - timedelta(days=40)
    wall = fire | {
        "found_date": wall_found,
        "reporter": "赵演示",
        "department": "燃料部",
        "location": "干煤棚东侧挡煤墙",
        "category": "坍塌",
        "level": "重大事故隐患",
        "description": "挡煤墙出现多条竖向裂缝，最宽处约5毫米，堆煤侧压力大，有局部坍塌的危险。",
        "possible_consequence": "墙体坍塌，掩埋作业人员和推煤机械。",
        "proposed_measures": "立即限制堆煤高度并设置警戒区；委托有资质的单位进行结构鉴定后加固。",
        "plan_channel": "大修计划",
        "deadline": wall_found + timedelta(days=30),
        "responsible_department": "燃料部",
        "responsible_person": "李样例",
    }
    return [
        Sample("燃油泵房-事故隐患报告", fire),
        Sample("挡煤墙-事故隐患报告", wall),
        Sample("脱硫制浆车间-事故隐患报告（长内容）", _stress(fire, today)),
        Sample(
            "化验室-事故隐患报告（有错误）",
            fire
            | {
                "reporter": "孙演示",
                "location": "化学化验室",
                "level": "较大隐患",
                "description": "通风不好",
                "deadline": found - timedelta(days=1),
            },
            good=False,
        ),
    ]


STRESS_TEXT = (
    "脱硫制浆车间地下浆液池上方的检修盖板锈蚀变形，部分盖板已无法完全闭合，",
    "池内浆液搅拌时产生的硫化氢等有毒气体经缝隙逸出，在地坑低洼处聚集，",
    "现场固定式气体检测报警仪有两台失效，便携式检测仪未按规定定期校验，",
    "作业人员进入地坑巡检时未执行先通风、再检测、后作业的规定，",
    "地坑通风机运行不正常，排风口被杂物部分堵塞，通风效果明显下降，",
    "地坑入口处未设置有限空间作业安全告知牌，照明灯具损坏未及时修复。",
)
STRESS_MEASURES = (
    "立即更换锈蚀变形的检修盖板，盖板之间的缝隙用耐腐蚀密封条封堵。",
    "修复或更换失效的固定式气体检测报警仪，并与集控室报警系统联动。",
    "清理排风口杂物，检修地坑通风机，确保通风量满足规程要求。",
    "在地坑入口设置有限空间作业安全告知牌和警示标志，修复照明灯具。",
)


def _stress(base: dict[str, Any], today: date) -> dict[str, Any]:
    """Every text a thousand characters, for the layout checks of the notice and registers."""
    found = today - timedelta(days=3)
    return base | {
        "found_date": found,
        "reporter": "欧阳演示",
        "department": "燃料部",
        "location": "脱硫制浆车间地下浆液池及其东侧检修地坑（标高负4.5米）",
        "category": "急性中毒",
        "level": "重大事故隐患",
        "description": long_text(STRESS_TEXT),
        "possible_consequence": long_text(STRESS_TEXT[1:] + STRESS_TEXT[:1]),
        "proposed_measures": long_text(STRESS_MEASURES, numbered=True),
        "plan_channel": "技术改造工程",
        "deadline": found + timedelta(days=60),
        "responsible_department": "燃料部",
        "responsible_person": "司马样例",
    }
