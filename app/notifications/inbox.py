"""A user's inbox: the rows shown to them and marking them read."""

from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.notifications import links as message_links
from models.case import Case
from models.notification import Channel
from models.notification import Notification


def own(user) -> tuple:
    """The conditions selecting ``user``'s inbox rows (answered from ``ix_notification_inbox``)."""
    return (Notification.user_id == user.id, Notification.channel == Channel.INBOX)


def count(user) -> int:
    """How many inbox rows ``user`` has."""
    return db.session.scalar(select(func.count(Notification.id)).where(*own(user))) or 0


def page(user, number: int, size: int) -> list[Notification]:
    """One page of ``user``'s inbox, newest first, with each row's case loaded."""
    return db.session.scalars(
        select(Notification)
        .where(*own(user))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset(number * size)
        .limit(size)
        .options(selectinload(Notification.case).selectinload(Case.co_departments))
    ).all()


def links(row: Notification) -> list[dict]:
    """The links a row carries (``data["links"]``), only paths inside the admin pages."""
    return message_links.valid((row.data or {}).get("links"))


def mark_read(user, notification_id: int, now: datetime) -> Notification | None:
    """Mark one of ``user``'s own rows read; None when it is not theirs (flushed)."""
    row = db.session.scalar(select(Notification).where(Notification.id == notification_id, *own(user)))
    if row is not None and row.read_at is None:
        row.read_at = now
        db.session.flush()
    return row


def mark_all_read(user, now: datetime) -> int:
    """Mark every unread row of ``user`` read; how many were."""
    result = db.session.execute(
        update(Notification)
        .where(*own(user), Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
