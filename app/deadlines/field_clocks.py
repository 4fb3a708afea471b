"""The clocks of a bureau's part of a 令 (接令, 报到, 反馈): one deadline row per part and stage, no case.

The time limits come from the order's ``rules`` snapshot (the class as it was at issue), so a later edit
of the class changes no running clock. Each row is an ordinary :class:`~models.deadline.CaseDeadline` with
``field_target_id`` set and ``case_id`` NULL: the exactly-once sweep (:mod:`app.deadlines.sweep`) fires
its ladder and :mod:`app.deadlines.escalation` tells the bureau, the issuer with the supervisors, then the
leaders. The ladder suits short limits: a warning at 75 %, the breach at the due time, the supervisors a
little after it and the leaders later. Only :mod:`app.command.field_orders` calls these.
"""

from datetime import datetime

from sqlalchemy import exists

from app.deadlines import clock
from app.deadlines.policies import HOUR
from app.deadlines.policies import ladder
from app.deadlines.workcalendar import compute_due
from app.extensions import db
from models.deadline import CaseDeadline
from models.deadline import DeadlineStatus
from models.deadline import Stage
from models.deadline import Unit
from models.field_order import FieldOrderTarget

# which entry of an order's ``rules`` holds each stage's limit
RULE_KEYS = {Stage.ORDER_ACK: "ack", Stage.CHECK_IN: "check_in", Stage.FEEDBACK: "feedback"}
SHORT_LADDER = ladder(75, 15, 2 * HOUR)  # minutes and hours: supervisors 15 min after, leaders 2 h after
DAY_LADDER = ladder(75, 2 * HOUR, 24 * HOUR)  # day limits: supervisors 2 h after, leaders a day after


def ladder_for(unit: str) -> list[dict]:
    """The ladder of a limit counted in ``unit``."""
    return SHORT_LADDER if str(unit) in (Unit.MINUTES, Unit.HOURS) else DAY_LADDER


def row(target: FieldOrderTarget, stage: str) -> CaseDeadline | None:
    """The part's deadline of ``stage``, if its clock was ever started."""
    return next((d for d in target.deadlines if d.stage == stage), None)


def start(target: FieldOrderTarget, stage: str, rules: dict, now: datetime) -> CaseDeadline:
    """Start the clock of ``stage`` on the part from ``now``, with the limit the order's rules give it."""
    limit = rules[RULE_KEYS[stage]]
    amount, unit = int(limit["amount"]), str(limit["unit"])
    due, explanation = compute_due(now, amount, unit)
    snapshot = {"name": rules.get("name", ""), "amount": amount, "unit": unit, "ladder": ladder_for(unit)}
    deadline = row(target, stage)
    if deadline is None:
        deadline = CaseDeadline(case_id=None, stage=str(stage), version=1, field_target=target)
        db.session.add(deadline)  # a backref does not bring a new object into the session
    else:
        deadline.version = (deadline.version or 0) + 1
    deadline.policy_id = None
    deadline.policy_snapshot = snapshot
    deadline.clock = unit
    deadline.started_at, deadline.due_at, deadline.explanation = now, due, explanation
    deadline.status = DeadlineStatus.RUNNING
    deadline.met_at = deadline.breached_at = deadline.last_fired = None
    clock.arm(deadline)
    return deadline


def meet(target: FieldOrderTarget, stage: str, at: datetime) -> None:
    """The stage was done at ``at``: its clock stops (done late, it keeps its breach)."""
    if (deadline := row(target, stage)) is not None:
        clock.meet(deadline, at)


def cancel_all(target: FieldOrderTarget) -> None:
    """The part was withdrawn: every running clock stops without a verdict."""
    for deadline in target.deadlines:
        clock.cancel(deadline)


def part_is_overdue(target: FieldOrderTarget, now: datetime) -> bool:
    """Python twin of :func:`part_overdue` for one loaded part."""
    return any(clock.is_late(d, now) for d in target.deadlines)


def part_overdue(now: datetime):
    """SQL: a part is overdue when any of its stages was done late, or is still owed past its due time."""
    return (
        exists()
        .where(
            CaseDeadline.field_target_id == FieldOrderTarget.id,
            clock.late_condition(now),
        )
        .correlate(FieldOrderTarget)
    )
