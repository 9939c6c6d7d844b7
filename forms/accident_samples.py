"""Example accident investigations: an ordinary one, one with mistakes, and a stress sample
(twenty injured, every text a thousand characters) for layout checks."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from forms.samples import Sample, long_text

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许"
STORY = (
    "当日16时许，运行人员在除氧器平台进行定期排污操作，平台下方同时有检修人员更换阀门。",
    "排污过程中一段未固定的临时管道受冲击脱落，击中平台下方作业人员，",
    "现场随即组织撤离并拨打急救电话，伤者被送往示例市人民医院救治。",
    "事故发生后，值长立即汇报公司生产调度，并按规定保护了事故现场。",
    "调查组对现场进行了勘察、拍照和测量，调取了运行日志和监控录像，",
    "分别询问了当班运行人员、检修工作负责人和现场监护人员共计十一人。",
)
FINDINGS = (
    "作业人员对交叉作业的危险认识不足，未执行“三讲一落实”的要求。",
    "临时管道支吊架设置不符合规程，固定螺栓数量不足且未经验收。",
    "检修工作票与运行操作票未相互会签，交叉作业无专人统一协调。",
    "班组安全活动记录流于形式，新入厂人员三级安全教育学时不足。",
)
MEASURES = (
    "立即组织对全厂临时管道、临时支吊架进行全面排查，建立台账并逐项整改。",
    "修订交叉作业管理规定，明确运行与检修工作票会签和现场协调的职责。",
    "开展事故案例警示教育，组织全员学习本次事故调查报告并进行考试。",
    "完善除氧器平台及下方区域的隔离措施，设置醒目的安全警示标志。",
)


def accident_samples(today: date) -> list[Sample]:
    occurred = datetime.combine(today - timedelta(days=9), datetime.min.time()).replace(hour=14)
    base: dict[str, Any] = {
        "title": "检修部输煤皮带机械伤害事故",
        "occurred_at": occurred.replace(minute=20),
        "location": "输煤系统2号皮带机尾部",
        "department": "检修部",
        "category": "机械伤害",
        "injured": [
            {
                "injured_name": "钱示例",
                "injured_gender": "男",
                "injured_age": 34,
                "job_type": "输煤检修工",
                "service_years": 8,
                "injury_part": "左手",
                "injury_degree": "重伤",
                "injury_nature": "挫伤、轧伤、压伤",
            },
            {
                "injured_name": "孙样例",
                "injured_gender": "男",
                "injured_age": 27,
                "job_type": "输煤值班员",
                "service_years": 3,
                "injury_part": "右前臂",
                "injury_degree": "轻伤",
                "injury_nature": "割伤、擦伤、刺伤",
            },
        ],
        "process": (
            "当日14时许，检修人员在2号皮带机尾部清理积煤，未办理停电手续，皮带机被远方启动，"
            "钱示例左手被卷入滚筒，孙样例在拉拽时右前臂擦伤。现场人员立即拉下拉线开关停机，"
            "将伤者送医。"
        ),
        "findings_people": "作业人员未执行停电挂牌制度，安全意识淡薄；监护人离开现场。",
        "findings_objects": "皮带机尾部滚筒防护罩缺失，拉线开关距作业点较远。",
        "findings_management": "检修工作票未经许可即开工，班组安全交底流于形式。",
        "methods": "现场勘察、调查询问当事人、技术鉴定",
        "direct_cause": "在运行设备上清理积煤前未停电、未挂禁止合闸标示牌。",
        "indirect_cause": "防护设施缺失未及时整改；工作票制度执行不严；安全教育不到位。",
        "cause_object": "动力传送机构",
        "harm_object": "机械",
        "injury_mode": "碰撞",
        "unsafe_conditions": "防护、保险、信号等装置缺乏或有缺陷",
        "unsafe_acts": (
            "机器运转时加油、修理、检查、调整、焊接、清扫等工作；操作错误，忽视安全，忽视警告"
        ),
        "direct_loss": Decimal("38600.00"),
        "indirect_loss": Decimal("12409.50"),
        "responsibility": "钱示例违章作业，负直接责任；工作负责人周演示未履行监护职责，负主要责任。"
        "建议对相关责任人按公司安全生产奖惩规定处理。",
        "measures": "1. 恢复尾部滚筒防护罩并增设急停按钮；\n2. 全面检查输煤系统防护设施；\n"
        "3. 开展停送电和工作票制度专项培训。",
        "cause_identified": "是",
        "responsible_handled": "是",
        "measures_implemented": "否",
        "people_educated": "是",
        "team": "吴示例、郑样例、冯演示",
        "report_date": today - timedelta(days=2),
    }
    return [
        Sample("输煤皮带机械伤害-工伤事故调查", base),
        Sample("除氧器平台多人伤亡-工伤事故调查（长内容）", _stress(base)),
        Sample(
            "锅炉平台高处坠落-工伤事故调查（有错误）",
            base
            | {
                "title": "锅炉平台高处坠落事故",
                "category": "高空坠落",
                "methods": "现场勘察",
                "direct_loss": "-500",
                "report_date": occurred.date() - timedelta(days=1),
            },
            good=False,
        ),
    ]


def _stress(base: dict[str, Any]) -> dict[str, Any]:
    """Twenty injured (one death, two serious, seventeen minor), long texts everywhere, and a
    direct loss that makes it a 较大事故 under 国务院令第493号."""
    degrees = ["死亡", "重伤", "重伤", *["轻伤"] * 17]
    injured = [
        {
            "injured_name": f"{SURNAMES[n]}示例{n + 1}",
            "injured_gender": "男" if n % 3 else "女",
            "injured_age": 22 + n,
            "job_type": "锅炉检修工" if n % 2 else "汽机运行值班员",
            "service_years": n % 12,
            "injury_part": "头部及胸部" if degree == "死亡" else "左下肢",
            "injury_degree": degree,
            "injury_nature": "多伤害" if degree == "死亡" else "挫伤、轧伤、压伤",
        }
        for n, degree in enumerate(degrees)
    ]
    texts = {
        key: long_text(FINDINGS)
        for key in (
            "findings_people",
            "findings_objects",
            "findings_management",
            "direct_cause",
            "indirect_cause",
            "responsibility",
        )
    }
    return (
        base
        | texts
        | {
            "title": "运行部除氧器平台临时管道脱落物体打击事故",
            "location": "二期主厂房除氧器平台（标高26米）及其下方12米层检修区域",
            "category": "物体打击",
            "injured": injured,
            "process": long_text(STORY),
            "measures": long_text(MEASURES, numbered=True),
            "direct_loss": Decimal("12500000.00"),
            "indirect_loss": Decimal("3409000.02"),
            "team": "、".join(f"{SURNAMES[n]}演示" for n in range(10)),
        }
    )
