"""Delivering the outbox: pending e-mail and group-robot rows, claimed one at a time, retried with back-off.

Claiming: a row is due when ``status = 'pending'`` and ``next_attempt_at <= now``. One conditional
UPDATE moves its ``next_attempt_at`` a lease ahead (``DELIVERY_CLAIM_MINUTES``) and counts the attempt;
the job (``jobs.tasks.deliver``) commits the claim before anything is sent, so no other process sees the
row as due while this one sends it. On PostgreSQL the row is picked with ``FOR UPDATE SKIP LOCKED``
(concurrent workers skip each other's rows instead of queueing on them); on SQLite the UPDATE holds the
database's write lock, so its WHERE clause is a compare-and-set. A process that dies mid-send leaves the
row to be retried when the lease expires; that try counts as an attempt, so a row that keeps killing its
sender ends 'failed'. A failed delivery is that row's alone: it never stops the others.

Without ``MAIL_SERVER`` e-mail rows are held: they stay pending and due with ``last_error`` set to
"e-mail not configured", no attempt is counted, and they go out on the first run after a mail server
is configured. Group-robot rows are delivered regardless.
"""

from datetime import datetime
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from app.extensions import db
from app.notifications import attachments
from app.notifications.transports import link_urls
from app.notifications.transports import post_webhook
from app.notifications.transports import send_email
from app.notifications.transports import webhook_payload
from models.notification import Channel
from models.notification import DeliveryStatus
from models.notification import Notification

NOT_CONFIGURED = "e-mail not configured"
ERROR_MAX = 1000


def _setting(key):
    return current_app.config[key]


def email_configured() -> bool:
    """Whether a mail server is configured (``MAIL_SERVER``); without one, e-mail rows are held."""
    return bool(_setting("MAIL_SERVER"))


def channels() -> list[str]:
    """The channels delivered now: group robots always, e-mail once a mail server is configured."""
    return [Channel.WEBHOOK, Channel.EMAIL] if email_configured() else [Channel.WEBHOOK]


def claim_next(now, channels):
    """Claim one due row for this process (the caller commits before sending); None when nothing is due."""
    due = (
        select(Notification.id)
        .where(
            Notification.status == DeliveryStatus.PENDING,
            Notification.channel.in_(channels),
            Notification.next_attempt_at <= now,
        )
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(1)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claim = (
        update(Notification)
        .where(
            Notification.id.in_(due.scalar_subquery()),
            Notification.status == DeliveryStatus.PENDING,
            Notification.next_attempt_at <= now,
        )
        .values(
            next_attempt_at=now + timedelta(minutes=_setting("DELIVERY_CLAIM_MINUTES")),
            attempts=Notification.attempts + 1,
        )
        .returning(
            Notification.id,
            Notification.channel,
            Notification.address,
            Notification.subject,
            Notification.body,
            Notification.attempts,
            Notification.data,  # names the files an e-mail carries (app.notifications.attachments)
        )
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(claim).first()


def hold_unconfigured_email(now) -> int:
    """Mark due e-mail rows as held while no mail server is configured; return how many are held."""
    due = (
        Notification.status == DeliveryStatus.PENDING,
        Notification.channel == Channel.EMAIL,
        Notification.next_attempt_at <= now,
    )
    db.session.execute(
        update(Notification)
        .where(*due, or_(Notification.last_error.is_(None), Notification.last_error != NOT_CONFIGURED))
        .values(last_error=NOT_CONFIGURED)
        .execution_options(synchronize_session=False)
    )
    return db.session.query(Notification.id).filter(*due).count()


def _send(row) -> str | None:
    links = link_urls((row.data or {}).get("links"))
    if row.channel == Channel.EMAIL:
        return send_email(row.address or "", row.subject, row.body, attachments.files(row.data), links)
    url = (row.address or "").strip()
    post_webhook(url, webhook_payload(url, row.subject, row.body, links))
    return None


def outcome(row, now, error: str | None, note: str | None) -> tuple[str, dict]:
    """What to record after one try of an outbox row or a text: ('sent' | 'retried' | 'failed', column values)."""
    if error is None:
        values = {"status": DeliveryStatus.SENT, "sent_at": now, "next_attempt_at": None, "last_error": note}
        return "sent", values
    error = error[:ERROR_MAX]
    if row.attempts >= _setting("DELIVERY_MAX_ATTEMPTS"):
        return "failed", {"status": DeliveryStatus.FAILED, "next_attempt_at": None, "last_error": error}
    ladder = _setting("DELIVERY_BACKOFF_MINUTES")
    delay = ladder[min(row.attempts, len(ladder)) - 1]
    return "retried", {"next_attempt_at": now + timedelta(minutes=delay), "last_error": error}


def deliver_one(row, now) -> str:
    """Send one claimed row and record the result (the caller commits); never raises for a delivery failure."""
    error = note = None
    if row.attempts > _setting("DELIVERY_MAX_ATTEMPTS"):
        error = "gave up: an earlier delivery attempt was interrupted"
    else:
        try:
            note = _send(row)
        except Exception as exc:  # any failure of one row is that row's failure alone
            error = f"{type(exc).__name__}: {exc}"
            current_app.logger.warning("delivery of notification %s failed: %s", row.id, error)
    result, values = outcome(row, now, error, note)
    db.session.execute(
        update(Notification)
        .where(Notification.id == row.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result


def requeue_failed(rows: list[Notification], now: datetime) -> int:
    """Put failed deliveries back in the queue, due now, with a fresh series of attempts; how many."""
    failed = [row for row in rows if row.status == DeliveryStatus.FAILED]
    for row in failed:
        row.status = DeliveryStatus.PENDING
        row.next_attempt_at = now
        row.attempts = 0
    db.session.flush()
    return len(failed)
