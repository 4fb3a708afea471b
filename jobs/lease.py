"""A database lease so that only one scheduler runs jobs, whatever is started by mistake."""

import os
import socket
import uuid
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
