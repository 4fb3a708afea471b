"""The checks behind ``/healthz``: each cheap, each answering with figures only (never personal data).

A check returns ``(ok, details)``. Every query is indexed or tiny: a ``SELECT 1``, the alembic version row,
the scheduler lease row, the outbox backlog (``ix_notification_due``: status, next_attempt_at) and the
work calendar's days of two years (the dashboard's own rule, :func:`calendar_health`).
"""

from datetime import datetime
from functools import cache

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text

from app.deadlines.calendar_seed import calendar_health
from app.extensions import db
from app.notifications.delivery import channels
from app.timeutil import local_day
from jobs.scheduler import LEASE
from models.jobstate import JobLock
from models.notification import DeliveryStatus
from models.notification import Notification


def database() -> tuple[bool, dict]:
    """The database answers a trivial SELECT within HEALTH_DB_TIMEOUT_MS (PostgreSQL: statement_timeout).

    Read-only like every check here; the caller (``app.ops.views``) ends the transaction.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        timeout = int(current_app.config["HEALTH_DB_TIMEOUT_MS"])
        db.session.execute(text(f"SET LOCAL statement_timeout = {timeout}"))
    db.session.execute(text("SELECT 1"))
    return True, {}


@cache
def code_heads(directory: str) -> tuple[str, ...]:
    """The migration heads the code ships (read once per process: the files do not change under it)."""
    config = Config()
    config.set_main_option("script_location", directory)
    return tuple(sorted(ScriptDirectory.from_config(config).get_heads()))


def migrations() -> tuple[bool, dict]:
    """The database's alembic revision is the code's head."""
    code = code_heads(current_app.extensions["migrate"].directory)
    current = tuple(sorted(MigrationContext.configure(db.session.connection()).get_current_heads()))
    return current == code, {"database": list(current), "code": list(code)}


def scheduler(now: datetime) -> tuple[bool, dict]:
    """The scheduler lease was renewed within HEALTH_LEASE_MAX_AGE_S (renewed = expiry minus lease time)."""
    limit = current_app.config["HEALTH_LEASE_MAX_AGE_S"]
    expires = db.session.scalar(select(JobLock.expires_at).where(JobLock.name == LEASE))
    if expires is None:
        return False, {"age_s": None, "max_age_s": limit}
    renewed = expires.timestamp() - current_app.config["SCHEDULER_LEASE_SECONDS"]
    age = max(0, round(now.timestamp() - renewed))
    return age <= limit, {"age_s": age, "max_age_s": limit}


def outbox_figures(now: datetime) -> dict:
    """Undelivered rows on the channels delivered now, the age of the oldest, and the failed rows."""
    pending = (Notification.status == DeliveryStatus.PENDING, Notification.channel.in_(channels()))
    backlog, oldest = db.session.execute(
        select(func.count(Notification.id), func.min(Notification.created_at)).where(*pending)
    ).one()
    failed = db.session.scalar(
        select(func.count(Notification.id)).where(Notification.status == DeliveryStatus.FAILED)
    )
    age = None if oldest is None else max(0, round(now.timestamp() - oldest.timestamp()))
    return {"backlog": backlog, "oldest_age_s": age, "failed": failed}


def outbox(now: datetime) -> tuple[bool, dict]:
    """The outbox backlog is under HEALTH_OUTBOX_MAX_BACKLOG and its oldest row under HEALTH_OUTBOX_MAX_AGE_S."""
    figures = outbox_figures(now)
    config = current_app.config
    ok = figures["backlog"] <= config["HEALTH_OUTBOX_MAX_BACKLOG"] and (
        figures["oldest_age_s"] is None or figures["oldest_age_s"] <= config["HEALTH_OUTBOX_MAX_AGE_S"]
    )
    return ok, {"backlog": figures["backlog"], "oldest_age_s": figures["oldest_age_s"]}


def work_calendar(now: datetime) -> tuple[bool, dict]:
    """The dashboard's rule: this year complete, and from November on next year too."""
    health = calendar_health(local_day(now))
    if health is None:
        return True, {}
    return False, {"missing_days": {str(year): count for year, count in health["missing"].items()}}


def checks(now: datetime) -> dict:
    """Every check of /healthz by name, each a function of nothing."""
    return {
        "database": database,
        "migrations": migrations,
        "scheduler": lambda: scheduler(now),
        "outbox": lambda: outbox(now),
        "work_calendar": lambda: work_calendar(now),
    }
