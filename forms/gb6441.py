"""Classifications the accident form uses: GB 6441-1986 and the grades of 国务院令第493号.

GB 6441-1986《企业职工伤亡事故分类》: the 20 事故类别 (§2), 伤害程度 (§4) and 事故严重程度 (§5),
and the 伤害分析 of its Appendix A: 受伤性质 (table A2), 起因物 (A3), 致害物 (A4), 伤害方式 (A5),
不安全状态 (A6) and 不安全行为 (A7), each by its top-level headings. Long headings are shortened
where the standard adds examples in brackets.

《生产安全事故报告和调查处理条例》(国务院令第493号) 第三条 grades an accident by deaths,
serious injuries (acute industrial poisoning included) and direct economic loss; "以上" includes
the number, "以下" does not.
"""

from __future__ import annotations

from decimal import Decimal

CATEGORIES = (
    "物体打击",
    "车辆伤害",
    "机械伤害",
    "起重伤害",
    "触电",
    "淹溺",
    "灼烫",
    "火灾",
    "高处坠落",
    "坍塌",
    "冒顶片帮",
    "透水",
    "放炮",
    "火药爆炸",
    "瓦斯爆炸",
    "锅炉爆炸",
    "容器爆炸",
    "其他爆炸",
    "中毒和窒息",
    "其他伤害",
)
DEGREES = ("轻伤", "重伤", "死亡")  # from the least to the worst
SEVERITY = {"轻伤": "轻伤事故", "重伤": "重伤事故", "死亡": "死亡事故"}

INJURY_NATURES = (  # A2
    "电伤",
    "挫伤、轧伤、压伤",
    "倒塌压埋伤",
    "辐射损伤",
    "割伤、擦伤、刺伤",
    "骨折",
    "化学性灼伤",
    "撕脱伤",
    "扭伤",
    "切断伤",
    "冻伤",
    "烧伤",
    "烫伤",
    "中暑",
    "冲击伤",
    "生物致伤",
    "多伤害",
    "中毒",
)
CAUSE_OBJECTS = (  # A3
    "锅炉",
    "压力容器",
    "电气设备",
    "起重机械",
    "泵、发动机",
    "企业车辆",
    "船舶",
    "动力传送机构",
    "放射性物质及设备",
    "非动力手工具",
    "电动手工具",
    "其他机械",
    "建筑物及构筑物",
    "化学品",
    "煤",
    "石油制品",
    "水",
    "可燃性气体",
    "金属矿物",
    "非金属矿物",
    "粉尘",
    "梯",
    "木材",
    "工作面（人站立面）",
    "环境",
    "动物",
    "其他",
)
HARM_OBJECTS = (  # A4
    "煤、石油产品",
    "木材",
    "水",
    "放射性物质",
    "电气设备",
    "梯",
    "空气",
    "工作面（人站立面）",
    "矿石",
    "粘土、砂、石",
    "锅炉、压力容器",
    "大气压力",
    "化学品",
    "机械",
    "金属件",
    "起重机械",
    "噪声",
    "蛇",
    "手工具（非动力）",
    "电动手工具",
    "动物",
    "企业车辆",
    "船舶",
)
INJURY_MODES = (  # A5
    "碰撞",
    "撞击",
    "坠落",
    "跌倒",
    "坍塌",
    "淹溺",
    "灼烫",
    "火灾",
    "辐射",
    "爆炸",
    "中毒",
    "触电",
    "接触",
    "掩埋",
    "倾覆",
)
UNSAFE_CONDITIONS = (  # A6
    "防护、保险、信号等装置缺乏或有缺陷",
    "设备、设施、工具、附件有缺陷",
    "个人防护用品用具缺少或有缺陷",
    "生产（施工）场地环境不良",
)
UNSAFE_ACTS = (  # A7
    "操作错误，忽视安全，忽视警告",
    "造成安全装置失效",
    "使用不安全设备",
    "手代替工具操作",
    "物体存放不当",
    "冒险进入危险场所",
    "攀、坐不安全位置",
    "在起吊物下作业、停留",
    "机器运转时加油、修理、检查、调整、焊接、清扫等工作",
    "有分散注意力行为",
    "在必须使用个人防护用品用具的作业或场合中，忽视其使用",
    "不安全装束",
    "对易燃、易爆等危险物品处理错误",
)

# 第三条: (grade, deaths, serious injuries, direct loss in yuan), the worst first; an accident
# takes the first grade any of whose three thresholds it reaches.
GRADES = (
    ("特别重大事故", 30, 100, Decimal("100000000")),
    ("重大事故", 10, 50, Decimal("50000000")),
    ("较大事故", 3, 10, Decimal("10000000")),
)
ORDINARY = "一般事故"


def grade(deaths: int, serious: int, direct_loss: Decimal) -> str:
    """The grade of 国务院令第493号 第三条 (特别重大 / 重大 / 较大 / 一般事故)."""
    for name, death_floor, serious_floor, loss_floor in GRADES:
        if deaths >= death_floor or serious >= serious_floor or direct_loss >= loss_floor:
            return name
    return ORDINARY


def casualties(deaths: int, serious: int, minor: int) -> str:
    """What the accident did to people, worst first: 1人死亡、2人重伤、17人轻伤."""
    counts = ((deaths, "死亡"), (serious, "重伤"), (minor, "轻伤"))
    return "、".join(f"{count}人{what}" for count, what in counts if count)
