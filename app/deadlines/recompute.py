"""Recompute open deadlines after a policy or calendar change, in the background, and record the result."""

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


def recompute_pending(now: datetime) -> int:
    """Work through waiting recompute requests; return how many deadlines changed."""
    requests = db.session.scalars(
        select(RecomputeRequest).where(RecomputeRequest.done_at.is_(None)).order_by(RecomputeRequest.id)
    ).all()
    if not requests:
        return 0
    invalidate_cache()
    stages = set()
    for request in requests:
        stage = (request.scope or {}).get("stage")
        stages.add(stage if stage else None)
    query = select(CaseDeadline.id).where(CaseDeadline.status == DeadlineStatus.RUNNING)
    if None not in stages:
        query = query.where(CaseDeadline.stage.in_(stages))
    ids = db.session.scalars(query.order_by(CaseDeadline.id)).all()
    changed = 0
    for offset in range(0, len(ids), BATCH):
        deadlines = db.session.scalars(
            select(CaseDeadline)
            .where(CaseDeadline.id.in_(ids[offset : offset + BATCH]))
            .options(joinedload(CaseDeadline.case))
        ).all()
        changed += sum(clock.recompute(d, now) for d in deadlines)
        db.session.commit()
    for request in requests:
        request.done_at = now
        request.affected = changed
    db.session.commit()
    return changed
