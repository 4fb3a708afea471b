"""The deadline sweep: fire each due rung of each ladder exactly once, with its notifications.

Exactly once: a rung is claimed by a compare-and-set on the deadline row (version and next step) and
recorded in ``deadline_fire`` (unique per deadline, step and version) in the same transaction as the
outbox rows it causes. A crash before the commit leaves nothing; a second sweeper finds the rung taken.
After downtime only the highest rung reached fires, naming the ones it skipped.

A batch of up to 500 rungs is claimed and recorded by one statement each (a savepoint around them); if
any claim in the batch was lost to another sweeper, the batch goes again one rung at a time.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import joinedload

from app.config import public_url
from app.deadlines.clock import ladder_times
from app.deadlines.clock import ladder_urgency
from app.extensions import db
from app.extensions import dialect_insert
from app.extensions import insert_unless_exists
from app.notifications.outbox import Outbox
from app.notifications.outbox import notify_department
from app.notifications.outbox import notify_role
from app.notifications.outbox import notify_users
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
DEADLINES = CaseDeadline.__table__
FIRES = DeadlineFire.__table__


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


@dataclass
class Rung:
    """The rung of one deadline a sweep at ``now`` fires, and the claim that moves the deadline past it."""

    deadline: CaseDeadline
    step: str
    missed: list[str]
    claim: dict  # CLAIM's parameters, taken from the row as the sweep read it

    @classmethod
    def reached(cls, deadline: CaseDeadline, now: datetime) -> "Rung | None":
        """The highest rung reached by ``now`` from the deadline's next one; None when none is."""
        times = ladder_times(deadline)
        start = deadline.next_step or 0
        reached = [(i, step) for i, (step, at) in enumerate(times) if i >= start and at <= now]
        if not reached:
            return None
        index, step = reached[-1]
        breached = deadline.breached_at
        if step != LadderStep.WARN and breached is None:
            breached = deadline.due_at
        claim = {
            "b_id": deadline.id,
            "b_version": deadline.version,
            "b_step": deadline.next_step,
            "b_next_step": index + 1,
            "b_next_fire_at": times[index + 1][1] if index + 1 < len(times) else None,
            "b_last_fired": step,
            "b_breached_at": breached,
        }
        return cls(deadline=deadline, step=step, missed=[s for _, s in reached[:-1]], claim=claim)

    def fire_row(self, now: datetime) -> dict:
        """The ``deadline_fire`` row recording this rung."""
        return {
            "deadline_id": self.claim["b_id"],
            "step": self.step,
            "deadline_version": self.claim["b_version"],
            "fired_at": now,
            "missed": self.missed,
        }


# Compare-and-set: only a deadline still at the version and rung the sweep read moves on.
CLAIM = (
    update(DEADLINES)
    .where(
        DEADLINES.c.id == bindparam("b_id"),
        DEADLINES.c.version == bindparam("b_version"),
        DEADLINES.c.next_step.is_not_distinct_from(bindparam("b_step")),
        DEADLINES.c.status == DeadlineStatus.RUNNING.value,
    )
    .values(
        next_step=bindparam("b_next_step"),
        next_fire_at=bindparam("b_next_fire_at"),
        last_fired=bindparam("b_last_fired"),
        breached_at=bindparam("b_breached_at"),
    )
)


def sweep(now: datetime | None = None, batch: int = 500) -> dict:
    """Fire every rung due at ``now``; commit per batch; return counts."""
    now = now or utcnow()
    stats = {"fired": 0, "missed": 0, "taken": 0}
    seen: set[int] = set()
    outbox = Outbox()  # recipients are looked up once per run
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
        rungs = [rung for d in deadlines if (rung := Rung.reached(d, now)) is not None]
        fired = _claim_all(rungs, now) or [rung for rung in rungs if _claim_one(rung, now, stats)]
        _raise_urgency(fired)
        for rung in fired:
            _notify(rung.deadline, rung.step, rung.missed, now, outbox)
            stats["fired"] += 1
            stats["missed"] += len(rung.missed)
        outbox.write()
        db.session.commit()


def _claim_all(rungs: list[Rung], now: datetime) -> list[Rung] | None:
    """Claim and record every rung with one statement each; None, all rolled back, if any was taken."""
    if not rungs:
        return []
    connection = db.session.connection()
    claimed = connection.execute(CLAIM, [rung.claim for rung in rungs]).rowcount
    if claimed == len(rungs):
        fires = dialect_insert(FIRES).on_conflict_do_nothing(
            index_elements=["deadline_id", "step", "deadline_version"]
        )
        if connection.execute(fires, [rung.fire_row(now) for rung in rungs]).rowcount == len(rungs):
            return rungs
    # The batch's transaction holds nothing but these claims (each batch commits): undo them all.
    db.session.rollback()
    return None


def _claim_one(rung: Rung, now: datetime, stats: dict) -> bool:
    """Claim and record one rung; count it as taken when another sweeper got there first."""
    claimed = db.session.connection().execute(CLAIM, rung.claim).rowcount
    if claimed != 1 or not insert_unless_exists(DeadlineFire, **rung.fire_row(now)):
        stats["taken"] += 1
        return False
    return True


def _raise_urgency(rungs: list[Rung]) -> None:
    """Turn the cases of fired rungs yellow (warning) or red (breach and after); never back from red."""
    by_colour: dict[str, set[int]] = {}
    for rung in rungs:
        by_colour.setdefault(ladder_urgency(rung.step), set()).add(rung.deadline.case_id)
    for colour, case_ids in by_colour.items():
        query = update(Case).where(Case.id.in_(sorted(case_ids)))
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
    lines.append(public_url(f"/admin/case/details/?id={case.id}"))
    return subject, "\n".join(lines)


def _notify(deadline: CaseDeadline, step: str, missed: list[str], now: datetime, outbox: Outbox) -> None:
    """Send the rung's message to everyone it, or a rung it stands in for after downtime, would tell."""
    case = deadline.case
    subject, body = message(deadline, step, missed)
    kwargs = {
        "kind": f"deadline_{step}",
        "case": case,
        "now": now,
        "data": {"stage": deadline.stage},
        "outbox": outbox,
    }
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
