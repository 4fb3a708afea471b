"""The demo's orders from the grass roots (社区发令 · 部门报到): about forty 令 over the last four months from
several streets and communities to the bureaus, each part taken through the real steps at past instants.

Most older orders are done: acknowledged, checked in, reported and rated (a few 不满意); some bureaus were
late to acknowledge or check in, some came under-staffed (a few made it up with a second check-in). The
recent ones stand at every step, one was withdrawn. Some orders concern cases of the issuing community.
The draws come from a generator of their own, so the rest of the demo is what it was.
"""

import random
from datetime import timedelta

from sqlalchemy import select

from app.auth.access import can_see_case
from app.command import field_orders
from app.demo.moments import HOUR
from app.demo.moments import MINUTE
from app.timeutil import local_day_start
from app.timeutil import to_local
from models.field_order import FieldOrderClass

ORDERS = 40
RECENT = 10  # issued in the last days, standing at every step
STOPS = ("issued", "acknowledged", "checked_in", "reported", "rated")
HISTORY = timedelta(days=120)
ISSUERS = ("MATIAN-HSK", "MATIAN-XZ", "GONGMING-XC", "GONGMING", "GUANGMING-BY", "FENGHUANG-TJ", "MATIAN",
           "YUTANG-TL", "XINHU-LC")  # fmt: skip
# (matter, place, bureaus, the outcome a bureau reports)
MATTERS = (
    ("东门路口流动摊贩占道经营，早晚高峰严重影响通行，需城管、交警联合整治。", "东门路与建设路交叉口", ("CGJ", "JTJ"),
     "已到场联合执法，清理占道摊点 6 处，设置隔离栏，后续纳入日常巡查。"),
    ("工业园区某电子厂拖欠 80 余名员工工资，员工聚集，需人力资源、公安到场处置。", "工业园区 3 栋门口", ("RSJ", "GAFJ"),
     "已督促企业制定欠薪支付计划，首批工资已发放，现场秩序平稳。"),
    ("城中村违法搭建铁皮房，存在消防隐患，需规划资源、住建联合查处。", "老村 12 巷", ("GTJ", "ZJJ"),
     "已现场核查并下达限期拆除通知书，7 日内自行拆除，逾期依法强制拆除。"),
    ("小区化粪池外溢污水流入河道，需生态环境、住建现场核查。", "河滨花园东侧", ("HBJ", "ZJJ"),
     "已责令物业清掏化粪池并修复管道，河道水样已送检，结果另行通报。"),
    ("学校周边无证餐饮集中，需市场监管、城管联合检查。", "实验学校南门", ("SJJ", "CGJ"),
     "已联合检查 9 家门店，取缔无证经营 3 家，责令 2 家限期整改。"),
    ("在建工地夜间违规施工噪音扰民，需住建、生态环境到场。", "科技大道在建工地", ("ZJJ", "HBJ"),
     "已责令工地停止夜间施工，对施工单位立案调查，并安排夜间巡查。"),
    ("独居老人家中燃气管道老化漏气，需应急管理、住建到场排查。", "旧村 5 号", ("YJJ", "ZJJ"),
     "已组织专业人员更换老化管道，隐患已消除，并对周边住户开展燃气安全宣传。"),
    ("菜市场周边占道、乱停放集中，需城管、交通联合整治。", "农贸市场周边", ("CGJ", "JTJ"),
     "已清理占道摊位 12 处，施划临时停车位 20 个，安排早晚高峰值守。"),
)  # fmt: skip
NAMES = ("王伟", "李娜", "张敏", "刘洋", "陈杰", "杨帆", "赵磊", "黄静", "周强", "吴芳", "徐涛", "孙丽")
UNSATISFIED = ("到场人员层级不够，未能现场拍板解决。", "整改不彻底，问题三天后再次出现。")


def _office(rng, at):
    """``at`` moved into office hours (08:30–18:00 Beijing) when it falls outside."""
    local = to_local(at)
    if 8 <= local.hour < 18:
        return at
    day = local.date() + timedelta(days=1 if local.hour >= 18 else 0)
    return local_day_start(day) + timedelta(hours=8, minutes=30 + rng.uniform(0, 90))


class FieldOrderRunner:
    """Issues the demo's orders and takes each part's steps."""

    def __init__(self, session, org, rng, now):
        self.session, self.org, self.rng, self.now = session, org, rng, now
        self.classes = {c.name: c for c in session.scalars(select(FieldOrderClass))}
        self.withdrawn = False

    def run(self, plans) -> int:
        """Issue :data:`ORDERS` orders; return how many."""
        cases = {}
        for p in plans:
            community = p.fields.get("community")
            if p.case is not None and community is not None:
                cases.setdefault(community.code, []).append(p.case)
        # more of them recent, the last few in the last days; issued oldest first, as in life
        ages = [HISTORY * (self.rng.random() ** 1.6) for _ in range(ORDERS - RECENT)]
        ages += [timedelta(hours=self.rng.uniform(1, 60)) for _ in range(RECENT)]
        issued = 0
        for index, age in enumerate(sorted(ages, reverse=True)):
            at = min(_office(self.rng, self.now - age), self.now - HOUR)
            self._order(index, at, cases)
            issued += 1
        self.session.commit()
        return issued

    def _order(self, index, at, cases):
        rng, org = self.rng, self.org
        issuer = org.departments[ISSUERS[index % len(ISSUERS)]]
        matter, place, codes, _outcome = MATTERS[index % len(MATTERS)]
        bureaus = [org.departments[c] for c in codes[: 1 + (rng.random() < 0.7)]]
        handler = org.handler(issuer)
        own = [c for c in cases.get(issuer.code, []) if c.received_at < at and can_see_case(handler, c)]
        linked = [rng.choice(own)] if own and rng.random() < 0.4 else []
        order_class = self.classes["紧急" if rng.random() < 0.3 else "一般"]
        order = field_orders.issue(handler, order_class=order_class, matter=matter, place=place,
                                   bureaus=bureaus, cases=linked, now=at)  # fmt: skip
        recent = index >= ORDERS - RECENT
        if recent and not self.withdrawn and index % 7 == 3:
            self.withdrawn = True
            field_orders.withdraw(order, org.handler(issuer), at + 20 * MINUTE)
            return
        for target in order.targets:
            stop = STOPS[(index + target.id) % len(STOPS)] if recent else "rated"
            self._part(order, target, at, org.handler(issuer), stop)

    def _part(self, order, target, at, issuer, stop):
        rng, bureau = self.rng, self.org.handler(target.department)
        rules = order.rules
        late = rng.random() < 0.15
        t = at + timedelta(minutes=rng.uniform(5, 25) * (4 if late else 1))
        if stop == "issued" or t >= self.now:
            return
        field_orders.acknowledge(target, bureau, t)
        limit = {"minutes": 1, "hours": 60, "working_days": 8 * 60, "natural_days": 24 * 60}
        window = rules["check_in"]["amount"] * limit.get(rules["check_in"]["unit"], 60)
        arrive = t + timedelta(minutes=window * rng.uniform(0.2, 0.8) * (1.8 if late else 1))
        if stop == "acknowledged" or arrive >= self.now:
            return
        needed = max(int(rules["min_headcount"]), 1)
        short = rng.random() < 0.15
        people = [{"name": rng.choice(NAMES), "level": rules["min_level"]}]
        people += [
            {"name": rng.choice(NAMES), "level": "staff"} for _ in range(needed - 1 + rng.randint(0, 2))
        ]
        if short:
            people = [{"name": rng.choice(NAMES), "level": "staff"}]
        staffed = field_orders.check_in(target, bureau, attendees=people, arrived_at=arrive, now=arrive)
        if not staffed and rng.random() < 0.6 and arrive + HOUR < self.now:
            more = [{"name": rng.choice(NAMES), "level": "section_chief"} for _ in range(needed)]
            field_orders.check_in(target, bureau, attendees=more, arrived_at=arrive + HOUR, now=arrive + HOUR)
        report = arrive + timedelta(hours=rng.uniform(2, 30))
        if stop == "checked_in" or report >= self.now:
            return
        outcome = next(m[3] for m in MATTERS if m[0] == order.matter)
        field_orders.report(target, bureau, outcome, report)
        rated = _office(rng, report + timedelta(hours=rng.uniform(1, 20)))
        if stop == "reported" or rated >= self.now:
            return
        rating = rng.choices(("satisfied", "basically_satisfied", "unsatisfied"), weights=(70, 22, 8))[0]
        reason = rng.choice(UNSATISFIED) if rating == "unsatisfied" else None
        field_orders.rate(target, issuer, rating, reason, rated)


def build_field_orders(session, org, plans, seed: int, now) -> int:
    """Issue the demo's orders from the grass roots and take their steps; return how many orders."""
    return FieldOrderRunner(session, org, random.Random(seed), now).run(plans)
