"""Synthetic but realistic case rows: time spread, statuses, step timestamps, departments, text."""

import itertools
import math
import random
from datetime import date
from datetime import datetime
from datetime import timedelta

# Asia/Shanghai has had no daylight saving since 1991: the local day is UTC + 8 h.
LOCAL_OFFSET = 8 * 3600
EPOCH = datetime(1970, 1, 1)
YEARS = 3
OPEN_FRACTION = 0.10
TRACKING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_TRACKING_MULT = 488_029_443_410_301_511  # not a multiple of 31: a bijection modulo 31**12
_TRACKING_MOD = 31**12

# Guangming district's six streets; communities per street sum to 31.
STREETS = (
    ("S1", "光明街道", 6),
    ("S2", "公明街道", 6),
    ("S3", "新湖街道", 5),
    ("S4", "凤凰街道", 5),
    ("S5", "玉塘街道", 5),
    ("S6", "马田街道", 4),
)
# (code, name, weight as lead department)
BUREAUS = (
    ("CG", "区城管局", 10),
    ("ZJ", "区住建局", 6),
    ("JT", "区交通局", 5),
    ("HB", "区生态环境局", 5),
    ("SJ", "区市场监管局", 4),
    ("GA", "区公安分局", 3),
    ("JY", "区教育局", 2),
    ("WJ", "区卫健局", 2),
    ("RS", "区人社局", 2),
    ("SW", "区水务局", 2),
)
STREET_WEIGHT = 3
COMMUNITY_WEIGHT = 1
# (code, name, default department code, sub-categories)
CATEGORIES = (
    ("CSGL", "城市管理", "CG", ("占道经营", "违章搭建")),
    ("CXJS", "城乡建设", "ZJ", ("物业管理", "房屋质量")),
    ("JTYS", "交通运输", "JT", ("道路拥堵", "公交线路")),
    ("HJBH", "环境保护", "HB", ("噪音扰民", "油烟污染")),
    ("SCJG", "市场监管", "SJ", ("消费纠纷", "食品安全")),
)
MAILBOXES = (("jzxx", "局长信箱", "bureau_chief", "CG"), ("sjzx", "书记在线", "party_secretary", "D"))

CHANNELS = (("hotline", 40), ("mailbox", 20), ("wechat", 20), ("walk_in", 10), ("api", 8), ("volunteer", 2))
REQUEST_TYPES = (
    ("complaint", 35),
    ("help", 25),
    ("consult", 20),
    ("suggestion", 10),
    ("report", 7),
    ("praise", 3),
)
GRADES = (("green", 75), ("yellow", 20), ("red", 5))
OPEN_STATUSES = (("new", 8), ("registered", 7), ("dispatched", 15), ("in_progress", 50), ("replied", 20))
DONE_STATUSES = (("closed", 93), ("rejected", 4), ("merged", 3))
OUTCOMES = (("supported", 60), ("explained", 30), ("not_supported", 10))
SATISFACTIONS = (("satisfied", 80), ("basically_satisfied", 15), ("unsatisfied", 5))
HOURS = (1, 1, 1, 1, 1, 2, 3, 5, 9, 11, 11, 10, 7, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2)
PLACES = ("小区门口", "学校附近", "地铁站旁", "农贸市场", "工业园区", "公园东门", "主干道", "城中村")
ISSUES = ("占道经营", "噪音扰民", "违章搭建", "油烟污染", "道路积水", "井盖缺失", "路灯不亮", "垃圾堆放")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"

# Steps after receipt, each (timestamp column, min seconds, max seconds).
REG = ("registered_at", 300, 8 * 3600)
DISP = ("dispatched_at", 600, 24 * 3600)
SIGN = ("signed_at", 600, 12 * 3600)
CONTACT = ("contacted_at", 1800, 48 * 3600)
REPLY = ("replied_at", 86400, 15 * 86400)
REVISIT = ("closed_at", 86400, 5 * 86400)
END_SIDE = ("closed_at", 3600, 3 * 86400)
STEPS = {
    "new": (),
    "registered": (REG,),
    "dispatched": (REG, DISP),
    "in_progress": (REG, DISP, SIGN),
    "replied": (REG, DISP, SIGN, CONTACT, REPLY),
    "closed": (REG, DISP, SIGN, CONTACT, REPLY, REVISIT),
    "rejected": (REG, END_SIDE),
    "merged": (REG, END_SIDE),
}
WITH_LEAD = frozenset({"dispatched", "in_progress", "replied", "closed"})
SIGNED = frozenset({"in_progress", "replied", "closed"})
TIMESTAMPS = ("registered_at", "dispatched_at", "signed_at", "contacted_at", "replied_at", "closed_at")

COLUMNS = (
    "id", "number", "tracking_code", "channel", "mailbox_id", "request_type", "category_id", "title",
    "content", "citizen_name", "citizen_phone", "address", "street_id", "community_id",
    "people_involved", "grade", "is_repeat", "is_sensitive", "is_key", "is_supervised", "status",
    "lead_department_id", "handler_id", "created_by_id", "merged_into_id", "received_at",
    *TIMESTAMPS, "updated_at", "reply_outcome", "reply_text", "satisfaction", "return_count",
    "redo_count", "version",
)  # fmt: skip


def tracking_code(case_id: int) -> str:
    """A unique, random-looking 12-character tracking code derived from the case id."""
    value = (case_id * _TRACKING_MULT + 12345) % _TRACKING_MOD
    chars = []
    for _ in range(12):
        value, digit = divmod(value, 31)
        chars.append(TRACKING_ALPHABET[digit])
    return "".join(chars)


def local_day(ts: float) -> date:
    """The Asia/Shanghai calendar day of a UTC epoch timestamp."""
    return (EPOCH + timedelta(seconds=ts + LOCAL_OFFSET)).date()


def open_probability(age_days: float, tau: float) -> float:
    """Chance that a case received ``age_days`` ago is still open: high when new, low when old."""
    return 0.02 + 0.93 * math.exp(-age_days / tau)


def calibrate_tau(ages: list[float], target: float = OPEN_FRACTION) -> float:
    """The decay (days) that makes the mean open probability over ``ages`` equal ``target``."""
    low, high = 0.01, 5000.0
    for _ in range(60):
        tau = (low + high) / 2
        mean = sum(open_probability(a, tau) for a in ages) / len(ages)
        low, high = (tau, high) if mean < target else (low, tau)
    return (low + high) / 2


def _picker(rng: random.Random, pairs):
    values = [v for v, _ in pairs]
    cum = list(itertools.accumulate(w for _, w in pairs))
    return lambda: rng.choices(values, cum_weights=cum)[0]


class CaseFactory:
    """Makes case rows for one load; ``org`` maps codes to ids (see :func:`bench.generate.load_org`)."""

    def __init__(self, rng: random.Random, org: dict, end: float):
        self.rng, self.org, self.end = rng, org, end
        self.start = end - YEARS * 365 * 86400
        self.channel = _picker(rng, CHANNELS)
        self.request_type = _picker(rng, REQUEST_TYPES)
        self.grade = _picker(rng, GRADES)
        self.open_status = _picker(rng, OPEN_STATUSES)
        self.done_status = _picker(rng, DONE_STATUSES)
        self.outcome = _picker(rng, OUTCOMES)
        self.satisfaction = _picker(rng, SATISFACTIONS)
        self.lead = _picker(rng, org["lead_weights"])
        self.tau = 30.0

    def received_times(self, count: int) -> list[float]:
        """``count`` receipt times over the window, volume doubling over it, busy in office hours; sorted."""
        rng, days = self.rng, YEARS * 365
        day0 = math.floor((self.start + LOCAL_OFFSET) / 86400)
        out = []
        for _ in range(count):
            u = rng.random()
            t = (-1 + math.sqrt(1 + 3 * u)) if u else 0.0  # density 1 + t on [0, 1]
            day = day0 + min(int(t * days), days - 1)
            hour = rng.choices(range(24), weights=HOURS)[0]
            ts = day * 86400 - LOCAL_OFFSET + hour * 3600 + rng.random() * 3600
            out.append(min(ts, self.end - 60))
        out.sort()
        sample = out[:: max(1, len(out) // 2000)]
        self.tau = calibrate_tau([(self.end - ts) / 86400 for ts in sample])
        return out

    def row(self, case_id: int, ts: float, seq: dict) -> tuple[dict, list[int]]:
        """One case row and its co-department ids."""
        rng, org = self.rng, self.org
        day = local_day(ts)
        key = f"{day:%Y%m%d}"
        seq[key] = seq.get(key, 0) + 1
        is_open = rng.random() < open_probability((self.end - ts) / 86400, self.tau)
        status = self.open_status() if is_open else self.done_status()
        steps = list(STEPS[status])
        if status == "in_progress" and rng.random() < 0.7:
            steps.append(CONTACT)
        if status == "rejected" and rng.random() < 0.5:
            steps = steps[1:]
        deltas = [rng.uniform(lo, hi) for _, lo, hi in steps]
        room = (self.end - ts) * 0.9
        scale = min(1.0, room / sum(deltas)) if deltas else 1.0
        stamps = dict.fromkeys(TIMESTAMPS)
        at = ts
        for (column, _, _), delta in zip(steps, deltas, strict=True):
            at += delta * scale
            stamps[column] = EPOCH + timedelta(seconds=at)
        channel = self.channel()
        community = rng.choice(org["communities"]) if rng.random() < 0.7 else None
        lead = self.lead() if status in WITH_LEAD else None
        co = []
        if lead is not None and rng.random() < 0.1:
            co = list(
                {d for d in rng.choices(org["lead_ids"], k=1 if rng.random() < 0.8 else 2) if d != lead}
            )
        place, issue = rng.choice(PLACES), rng.choice(ISSUES)
        replied = status in ("replied", "closed")
        merged_into = None
        if status == "merged":
            merged_into = case_id - rng.randint(1, 500) if case_id > 500 else None
            if merged_into is None:
                status = "rejected"
        row = {
            "id": case_id,
            "number": f"SQ{key}-{seq[key]:06d}",
            "tracking_code": tracking_code(case_id),
            "channel": channel,
            "mailbox_id": rng.choice(org["mailboxes"]) if channel == "mailbox" else None,
            "request_type": self.request_type(),
            "category_id": rng.choice(org["categories"]),
            "title": f"{place}{issue}",
            "content": f"{place}{issue}问题持续较长时间，影响周边居民正常生活，请相关部门尽快处理。",
            "citizen_name": rng.choice(SURNAMES) + rng.choice(("先生", "女士")),
            "citizen_phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
            "address": f"{place}{rng.randint(1, 300)}号",
            "street_id": org["street_of"][community] if community else None,
            "community_id": community,
            "people_involved": 1 if rng.random() < 0.9 else rng.randint(2, 50),
            "grade": self.grade(),
            "is_repeat": rng.random() < 0.03,
            "is_sensitive": rng.random() < 0.01,
            "is_key": rng.random() < 0.02,
            "is_supervised": rng.random() < 0.02,
            "status": status,
            "lead_department_id": lead,
            "handler_id": org["handler_of"][lead] if status in SIGNED else None,
            "created_by_id": org["clerk_id"],
            "merged_into_id": merged_into,
            "received_at": EPOCH + timedelta(seconds=ts),
            **stamps,
            "updated_at": EPOCH + timedelta(seconds=at),
            "reply_outcome": self.outcome() if replied else None,
            "reply_text": "已处理完毕，情况已向群众说明。" if replied else None,
            "satisfaction": self.satisfaction() if status == "closed" else None,
            "return_count": 1 if rng.random() < 0.02 else 0,
            "redo_count": 1 if status in SIGNED and rng.random() < 0.02 else 0,
            "version": 1 + len(steps),
        }
        return row, co
