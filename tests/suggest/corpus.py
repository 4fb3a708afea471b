"""A small corpus of closed cases in five categories, with phrasings the model never sees, for the
suggestion's tests (tests/suggest and tests/admin/test_suggest_pages.py)."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.suggest import hints
from app.timeutil import utcnow
from models.case import Case
from models.enums import Channel
from models.enums import RequestType
from models.enums import Status
from models.org import Category
from tests.support import factories

# code: (name, lead department, phrasings learnt from, phrasings never seen in training)
CORPUS = {
    "CSGL-ZDJY": ("占道经营", "BA", [
        "小区门口每天晚上有摊贩占道经营，影响行人通行", "菜市场外面的流动摊贩把人行道都占满了",
        "学校门口卖烧烤的小摊占用道路，油烟很大", "路边水果摊摆到了马路上，车都过不去",
        "夜市摊点占道，垃圾到处都是，希望城管管一管", "有人在公交站台旁边摆地摊卖衣服",
        "早餐店把桌子摆到人行道上占道经营", "天桥底下的小贩长期占道摆卖",
    ], ["楼下那些卖菜的摊子天天占着人行道走都走不了", "商铺门前乱摆摊位，店外经营占用通道"]),
    "STHJ-ZS": ("噪声污染", "BB", [
        "隔壁工厂机器噪音太大，晚上睡不着觉", "附近酒吧音响声音太吵，半夜还在放音乐",
        "广场舞音响声音太大扰民", "楼下饭店的排风机噪声很大日夜不停",
        "工地夜间施工噪音扰民，凌晨还在打桩", "ktv噪音扰民严重，投诉多次没有改善",
        "商场外放的广告喇叭太吵了", "冷却塔噪声影响周边居民休息",
    ], ["晚上十二点了还有人放大喇叭唱歌，吵得孩子没法睡", "空调外机嗡嗡响，声音特别大影响休息"]),
    "LDSB-QX": ("欠薪", "BA", [
        "公司拖欠工资三个月不发", "在工地干了半年活老板不给工钱",
        "包工头跑路了，我们农民工的工资没人付", "单位欠发绩效工资，讨要多次无果",
        "离职后公司一直不结算最后一个月的薪水", "老板拖欠员工薪酬，请劳动部门帮忙",
        "装修队工人被拖欠劳务费", "饭店倒闭了，服务员的工资还没发",
    ], ["干完活了工头不给钱，说没钱，我们几个人的血汗钱要不回来", "厂里已经两个月没发薪了"]),
    "CSGL-PSXT": ("下水道", "BA", [
        "小区下水道堵塞，污水漫到路面上", "雨水井盖下面排水不畅，一下雨就积水",
        "路边下水道反味，臭气熏天", "排水管道破裂，污水外溢",
        "街道积水严重，排水口被垃圾堵住了", "化粪池满了往外冒，请尽快疏通",
        "下水管道堵了好几天没人来修", "暴雨后路口积水半米深排不出去",
    ], ["楼下的污水管又堵了，脏水流得到处都是，臭死了", "马路上的雨水口堵住，一下雨就成了河"]),
    "SCJG-YFK": ("预付卡", "BB", [
        "健身房倒闭了，办的年卡无法退费", "美容院卡里还有钱，店突然关门了",
        "培训机构跑路，预交的学费退不回来", "理发店充值卡不给用了也不退钱",
        "游泳馆会员卡到期前停业，要求退还余额", "洗车店充值的钱商家拒绝退款",
        "教育机构收了一年课时费后关门", "餐厅储值卡余额不能使用",
    ], ["在瑜伽馆充了五千块，现在老板人都找不到了", "办了会员充值以后店铺转让了，剩下的钱不退"]),
}  # fmt: skip


def make_catalogue(monkeypatch) -> dict[str, Category]:
    """The test categories (in the test org's catalogue) and no starting hints from the real list."""
    monkeypatch.setattr(hints, "HINTS", {})
    categories = {}
    for code, (name, lead, _seen, _unseen) in CORPUS.items():
        category = db.session.scalar(select(Category).where(Category.code == code))
        if category is None:
            category = Category(code=code, name=name)
            db.session.add(category)
        category.default_department = factories.dept(lead)
        categories[code] = category
    db.session.commit()
    return categories


def closed_case(i: int, category: Category, text: str) -> Case:
    """A closed case of ``category`` saying ``text`` (with a phone number the model must not read)."""
    now = utcnow()
    case = Case(
        number=f"T{i:06d}",
        tracking_code=f"trk{i:06d}",
        channel=Channel.HOTLINE,
        request_type=RequestType.COMPLAINT,
        title=text[:12],
        content=f"{text}。联系电话13800138{i:03d}",
        status=Status.CLOSED,
        category=category,
        received_at=now - timedelta(days=10),
        closed_at=now - timedelta(days=1),
    )
    db.session.add(case)
    return case


def make_closed_cases(catalogue: dict[str, Category]) -> None:
    """Every learnt phrasing as a closed case of its category."""
    i = 0
    for code, (_name, _lead, seen, _unseen) in CORPUS.items():
        for text in seen:
            i += 1
            closed_case(i, catalogue[code], text)
    db.session.commit()
