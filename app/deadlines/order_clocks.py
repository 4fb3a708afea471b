"""The clocks of orders (批示, 督办单): one deadline per addressed department, on the same ladder and sweep.

An order's due time is the issuer's (default: the policy of the order's stage from the issue time). The
deadline row is an ordinary :class:`~models.deadline.CaseDeadline` with ``target_id`` set, so the
exactly-once sweep (:mod:`app.deadlines.sweep`) fires its ladder and :mod:`app.deadlines.escalation` tells
the addressed department, the supervisors and the order's leader. Only :mod:`app.command` calls these.
"""

from datetime import datetime

from flask_babel import gettext as _

from app.deadlines import clock
from app.deadlines.policies import choose_policy
from app.deadlines.policies import ladder
from app.deadlines.workcalendar import compute_due
from app.timeutil import format_local
from models.deadline import CaseDeadline
from models.deadline import DeadlineStatus
from models.deadline import Unit

# Without a policy for the stage an order still warns, breaches and goes to the supervisors a day later.
FALLBACK = {"amount": 3, "unit": str(Unit.WORKING_DAYS), "ladder": ladder(80, 24 * 60, 3 * 24 * 60)}


def default_due(case, stage: str, now: datetime) -> datetime:
    """The due time an order of ``stage`` gets when the issuer sets none: its policy's limit from ``now``."""
    policy = choose_policy(case, stage)
    amount, unit = (policy.amount, str(policy.unit)) if policy else (FALLBACK["amount"], FALLBACK["unit"])
    return compute_due(now, amount, unit)[0]


def start(case, target, stage: str, due_at: datetime, now: datetime) -> CaseDeadline:
    """The running deadline of one addressed department's answer (flushed with the target)."""
    policy = choose_policy(case, stage)
    snapshot = clock.ladder_snapshot(policy) if policy else {"name": "", **FALLBACK}
    deadline = CaseDeadline(
        case_id=case.id,
        stage=stage,
        policy_id=policy.id if policy else None,
        policy_snapshot=snapshot,
        clock=snapshot["unit"],
        started_at=now,
        due_at=due_at,
        status=DeadlineStatus.RUNNING,
        version=1,
        explanation=_("Due time set with the order: %(due)s", due=format_local(due_at)),
    )
    target.deadline = deadline
    clock.arm(deadline)
    return deadline


def answered(deadline: CaseDeadline | None, now: datetime) -> None:
    """The department answered: the clock stops (a late answer keeps its breach)."""
    if deadline is not None:
        clock.meet(deadline, now)


def reopened(deadline: CaseDeadline | None, now: datetime) -> None:
    """The answer was sent back: the clock runs again to the same due time, as a new version, so the sweep
    tells the department again of whatever rung has been reached (once)."""
    if deadline is None or deadline.status == DeadlineStatus.RUNNING:
        return
    deadline.status = DeadlineStatus.RUNNING
    deadline.version = (deadline.version or 0) + 1
    deadline.met_at = None
    deadline.last_fired = None
    clock.arm(deadline)


def stopped(deadline: CaseDeadline | None) -> None:
    """The order no longer asks anything of the department (closed, or the case merged): no verdict."""
    if deadline is not None:
        clock.cancel(deadline)
