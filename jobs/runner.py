"""The job table: what each background job does, run once with its outcome recorded (``jobs tick``)."""

import logging
import traceback
from datetime import datetime

from app.deadlines import digest
from app.deadlines.recompute import recompute_pending
from app.deadlines.sweep import sweep
from app.extensions import db
from app.maintenance import refresh_planner_statistics
from app.notifications.delivery import deliver_due
from app.timeutil import utcnow
from models.jobstate import JobRun

log = logging.getLogger("suqiu.jobs")


def _digest(now: datetime):
    return digest.send_digest(now) if digest.is_due(now) else "not yet"


# name: (function of now, seconds between runs in the scheduler); the order is the order of a tick.
JOBS = {
    "recompute": (recompute_pending, 60),
    "sweep": (sweep, 60),
    "deliver": (deliver_due, 30),
    "digest": (_digest, 300),
}
DAILY = {"analyze": lambda now: refresh_planner_statistics()}


def run_job(name: str, now: datetime | None = None):
    """Run one job at ``now``, record its result in ``job_run``; never raises (errors are recorded)."""
    now = now or utcnow()
    function = JOBS[name][0] if name in JOBS else DAILY[name]
    started = utcnow()
    try:
        result, error = function(now), None
    except Exception:  # a failing job must not stop the others or the scheduler
        db.session.rollback()
        result, error = None, traceback.format_exc(limit=5)
        log.exception("job %s failed", name)
    run = db.session.get(JobRun, name) or JobRun(name=name)
    run.started_at, run.finished_at = started, utcnow()
    run.result = None if result is None else str(result)[:1000]
    run.error = error
    db.session.add(run)
    db.session.commit()
    return result if error is None else error


def tick(now: datetime | None = None) -> dict:
    """Run every job that is due at ``now`` once, in order; return each one's result."""
    return {name: run_job(name, now) for name in JOBS}
