"""Writing notifications: an inbox row per person plus outbox rows (e-mail, group robot) for the delivery job.

Callers run these inside their own transaction and commit themselves: the notification rows then
commit (or roll back) together with whatever caused them. Nothing here commits or sends anything.
"""

from collections.abc import Iterable

from flask import g
from flask import url_for
from flask_login import current_user
from sqlalchemy import func
from sqlalchemy import select

from app.access import ADMIN_ROLES
from app.extensions import db
from app.timeutil import utcnow
from models.notification import Channel
from models.notification import DeliveryStatus
from models.notification import Notification
from models.org import Department
from models.user import User

# The navbar shows at most this many failed deliveries ("99+" beyond).
FAILED_BADGE_CAP = 99
SUBJECT_MAX = 200  # Notification.subject is String(200)


class _Batch:
    """The rows of one notify call, with the people and mail addresses already served."""

    def __init__(self, subject, body, kind, case, data, now):
        self.fields = {"subject": str(subject)[:SUBJECT_MAX], "body": str(body), "kind": kind, "case": case}
        self.data = data or {}
        self.now = now or utcnow()
        self.rows: list[Notification] = []
        self.user_ids: set = set()
        self.addresses: set[str] = set()

    def _row(self, channel, **fields) -> Notification:
        delivered = channel == Channel.INBOX
        row = Notification(
            channel=channel,
            created_at=self.now,
            status=DeliveryStatus.SENT if delivered else DeliveryStatus.PENDING,
            sent_at=self.now if delivered else None,
            next_attempt_at=None if delivered else self.now,
            attempts=0,
            data=dict(self.data),
            **self.fields,
            **fields,
        )
        self.rows.append(row)
        return row

    def email(self, address: str | None, **fields) -> None:
        """A pending e-mail, once per address within the call."""
        address = (address or "").strip()
        if address and address.lower() not in self.addresses:
            self.addresses.add(address.lower())
            self._row(Channel.EMAIL, address=address, **fields)

    def user(self, user: User, department: Department | None = None) -> None:
        """Inbox row (and e-mail) for one active user, once per user within the call."""
        key = user.id if user.id is not None else ("unsaved", id(user))
        if not user.active or key in self.user_ids:
            return
        self.user_ids.add(key)
        department_id = department.id if department is not None else None
        self._row(Channel.INBOX, user=user, department_id=department_id)
        self.email(user.email, user=user, department_id=department_id)

    def department(self, department: Department) -> None:
        """The department's own mailbox and group robot."""
        self.email(department.email, department=department)
        url = (department.webhook_url or "").strip()
        if url:
            self._row(Channel.WEBHOOK, address=url, department=department)

    def save(self) -> list[Notification]:
        db.session.add_all(self.rows)
        return self.rows


def notify_users(
    users: Iterable[User], subject, body, *, kind, case=None, data=None, now=None
) -> list[Notification]:
    """Notify each active user: an inbox row (delivered at once) and a pending e-mail when they have one."""
    batch = _Batch(subject, body, kind, case, data, now)
    for user in users:
        batch.user(user)
    return batch.save()


def notify_department(
    department: Department, subject, body, *, kind, case=None, data=None, now=None
) -> list[Notification]:
    """Notify a department's active users, its mailbox and its group robot."""
    batch = _Batch(subject, body, kind, case, data, now)
    members = db.session.scalars(
        select(User).where(User.department_id == department.id, User.active.is_(True)).order_by(User.id)
    )
    for user in members:
        batch.user(user, department)
    batch.department(department)
    return batch.save()


def notify_role(role, subject, body, *, kind, case=None, data=None, now=None) -> list[Notification]:
    """Notify every active user holding ``role`` (e.g. all supervisors)."""
    users = db.session.scalars(select(User).where(User.role == role, User.active.is_(True)).order_by(User.id))
    return notify_users(users, subject, body, kind=kind, case=case, data=data, now=now)


# --- the navbar bell ---------------------------------------------------------------------------


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


def register_template_helpers(app) -> None:
    """Expose ``notification_badges()`` to templates (the bell in ``admin/suqiu_base.html``)."""
    app.jinja_env.globals["notification_badges"] = notification_badges
