"""Delivering the outbox: pending e-mail and group-robot rows, claimed one at a time, retried with back-off.

Claiming: a row is due when ``status = 'pending'`` and ``next_attempt_at <= now``. One conditional
UPDATE moves its ``next_attempt_at`` a lease ahead (``DELIVERY_CLAIM_MINUTES``) and counts the attempt,
and commits before anything is sent, so no other process sees the row as due while this one sends it.
On PostgreSQL the row is picked with ``FOR UPDATE SKIP LOCKED`` (concurrent workers skip each other's
rows instead of queueing on them); on SQLite the UPDATE holds the database's write lock, so its
WHERE clause is a compare-and-set. A process that dies mid-send leaves the row to be retried when the
lease expires; that try counts as an attempt, so a row that keeps killing its sender ends 'failed'.

Without ``MAIL_SERVER`` e-mail rows are held: they stay pending and due with ``last_error`` set to
"e-mail not configured", no attempt is counted, and they go out on the first run after a mail server
is configured. Group-robot rows are delivered regardless.
"""

import json
import smtplib
import ssl
import urllib.error
import urllib.request
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate
from email.utils import getaddresses
from email.utils import make_msgid
from email.utils import parseaddr

from flask import current_app
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.timeutil import utcnow
from models.notification import Channel
from models.notification import DeliveryStatus
from models.notification import Notification

DEFAULTS = {
    "MAIL_SERVER": None,  # unset: e-mail is held (see the module docstring)
    "MAIL_PORT": None,  # unset: 465 with MAIL_USE_SSL, 587 with MAIL_USE_TLS, else 25
    "MAIL_USE_TLS": False,  # STARTTLS after connecting
    "MAIL_USE_SSL": False,  # TLS from the first byte (SMTPS)
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_DEFAULT_SENDER": None,  # unset: MAIL_USERNAME, else suqiu@localhost
    "MAIL_TIMEOUT": 10,
    "WEBHOOK_TIMEOUT": 5,
    "DELIVERY_MAX_ATTEMPTS": 6,
    "DELIVERY_BACKOFF_MINUTES": (1, 5, 15, 60, 240),
    "DELIVERY_CLAIM_MINUTES": 10,  # lease on a claimed row; far longer than one send may take
}
NOT_CONFIGURED = "e-mail not configured"
WECOM_MAX_BYTES = 4096  # 企业微信 markdown content limit
ERROR_MAX = 1000


def init_app(app) -> None:
    """Give the app the delivery defaults it has not set itself."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)


def _setting(key):
    return current_app.config.get(key, DEFAULTS[key])


class DeliveryError(Exception):
    """A refusal by the receiving server, with the reason to store."""


# --- e-mail ------------------------------------------------------------------------------------


def build_email(to: str, subject: str, body: str) -> EmailMessage:
    """A UTF-8 message from ``MAIL_DEFAULT_SENDER`` to the addresses in ``to`` (comma or semicolon separated)."""
    sender = _setting("MAIL_DEFAULT_SENDER") or _setting("MAIL_USERNAME") or "suqiu@localhost"
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(addr for _name, addr in getaddresses([to.replace(";", ",")]) if addr)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(body, charset="utf-8", cte="base64")  # 7-bit safe on any relay
    return message


def send_email(to: str, subject: str, body: str) -> str | None:
    """Send one e-mail over SMTP; return a note on refused recipients, raise when nothing was accepted."""
    message = build_email(to, subject, body)
    if not message["To"]:
        raise DeliveryError("no recipient address")
    use_ssl, use_tls = bool(_setting("MAIL_USE_SSL")), bool(_setting("MAIL_USE_TLS"))
    port = _setting("MAIL_PORT") or (465 if use_ssl else 587 if use_tls else 25)
    host, timeout = _setting("MAIL_SERVER"), _setting("MAIL_TIMEOUT")
    context = ssl.create_default_context()
    if use_ssl:
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if use_tls and not use_ssl:
            client.starttls(context=context)
        if _setting("MAIL_USERNAME"):
            client.login(_setting("MAIL_USERNAME"), _setting("MAIL_PASSWORD") or "")
        refused = client.send_message(message)
    return f"refused: {', '.join(sorted(refused))}" if refused else None


# --- group robots ------------------------------------------------------------------------------


def is_dingtalk(url: str) -> bool:
    """钉钉 when "dingtalk" appears anywhere in the URL (host, path or query); 企业微信 otherwise."""
    return "dingtalk" in url.lower()


def _clip_utf8(text: str, limit: int) -> str:
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def webhook_payload(url: str, subject: str, body: str) -> dict:
    """The markdown message a 企业微信 or 钉钉 group robot expects."""
    if is_dingtalk(url):
        return {"msgtype": "markdown", "markdown": {"title": subject, "text": f"#### {subject}\n\n{body}"}}
    content = _clip_utf8(f"**{subject}**\n{body}", WECOM_MAX_BYTES)
    return {"msgtype": "markdown", "markdown": {"content": content}}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an error: following it would turn the POST into a GET without the message."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post_webhook(url: str, payload: dict) -> None:
    """POST ``payload`` as JSON; raise on a non-2xx answer or a reply with a non-zero ``errcode``."""
    if not url.lower().startswith(("http://", "https://")):
        raise DeliveryError("webhook URL must start with http:// or https://")
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=_setting("WEBHOOK_TIMEOUT")) as response:
            status, text = response.status, response.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}: {exc.read(500).decode('utf-8', 'replace')}") from exc
    if not 200 <= status < 300:
        raise DeliveryError(f"HTTP {status}: {text[:500]}")
    try:
        reply = json.loads(text)
    except ValueError:
        return
    if isinstance(reply, dict) and reply.get("errcode") not in (None, 0, "0"):
        raise DeliveryError(f"errcode {reply['errcode']}: {reply.get('errmsg', '')}")


# --- the job -----------------------------------------------------------------------------------


def _claim_next(now, channels):
    """Claim one due row for this process and commit; None when nothing is due."""
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
        )
        .execution_options(synchronize_session=False)
    )
    row = db.session.execute(claim).first()
    db.session.commit()
    return row


def _hold_unconfigured_email(now) -> int:
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
    held = db.session.query(Notification.id).filter(*due).count()
    db.session.commit()
    return held


def _send(row) -> str | None:
    if row.channel == Channel.EMAIL:
        return send_email(row.address or "", row.subject, row.body)
    url = (row.address or "").strip()
    post_webhook(url, webhook_payload(url, row.subject, row.body))
    return None


def _outcome(row, now, error: str | None, note: str | None) -> tuple[str, dict]:
    """What to record after one try: ('sent' | 'retried' | 'failed', column values)."""
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
    """Send one claimed row and record the result; never raises for a delivery failure."""
    error = note = None
    if row.attempts > _setting("DELIVERY_MAX_ATTEMPTS"):
        error = "gave up: an earlier delivery attempt was interrupted"
    else:
        try:
            note = _send(row)
        except Exception as exc:  # any failure of one row is that row's failure alone
            error = f"{type(exc).__name__}: {exc}"
            current_app.logger.warning("delivery of notification %s failed: %s", row.id, error)
    result, values = _outcome(row, now, error, note)
    db.session.execute(
        update(Notification)
        .where(Notification.id == row.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return result


def deliver_due(now=None, batch: int = 100) -> dict:
    """Deliver up to ``batch`` due e-mail and webhook rows; return counts {sent, retried, failed, held}."""
    now = now or utcnow()
    counts = {"sent": 0, "retried": 0, "failed": 0, "held": 0}
    channels = [Channel.WEBHOOK]
    if _setting("MAIL_SERVER"):
        channels.append(Channel.EMAIL)
    else:
        counts["held"] = _hold_unconfigured_email(now)
    for _ in range(batch):
        row = _claim_next(now, channels)
        if row is None:
            break
        try:
            counts[deliver_one(row, now)] += 1
        except SQLAlchemyError:
            db.session.rollback()
            current_app.logger.exception("could not record the delivery of notification %s", row.id)
    return counts
