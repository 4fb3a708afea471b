"""APScheduler wiring: one scheduler, guarded by a database lease, runs the job table."""

import atexit
import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from app.timeutil import LOCAL_TZ
from jobs import lease
from jobs.runner import DAILY
from jobs.runner import JOBS
from jobs.runner import run_job

LEASE = "scheduler"
log = logging.getLogger("suqiu.jobs")
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}


def _guarded(app, holder: str, name: str):
    def run():
        with app.app_context():
            ttl = app.config.get("SCHEDULER_LEASE_SECONDS", 90)
            if not lease.acquire(LEASE, holder, ttl_seconds=ttl):
                log.info("job %s skipped: another scheduler holds the lease", name)
                return
            with lease.holding(LEASE, holder, ttl):
                run_job(name)

    return run


def build(app, blocking: bool = False):
    """A scheduler with every job of the job table, each run only while this process holds the lease."""
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(timezone=LOCAL_TZ, job_defaults=JOB_DEFAULTS)
    holder = lease.new_holder()
    for name, (_, seconds) in JOBS.items():
        scheduler.add_job(
            _guarded(app, holder, name), "interval", seconds=seconds, id=name, replace_existing=True
        )
    for name in DAILY:
        scheduler.add_job(
            _guarded(app, holder, name), "cron", hour=3, minute=15, id=name, replace_existing=True
        )
    scheduler.holder = holder
    return scheduler


def start_in_process(app):
    """Start the scheduler inside the web process (``make run`` only; production runs ``jobs run``)."""
    scheduler = build(app)
    scheduler.start()

    def stop():
        scheduler.shutdown(wait=False)
        with app.app_context():
            lease.release(LEASE, scheduler.holder)

    atexit.register(stop)
    return scheduler
