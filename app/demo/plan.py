"""Planning the demo cases: what each case says, when it came in, and the timed steps to its final status.

Cases spread over the last ``HISTORY_DAYS`` (18 months) by the day weights of :class:`app.demo.season.Season`;
cases still open are recent (``RECEIVE_WINDOW``). A template is drawn with its topic's seasonal weight on the
case's day, and one community's burst of reports about one matter (``BURST_SIZE``) falls in the last days.
"""

import random
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

from app.demo import phrasing
from app.demo import texts
from app.demo.org import Org
from app.demo.season import GROWTH
from app.demo.season import Season
from app.demo.steps import build_steps
from app.demo.templates import BURST_TEMPLATES
from app.demo.templates import Template
from app.demo.templates import choices_for
from app.org.tree import default_lead_department
from app.timeutil import local_day
from app.timeutil import local_day_start
from app.timeutil import to_local
from models.enums import Channel
from models.enums import DepartmentKind
from models.enums import Grade
from models.enums import RequestType
from models.enums import Status

# An open case is recent, so each open status holds a few days' intake (OPEN_DAYS times the latest daily
# intake); the finished statuses share the rest by weight (DONE_WEIGHTS).
OPEN_DAYS = {
    Status.NEW: 0.5, Status.REGISTERED: 0.5, Status.DISPATCHED: 1.0, Status.IN_PROGRESS: 9.0, Status.REPLIED: 2.5,
}  # fmt: skip
DONE_WEIGHTS = {Status.CLOSED: 84, Status.REJECTED: 8, Status.MERGED: 8}
GRADE_WEIGHTS = {Grade.RED: 7, Grade.YELLOW: 21, Grade.GREEN: 72}
TYPE_WEIGHTS = {
    RequestType.COMPLAINT: 34, RequestType.HELP: 24, RequestType.CONSULT: 18,
    RequestType.REPORT: 11, RequestType.SUGGESTION: 7, RequestType.PRAISE: 6,
}  # fmt: skip
CHANNEL_WEIGHTS = {
    Channel.HOTLINE: 30, Channel.WECHAT: 20, Channel.MAILBOX: 18,
    Channel.WALK_IN: 14, Channel.API: 10, Channel.VOLUNTEER: 8,
}  # fmt: skip
# How far back a case in each final status may have been received (days).
RECEIVE_WINDOW = {
    Status.NEW: 1,
    Status.REGISTERED: 2,
    Status.DISPATCHED: 2,
    Status.IN_PROGRESS: 20,
    Status.REPLIED: 6,
}
HISTORY_DAYS = 548  # 18 months
CLUE_TYPES = {RequestType.REPORT, RequestType.HELP, RequestType.COMPLAINT}
REPEAT_SHARE = 0.05
# (low, high) gap after the original case, for merged duplicates and for repeats.
DUPLICATE_GAP = {
    "merge": (timedelta(minutes=30), timedelta(days=5)),
    "repeat": (timedelta(days=3), timedelta(days=30)),
}
DAY_TRIES = 4  # draws of a duplicate's time, each kept by the weight of its day
BURST_SIZE = 12  # reports in the burst, at most one case in BURST_EVERY
BURST_EVERY = 10
BURST_AGE = (4.0, 9.0)  # days before now the burst starts
BURST_HOURS = 44  # it lasts under two days
BURST_MERGED = (
    0.3  # share of the burst's later reports merged into the first (并单); the rest count for 弱信号
)
BURST_CHANNELS = (Channel.HOTLINE, Channel.HOTLINE, Channel.WECHAT, Channel.WECHAT, Channel.API)


@dataclass
class Plan:
    """One demo case before it exists: its column values, its steps, its original (for duplicates)."""

    index: int
    status: str
    channel: str
    duplicate: str | None = None  # "merge" or "repeat"
    day: object = None  # the local day it is meant to arrive on (it may move later if its steps don't fit)
    grade: str = Grade.GREEN
    template: Template | None = None
    fields: dict = field(default_factory=dict)
    lead: object = None
    received_at: datetime | None = None
    steps: list = field(default_factory=list)
    target: "Plan | None" = None
    volunteer: object = None
    case: object = None
    packaged: bool = False  # a red case a leader takes in hand (包案)

    @property
    def duration(self) -> timedelta:
        """Time from receipt to the last planned step."""
        return self.steps[-1][0] if self.steps else timedelta(0)


def status_weights(n: int) -> dict:
    """How many of ``n`` cases end in each status (as weights): open ones by OPEN_DAYS, the rest by weight."""
    daily = n / HISTORY_DAYS * GROWTH[1] / ((GROWTH[0] + GROWTH[1]) / 2)  # today's intake, after the growth
    weights = {status: days * daily for status, days in OPEN_DAYS.items()}
    rest = max(0.0, n - sum(weights.values()))
    done = sum(DONE_WEIGHTS.values())
    weights.update({status: rest * w / done for status, w in DONE_WEIGHTS.items()})
    return weights


def allocate(rng, n: int, weights: dict) -> list:
    """``n`` values that cover every key once (when ``n`` allows), the rest drawn by weight, shuffled."""
    keys = list(weights)
    values = keys[:n] + rng.choices(keys, weights=list(weights.values()), k=max(0, n - len(keys)))
    rng.shuffle(values)
    return values


def grade_type_pairs(rng, n: int, cover: bool) -> list[tuple[str, str]]:
    """(grade, request type) pairs with a template for each; with ``cover``, every grade and type appears."""
    pairs = [(Grade.GREEN, t) for t in TYPE_WEIGHTS] + [
        (Grade.YELLOW, RequestType.HELP),
        (Grade.RED, RequestType.COMPLAINT),
    ]
    pairs = pairs[:n] if cover else []
    while len(pairs) < n:
        grade = rng.choices(list(GRADE_WEIGHTS), weights=list(GRADE_WEIGHTS.values()))[0]
        types = [t for t in TYPE_WEIGHTS if choices_for(t, grade)]
        pairs.append((grade, rng.choices(types, weights=[TYPE_WEIGHTS[t] for t in types])[0]))
    rng.shuffle(pairs)
    return pairs


class Planner:
    """Turns a case count into :class:`Plan` objects (the runner orders their steps in time)."""

    def __init__(self, org: Org, gen: texts.Gen, volunteers: list, now: datetime):
        self.org, self.gen, self.rng, self.now = org, gen, gen.rng, now
        self.volunteers = volunteers
        self.communities = org.of_kind(DepartmentKind.COMMUNITY)
        self.stations = {d.code.rsplit("-", 1)[0]: d for d in org.of_kind(DepartmentKind.STATION)}
        self.season = Season(now, HISTORY_DAYS)
        # The wording draws from a generator of its own, seeded from the plan's: the rest stays as it was.
        self.wording_rng = random.Random(repr(self.rng.getstate()))

    def plan(self, n: int) -> list[Plan]:
        """Plan ``n`` cases covering every status, grade, channel and request type (when ``n`` allows)."""
        rng = self.rng
        bursting = min(BURST_SIZE, n // BURST_EVERY)
        n -= bursting
        plans = [
            Plan(i, s, c)
            for i, (s, c) in enumerate(
                zip(allocate(rng, n, status_weights(n)), allocate(rng, n, CHANNEL_WEIGHTS), strict=True)
            )
        ]
        for p in plans:
            if p.status == Status.MERGED:
                p.duplicate = "merge"
        others = [p for p in plans if p.duplicate is None and p.channel != Channel.VOLUNTEER]
        for p in rng.sample(others, round(len(others) * REPEAT_SHARE)) if len(others) > 20 else []:
            p.duplicate = "repeat"
        base = [p for p in plans if p.duplicate is None]
        dups = [p for p in plans if p.duplicate is not None]
        for p in base:
            window = RECEIVE_WINDOW.get(p.status, HISTORY_DAYS)
            p.day = self.season.pick_day(rng, self.season.today - timedelta(days=window), self.season.today)
        for group, cover in ((base, True), (dups, False)):
            for p, (grade, rtype) in zip(group, grade_type_pairs(rng, len(group), cover), strict=True):
                p.grade, p.template = grade, self._template(rtype, grade, p.day)
        self._fix_mismatches(base)
        for p in plans:
            self._describe(p)
        for p in base:
            p.steps = build_steps(p, self.org, rng)
            p.received_at = self._receive_time(p)
        for p in dups:
            self._attach_to_original(p, base)
        return plans + self._burst(len(plans), bursting)

    def _template(self, request_type: str, grade: str, day) -> Template:
        """A template of ``request_type`` that may carry ``grade``, its topic weighted by the season of ``day``."""
        choices = choices_for(request_type, grade)
        if day is None:
            return self.rng.choice(choices)
        weights = [self.season.topic_factor(t.category, day) for t in choices]
        return self.rng.choices(choices, weights=weights)[0]

    def _burst(self, first_index: int, size: int) -> list[Plan]:
        """``size`` reports of one matter from one community within two days, in the last days before now.

        The first is handled (closed, or in progress when that cannot be done by now); some later ones
        are merged into it, the others are handled on their own (still in progress) and raise a 弱信号 alert.
        """
        if size <= 0:
            return []
        rng = self.rng
        community = rng.choice(self.communities)
        start = self.now - timedelta(days=rng.uniform(*BURST_AGE))
        times = [start] + sorted(
            start + timedelta(hours=rng.uniform(0.5, BURST_HOURS)) for _ in range(size - 1)
        )
        plans = []
        for k, at in enumerate(times):
            p = Plan(first_index + k, Status.IN_PROGRESS, rng.choice(BURST_CHANNELS), received_at=at)
            p.day = local_day(at)
            if k == 0:
                p.grade, p.template, p.channel = Grade.YELLOW, BURST_TEMPLATES[-1], Channel.HOTLINE
            else:
                p.grade, p.template = Grade.GREEN, rng.choice(BURST_TEMPLATES[:-1])
            self._describe(p, community)
            if k and rng.random() < BURST_MERGED:
                p.status, p.duplicate, p.target, p.lead = Status.MERGED, "merge", plans[0], plans[0].lead
            plans.append(p)
        latest = self.now - timedelta(minutes=1)
        for p in plans:
            tries = [p.status] * 4
            if p is plans[0]:
                tries = [Status.CLOSED] * 3 + tries
            for status in [*tries, Status.REGISTERED]:  # registered at least: over two days have passed
                p.status = status
                p.steps = build_steps(p, self.org, rng)
                if p.received_at + p.duration <= latest:
                    break
        return plans

    def _fix_mismatches(self, base: list[Plan]) -> None:
        """Swap channels and statuses so no volunteer sends praise and no praise is rejected."""
        for p in base:
            if p.channel == Channel.VOLUNTEER and p.template.request_type not in CLUE_TYPES:
                q = next(
                    (
                        q
                        for q in base
                        if q.channel != Channel.VOLUNTEER and q.template.request_type in CLUE_TYPES
                    ),
                    None,
                )
                if q is not None:
                    p.channel, q.channel = q.channel, p.channel
            if p.status == Status.REJECTED and p.template.request_type == RequestType.PRAISE:
                q = next(
                    (
                        q
                        for q in base
                        if q.status != Status.REJECTED and q.template.request_type != RequestType.PRAISE
                    ),
                    None,
                )
                if q is not None:
                    p.status, q.status = q.status, p.status

    def _describe(self, p: Plan, community=None) -> None:
        """Fill in the citizen, the place (in ``community`` when given), the text and the flags of a case."""
        rng, gen, org = self.rng, self.gen, self.org
        if p.channel == Channel.VOLUNTEER and self.volunteers:
            joined = [v for v in self.volunteers if p.day is None or v.joined_on <= p.day]
            p.volunteer = rng.choice(joined or self.volunteers)
            community = p.volunteer.community
            name, phone = p.volunteer.name, p.volunteer.phone
        else:
            community = community or rng.choice(self.communities)
            name, phone = gen.name(), gen.mobile()
        street = org.departments[community.code.split("-")[0]]
        t, grade = p.template, p.grade
        people = {Grade.RED: (20, 120), Grade.YELLOW: (5, 30), Grade.GREEN: (2, 6)}[grade]
        money = {Grade.RED: (50, 300), Grade.YELLOW: (5, 50), Grade.GREEN: (0.3, 5)}[grade]
        n, wan = rng.randint(*people), rng.uniform(*money)
        fill = gen.fill(street.name, community.name, n, wan)
        wan = float(fill["money"])
        place = (
            fill["estate"] + f"{fill['no']}栋"
            if rng.random() < 0.5
            else fill["road"] + f"{rng.randint(1, 300)}号"
        )
        want_id = (
            p.channel == Channel.WALK_IN
            or (p.channel == Channel.MAILBOX and rng.random() < 0.6)
            or rng.random() < 0.25
        )
        p.fields = {
            "channel": p.channel,
            "mailbox": self._mailbox(p) if p.channel == Channel.MAILBOX else None,
            "request_type": t.request_type,
            "category": org.categories[t.category],
            "title": t.title.format(**fill)[:200],
            "content": t.content.format(**fill),
            **self._wording(p, fill),
            "citizen_name": name,
            "citizen_phone": phone,
            "citizen_id_no": gen.id_number(to_local(self.now).date()) if want_id else None,
            "address": f"深圳市光明区{street.name}{community.name}{place}",
            "street": street,
            "community": community,
            "people_involved": n if t.people else None,
            "money_involved": Decimal(str(wan)) * 10000 if t.money else None,
            "grade": grade,
            "grade_reason": self._grade_reason(t, grade, fill),
            "is_sensitive": t.sensitive or (grade == Grade.RED and rng.random() < 0.2),
            "is_key": (grade == Grade.RED and rng.random() < 0.6) or rng.random() < 0.03,
            "is_supervised": (grade == Grade.RED and rng.random() < 0.5)
            or (grade == Grade.YELLOW and rng.random() < 0.1),
            # Two in three letter writers agree to publication (by index: the random stream stays as it was).
            "publication_consent": p.channel == Channel.MAILBOX and p.index % 3 != 0,
        }
        # Half the red cases go into a leader's hands (包案), later, through the state machine (app.demo.command).
        p.packaged = grade == Grade.RED and rng.random() < 0.5
        p.lead = self._lead(p, street, community)

    def _wording(self, p: Plan, fill: dict) -> dict:
        """Varied title and content (:mod:`app.demo.phrasing`); the burst keeps its own matching texts."""
        if p.template in BURST_TEMPLATES:
            return {}
        worded = phrasing.reword(self.wording_rng, p.template, fill, p.channel)
        return {"title": worded[0], "content": worded[1]} if worded else {}

    def _mailbox(self, p: Plan):
        mailboxes = self.org.mailboxes
        if p.template.category.startswith("GAZF") or self.rng.random() < 0.15:
            return mailboxes["jzxx"]
        return mailboxes[self.rng.choice(("sjzx", "sjzx", "qzxx"))]

    def _grade_reason(self, t: Template, grade: str, fill: dict) -> str | None:
        if grade == Grade.GREEN:
            return None
        reasons = texts.GRADE_REASONS[grade]
        if t.sensitive and grade == Grade.RED:
            reason = reasons[2]
        elif t.people:
            reason = reasons[0]
        elif t.money:
            reason = reasons[1]
        else:
            reason = reasons[3] if grade == Grade.RED else self.rng.choice(reasons[2:])
        return reason.format(**fill)

    def _lead(self, p: Plan, street, community):
        """The unit the case is finally dispatched to: the catalogue's bureau, or the street or community."""
        rng = self.rng
        mailbox = p.fields["mailbox"]
        if mailbox is not None and mailbox.slug == "jzxx" and p.template.category.startswith("GAZF"):
            return mailbox.department  # the bureau chief's own bureau answers its mailbox
        bureau = default_lead_department(p.fields["category"]) or self.org.departments["ZSJ"]
        r = rng.random()
        if p.grade == Grade.RED:  # red cases go to the bureau or to the street's leadership
            return street if r < 0.5 else bureau
        station = self.stations.get(community.code) or self.stations.get(street.code)
        if station is not None and r < 0.1:
            return station
        if r < 0.35:
            return street
        if r < 0.43:
            return community
        return bureau

    def _receive_time(self, p: Plan) -> datetime:
        """An instant on the plan's day (another weighted day when its steps would not be done by now)."""
        rng, season = self.rng, self.season
        hi = self.now - p.duration - timedelta(minutes=1)
        lo = self.now - timedelta(days=RECEIVE_WINDOW.get(p.status, HISTORY_DAYS))
        lo = min(lo, hi - timedelta(hours=12))
        day = p.day
        if day is None or not local_day(lo) <= day <= local_day(hi):
            day = p.day = season.pick_day(rng, local_day(lo), local_day(hi))
        at = season.time_on(rng, day, office=p.channel == Channel.WALK_IN)
        if not lo <= at <= hi:  # the day is cut by the window: anywhere in what is left of it
            first = max(lo, local_day_start(day))
            last = min(hi, local_day_start(day + timedelta(days=1)))
            at = first + (last - first) * rng.random() if first < last else min(max(at, lo), hi)
        return at

    def _attach_to_original(self, p: Plan, base: list[Plan]) -> None:
        """Make ``p`` a merged duplicate or a repeat of an earlier case, timed after it (and, when ``p`` is
        still open, within its status's ``RECEIVE_WINDOW``)."""
        rng = self.rng
        low, high = DUPLICATE_GAP[p.duplicate]
        window = self.now - timedelta(days=RECEIVE_WINDOW.get(p.status, HISTORY_DAYS))
        candidates = [
            q
            for q in base
            if q.received_at + high >= window
            and q.status != Status.REJECTED
            and q.template.request_type != RequestType.PRAISE
            and (q.template.request_type in CLUE_TYPES or p.duplicate == "repeat")
            and (p.channel != Channel.VOLUNTEER or q.template.request_type in CLUE_TYPES)
        ]
        rng.shuffle(candidates)
        own = (p.grade, p.template, p.fields, p.lead)
        for q in candidates:
            p.grade, p.template = q.grade, q.template
            keep = {"channel", "mailbox", "publication_consent"}
            if p.duplicate == "merge":  # another citizen reporting the same matter
                keep |= {"citizen_name", "citizen_phone", "citizen_id_no"}
            p.fields = {k: (own[2][k] if k in keep else v) for k, v in q.fields.items()}
            p.fields["is_repeat"] = p.duplicate == "repeat"
            if p.duplicate == "repeat":
                p.fields["title"] = f"再次反映：{q.fields['title']}"[:200]
            p.target, p.lead = q, q.lead
            p.steps = build_steps(p, self.org, rng)
            earliest = max(q.received_at + low, window)
            latest = min(q.received_at + high, self.now - p.duration - timedelta(minutes=1))
            if earliest <= latest:
                for _ in range(DAY_TRIES):  # on a likely day, as the other cases
                    p.received_at = earliest + (latest - earliest) * rng.random()
                    if self.season.likely(rng, p.received_at):
                        break
                return
        # No original fits before ``now``: keep the case's own text and make it a plain case.
        p.duplicate, p.target = None, None
        p.grade, p.template, p.fields, p.lead = own
        if p.status == Status.MERGED:
            p.status = Status.REJECTED
        p.steps = build_steps(p, self.org, rng)
        p.received_at = self._receive_time(p)
