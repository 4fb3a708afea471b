"""The clocks of a co-department's part of a case (协办): SIGN, CONTACT and RESOLVE of its own.

Each is an ordinary :class:`~models.deadline.CaseDeadline` with ``part_id`` set, from the same deadline
policy the case's own stage would take, so the exactly-once sweep fires its ladder and
:mod:`app.deadlines.escalation` tells the co-department (not the lead) of its warnings and breaches.
Only :mod:`app.cases.parts` calls these.
"""

from datetime import datetime

from app.deadlines import clock
from app.deadlines.policies import choose_policy
from models.deadline import CaseDeadline
from models.deadline import DeadlineStatus


def _row(part, stage) -> CaseDeadline | None:
    return next((d for d in part.deadlines if d.stage == stage), None)


def start(case, part, stage: str, now: datetime) -> CaseDeadline | None:
    """Start (or restart, as a new version) the part's clock of ``stage``; none when no policy applies."""
    policy = choose_policy(case, stage)
    deadline = _row(part, stage)
    if policy is None:
        if deadline is not None:
            clock.cancel(deadline)
        return None
    restart = deadline is not None
    if deadline is None:
        deadline = CaseDeadline(case=case, stage=str(stage), version=1)
        part.deadlines.append(deadline)
    else:
        deadline.version = (deadline.version or 0) + 1
    clock.set_due(
        deadline, policy, now, restart
    )  # counted as the case's own stage is (app.deadlines.anchors)
    deadline.status = DeadlineStatus.RUNNING
    deadline.met_at = deadline.last_fired = None
    deadline.breached_at = deadline.due_at if deadline.due_at <= now else None
    deadline.extended_count = 0
    clock.arm(deadline)
    return deadline


def meet(part, stages, now: datetime) -> None:
    """The part's ``stages`` were done: their running clocks stop (a late finish keeps its breach)."""
    for stage in stages:
        if (deadline := _row(part, stage)) is not None:
            clock.meet(deadline, now)


def cancel_all(part) -> None:
    """The part no longer asks anything of its department: every running clock stops without a verdict."""
    for deadline in part.deadlines:
        clock.cancel(deadline)
