"""The timed lifecycle steps of one demo case: register, dispatch, return, sign, contact, reply, revisit …

Each step is ``(offset from receipt, action, actor, params)`` and is later run through
``app.cases.lifecycle.perform`` (a ``rate`` step, the citizen's own revisit, through
``lifecycle.rate_by_citizen``); nothing here touches the database. Departments differ (:data:`PERFORMANCE`):
a slow one signs and replies late more often and pleases fewer citizens, an excellent one the reverse.
"""

from dataclasses import dataclass
from datetime import timedelta

from app.demo import texts
from app.org.tree import default_lead_department
from models.enums import Channel
from models.enums import DepartmentKind
from models.enums import Grade
from models.enums import ReplyOutcome
from models.enums import RequestType
from models.enums import Satisfaction
from models.enums import Status

HOUR, DAY = 60, 24 * 60
# Minutes between steps, (low, high), by pace: red cases and the fast mailboxes (10 minutes to sign, 30 to
# contact) move in minutes, green ones in days. An average department keeps most of its deadlines.
PACE = {
    "red": {"register": (1, 5), "dispatch": (2, 10), "sign": (2, 12), "contact": (5, 25), "reply": (20, 3 * HOUR)},
    "fast": {"register": (2, 15), "dispatch": (3, 15), "sign": (2, 12), "contact": (5, 25), "reply": (2 * HOUR, 20 * HOUR)},
    Grade.YELLOW: {"register": (3, 30), "dispatch": (10, 90), "sign": (5, 100), "contact": (10, 4 * HOUR), "reply": (DAY, 4 * DAY)},
    Grade.GREEN: {"register": (5, HOUR), "dispatch": (15, 6 * HOUR), "sign": (5, 150), "contact": (10, DAY), "reply": (DAY, 6 * DAY)},
}  # fmt: skip
FAST_MAILBOXES = ("jzxx", "sjzx")
OTHER = {
    "revisit": (12 * HOUR, 2 * DAY),
    "rate": (HOUR, 2 * DAY),
    "return": (10, DAY),
    "redispatch": (10, 3 * HOUR),
    "redo_contact": (HOUR, DAY),
    "redo_reply": (DAY, 5 * DAY),
    "reopen": (DAY, 10 * DAY),
    "reject": (5, DAY),
    "merge": (5, 6 * HOUR),
}
CONSULT_REPLY = 0.35  # a question is answered sooner than a complaint is settled
ONLINE = (Channel.WECHAT, Channel.API, Channel.MAILBOX)
CITIZEN_RATES = 0.4  # share of online citizens who rate the reply themselves (else the clerk calls)
REOPEN_SHARE = 0.04  # closed cases a supervisor reopens after spot checks
STOP_SHARE = 0.05  # in-progress cases a supervisor reopened after a reply (besides those sent back)


@dataclass(frozen=True)
class Performance:
    """How a department works: ``speed`` scales its handler's delays (sign, contact, reply, return),
    ``unhappy`` is the share of its replies the citizen rejects (重办), ``pleased`` the odds of 满意 against
    基本满意 at a revisit."""

    speed: float = 1.0
    unhappy: float = 0.1
    pleased: float = 3.0


AVERAGE = Performance()
# By department code; a community or station works like its street (the code's first part).
PERFORMANCE = {
    "GAFJ": Performance(0.35, 0.03, 8.0),  # 区公安分局: its own 10-30-4 rule, the district's best
    "ZJJ": Performance(2.6, 0.25, 1.0),  # 区住房和建设局: property and construction disputes pile up
    "RSJ": Performance(2.3, 0.22, 1.2),  # 区人力资源局: wage arrears outrun its labour inspectors
    "CGJ": Performance(1.2, 0.12, 2.5),
    "SJJ": Performance(0.8, 0.07, 3.5),
    "WJJ": Performance(0.9, 0.08, 3.0),
    "GUANGMING": Performance(0.7, 0.06, 4.0),
    "FENGHUANG": Performance(1.2, 0.11, 2.5),
    "MATIAN": Performance(1.5, 0.15, 2.0),
}
SLOW_BUREAUS = ("ZJJ", "RSJ")
EXCELLENT_BUREAU = "GAFJ"


def performance(department) -> Performance:
    """How ``department`` works (see :data:`PERFORMANCE`)."""
    code = department.code
    return PERFORMANCE.get(code) or PERFORMANCE.get(code.split("-")[0], AVERAGE)


def pace_of(p) -> str:
    """The pace table of plan ``p``: red, a fast mailbox, or its grade."""
    if p.grade == Grade.RED:
        return "red"
    mailbox = p.fields.get("mailbox")
    if mailbox is not None and mailbox.slug in FAST_MAILBOXES:
        return "fast"
    return p.grade


class Timeline:
    """Collects steps at increasing offsets."""

    def __init__(self, rng, pace: str):
        self.rng, self.pace = rng, pace
        self.offset = timedelta(0)
        self.steps: list[tuple[timedelta, str, object, dict]] = []

    def add(self, pace: str, action: str, actor, *, factor: float = 1.0, **params) -> None:
        """Add ``action`` a random delay (from PACE or OTHER, times ``factor``) after the previous step."""
        low, high = PACE[self.pace].get(pace) or OTHER[pace]
        self.offset += timedelta(minutes=self.rng.uniform(low, high) * factor)
        self.steps.append((self.offset, action, actor, params))


def _wrong_department(p, org, rng):
    """A plausible unit to mis-dispatch to first: another bureau, or the street for a bureau matter."""
    bureaus = [d for d in org.of_kind(DepartmentKind.BUREAU) if d is not p.lead]
    if p.lead.kind == DepartmentKind.BUREAU and rng.random() < 0.5:
        return p.fields["street"]
    return rng.choice(bureaus)


def _co_departments(p, org, rng) -> list:
    street = p.fields["street"]
    if p.lead.kind == DepartmentKind.BUREAU and rng.random() < 0.2:
        co = [street]
        if rng.random() < 0.3:
            co.append(rng.choice([d for d in org.of_kind(DepartmentKind.BUREAU) if d is not p.lead]))
        return co
    if p.lead.kind != DepartmentKind.BUREAU and rng.random() < 0.12:
        return [default_lead_department(p.fields["category"]) or org.departments["ZSJ"]]
    return []


def _outcome(p, rng) -> str:
    if p.template.request_type == RequestType.CONSULT:
        return ReplyOutcome.EXPLAINED
    if p.template.request_type == RequestType.PRAISE:
        return ReplyOutcome.SUPPORTED
    return rng.choices(list(ReplyOutcome), weights=(65, 25, 10))[0]


def _reply(tl: Timeline, p, handler, speed: float, pace: str = "reply") -> str:
    rng = tl.rng
    outcome = _outcome(p, rng)
    key = str(outcome)
    if p.template.request_type in (RequestType.PRAISE, RequestType.CONSULT):
        key = str(p.template.request_type)
    elif outcome == ReplyOutcome.SUPPORTED and (p.template.people or p.template.money):
        key = "dispute"
    street = p.fields["street"]
    partner = p.fields["community"] if p.lead is street else street
    text = rng.choice(texts.REPLIES[key]).format(dept=p.lead.name, partner=partner.name)
    if p.template.request_type == RequestType.CONSULT:
        speed *= CONSULT_REPLY
    tl.add(pace, "reply", handler, factor=speed, outcome=outcome, text=text)
    return outcome


def _revisit(tl: Timeline, p, clerk, outcome: str, perf: Performance, satisfied: bool = True) -> None:
    """The revisit after a reply: the clerk calls, or an online citizen rates the reply themselves."""
    rng = tl.rng
    if not satisfied:
        level = Satisfaction.UNSATISFIED
    elif outcome == ReplyOutcome.NOT_SUPPORTED:
        level = rng.choice((Satisfaction.BASIC, Satisfaction.BASIC, Satisfaction.SATISFIED))
    else:
        level = rng.choices((Satisfaction.SATISFIED, Satisfaction.BASIC), weights=(perf.pleased, 1))[0]
    if p.channel in ONLINE and rng.random() < CITIZEN_RATES:
        tl.add(
            "rate", "rate", None, satisfaction=level, comment=rng.choice(texts.RATING_COMMENTS[str(level)])
        )
        return
    tl.add("revisit", "revisit", clerk, satisfaction=level, note=rng.choice(texts.REVISIT_NOTES[str(level)]))


def build_steps(p, org, rng) -> list:
    """The steps that take plan ``p`` from receipt to its final status."""
    tl = Timeline(rng, pace_of(p))
    clerk = org.users[rng.choice(("clerk", "clerk2"))]
    status = p.status
    if status == Status.NEW:
        return tl.steps
    register_note = rng.choice(texts.REGISTER_NOTES)
    if status in (Status.REJECTED, Status.MERGED):
        if rng.random() < 0.5:
            tl.add("register", "register", clerk, note=register_note)
        if status == Status.REJECTED:
            repeat = p.duplicate == "repeat"  # a repeat with nothing new is answered with the earlier result
            reason = texts.REJECT_REASONS[2] if repeat else rng.choice(texts.REJECT_REASONS)
            tl.add("reject", "reject", clerk, reason=reason)
        else:
            tl.add("merge", "merge", clerk, target=p.target, note=rng.choice(texts.MERGE_NOTES))
        return tl.steps
    tl.add("register", "register", clerk, note=register_note)
    returned = rng.random() < (0.35 if status == Status.REGISTERED else 0.08)
    if returned:
        wrong = _wrong_department(p, org, rng)
        slow = performance(wrong).speed
        tl.add("dispatch", "dispatch", clerk, lead_department=wrong)
        if rng.random() < 0.4:
            tl.add("sign", "sign", org.handler(wrong), factor=slow)
        reason = rng.choice(texts.RETURN_REASONS).format(right=p.lead.name)
        tl.add("return", "return", org.handler(wrong), factor=slow, reason=reason)
    if status == Status.REGISTERED:
        return tl.steps
    note = texts.DISPATCH_NOTES[p.grade]
    co = _co_departments(p, org, rng)
    tl.add(
        "redispatch" if returned else "dispatch",
        "dispatch",
        clerk,
        lead_department=p.lead,
        co_departments=co,
        note=note,
    )
    if status == Status.DISPATCHED:
        return tl.steps
    handler, perf = org.handler(p.lead), performance(p.lead)
    speed = perf.speed
    tl.add("sign", "sign", handler, factor=speed)
    variant = rng.random()
    redo_share = perf.unhappy  # 重办: the citizen is unhappy with the first reply
    contact = {"note": rng.choice(texts.CONTACT_NOTES)}
    if status == Status.IN_PROGRESS and variant >= redo_share + STOP_SHARE:
        if rng.random() < 0.75:
            tl.add("contact", "contact", handler, factor=speed, **contact)
        if p.index % 3 == 0:  # a share waits on the supervisors' extension queue (by index: no extra draw)
            reason = texts.EXTENSION_REASONS[p.index // 3 % len(texts.EXTENSION_REASONS)]
            tl.offset += timedelta(minutes=90)
            tl.steps.append((tl.offset, "request_extension", handler, {"reason": reason}))
        return tl.steps
    tl.add("contact", "contact", handler, factor=speed, **contact)
    redo = variant < redo_share
    if redo:
        _revisit(tl, p, clerk, _reply(tl, p, handler, speed), perf, satisfied=False)
        tl.add(
            "redo_contact", "contact", handler, factor=speed, note="重办：已再次联系诉求人，重新核查处理。"
        )
        if status == Status.IN_PROGRESS:
            return tl.steps
    if status == Status.REPLIED:
        _reply(tl, p, handler, speed, "redo_reply" if redo else "reply")
        return tl.steps
    outcome = _reply(tl, p, handler, speed, "redo_reply" if redo else "reply")
    _revisit(tl, p, clerk, outcome, perf)
    if status == Status.IN_PROGRESS or (not redo and variant < redo_share + REOPEN_SHARE):  # a spot check
        tl.add("reopen", "reopen", org.users["supervisor"], reason=rng.choice(texts.REOPEN_REASONS))
        if status == Status.IN_PROGRESS:
            return tl.steps
        tl.add("redo_contact", "contact", handler, factor=speed, note="督办重办：已再次联系诉求人。")
        _revisit(tl, p, clerk, _reply(tl, p, handler, speed, "redo_reply"), perf)
    return tl.steps
