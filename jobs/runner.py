"""The job table: what each background job does, run once with its outcome recorded (``jobs tick``)."""

import logging
import time
import traceback
from datetime import datetime

from app import metrics
from app.extensions import db
from app.timeutil import utcnow
from jobs import lease
from jobs import tasks
from models.jobstate import JobRun

log = logging.getLogger("suqiu.jobs")


# name: (function of now, seconds between runs in the scheduler); the order is the order of a tick.
JOBS = {
    "recompute": (tasks.recompute, 60),
    "sweep": (tasks.sweep, 60),
    "deliver": (tasks.deliver, 30),
    "digest": (tasks.digest, 300),
    "auto_supervision": (tasks.auto_supervision, 300),
    "figures": (tasks.figures, 60),
    "daily_report": (tasks.daily_report, 120),
    "periodic_reports": (tasks.periodic_reports, 300),
    "deliver_sms": (tasks.deliver_sms, 30),  # texts to citizens (app.notifications.sms)
}
DAILY = {
    "analyze": tasks.analyze,
    "hotspots": tasks.hotspots,
    "suggest_train": tasks.suggest_train,
    "backup": tasks.backup,  # the database and attachments, pruned by retention (app.backups)
    "privacy_retention": tasks.privacy_retention,  # personal data of long-finished cases erased
}


def run_job(name: str, now: datetime | None = None):
    """Run one job at ``now``, record its result in ``job_run``; never raises (errors are recorded)."""
    now = now or utcnow()
    function = JOBS[name][0] if name in JOBS else DAILY[name]
    started, clock = utcnow(), time.perf_counter()
    try:
        result, error = function(now), None
    except lease.LeaseLost:  # another scheduler took over mid-job; it goes on from the last commit
        db.session.rollback()
        result, error = "stopped: another scheduler holds the lease", None
        log.warning("job %s stopped: another scheduler took the lease", name)
    except Exception:  # a failing job must not stop the others or the scheduler
        db.session.rollback()
        result, error = None, traceback.format_exc(limit=5)
        log.exception("job %s failed", name)
    metrics.job_finished(name, time.perf_counter() - clock, result, failed=error is not None)
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
