"""Writing notifications: an inbox row per person plus outbox rows (e-mail, group robot) for the delivery job.

Callers run these inside their own transaction and commit themselves: the notification rows then
commit (or roll back) together with whatever caused them. Nothing here commits or sends anything.

A message names the records it is about as links (``data["links"]``: path and text, e.g. a case number);
the inbox, the e-mail and the group robot each render them as links, so no body carries a raw URL. A
person's e-mail follows their choice for the kind (:mod:`app.notifications.preferences`). Messages
gathered on an :class:`Outbox` (:meth:`Outbox.gather`) reach each person as one message per write, listing
every item, however many there are.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from app.auth.redaction import redact_free_text
from app.auth.redaction import redact_json
from app.extensions import db
from app.notifications import preferences
from app.timeutil import utcnow
from models.notification import Channel
from models.notification import DeliveryStatus
from models.notification import Notification
from models.org import Department
from models.user import User

SUBJECT_MAX = 200  # Notification.subject is String(200)
GROUP_LISTED = 30  # items named in a gathered message; the rest are counted


@dataclass
class Gathered:
    """One item of a gathered message: what it would say alone, and its line in a list."""

    subject: str
    body: str
    line: str
    links: list
    case: object = None
    data: dict | None = None


class Outbox:
    """Notification rows of many notify calls, written by one INSERT; recipients looked up once per outbox.

    The sweep uses one per run: thousands of rungs then cost a handful of statements, not a flush each.
    Rows must refer to saved users, departments and cases (their ids are copied).
    """

    def __init__(self):
        self.rows: list[dict] = []
        self._active: list[User] | None = None
        self._members: dict = {}
        self._muted: dict = {}
        self._groups: dict = {}

    def muted(self, kind: str) -> set[int]:
        """Users who turned e-mail off for ``kind`` (looked up once per kind)."""
        if kind not in self._muted:
            self._muted[kind] = preferences.muted(kind, Channel.EMAIL)
        return self._muted[kind]

    def gather(self, users: Iterable[User], kind: str, title, item: Gathered, now: datetime) -> None:
        """Hold ``item`` for each of ``users``: at :meth:`write` each hears once, of all their items.

        ``title`` names what the items are (e.g. the rung "升级至包案领导") in the message of several.
        """
        for user in users:
            group = self._groups.setdefault((user.id, kind), {"user": user, "title": str(title), "items": []})
            group["items"].append(item)
            group["now"] = now

    def members(self, key: tuple) -> list[User]:
        """The active users of ``("department", id)`` or ``("role", role)``, by id. Every active user is read
        once per outbox (one query, however many departments a sweep reaches) and grouped here."""
        if self._active is None or (self._active and sa_inspect(self._active[0]).expired):
            # first use, or a commit between two sweep batches expired them: one query refreshes them all
            self._active = list(
                db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.id))
            )
            self._members = {}
        if key not in self._members:
            kind, value = key
            attribute = "department_id" if kind == "department" else "role"
            self._members[key] = [user for user in self._active if getattr(user, attribute) == value]
        return self._members[key]

    def add(self, rows: list[dict]) -> None:
        """Queue ``rows`` (from :class:`_Batch`) for :meth:`write`."""
        for row in rows:
            flat = {"user_id": None, "department_id": None, "case_id": None, "address": None, **row}
            for name in ("user", "department", "case"):
                if (related := flat.pop(name, None)) is not None:
                    flat[f"{name}_id"] = related.id
            self.rows.append(flat)

    def write(self) -> int:
        """Insert the queued rows, and a message per person of the gathered items, in one statement."""
        self._write_groups()
        count = len(self.rows)
        if self.rows:
            db.session.connection().execute(Notification.__table__.insert(), self.rows)
            self.rows = []
        return count

    def _write_groups(self) -> None:
        groups, self._groups = self._groups, {}
        for (_user_id, kind), group in groups.items():
            items, user, now = group["items"], group["user"], group["now"]
            if len(items) == 1:
                one = items[0]
                data = {**(one.data or {}), "links": one.links}
                notify_users(
                    [user], one.subject, one.body, kind=kind, case=one.case, data=data, now=now, outbox=self
                )
                continue
            subject = _("[%(title)s] %(count)d cases", title=group["title"], count=len(items))
            lines = [item.line for item in items[:GROUP_LISTED]]
            if len(items) > GROUP_LISTED:
                lines.append(_("and %(count)d more.", count=len(items) - GROUP_LISTED))
            links = [each for item in items[:GROUP_LISTED] for each in item.links]
            notify_users(
                [user], subject, "\n".join(lines), kind=kind, data={"links": links}, now=now, outbox=self
            )


class _Batch:
    """The rows of one notify call, with the people and mail addresses already served."""

    def __init__(self, subject, body, kind, case, data, now, muted: set[int]):
        self.fields = {"subject": str(subject)[:SUBJECT_MAX], "body": str(body), "kind": kind, "case": case}
        self.data = data or {}
        self.now = now or utcnow()
        self.muted = muted  # users who turned e-mail off for this kind
        self.rows: list[dict] = []
        self.user_ids: set = set()
        self.addresses: set[str] = set()

    def _row(self, channel, **fields) -> None:
        delivered = channel == Channel.INBOX
        self.rows.append(
            {
                "channel": channel,
                "created_at": self.now,
                "status": DeliveryStatus.SENT if delivered else DeliveryStatus.PENDING,
                "sent_at": self.now if delivered else None,
                "next_attempt_at": None if delivered else self.now,
                "attempts": 0,
                "data": dict(self.data),
                **self.fields,
                **fields,
            }
        )

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
        if user.id not in self.muted:
            self.email(user.email, user=user, department_id=department_id)

    def department(self, department: Department) -> None:
        """The department's own mailbox and group robot."""
        self.email(department.email, department=department)
        url = (department.webhook_url or "").strip()
        if url:
            self._row(Channel.WEBHOOK, address=url, department=department)

    def save(self, outbox: Outbox | None) -> list[Notification]:
        """Add the rows to the session (returned), or queue them on ``outbox`` (nothing returned)."""
        if outbox is not None:
            outbox.add(self.rows)
            return []
        rows = [Notification(**row) for row in self.rows]
        db.session.add_all(rows)
        return rows


def _members(outbox: Outbox | None, kind: str, value) -> list[User]:
    """The active users of a department (``kind`` "department") or a role: from the outbox's one read of
    them (no query built per call: that cost the sweep more than its SQL), else by a query."""
    if outbox is not None:
        return outbox.members((kind, value))
    column = User.department_id if kind == "department" else User.role
    return list(
        db.session.scalars(select(User).where(column == value, User.active.is_(True)).order_by(User.id))
    )


def _muted(outbox: Outbox | None, kind: str, users: list[User]) -> set[int]:
    if outbox is not None:
        return outbox.muted(kind)
    return preferences.muted(kind, Channel.EMAIL, [u.id for u in users if u.id is not None and u.email])


def notify_users(
    users: Iterable[User], subject, body, *, kind, case=None, data=None, now=None, outbox=None
) -> list[Notification]:
    """Notify each active user: an inbox row (delivered at once) and a pending e-mail when they have one."""
    users = list(users)
    batch = _Batch(subject, body, kind, case, data, now, _muted(outbox, kind, users))
    for user in users:
        batch.user(user)
    return batch.save(outbox)


def notify_department(
    department: Department, subject, body, *, kind, case=None, data=None, now=None, outbox=None
) -> list[Notification]:
    """Notify a department's active users, its mailbox and its group robot."""
    members = _members(outbox, "department", department.id)
    batch = _Batch(subject, body, kind, case, data, now, _muted(outbox, kind, members))
    for user in members:
        batch.user(user, department)
    batch.department(department)
    return batch.save(outbox)


def notify_role(
    role, subject, body, *, kind, case=None, data=None, now=None, outbox=None
) -> list[Notification]:
    """Notify every active user holding ``role`` (e.g. all supervisors)."""
    users = _members(outbox, "role", role)
    return notify_users(users, subject, body, kind=kind, case=case, data=data, now=now, outbox=outbox)


def redact_case_messages(case_id: int, known) -> int:
    """Mask the citizen's personal data (``known`` values, phone and ID numbers) in every message about
    case ``case_id``: subject, body and data (flushed); how many messages there were."""
    rows = list(db.session.scalars(select(Notification).where(Notification.case_id == case_id)))
    for row in rows:
        row.subject = redact_free_text(row.subject, known)[:200]
        row.body = redact_free_text(row.body, known)
        row.data = redact_json(row.data, known) if row.data else row.data
    return len(rows)
