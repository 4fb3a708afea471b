"""Reproducible fake people, places and phrases for the demo (names from Faker zh_CN, the rest by hand)."""

import random
from datetime import date

from faker import Faker

from app.validators import ID_CHECK_CHARS
from app.validators import ID_WEIGHTS

MOBILE_PREFIXES = (
    "130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 "
    "166 176 177 180 181 182 183 185 186 187 188 189 191 198 199"
).split()
# 440311 is 光明区 itself; the rest are home counties common among Shenzhen's migrant workers.
ID_REGIONS = ("440311", "440311", "440306", "441424", "445281", "430524", "360721", "452123", "511623")

ROADS = (
    "光明大道 华夏路 观光路 公常路 松白路 东长路 光侨路 牛山路 同观路 河心路 光明北路 长春路 "
    "创投路 科裕路 玉泉路 合水口路 民生路 振明路 南环大道 楼村二路 凤凰城大道 根玉路"
).split()
ESTATE_SUFFIXES = ("花园", "新村", "华庭", "家园", "雅苑", "公馆", "安置小区")
SHOPS = (
    "一家烧烤店", "一家奶茶店", "某家电卖场", "某健身会所", "某美容美发店", "某KTV", "某生鲜超市",
    "一家快餐店", "某母婴店", "某汽车美容店", "一家大排档",
)  # fmt: skip
HOSPITALS = ("光明区人民医院", "光明区中医院", "光明区妇幼保健院", "中山大学附属第七医院")
COMPANY_KINDS = ("电子", "科技", "五金", "塑胶", "模具", "服装", "物流", "精密", "包装", "印刷")
COMPANY_FORMS = ("有限公司", "厂", "实业有限公司")

GRADE_REASONS = {
    "red": (
        "涉及{n}人群体性诉求，存在聚集风险",
        "涉及金额{money}万元，群众情绪激动",
        "存在扬言或极端行为风险",
        "涉及群众生命财产安全，需立即处置",
    ),
    "yellow": ("涉及{n}人利益", "涉及金额{money}万元", "诉求紧迫，群众多次来电", "可能引发矛盾激化"),
}

REGISTER_NOTES = (None, None, "已核实诉求人身份信息", "已电话确认诉求内容")
DISPATCH_NOTES = {
    "red": "红色件，请立即签收并联系诉求人，1小时内反馈处置情况。",
    "yellow": "请于规定时限内签收办理，重点跟进。",
    "green": None,
}
EXTENSION_REASONS = (
    "需协调多个部门现场核查，现有时限内无法办结。",
    "涉及企业账目核对，需等待劳动监察调取工资台账。",
    "需待施工单位排期维修，预计下周进场。",
)
CONTACT_NOTES = (
    "已电话联系诉求人，了解具体情况并约定现场查看时间。",
    "已联系诉求人，告知已受理并正在核查。",
    "首次来电未接通，已发送短信，随后再次联系成功。",
    "已上门走访诉求人，现场了解情况。",
    "已电话联系诉求人，告知办理进度和预计办结时间。",
)
RETURN_REASONS = (
    "该事项不属于本单位职责范围，建议改派{right}。",
    "经核实，诉求地址不在本辖区，申请退回改派{right}。",
    "该事项由{right}主管，本单位无执法权限，申请退单。",
)
REJECT_REASONS = (
    "该事项已进入诉讼程序，已告知诉求人依法通过司法途径解决。",
    "诉求内容不明确且无法联系诉求人，不予受理。",
    "同一诉求已办结答复，无新情况新理由，已告知办理结果。",
    "不属于本级受理范围，已告知诉求人向有权机关反映。",
    "来电与政务诉求无关，不予受理。",
)
MERGE_NOTES = ("与{number}反映同一事项，并单处理。", "多名群众反映同一问题，并入{number}统一办理。")
REOPEN_REASONS = (
    "督办抽查发现问题反弹，群众再次反映，重新办理。",
    "回访复核发现答复内容与实际情况不符，要求重新办理。",
)
REVISIT_NOTES = {
    "satisfied": ("群众对处理结果表示满意。", "群众表示问题已解决，对办理效率满意。"),
    "basically_satisfied": ("群众表示基本满意，希望加强后续巡查。", "群众基本满意，认为办理时间略长。"),
    "unsatisfied": ("群众表示问题未实际解决，不满意，要求重办。", "群众认为答复敷衍，不满意。"),
}
RATING_COMMENTS = {  # a citizen's own rating of the reply (查询页面评价)
    "satisfied": (None, "问题已经解决，谢谢！", "处理很及时，点赞。"),
    "basically_satisfied": (None, "问题基本解决，希望以后多巡查。", "结果可以接受，就是等的时间有点长。"),
    "unsatisfied": ("问题根本没有解决，答复是在敷衍。", "没有人到现场看过，不满意。"),
}
REPLIES = {
    "supported": (
        "经{dept}现场核查，您反映的问题属实，已责令相关责任方立即整改，目前已整改完毕，后续将加强巡查防止反弹。",
        "{dept}已会同{partner}工作人员现场处置，问题已解决。感谢您对我区工作的监督。",
        "经{dept}协调，相关单位已同意按您的诉求处理，具体事宜已电话告知您本人。",
    ),
    "dispute": (
        "经{dept}牵头、{partner}配合调解，双方已达成协议，涉事单位已同意分期支付全部款项，首期款项已到位。",
        "经多方联合调处，当事双方签订调解协议，款项已全部支付到位，{dept}将跟进协议履行。",
    ),
    "consult": (
        "您咨询的事项已由{dept}工作人员电话详细解答，并告知办理材料、流程和地点。",
        "已由{dept}工作人员向您解答相关政策规定，并告知可通过“i深圳”线上办理。",
    ),
    "explained": (
        "经{dept}核查，该问题涉及历史遗留情况，已纳入整改计划分步推进，已向您解释说明办理进度。",
        "经核查，您反映的情况已了解。根据现行政策规定暂无法完全满足您的诉求，已向您解释说明相关政策及办理途径。",
    ),
    "not_supported": (
        "经{dept}调查核实，您反映的问题与实际情况不符，暂不予支持，已向您说明理由及其他救济途径。",
        "经核查，您的诉求缺乏政策依据，不予支持。如有异议，可依法申请复查。",
    ),
    "praise": ("感谢您的肯定和鼓励，已将表扬转达{dept}相关工作人员，我们将继续做好服务。",),
}
REWARD_CLUES = (
    "发现{place}电动车飞线充电隐患并及时报告",
    "及时报告{place}一起邻里纠纷苗头，协助社区调解成功",
    "发现{place}附近井盖缺失并及时上报",
    "报告{place}一家企业拖欠工资苗头线索，避免群体性事件",
    "夜间巡逻发现{place}出租屋消防通道堵塞并上报",
    "协助民警劝阻{place}一起电信诈骗",
)
REWARD_REJECT_NOTES = ("审核意见：线索重复报送，不予奖励", "审核意见：经核实线索不属实，不予奖励")


class Gen:
    """A seeded source of names, phone numbers, ID numbers and place names."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.faker = Faker("zh_CN")
        self.faker.seed_instance(seed)

    def name(self) -> str:
        """A Chinese personal name."""
        return self.faker.name()

    def mobile(self) -> str:
        """An 11-digit mainland mobile number."""
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def landline(self) -> str:
        """A Shenzhen office landline."""
        return f"0755-2{self.rng.randrange(10**7):07d}"

    def id_number(self, today: date) -> str:
        """An 18-character resident ID number with a correct GB 11643 check character."""
        born = date(today.year - self.rng.randint(18, 80), self.rng.randint(1, 12), self.rng.randint(1, 28))
        body = f"{self.rng.choice(ID_REGIONS)}{born:%Y%m%d}{self.rng.randrange(1000):03d}"
        total = sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True))
        return body + ID_CHECK_CHARS[total % 11]

    def company(self) -> str:
        """A factory or firm name."""
        if self.rng.random() < 0.5:
            return self.faker.company()
        prefix = self.faker.last_name() + self.rng.choice(("华", "兴", "鑫", "达", "盛", "丰"))
        return f"{prefix}{self.rng.choice(COMPANY_KINDS)}{self.rng.choice(COMPANY_FORMS)}"

    def estate(self, community_name: str) -> str:
        """A residential estate in ``community_name``."""
        return community_name.removesuffix("社区") + self.rng.choice(ESTATE_SUFFIXES)

    def fill(self, street: str, community: str, n: int, money: float) -> dict:
        """The values a case template may use."""
        rng = self.rng
        short = community.removesuffix("社区")
        road, road2 = rng.sample(ROADS, 2)
        return {
            "street": street,
            "community": community,
            "cshort": short,
            "road": road,
            "road2": road2,
            "estate": self.estate(community),
            "company": self.company(),
            "site": rng.choice((f"{short}安置房项目工地", f"{road}道路改造工地", "光明科学城某项目工地")),
            "shop": rng.choice(SHOPS),
            "school": rng.choice((f"{short}小学", f"光明区{short}学校", f"{short}幼儿园")),
            "hospital": rng.choice(HOSPITALS + (f"{short}社康中心",)),
            "no": rng.randint(1, 30),
            "year": rng.randint(2018, 2024),
            "months": rng.randint(2, 6),
            "n": n,
            "money": money_text(money),
        }


def money_text(wan: float) -> str:
    """Format an amount in 万元 without trailing zeros: 56, 3.5, 0.8."""
    return f"{round(wan, 1):g}"
