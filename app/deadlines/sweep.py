"""The deadline sweep: fire each due rung of each ladder exactly once, with its notifications.

Exactly once: a rung is claimed by a compare-and-set on the deadline row (version and next step) and
recorded in ``deadline_fire`` (unique per deadline, step and version) in the same transaction as the
outbox rows it causes. A crash before the commit leaves nothing; a second sweeper finds the rung taken.
After downtime only the highest rung reached fires, naming the ones it skipped.

A batch of up to 500 rungs is claimed and recorded by one statement each (on PostgreSQL the claim is one
UPDATE over arrays, on SQLite an executemany; the fire records are counted from RETURNING, as PostgreSQL
reports no rowcount for a batched INSERT); if any claim in the batch was lost to another sweeper, the job
rolls the batch back and claims it again one rung at a time. Nothing
here commits: the job (``jobs.tasks.sweep``) commits once per batch, so a batch's claims, fire records,
colours and outbox rows commit together. Who hears of each rung is :mod:`app.deadlines.escalation`.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.orm import joinedload

from app.deadlines import escalation
from app.deadlines.clock import ladder_times
from app.deadlines.clock import ladder_urgency
from app.extensions import db
from app.extensions import dialect_insert
from app.extensions import insert_unless_exists
from app.notifications.outbox import Outbox
from models.case import Case
from models.deadline import CaseDeadline
from models.deadline import DeadlineFire
from models.deadline import DeadlineStatus
from models.deadline import LadderStep
from models.deadline import Stage
from models.deadline import Urgency
from models.types import UTCDateTime

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


# CLAIM for a whole batch in one statement (PostgreSQL): the rows come as one array per column, so the
# statement text never changes. 500 single-row UPDATEs cost the server a parse, plan and index walk each.
CLAIM_BATCH = text(
    """
    UPDATE case_deadline AS d
       SET next_step = c.next_step, next_fire_at = c.next_fire_at,
           last_fired = c.last_fired, breached_at = c.breached_at
      FROM unnest(CAST(:ids AS integer[]), CAST(:versions AS integer[]), CAST(:steps AS integer[]),
                  CAST(:next_steps AS integer[]), CAST(:next_fire_ats AS timestamp[]),
                  CAST(:last_fired AS varchar[]), CAST(:breached_ats AS timestamp[]))
           AS c(id, version, step, next_step, next_fire_at, last_fired, breached_at)
     WHERE d.id = c.id AND d.version = c.version AND d.next_step IS NOT DISTINCT FROM c.step
       AND d.status = :running
    RETURNING d.id
    """
)


_stored_time = UTCDateTime().process_bind_param  # the arrays bypass the column type: store times as it does


def _claim_arrays(rungs: list["Rung"]) -> dict:
    """CLAIM_BATCH's parameters: one list per column."""
    claims = [rung.claim for rung in rungs]
    return {
        "ids": [c["b_id"] for c in claims],
        "versions": [c["b_version"] for c in claims],
        "steps": [c["b_step"] for c in claims],
        "next_steps": [c["b_next_step"] for c in claims],
        "next_fire_ats": [_stored_time(c["b_next_fire_at"], None) for c in claims],
        "last_fired": [str(c["b_last_fired"]) for c in claims],
        "breached_ats": [_stored_time(c["b_breached_at"], None) for c in claims],
        "running": DeadlineStatus.RUNNING.value,
    }


class Run:
    """One sweep at ``now``: batches of due rungs, each claimed, recorded and announced in the caller's
    transaction. The job (``jobs.tasks.sweep``) commits after each batch; see the module docstring."""

    def __init__(self, now: datetime, batch: int = 500):
        self.now, self.batch = now, batch
        self.stats = {"fired": 0, "missed": 0, "taken": 0}
        self.seen: set[int] = set()
        self.outbox = Outbox()  # recipients are looked up once per run
        self.postgres = db.session.get_bind().dialect.name == "postgresql"

    def next_batch(self) -> list[Rung] | None:
        """The rungs reached by the next batch of due deadlines (locked on PostgreSQL); None when none is due."""
        query = due_query(self.now, self.batch)
        if self.postgres:
            query = query.with_for_update(skip_locked=True)
        ids = [i for i in db.session.scalars(query) if i not in self.seen]
        if not ids:
            return None
        self.seen.update(ids)
        deadlines = db.session.scalars(
            select(CaseDeadline)
            .where(CaseDeadline.id.in_(ids))
            .options(joinedload(CaseDeadline.case).joinedload(Case.lead_department))
            .order_by(CaseDeadline.case_id, CaseDeadline.id)  # lock cases in one order: no deadlock
        ).all()
        return [rung for d in deadlines if (rung := Rung.reached(d, self.now)) is not None]

    def claim_all(self, rungs: list[Rung]) -> bool:
        """Claim and record every rung with one statement each; False if any was taken by another sweeper.

        On False the claims made are still in the transaction: the caller rolls it back (the batch's
        transaction holds nothing else) and calls :meth:`claim_each`.
        """
        if not rungs:
            return True
        connection = db.session.connection()
        if self.postgres:
            if len(connection.execute(CLAIM_BATCH, _claim_arrays(rungs)).all()) != len(rungs):
                return False
        elif connection.execute(CLAIM, [rung.claim for rung in rungs]).rowcount != len(rungs):
            return False
        fires = (
            dialect_insert(FIRES)
            .on_conflict_do_nothing(index_elements=["deadline_id", "step", "deadline_version"])
            .returning(FIRES.c.deadline_id)
        )
        # Count the rows returned: a batched INSERT reports no usable rowcount on PostgreSQL (-1), which
        # once sent every batch down the one-rung-at-a-time path.
        recorded = connection.execute(fires, [rung.fire_row(self.now) for rung in rungs]).all()
        return len(recorded) == len(rungs)

    def claim_each(self, rungs: list[Rung]) -> list[Rung]:
        """Claim and record the rungs one at a time; those another sweeper took are counted, not returned."""
        return [rung for rung in rungs if self._claim_one(rung)]

    def _claim_one(self, rung: Rung) -> bool:
        claimed = db.session.connection().execute(CLAIM, rung.claim).rowcount
        if claimed != 1 or not insert_unless_exists(DeadlineFire, **rung.fire_row(self.now)):
            self.stats["taken"] += 1
            return False
        return True

    def announce(self, fired: list[Rung]) -> None:
        """Colour the cases and queue everyone's notifications of the fired rungs (one INSERT)."""
        _raise_urgency(fired)
        for rung in fired:
            escalation.notify(rung.deadline, rung.step, rung.missed, self.now, self.outbox)
            self.stats["fired"] += 1
            self.stats["missed"] += len(rung.missed)
        self.outbox.write()


def _raise_urgency(rungs: list[Rung]) -> None:
    """Turn the cases of fired rungs yellow (warning) or red (breach and after); never back from red.

    An order's rung (批示, 督办单), a co-department's part and a 令 leave the case's colour alone: the colour is
    of the case's own stages (:func:`app.deadlines.clock.refresh_case`); the others have their own lists."""
    by_colour: dict[str, set[int]] = {}
    for rung in rungs:
        deadline = rung.deadline
        if deadline.target_id is not None or deadline.part_id is not None or deadline.case_id is None:
            continue
        by_colour.setdefault(ladder_urgency(rung.step), set()).add(rung.deadline.case_id)
    for colour, case_ids in by_colour.items():
        # a case already of this colour is not written again (each write touches every index of the table)
        query = update(Case).where(Case.id.in_(sorted(case_ids)), Case.urgency.is_distinct_from(colour))
        if colour == Urgency.YELLOW:
            query = query.where(Case.urgency.is_distinct_from(Urgency.RED))
        db.session.execute(query.values(urgency=colour).execution_options(synchronize_session=False))
