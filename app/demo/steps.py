"""The timed lifecycle steps of one demo case: register, dispatch, return, sign, contact, reply, revisit …

Each step is ``(offset from receipt, action, actor, params)`` and is later run through
``app.cases.lifecycle.perform``; nothing here touches the database.
"""

from datetime import timedelta

from app.demo import texts
from app.org.tree import default_lead_department
from models.enums import DepartmentKind
from models.enums import Grade
from models.enums import ReplyOutcome
from models.enums import RequestType
from models.enums import Satisfaction
from models.enums import Status

HOUR, DAY = 60, 24 * 60
# Minutes between steps, (low, high), by grade: red cases move in minutes, green ones in days.
PACE = {
    Grade.RED: {"register": (1, 5), "dispatch": (2, 10), "sign": (2, 10), "contact": (5, 30), "reply": (HOUR, DAY)},
    Grade.YELLOW: {"register": (3, 30), "dispatch": (10, 90), "sign": (5, 2 * HOUR), "contact": (10, 4 * HOUR), "reply": (DAY, 4 * DAY)},
    Grade.GREEN: {"register": (5, HOUR), "dispatch": (15, 6 * HOUR), "sign": (5, 8 * HOUR), "contact": (10, DAY), "reply": (DAY, 10 * DAY)},
}  # fmt: skip
OTHER = {
    "revisit": (12 * HOUR, 2 * DAY),
    "return": (10, DAY),
    "redispatch": (10, 3 * HOUR),
    "redo_contact": (HOUR, DAY),
    "redo_reply": (DAY, 5 * DAY),
    "reopen": (DAY, 10 * DAY),
    "reject": (5, DAY),
    "merge": (5, 6 * HOUR),
}


class Timeline:
    """Collects steps at increasing offsets."""

    def __init__(self, rng, grade: str):
        self.rng, self.grade = rng, grade
        self.offset = timedelta(0)
        self.steps: list[tuple[timedelta, str, object, dict]] = []

    def add(self, pace: str, action: str, actor, **params) -> None:
        """Add ``action`` a random delay (from PACE or OTHER) after the previous step."""
        low, high = PACE[self.grade].get(pace) or OTHER[pace]
        self.offset += timedelta(minutes=self.rng.uniform(low, high))
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


def _reply(tl: Timeline, p, handler, pace: str = "reply") -> str:
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
    tl.add(pace, "reply", handler, outcome=outcome, text=text)
    return outcome


def _revisit(tl: Timeline, clerk, outcome: str, satisfied: bool = True) -> None:
    rng = tl.rng
    if not satisfied:
        level = Satisfaction.UNSATISFIED
    elif outcome == ReplyOutcome.NOT_SUPPORTED:
        level = rng.choice((Satisfaction.BASIC, Satisfaction.BASIC, Satisfaction.SATISFIED))
    else:
        level = rng.choices((Satisfaction.SATISFIED, Satisfaction.BASIC), weights=(3, 1))[0]
    tl.add("revisit", "revisit", clerk, satisfaction=level, note=rng.choice(texts.REVISIT_NOTES[str(level)]))


def build_steps(p, org, rng) -> list:
    """The steps that take plan ``p`` from receipt to its final status."""
    tl = Timeline(rng, p.grade)
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
        tl.add("dispatch", "dispatch", clerk, lead_department=wrong)
        if rng.random() < 0.4:
            tl.add("sign", "sign", org.handler(wrong))
        reason = rng.choice(texts.RETURN_REASONS).format(right=p.lead.name)
        tl.add("return", "return", org.handler(wrong), reason=reason)
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
    handler = org.handler(p.lead)
    tl.add("sign", "sign", handler)
    variant = rng.random()
    contact = {"note": rng.choice(texts.CONTACT_NOTES)}
    if status == Status.IN_PROGRESS and variant >= 0.17:
        if variant < 0.8:
            tl.add("contact", "contact", handler, **contact)
        return tl.steps
    tl.add("contact", "contact", handler, **contact)
    redo = variant < 0.12
    if redo:  # 重办: the citizen is unhappy with the first reply
        _revisit(tl, clerk, _reply(tl, p, handler), satisfied=False)
        tl.add("redo_contact", "contact", handler, note="重办：已再次联系诉求人，重新核查处理。")
        if status == Status.IN_PROGRESS:
            return tl.steps
    if status == Status.REPLIED:
        _reply(tl, p, handler, "redo_reply" if redo else "reply")
        return tl.steps
    outcome = _reply(tl, p, handler, "redo_reply" if redo else "reply")
    _revisit(tl, clerk, outcome)
    if status == Status.IN_PROGRESS or (not redo and variant < 0.16):  # reopened by the supervisor
        tl.add("reopen", "reopen", org.users["supervisor"], reason=rng.choice(texts.REOPEN_REASONS))
        if status == Status.IN_PROGRESS:
            return tl.steps
        tl.add("redo_contact", "contact", handler, note="督办重办：已再次联系诉求人。")
        _revisit(tl, clerk, _reply(tl, p, handler, "redo_reply"))
    return tl.steps
