"""The deadline sweep: fire each due rung of each ladder exactly once, with its notifications.

Exactly once: a rung is claimed by a compare-and-set on the deadline row (version and next step) and
recorded in ``deadline_fire`` (unique per deadline, step and version) in the same transaction as the
outbox rows it causes. A crash before the commit leaves nothing; a second sweeper finds the rung taken.
After downtime only the highest rung reached fires, naming the ones it skipped.
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import joinedload

from app.deadline_clock import ladder_times
from app.extensions import db
from app.extensions import insert_unless_exists
from app.notify import notify_department
from app.notify import notify_role
from app.notify import notify_users
from app.timeutil import format_local
from app.timeutil import utcnow
from models.case import Case
from models.deadline import LADDER_STEP_LABELS
from models.deadline import STAGE_LABELS
from models.deadline import CaseDeadline
from models.deadline import DeadlineFire
from models.deadline import DeadlineStatus
from models.deadline import LadderStep
from models.deadline import Stage
from models.deadline import Urgency
from models.enums import Role

INTAKE_STAGES = {Stage.REGISTER, Stage.DISPATCH, Stage.REVISIT}


def due_query(now: datetime, limit: int):
    """The indexed SELECT the sweep runs: running deadlines whose next rung is due (the floor)."""
    return (
        select(CaseDeadline.id)
        .where(
            CaseDeadline.status == DeadlineStatus.RUNNING,
            CaseDeadline.next_fire_at.is_not(None),
            CaseDeadline.next_fire_at <= now,
        )
        .order_by(CaseDeadline.next_fire_at)
        .limit(limit)
    )


def sweep(now: datetime | None = None, batch: int = 500) -> dict:
    """Fire every rung due at ``now``; commit per batch; return counts."""
    now = now or utcnow()
    stats = {"fired": 0, "missed": 0, "taken": 0}
    seen: set[int] = set()
    postgres = db.session.get_bind().dialect.name == "postgresql"
    while True:
        query = due_query(now, batch)
        if postgres:
            query = query.with_for_update(skip_locked=True)
        ids = [i for i in db.session.scalars(query) if i not in seen]
        if not ids:
            db.session.commit()
            return stats
        seen.update(ids)
        deadlines = db.session.scalars(
            select(CaseDeadline)
            .where(CaseDeadline.id.in_(ids))
            .options(joinedload(CaseDeadline.case).joinedload(Case.lead_department))
            .order_by(CaseDeadline.case_id, CaseDeadline.id)  # lock cases in one order: no deadlock
        ).all()
        for deadline in deadlines:
            fire(deadline, now, stats)
        db.session.commit()


def fire(deadline: CaseDeadline, now: datetime, stats: dict) -> None:
    """Fire the highest rung of ``deadline`` reached by ``now``, once; skip it if another sweeper did."""
    times = ladder_times(deadline)
    start = deadline.next_step or 0
    reached = [(i, step) for i, (step, at) in enumerate(times) if i >= start and at <= now]
    if not reached:
        return
    index, step = reached[-1]
    missed = [s for _, s in reached[:-1]]
    following = times[index + 1][1] if index + 1 < len(times) else None
    values = {"next_step": index + 1, "next_fire_at": following, "last_fired": step}
    if step != LadderStep.WARN and deadline.breached_at is None:
        values["breached_at"] = deadline.due_at
    claimed = db.session.execute(
        update(CaseDeadline)
        .where(
            CaseDeadline.id == deadline.id,
            CaseDeadline.version == deadline.version,
            CaseDeadline.next_step == deadline.next_step,
            CaseDeadline.status == DeadlineStatus.RUNNING,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    fire_row = {
        "deadline_id": deadline.id,
        "step": step,
        "deadline_version": deadline.version,
        "fired_at": now,
        "missed": missed,
    }
    if claimed != 1 or not insert_unless_exists(DeadlineFire, **fire_row):
        stats["taken"] += 1
        return
    _raise_urgency(deadline.case_id, step)
    _notify(deadline, step, missed, now)
    stats["fired"] += 1
    stats["missed"] += len(missed)


def _raise_urgency(case_id: int, step: str) -> None:
    colour = Urgency.YELLOW if step == LadderStep.WARN else Urgency.RED
    query = update(Case).where(Case.id == case_id)
    if colour == Urgency.YELLOW:
        query = query.where(Case.urgency.is_distinct_from(Urgency.RED))
    db.session.execute(query.values(urgency=colour).execution_options(synchronize_session=False))


def message(deadline: CaseDeadline, step: str, missed: list[str]) -> tuple[str, str]:
    """Subject and body of a ladder notification, in the default language."""
    case = deadline.case
    stage = STAGE_LABELS.get(deadline.stage, deadline.stage)
    subject = _(
        "[%(step)s] %(number)s %(stage)s, due %(due)s",
        step=LADDER_STEP_LABELS[step],
        number=case.number,
        stage=stage,
        due=format_local(deadline.due_at),
    )
    lines = [
        _("Case %(number)s: %(title)s", number=case.number, title=case.title),
        _("Step: %(stage)s (%(policy)s)", stage=stage, policy=deadline.policy_snapshot.get("name", "")),
        _("Due: %(due)s", due=format_local(deadline.due_at)),
    ]
    if missed:
        skipped = ", ".join(str(LADDER_STEP_LABELS.get(s, s)) for s in missed)
        lines.append(_("Reminders missed while the system was down: %(steps)s.", steps=skipped))
    lines.append(f"/admin/case/details/?id={case.id}")
    return subject, "\n".join(lines)


def _notify(deadline: CaseDeadline, step: str, missed: list[str], now: datetime) -> None:
    """Send the rung's message to everyone it, or a rung it stands in for after downtime, would tell."""
    case = deadline.case
    subject, body = message(deadline, step, missed)
    kwargs = {"kind": f"deadline_{step}", "case": case, "now": now, "data": {"stage": deadline.stage}}
    steps = {step, *missed}  # after downtime the skipped rungs' recipients still hear, once, of the highest
    if steps & {LadderStep.WARN, LadderStep.BREACH}:
        if deadline.stage in INTAKE_STAGES or case.lead_department is None:
            notify_role(Role.CLERK, subject, body, **kwargs)
        else:
            notify_department(case.lead_department, subject, body, **kwargs)
    if steps & {LadderStep.BREACH, LadderStep.ESCALATE_SUPERVISOR}:
        notify_role(Role.SUPERVISOR, subject, body, **kwargs)
    if LadderStep.ESCALATE_LEADER in steps:
        if case.owner_leader is not None:
            notify_users([case.owner_leader], subject, body, **kwargs)
        else:
            notify_role(Role.LEADER, subject, body, **kwargs)
