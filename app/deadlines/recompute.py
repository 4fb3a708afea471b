"""Recompute open deadlines after a policy or calendar change, and record the result.

The job (``jobs.tasks.recompute``) walks the deadlines in batches and commits after each one.
"""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.deadlines import clock
from app.deadlines.workcalendar import invalidate_cache
from app.extensions import db
from models.deadline import CaseDeadline
from models.deadline import DeadlineStatus
from models.jobstate import RecomputeRequest

BATCH = 500


def pending() -> list[RecomputeRequest]:
    """The recompute requests not yet done, oldest first."""
    return db.session.scalars(
        select(RecomputeRequest).where(RecomputeRequest.done_at.is_(None)).order_by(RecomputeRequest.id)
    ).all()


def running_deadline_ids(requests: list[RecomputeRequest]) -> list[int]:
    """Ids of the running deadlines the requests touch (all stages when one request names none).

    An order's clock (批示, 督办单: due when its issuer said) and a 令's clock (its class's rules as issued)
    follow no policy, so no policy or calendar change moves them.
    """
    invalidate_cache()
    stages = {(request.scope or {}).get("stage") or None for request in requests}
    query = select(CaseDeadline.id).where(
        CaseDeadline.status == DeadlineStatus.RUNNING,
        CaseDeadline.target_id.is_(None),
        CaseDeadline.field_target_id.is_(None),
    )
    if None not in stages:
        query = query.where(CaseDeadline.stage.in_(stages))
    return list(db.session.scalars(query.order_by(CaseDeadline.id)))


def batches(ids: list[int]):
    """``ids`` in slices of :data:`BATCH`."""
    for offset in range(0, len(ids), BATCH):
        yield ids[offset : offset + BATCH]


def recompute_batch(ids: list[int], now: datetime) -> int:
    """Recompute the deadlines with these ids (flushed); return how many changed."""
    deadlines = db.session.scalars(
        select(CaseDeadline).where(CaseDeadline.id.in_(ids)).options(joinedload(CaseDeadline.case))
    ).all()
    changed = sum(clock.recompute(d, now) for d in deadlines)
    db.session.flush()
    return changed


def finish(requests: list[RecomputeRequest], now: datetime, changed: int) -> None:
    """Mark the requests done with how many deadlines changed."""
    for request in requests:
        request.done_at = now
        request.affected = changed
    db.session.flush()
