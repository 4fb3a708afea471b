"""Synthetic but realistic cases: time spread, statuses, departments, text, and each case's history.

A case comes with the stage deadlines its steps met or cancelled (``case_deadline``: due by the default
policies on the work calendar, some met late, more for some departments than others) and its timeline
(``case_event``: receive, register, dispatch, sign, contact, reply with its outcome, revisit with
``{"satisfaction": …}``, an unsatisfied revisit sending a case back, reject, merge), consistent with the
step timestamps on the case row. The deadlines still running on open cases are added later, by
:func:`bench.deadlines.ensure_deadlines` (the sweep bench's fixed plan), so this module never writes them.
"""

import itertools
import math
import random
from datetime import date
from datetime import timedelta
from typing import NamedTuple

from bench import history
from bench.history import EPOCH
from bench.history import LOCAL_OFFSET

# Asia/Shanghai has had no daylight saving since 1991: the local day is UTC + 8 h.
YEARS = 2
WEEKEND_WEIGHT = 0.6  # a Saturday or Sunday gets this share of a weekday's intake
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
    ("MDJF", "矛盾纠纷", "RS", ("邻里纠纷", "劳资纠纷")),
)
DISPUTES = frozenset({"MDJF"})  # categories marked is_dispute (the 化解率 counts their cases)
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

# Time limits of the default policies (app.deadlines.policies.DEFAULT_POLICIES): stage -> (amount, unit).
LIMITS = {
    "register": (1, "working_days"),
    "dispatch": (1, "working_days"),
    "sign": (2, "hours"),
    "contact": (1, "working_days"),
    "first_reply": (5, "working_days"),
    "resolve": (15, "working_days"),
    "revisit": (3, "working_days"),
}
RESOLVE_DAYS = {"consult": 2, "help": 10, "suggestion": 10, "complaint": 15, "report": 15}
MAILBOX_LIMITS = {
    "bureau_chief": {"sign": (10, "minutes"), "contact": (30, "minutes"), "first_reply": (4, "working_days")},
    "party_secretary": {"sign": (10, "minutes"), "contact": (30, "minutes"), "first_reply": (24, "hours")},
}
RED_LIMITS = {"sign": (10, "minutes"), "contact": (30, "minutes"), "first_reply": (1, "hours")}
# Chance that a step is taken after its limit, before the lead department's factor (0.3x to 3x).
LATE = {"register": 0.01, "dispatch": 0.015, "sign": 0.02, "contact": 0.02, "reply": 0.02, "revisit": 0.015}
END_SIDE = (3600, 3 * 86400)  # a rejection or a merge, this long after receipt or registration
REDO_REPLIED = 0.04  # replied cases that were sent back once before
# The steps each status has taken (a rejected case: half of them without registering first).
STATUS_STEPS = {
    "new": (),
    "registered": ("register",),
    "dispatched": ("register", "dispatch"),
    "in_progress": ("register", "dispatch", "sign"),
    "replied": ("register", "dispatch", "sign", "contact", "reply"),
    "closed": ("register", "dispatch", "sign", "contact", "reply", "revisit"),
    "rejected": ("register",),
    "merged": ("register",),
}
WITH_LEAD = frozenset({"dispatched", "in_progress", "replied", "closed"})
SIGNED = frozenset({"in_progress", "replied", "closed"})
TIMESTAMPS = ("registered_at", "dispatched_at", "signed_at", "contacted_at", "replied_at", "closed_at")
STAMP_OF = {
    "register": "registered_at",
    "dispatch": "dispatched_at",
    "sign": "signed_at",
    "contact": "contacted_at",
    "reply": "replied_at",
    "revisit": "closed_at",
}

COLUMNS = (
    "id", "number", "tracking_code", "channel", "mailbox_id", "request_type", "category_id", "title",
    "content", "citizen_name", "citizen_phone", "address", "street_id", "community_id",
    "people_involved", "grade", "is_repeat", "is_sensitive", "is_key", "is_supervised", "status",
    "lead_department_id", "handler_id", "created_by_id", "merged_into_id", "received_at",
    *TIMESTAMPS, "updated_at", "reply_outcome", "reply_text", "satisfaction", "return_count",
    "redo_count", "urgency", "version",
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


class Made(NamedTuple):
    """One generated case: its row, co-department ids, deadline rows and event rows (tuples in the order
    of :data:`bench.history.DEADLINE_COLUMNS` and :data:`bench.history.EVENT_COLUMNS`, JSON already as text)."""

    row: dict
    co: list
    deadlines: list
    events: list


class CaseFactory:
    """Makes cases for one load; ``org`` maps codes to ids (see :func:`bench.generate.load_org`).

    ``running`` maps a status to the stages whose deadlines are left running (written later by the sweep
    bench); ``calendar`` computes due times.
    """

    def __init__(
        self,
        rng: random.Random,
        org: dict,
        end: float,
        calendar: history.Calendar | None = None,
        running: dict | None = None,
    ):
        self.rng, self.org, self.end = rng, org, end
        self.calendar = calendar or history.Calendar()
        self.running = running or {}
        self.start = end - YEARS * 365 * 86400
        self.channel = _picker(rng, CHANNELS)
        self.request_type = _picker(rng, REQUEST_TYPES)
        self.grade = _picker(rng, GRADES)
        self.open_status = _picker(rng, OPEN_STATUSES)
        self.done_status = _picker(rng, DONE_STATUSES)
        self.outcome = _picker(rng, OUTCOMES)
        self.satisfaction = _picker(rng, SATISFACTIONS)
        self.pleased = _picker(rng, SATISFACTIONS[:2])
        self.lead = _picker(rng, org["lead_weights"])
        self.tau = 30.0

    def received_times(self, count: int) -> list[float]:
        """``count`` receipt times over the window, volume doubling over it, quieter at weekends, busy in
        office hours; sorted."""
        rng, days = self.rng, YEARS * 365
        day0 = math.floor((self.end + LOCAL_OFFSET) / 86400) - days + 1  # the last day is today, up to now
        out = []
        while len(out) < count:
            u = rng.random()
            t = (-1 + math.sqrt(1 + 3 * u)) if u else 0.0  # density 1 + t on [0, 1]
            day = day0 + min(int(t * days), days - 1)
            if (day + 3) % 7 >= 5 and rng.random() > WEEKEND_WEIGHT:  # 1970-01-01 was a Thursday
                continue
            hour = rng.choices(range(24), weights=HOURS)[0]
            ts = day * 86400 - LOCAL_OFFSET + hour * 3600 + rng.random() * 3600
            if ts < self.end - 60:  # later today: not received yet
                out.append(ts)
        out.sort()
        sample = out[:: max(1, len(out) // 2000)]
        self.tau = calibrate_tau([(self.end - ts) / 86400 for ts in sample])
        return out

    def _limits(self, grade: str, mailbox_kind: str | None, request_type: str) -> dict:
        limits = dict(LIMITS)
        limits["resolve"] = (RESOLVE_DAYS.get(request_type, 15), "working_days")
        limits.update(MAILBOX_LIMITS.get(mailbox_kind, {}))
        if grade == "red":
            limits.update(RED_LIMITS)
        return limits

    def _lateness(self, lead: int | None) -> float:
        """How often a department is late, against the average (a fixed 0.3x–3x per department)."""
        return 1.0 if lead is None else 0.3 + 2.7 * ((lead * 2_654_435_761) % 1000) / 1000

    def _delay_share(self, late_chance: float) -> float:
        """A step's time as a share of its limit: mostly well within it, sometimes over."""
        rng = self.rng
        if rng.random() < late_chance:
            return 1.02 + rng.expovariate(2.0)
        return 0.03 + 0.9 * rng.random() ** 1.5

    def _timeline(self, ts: float, steps: tuple, limits: dict, redo: bool, scale: float, shares: list):
        """Step times and each stage's [start, due, met, limit] for a delay ``scale`` (``shares`` drawn once).

        The clocks start and stop as :data:`app.deadlines.clock.CLOCKS` says: registering starts 派单, 首次答复
        and 办结; dispatching starts 签收, signing starts 联系; a reply meets 首次答复 and 办结 and starts 回访;
        an unsatisfied revisit restarts 办结.
        """
        due, share = self.calendar.due, iter(shares)
        times, stages = {}, {}

        def start(stage: str, at: float) -> None:
            stages[stage] = [at, due(at, *limits[stage]), None, limits[stage]]

        def take(stage: str, name: str, after: float, limit_due: float) -> float:
            at = after + scale * next(share) * max(limit_due - after, 600.0)
            times[name] = at
            if stage in stages:
                stages[stage][2] = at
            return at

        t = ts
        start("register", ts)
        if "register" in steps:
            t = take("register", "register", t, stages["register"][1])
            for stage in ("dispatch", "first_reply", "resolve"):
                start(stage, t)
        if "dispatch" in steps:
            t = take("dispatch", "dispatch", t, stages["dispatch"][1])
            start("sign", t)
        if "sign" in steps:
            t = take("sign", "sign", t, stages["sign"][1])
            start("contact", t)
        if "contact" in steps:
            t = take("contact", "contact", t, stages["contact"][1])
        if "reply" in steps:
            t = take("first_reply", "reply", t, min(stages["first_reply"][1], stages["resolve"][1]))
            if redo:  # revisited unsatisfied: handled again (办结 restarts) and replied again
                times["first_reply_at"] = t
                start("revisit", t)
                t = take("", "sent_back", t, stages["revisit"][1])
                start("resolve", t)
                t = take("resolve", "reply", t, stages["resolve"][1])
            stages["resolve"][2] = t
            start("revisit", t)
        if "revisit" in steps:
            t = take("revisit", "revisit", t, stages["revisit"][1])
        return times, stages

    def _history(self, ts: float, steps: tuple, limits: dict, lead, redo: bool) -> tuple[dict, dict]:
        """Step times within the window and the stages' [start, due, met, limit], late ones included."""
        lateness = self._lateness(lead)
        order = list(steps)
        if redo:
            order[order.index("reply") + 1 : order.index("reply") + 1] = ["revisit", "reply"]
        shares = [
            self._delay_share(LATE[step] * (1.0 if step in ("register", "dispatch") else lateness))
            for step in order
        ]
        room = (self.end - ts) * 0.9
        scale = 1.0
        for _ in range(4):  # shrink the delays of a recent case until its steps fit before the end
            times, stages = self._timeline(ts, steps, limits, redo, scale, shares)
            last = max(times.values(), default=ts)
            if last - ts <= room:
                break
            scale *= room / (last - ts) * 0.98
        return times, stages

    def row(self, case_id: int, ts: float, seq: dict) -> Made:
        """One case: its row, co-department ids, met or cancelled deadlines and timeline events."""
        rng, org = self.rng, self.org
        day = local_day(ts)
        key = f"{day:%Y%m%d}"
        seq[key] = seq.get(key, 0) + 1
        is_open = rng.random() < open_probability((self.end - ts) / 86400, self.tau)
        status = self.open_status() if is_open else self.done_status()
        steps = STATUS_STEPS[status]
        if status == "in_progress" and rng.random() < 0.7:
            steps = (*steps, "contact")
        if status == "rejected" and rng.random() < 0.5:
            steps = ()
        channel = self.channel()
        mailbox = rng.choice(org["mailboxes"]) if channel == "mailbox" else None
        request_type, grade = self.request_type(), self.grade()
        community = rng.choice(org["communities"]) if rng.random() < 0.7 else None
        lead = self.lead() if status in WITH_LEAD else None
        co = []
        if lead is not None and rng.random() < 0.1:
            co = list(
                {d for d in rng.choices(org["lead_ids"], k=1 if rng.random() < 0.8 else 2) if d != lead}
            )
        place, issue = rng.choice(PLACES), rng.choice(ISSUES)
        merged_into = None
        if status == "merged":
            merged_into = case_id - rng.randint(1, 500) if case_id > 500 else None
            if merged_into is None:
                status = "rejected"
        satisfaction, redo = None, False
        if status == "closed":
            satisfaction = self.satisfaction()
            if satisfaction == "unsatisfied":  # sent back at a first revisit, satisfied at the second
                redo, satisfaction = True, self.pleased()
        elif status == "replied":
            redo = rng.random() < REDO_REPLIED
        limits = self._limits(grade, org["mailbox_kind"].get(mailbox), request_type)
        times, stages = self._history(ts, steps, limits, lead, redo)
        end_side = None
        if status in ("rejected", "merged"):
            end_side = times.get("register", ts) + rng.uniform(*END_SIDE)
            end_side = min(end_side, ts + (self.end - ts) * 0.95)
            if "register" not in times:  # rejected at intake: the reject meets 受理登记
                stages["register"][2] = end_side
        stamps = {column: history.stamp(times.get(step)) for step, column in STAMP_OF.items()}
        if end_side is not None:
            stamps["closed_at"] = history.stamp(end_side)
        last = max([ts, *times.values(), end_side or ts])
        outcome = self.outcome() if status in ("replied", "closed") else None
        handler = org["handler_of"][lead] if status in SIGNED else None
        urgency = None
        if is_open:
            age = (self.end - ts) / 86400
            red = 0.03 + 0.4 * (1 - math.exp(-age / 30))
            u = rng.random()
            urgency = "red" if u < red else "yellow" if u < red + 0.15 else "green"
        row = {
            "id": case_id,
            "number": f"SQ{key}-{seq[key]:06d}",
            "tracking_code": tracking_code(case_id),
            "channel": channel,
            "mailbox_id": mailbox,
            "request_type": request_type,
            "category_id": rng.choice(org["categories"]),
            "title": f"{place}{issue}",
            "content": f"{place}{issue}问题持续较长时间，影响周边居民正常生活，请相关部门尽快处理。",
            "citizen_name": rng.choice(SURNAMES) + rng.choice(("先生", "女士")),
            "citizen_phone": f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
            "address": f"{place}{rng.randint(1, 300)}号",
            "street_id": org["street_of"][community] if community else None,
            "community_id": community,
            "people_involved": 1 if rng.random() < 0.9 else rng.randint(2, 50),
            "grade": grade,
            "is_repeat": rng.random() < 0.03,
            "is_sensitive": rng.random() < 0.01,
            "is_key": rng.random() < 0.02,
            "is_supervised": rng.random() < 0.02,
            "status": status,
            "lead_department_id": lead,
            "handler_id": handler,
            "created_by_id": org["clerk_id"],
            "merged_into_id": merged_into,
            "received_at": history.stamp(ts),
            **stamps,
            "updated_at": history.stamp(last),
            "reply_outcome": outcome,
            "reply_text": "已处理完毕，情况已向群众说明。" if outcome else None,
            "satisfaction": satisfaction,
            "return_count": 1 if rng.random() < 0.02 else 0,
            "redo_count": 1 if redo else 0,
            "urgency": urgency,
            "version": 1 + len(times) + (end_side is not None),
        }
        deadlines = history.deadline_rows(self.running, case_id, status, stages, end_side)
        events = history.event_rows(self.org["clerk_id"], row, ts, times, end_side, co, handler)
        return Made(row, co, deadlines, events)
