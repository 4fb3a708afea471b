"""Reading a planned demo case's timeline, and adding steps to it at sensible instants.

A plan's steps are ``(offset from receipt, action, actor, params)`` (:mod:`app.demo.steps`). The command
instruments (:mod:`app.demo.command`) need to know when the case was finally dispatched, first replied
and closed, to issue an order after the dispatch and have it answered while the case is still being
handled; :func:`add` keeps the steps in time order. Nothing here touches the database until the runner
calls an :class:`AnsweredPart` with the case.
"""

from dataclasses import dataclass
from datetime import datetime
from datetime import time
from datetime import timedelta

from app.command import orders
from app.timeutil import local_day_start
from app.timeutil import to_local
from models.enums import RequestType
from models.enums import Status

MINUTE = timedelta(minutes=1)
HOUR, DAY = 60 * MINUTE, 24 * 60 * MINUTE
OFFICE = (time(8, 30), time(18, 0))  # leaders and supervisors act in office hours when the case allows
OPEN_HANDLED = (Status.IN_PROGRESS, Status.REPLIED)
STREET_LEADERS = {
    "MATIAN": "leader_matian",
    "GONGMING": "leader_gongming",
}  # the streets with a ranked leader
# the steps the command planners add (the case's own lifecycle is the rest)
INSTRUMENTS = frozenset({
    "instruct", "supervise", "answer_order", "accept_order", "return_order", "package", "settle", "visit",
    "raise_level", "lower_level", "draft_reply",
})  # fmt: skip


@dataclass
class Milestones:
    """Offsets from receipt: the final dispatch, the first step after it, the first reply after it, the
    closing step (closed cases), and the latest offset a step may take (one minute before ``now``)."""

    dispatch: timedelta
    signed: timedelta | None
    reply: timedelta | None
    close: timedelta | None
    end: timedelta
    simple: bool  # sign, contact, reply, revisit: no return, redo or reopen after the dispatch

    @property
    def handled_until(self) -> timedelta:
        """The end of the handling: the first reply, else the close, else ``end``."""
        return self.reply or self.close or self.end


def milestones(p, now: datetime) -> Milestones | None:
    """The milestones of plan ``p``, or None when it was never dispatched (or merged, rejected)."""
    if p.status not in (Status.DISPATCHED, *OPEN_HANDLED, Status.CLOSED) or p.received_at is None:
        return None
    dispatches = [k for k, step in enumerate(p.steps) if step[1] == "dispatch"]
    if not dispatches:
        return None
    k = dispatches[-1]
    after = [s for s in p.steps[k + 1 :] if s[1] not in INSTRUMENTS]
    signed = next((s[0] for s in after if s[1] == "sign"), None)
    reply = next((s[0] for s in after if s[1] == "reply"), None)
    close = after[-1][0] if p.status == Status.CLOSED else None  # the satisfied revisit
    actions = [s[1] for s in after]
    simple = actions[:3] == ["sign", "contact", "reply"] and len(actions) <= 4 and "reopen" not in actions
    return Milestones(p.steps[k][0], signed, reply, close, now - p.received_at - MINUTE, simple)


def fits(p) -> float:
    """How well a case lends itself to an order, a 包案 or a 提级: never praise, a question hardly."""
    return {RequestType.PRAISE: 0, RequestType.CONSULT: 0.2}.get(p.template.request_type, 1)


def is_open_case(p) -> bool:
    """Still being handled at ``now`` (dispatched, in progress or replied)."""
    return p.status in (Status.DISPATCHED, *OPEN_HANDLED)


def add(p, offset: timedelta, action: str, actor, **params) -> timedelta:
    """Add a step to ``p`` at ``offset`` (kept in time order; a tie goes after the steps already there)."""
    p.steps.append((offset, action, actor, params))
    p.steps.sort(key=lambda step: step[0])
    return offset


def office(rng, p, lo: timedelta, hi: timedelta) -> timedelta:
    """An offset between ``lo`` and ``hi``, moved into office hours (08:30–18:00) when the window allows."""
    if hi <= lo:
        return lo
    offset = lo + (hi - lo) * rng.random()
    local = to_local(p.received_at + offset)
    start, stop = OFFICE
    if start <= local.time() < stop:
        return offset
    day = local.date() + timedelta(days=1 if local.time() >= stop else 0)
    opening = local_day_start(day) + timedelta(hours=start.hour, minutes=start.minute)
    moved = opening + timedelta(minutes=rng.uniform(0, 150)) - p.received_at
    return moved if lo <= moved <= hi else offset


class AnsweredPart:
    """A deferred ``target`` parameter: the id of ``department``'s answered part of an open order on the
    case, found when the step runs (the order does not exist when the demo is planned)."""

    def __init__(self, department):
        self.department = department

    def __call__(self, case) -> str:
        part = next(t for t in orders.parts_awaiting_check(case) if t.department_id == self.department.id)
        return str(part.id)
