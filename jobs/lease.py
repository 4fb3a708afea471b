"""A database lease so that only one scheduler runs jobs, whatever is started by mistake.

A job longer than the lease renews it between its batches (:func:`renew_held`), so a second scheduler
does not take over a live process; a process that finds its lease taken stops (:class:`LeaseLost`).
"""

import os
import socket
import time
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from datetime import timedelta

from sqlalchemy import case
from sqlalchemy import or_
from sqlalchemy import update

from app.extensions import db
from app.extensions import insert_unless_exists
from app.timeutil import utcnow
from models.jobstate import JobLock


def new_holder() -> str:
    """A name for this process: host, pid and a random part."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire(name: str, holder: str, ttl_seconds: int = 90, now: datetime | None = None) -> bool:
    """Take or renew lease ``name`` for ``holder``; False while another holder's lease is unexpired."""
    now = now or utcnow()
    expires = now + timedelta(seconds=ttl_seconds)
    insert_unless_exists(JobLock, name=name, holder=holder, expires_at=expires, acquired_at=now)
    db.session.execute(
        update(JobLock)
        .where(JobLock.name == name, or_(JobLock.holder == holder, JobLock.expires_at < now))
        .values(
            holder=holder,
            expires_at=expires,
            acquired_at=case((JobLock.holder == holder, JobLock.acquired_at), else_=now),  # a takeover
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    row = db.session.get(JobLock, name, populate_existing=True)
    return row is not None and row.holder == holder


def release(name: str, holder: str, now: datetime | None = None) -> None:
    """Give the lease up (on a clean shutdown) so another process may take it at once."""
    now = now or utcnow()
    db.session.execute(
        update(JobLock)
        .where(JobLock.name == name, JobLock.holder == holder)
        .values(expires_at=now - timedelta(seconds=1))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


class LeaseLost(Exception):
    """Another process holds the lease now: this one stops its job between two batches."""


class _Held:
    def __init__(self, name: str, holder: str, ttl_seconds: int):
        self.name, self.holder, self.ttl = name, holder, ttl_seconds
        self.renewed = time.monotonic()


_held: ContextVar[_Held | None] = ContextVar("suqiu_lease_held", default=None)


@contextmanager
def holding(name: str, holder: str, ttl_seconds: int):
    """Run the body as the holder of lease ``name``, so long jobs inside may :func:`renew_held` it."""
    token = _held.set(_Held(name, holder, ttl_seconds))
    try:
        yield
    finally:
        _held.reset(token)


def renew_held(now: datetime | None = None, force: bool = False) -> None:
    """Between two committed batches: extend the lease held by this job (at most every third of its time
    to live, unless ``force``); raise :class:`LeaseLost` when another process has taken it."""
    held = _held.get()
    if held is None:
        return  # not under the scheduler (``jobs tick``, a CLI command, a test)
    if not force and time.monotonic() - held.renewed < held.ttl / 3:
        return
    if not acquire(held.name, held.holder, held.ttl, now):
        raise LeaseLost(held.name)
    held.renewed = time.monotonic()
