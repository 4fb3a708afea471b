"""Text messages (短信) to citizens: queued in ``sms_message``, delivered by the SMS job through a gateway.

The gateway is chosen by ``SMS_GATEWAY``: ``"log"`` (the default, :class:`LogGateway`) writes each text to
the app log and marks it sent -- nothing leaves the server; ``"http"`` (:class:`HttpGateway`) POSTs JSON to
``SMS_HTTP_URL`` with ``SMS_HTTP_TOKEN`` as a bearer token and ``SMS_HTTP_TEMPLATE`` for providers that
need a template id: the office's SMS provider or its own relay. Every text starts with the office's
signature (``SMS_SIGNATURE``, else 【``OFFICE_NAME``】).

Delivery works like the e-mail outbox (:mod:`app.notifications.delivery`): a due row is claimed by one
conditional UPDATE that the job commits before sending, so two workers never send the same text; a failed
send is retried with the same back-off (``DELIVERY_BACKOFF_MINUTES``) up to ``DELIVERY_MAX_ATTEMPTS``, and
is that row's failure alone: nothing else waits for it, no step of a case ever does.
"""

import re
from datetime import datetime
from datetime import timedelta
from typing import Protocol

from flask import current_app
from sqlalchemy import select
from sqlalchemy import update

from app.auth.pii import mask
from app.auth.redaction import redact_free_text
from app.extensions import db
from app.notifications import delivery
from app.notifications.transports import DeliveryError
from app.notifications.transports import post_json
from app.org.office import office_name
from models.notification import DeliveryStatus
from models.sms import SmsMessage

MOBILE = re.compile(r"1[3-9]\d{9}")
TEXT_MAX = 70  # one SMS of Chinese text; longer texts are sent as several and cost more
LOGGED = "logged only (SMS_GATEWAY = log)"


class SmsError(DeliveryError):
    """The gateway refused the text; the message says why (stored on the row)."""


class SmsGateway(Protocol):
    """Sends one text; returns a note to keep (e.g. the provider's id) or raises on failure."""

    def send(self, phone: str, text: str, message_id: int) -> str | None: ...


class LogGateway:
    """Writes the text to the app log (phone masked) and counts it as sent: for offices without a provider."""

    def send(self, phone: str, text: str, message_id: int) -> str | None:
        """Log the text; nothing leaves the server."""
        current_app.logger.info("SMS %s to %s: %s", message_id, mask(phone), text)
        return LOGGED


class HttpGateway:
    """POSTs ``{"phone", "text", "template", "id"}`` as JSON to the office's SMS relay.

    A non-2xx answer, or a JSON answer whose ``code`` / ``errcode`` is not 0, is a failure."""

    def __init__(self, url: str, token: str | None = None, template: str | None = None, timeout: float = 5):
        self.url, self.token, self.template, self.timeout = url, token, template, timeout

    def payload(self, phone: str, text: str, message_id: int) -> dict:
        """The JSON body of one text."""
        return {"phone": phone, "text": text, "template": self.template, "id": message_id}

    def send(self, phone: str, text: str, message_id: int) -> str | None:
        """POST the text; the relay's message id when it gives one; raise a :class:`DeliveryError` on failure."""
        if not (self.url or "").lower().startswith(("http://", "https://")):
            raise SmsError("SMS_HTTP_URL must start with http:// or https://")
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else None
        reply = post_json(self.url, self.payload(phone, text, message_id), self.timeout, headers)
        if reply is None:
            return None
        code = reply.get("code", reply.get("errcode"))
        if code not in (None, 0, "0"):
            raise SmsError(f"code {code}: {reply.get('message') or reply.get('errmsg') or ''}")
        return str(reply["id"]) if reply.get("id") is not None else None


def gateway() -> SmsGateway:
    """The gateway ``SMS_GATEWAY`` names."""
    config = current_app.config
    kind = config.get("SMS_GATEWAY") or "log"
    if kind == "log":
        return LogGateway()
    if kind == "http":
        return HttpGateway(
            config.get("SMS_HTTP_URL") or "",
            config.get("SMS_HTTP_TOKEN"),
            config.get("SMS_HTTP_TEMPLATE"),
            config.get("SMS_HTTP_TIMEOUT", 5),
        )
    raise SmsError(f"unknown SMS_GATEWAY {kind!r}")


def signature() -> str:
    """The office's signature at the head of every text: ``SMS_SIGNATURE``, else 【office name】."""
    config = current_app.config
    if config.get("SMS_SIGNATURE"):
        return config["SMS_SIGNATURE"]
    return f"【{office_name()}】"


def mobile(phone: str | None) -> str | None:
    """The phone as a mainland mobile number that can receive a text, or None (a landline, none given)."""
    digits = (phone or "").strip().replace(" ", "").replace("-", "")
    if digits.startswith("+86"):
        digits = digits[3:]
    return digits if MOBILE.fullmatch(digits) else None


def queue(case, event, kind: str, text: str, now: datetime) -> SmsMessage | None:
    """Queue ``text`` (the office's signature is put in front) to the citizen's mobile; None without one."""
    phone = mobile(case.citizen_phone)
    if phone is None:
        return None
    message = SmsMessage(
        case_id=case.id,
        event_id=event.id if event is not None else None,
        kind=kind,
        phone=phone,
        text=signature() + text,
        status=DeliveryStatus.PENDING,
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(message)
    return message


def claim_next(now: datetime):
    """Claim one due text for this process (the caller commits before sending); None when none is due."""
    config = current_app.config
    due = (
        select(SmsMessage.id)
        .where(SmsMessage.status == DeliveryStatus.PENDING, SmsMessage.next_attempt_at <= now)
        .order_by(SmsMessage.next_attempt_at, SmsMessage.id)
        .limit(1)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claim = (
        update(SmsMessage)
        .where(
            SmsMessage.id.in_(due.scalar_subquery()),
            SmsMessage.status == DeliveryStatus.PENDING,
            SmsMessage.next_attempt_at <= now,
        )
        .values(
            next_attempt_at=now + timedelta(minutes=config["DELIVERY_CLAIM_MINUTES"]),
            attempts=SmsMessage.attempts + 1,
        )
        .returning(SmsMessage.id, SmsMessage.phone, SmsMessage.text, SmsMessage.attempts)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(claim).first()


def deliver_one(row, now: datetime, sender: SmsGateway | None = None) -> str:
    """Send one claimed text and record the result (the caller commits); never raises for a failed send."""
    error = note = None
    if row.attempts > current_app.config["DELIVERY_MAX_ATTEMPTS"]:
        error = "gave up: an earlier attempt was interrupted"
    else:
        try:
            note = (sender or gateway()).send(row.phone, row.text, row.id)
        except Exception as exc:  # any failure of one text is that text's alone
            error = f"{type(exc).__name__}: {exc}"
            current_app.logger.warning("SMS %s failed: %s", row.id, error)
    result, values = delivery.outcome(row, now, error, note)
    db.session.execute(
        update(SmsMessage)
        .where(SmsMessage.id == row.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result


def requeue_failed(rows: list[SmsMessage], now: datetime) -> int:
    """Put failed texts back in the queue, due now, with a fresh series of attempts; how many."""
    failed = [row for row in rows if row.status == DeliveryStatus.FAILED]
    for row in failed:
        row.status, row.next_attempt_at, row.attempts = DeliveryStatus.PENDING, now, 0
    db.session.flush()
    return len(failed)


ERASED = "personal data erased"


def erase_case_texts(case_id: int, known, now: datetime) -> int:
    """Mask the phone number and personal data of every text about case ``case_id``; a text not yet sent
    is withdrawn (failed, never sent to a number that was erased). Flushed; how many texts there were."""
    rows = list(db.session.scalars(select(SmsMessage).where(SmsMessage.case_id == case_id)))
    for row in rows:
        row.phone = mask(row.phone)[:20]
        row.text = redact_free_text(row.text, known)
        if row.status == DeliveryStatus.PENDING:
            row.status, row.last_error, row.next_attempt_at = DeliveryStatus.FAILED, ERASED, None
    return len(rows)
