"""Each person's channels per kind of notification: the inbox is always on; e-mail can be turned off.

No row means the channel is on, so a new kind reaches everyone until they choose otherwise. A
notification's ``kind`` (e.g. ``deadline_warn``) maps to the :class:`NoticeKind` people choose by.
"""

from collections.abc import Iterable

from sqlalchemy import delete
from sqlalchemy import select

from app.extensions import db
from models.notification import Channel
from models.notification import NoticeKind
from models.notification import NotificationPreference

CHOOSABLE = (Channel.EMAIL,)  # the inbox is always on; a group robot belongs to its department


def notice_kind(kind: str) -> NoticeKind | None:
    """The kind people choose by for a notification's ``kind``; None for kinds nobody can turn off."""
    if kind.startswith("deadline_escalate"):
        return NoticeKind.ESCALATION
    if kind.startswith("deadline_"):
        return NoticeKind.DEADLINE
    if kind.startswith("order_"):
        return NoticeKind.SUPERVISED  # 批示 and 督办单 (app.command.orders)
    return NoticeKind.from_code(kind)


def muted(kind: str, channel: str, user_ids: Iterable[int] | None = None) -> set[int]:
    """Ids of the users (of ``user_ids``, else all) who turned ``channel`` off for ``kind``."""
    chosen = notice_kind(kind)
    if chosen is None or channel not in CHOOSABLE:
        return set()
    query = select(NotificationPreference.user_id).where(
        NotificationPreference.kind == chosen.value,
        NotificationPreference.channel == channel,
        NotificationPreference.enabled.is_(False),
    )
    if user_ids is not None:
        ids = sorted(set(user_ids))
        if not ids:
            return set()
        query = query.where(NotificationPreference.user_id.in_(ids))
    return set(db.session.scalars(query))


def choices(user) -> dict[tuple[str, str], bool]:
    """``(kind, channel) -> on`` for every kind and choosable channel, for ``user``'s settings page."""
    off = {
        (row.kind, row.channel)
        for row in db.session.scalars(
            select(NotificationPreference).where(
                NotificationPreference.user_id == user.id, NotificationPreference.enabled.is_(False)
            )
        )
    }
    return {(k.value, c.value): (k.value, c.value) not in off for k in NoticeKind for c in CHOOSABLE}


def save(user, enabled: set[tuple[str, str]]) -> int:
    """Store ``user``'s choices: the pairs in ``enabled`` on, every other choosable pair off; how many are off."""
    db.session.execute(delete(NotificationPreference).where(NotificationPreference.user_id == user.id))
    rows = [
        NotificationPreference(user_id=user.id, kind=k.value, channel=c.value, enabled=False)
        for k in NoticeKind
        for c in CHOOSABLE
        if (k.value, c.value) not in enabled
    ]
    db.session.add_all(rows)
    db.session.flush()
    return len(rows)
