"""The navbar bell: a user's unread inbox rows and, for administrators, the failed deliveries."""

from flask import g
from flask import url_for
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy import select

from app.auth.access import ADMIN_ROLES
from app.extensions import db
from models.notification import Channel
from models.notification import DeliveryStatus
from models.notification import Notification

# The navbar shows at most this many failed deliveries ("99+" beyond).
FAILED_BADGE_CAP = 99


def unread_count(user) -> int:
    """Unread inbox rows of ``user`` (answered from ``ix_notification_inbox``)."""
    query = select(func.count(Notification.id)).where(
        Notification.user_id == user.id,
        Notification.channel == Channel.INBOX,
        Notification.read_at.is_(None),
    )
    return db.session.scalar(query) or 0


def failed_count(cap: int = FAILED_BADGE_CAP) -> int:
    """Failed deliveries, counted up to ``cap`` + 1 (answered from ``ix_notification_due``)."""
    limited = select(Notification.id).where(Notification.status == DeliveryStatus.FAILED).limit(cap + 1)
    return db.session.scalar(select(func.count()).select_from(limited.subquery())) or 0


def notification_badges() -> dict | None:
    """What the navbar bell shows for the current user, computed once per request; None when logged out."""
    if not current_user.is_authenticated:
        return None
    cached = g.get("_suqiu_notification_badges")
    if cached is None:
        failed = failed_count() if current_user.role in ADMIN_ROLES else 0
        cached = {
            "unread": unread_count(current_user),
            "failed": failed,
            "failed_text": f"{FAILED_BADGE_CAP}+" if failed > FAILED_BADGE_CAP else str(failed),
            "inbox_url": url_for("inbox.index"),
            "failed_url": url_for("notification.index_view", flt0_status_equals=str(DeliveryStatus.FAILED))
            if failed
            else None,
        }
        g._suqiu_notification_badges = cached
    return cached
