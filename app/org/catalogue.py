"""Reference data every deployment starts from: the default two-level category catalogue (派单目录).

The catalogue follows docs/domain.md §3.2. Each level-1 subject names the code of the bureau that leads
it by default; a level-2 subject may name its own lead (e.g. 矛盾纠纷 → 司法局), otherwise it inherits
its parent's. Codes are stable ASCII so data loaders, imports and tests can refer to them.
"""

from sqlalchemy import select

from models.org import Category
from models.org import Department

# Codes of the district bureaus (职能部门) the catalogue routes to, with their usual names.
BUREAUS: tuple[tuple[str, str], ...] = (
    ("GAFJ", "区公安分局"),
    ("ZJJ", "区住房和建设局"),
    ("CGJ", "区城市管理和综合执法局"),
    ("SJJ", "区市场监督管理局"),
    ("RSJ", "区人力资源局"),
    ("WJJ", "区卫生健康局"),
    ("JYJ", "区教育局"),
    ("HBJ", "区生态环境分局"),
    ("MZJ", "区民政局"),
    ("JTJ", "区交通运输局"),
    ("GTJ", "区规划和自然资源局"),
    ("YJJ", "区应急管理局"),
    ("SFJ", "区司法局"),
    ("FGJ", "区发展和改革局"),
    ("ZSJ", "区政务服务数据管理局"),
)

# (code, name, default lead bureau code, [(sub-code, name) or (sub-code, name, own lead code), ...])
CATEGORIES: tuple = (
    ("CXJS", "城乡建设", "ZJJ", [
        ("WFJS", "违法建设", "CGJ"), ("SGGL", "施工管理（噪声扰民）"), ("WYFW", "物业服务"),
        ("FCJG", "房产监管/办证"), ("BZZF", "保障性住房"), ("LJGZ", "老旧小区改造/加装电梯"),
        ("SZSS", "道路市政设施"), ("ZDCQ", "征地拆迁", "GTJ"),
    ]),
    ("CSGL", "城市管理", "CGJ", [
        ("SRHW", "市容环境卫生"), ("ZDJY", "占道经营"), ("LTC", "乱停车", "GAFJ"),
        ("PSXT", "下水道/排水"), ("LJFL", "垃圾分类"), ("YLLH", "园林绿化"), ("HWGG", "户外广告"),
    ]),
    ("GGFW", "公共服务/公用事业", "FGJ", [
        ("GS", "供水"), ("GD", "供电"), ("GQ", "供气", "ZJJ"), ("GN", "供暖"),
        ("TXWL", "通信网络"), ("GJDT", "公交/地铁服务", "JTJ"),
    ]),
    ("JTYS", "交通运输", "JTJ", [
        ("JTSS", "道路交通设施"), ("TCGL", "停车管理"), ("CZWY", "出租/网约车"),
        ("KHY", "客货运"), ("JTWZ", "交通违章处理", "GAFJ"),
    ]),
    ("SCJG", "市场监管", "SJJ", [
        ("XFWQ", "消费维权"), ("WLJY", "网络交易"), ("SPYP", "食品药品安全"), ("JG", "价格"),
        ("YFK", "预付卡/退费"), ("TZSB", "特种设备"), ("WZJY", "无照经营"),
    ]),
    ("LDSB", "劳动和社会保障", "RSJ", [
        ("QX", "欠薪/薪酬纠纷"), ("LDHT", "劳动合同"), ("SHBX", "社会保险"),
        ("JYCY", "就业创业"), ("GS", "工伤"),
    ]),
    ("WSJK", "卫生健康", "WJJ", [
        ("YLFW", "医疗服务/就医流程"), ("YHJF", "医患纠纷"), ("YBBX", "医保报销"), ("GGWS", "公共卫生/疾控"),
    ]),
    ("JY", "教育", "JYJ", [
        ("RXSX", "入学升学"), ("XW", "学位"), ("SHBX", "社会办学/培训"), ("XYAQ", "校园安全"), ("SF", "收费"),
    ]),
    ("STHJ", "生态环境", "HBJ", [
        ("ZS", "噪声污染"), ("DQ", "大气/油烟"), ("SWR", "水污染"), ("GF", "固废"), ("FS", "辐射"),
    ]),
    ("GAZF", "公安政法", "GAFJ", [
        ("SHZA", "社会治安"), ("HJ", "户籍/出入境"), ("CJG", "车驾管"), ("JJJF", "经济纠纷"),
        ("JWZF", "警务执法"), ("MDJF", "矛盾纠纷（邻里/家庭/婚恋）", "SFJ"), ("SFSS", "涉法涉诉", "SFJ"),
    ]),
    ("MZ", "民政", "MZJ", [
        ("DBTK", "低保/特困救助"), ("YLFW", "养老服务"), ("CJR", "残疾人"), ("HYDJ", "婚姻登记"),
        ("BZ", "殡葬"), ("SHZZ", "社会组织"),
    ]),
    ("ZRNY", "自然资源/农业农村", "GTJ", [
        ("TDQS", "土地权属"), ("ZJD", "宅基地"), ("JTZC", "农村集体资产"), ("NYBT", "农业补贴"), ("LS", "林水"),
    ]),
    ("YJAQ", "应急与安全生产", "YJJ", [
        ("XF", "消防安全"), ("RQ", "燃气安全", "ZJJ"), ("AQSC", "安全生产"), ("FX", "防汛"),
        ("YY", "扬言/极端风险", "GAFJ"),
    ]),
    ("JJYS", "经济与营商", "FGJ", [
        ("QYSQ", "企业诉求"), ("ZCDX", "政策兑现"), ("XZSP", "行政审批效率", "ZSJ"), ("SF", "税费"),
    ]),
    ("DWZW", "党务政务/纪检", "ZSJ", [
        ("ZWFW", "政务服务态度/效能"), ("GBZF", "干部作风"), ("JJKG", "检举控告（转纪检）"),
    ]),
    ("QT", "其他", "ZSJ", [
        ("ZX", "咨询其他"), ("BY", "表扬感谢"), ("WX", "无效来电"),
    ]),
)  # fmt: skip


def category_rows() -> list[tuple[str, str, str | None, str | None, int]]:
    """Flatten the catalogue to ``(code, name, parent code, lead bureau code, sort order)`` rows."""
    rows = []
    for i, (code, name, lead, children) in enumerate(CATEGORIES, start=1):
        rows.append((code, name, None, lead, i * 10))
        for j, child in enumerate(children, start=1):
            sub_code, sub_name = child[0], child[1]
            rows.append((f"{code}-{sub_code}", sub_name, code, child[2] if len(child) > 2 else None, j))
    return rows


DISPUTE_MARK = "纠纷"


def ensure_categories(session) -> int:
    """Insert missing default categories, link unset default departments by code; return how many were added."""
    existing = {c.code: c for c in session.scalars(select(Category))}
    departments = {d.code: d for d in session.scalars(select(Department).where(Department.active.is_(True)))}
    added = 0
    for code, name, parent_code, lead_code, order in category_rows():
        category = existing.get(code)
        if category is None:
            category = Category(
                code=code,
                name=name,
                sort_order=order,
                parent=existing.get(parent_code),
                is_dispute=DISPUTE_MARK in name,  # 矛盾纠纷, 经济纠纷, 医患纠纷 … count towards 化解率
            )
            session.add(category)
            existing[code] = category
            added += 1
        if category.default_department is None and lead_code in departments:
            category.default_department = departments[lead_code]
    session.flush()
    return added
