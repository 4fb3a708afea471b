"""The notification outbox: every message to a person, mailbox or group robot, delivered with retries."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import db
from app.timeutil import utcnow
from models.case import Case
from models.enums import LabelledEnum
from models.org import Department
from models.types import UTCDateTime
from models.types import enum_column
from models.user import User


class Channel(LabelledEnum):
    INBOX = "inbox", _l("In-app inbox")
    EMAIL = "email", _l("E-mail")
    WEBHOOK = "webhook", _l("Group robot webhook")


class DeliveryStatus(LabelledEnum):
    PENDING = "pending", _l("Pending")
    SENT = "sent", _l("Sent")
    FAILED = "failed", _l("Failed")


class NoticeKind(LabelledEnum):
    """What a notification is about, as a person chooses their channels for it (inbox is always on)."""

    DISPATCHED = "dispatched", _l("A case is dispatched or handed to my department")
    RETURNED = "returned", _l("A case comes back to me (退单, 撤回)")
    REDO = "redo", _l("A case is sent back for redoing (重办)")
    SUPERVISED = "supervised", _l("督办 or 催办 on my department's case")
    EXTENSION_REQUESTED = "extension_requested", _l("An extension is requested")
    EXTENSION_DECIDED = "extension_decided", _l("My extension request is decided")
    NEW_LETTER = "new_letter", _l("A new letter in my mailbox")
    NEW_CLUE = "new_clue", _l("A new clue in my community")
    RED_RECEIVED = "red_received", _l("A red (most urgent) case comes in")
    AWAITING_REVISIT = "awaiting_revisit", _l("A reply waits for the revisit")
    CITIZEN_RATING = "citizen_rating", _l("A citizen is unsatisfied after the case was closed")
    DEADLINE = "deadline", _l("Time-limit reminders and overdue notices")
    ESCALATION = "escalation", _l("Escalations to supervisors and leaders")
    DIGEST = "digest", _l("The morning digest")
    HOTSPOT = "hotspot", _l("Hot spot alerts (a category rising at a street or community)")


class NotificationPreference(db.Model):
    """A person's choice of a channel for one kind of notification; no row means the channel is on."""

    __tablename__ = "notification_preference"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), primary_key=True)
    channel: Mapped[str] = mapped_column(String(20), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")


class Notification(db.Model):
    """One message on one channel. Inbox rows are delivered by being written; the rest by the outbox job."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(enum_column(Channel, "notification_channel"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    address: Mapped[str | None] = mapped_column(String(500))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_item.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(enum_column(DeliveryStatus, "notification_status"))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    user: Mapped[User | None] = relationship()
    department: Mapped[Department | None] = relationship()
    case: Mapped[Case | None] = relationship()

    __table_args__ = (
        Index("ix_notification_due", "status", "next_attempt_at"),
        Index("ix_notification_inbox", "user_id", "channel", "read_at"),
    )
