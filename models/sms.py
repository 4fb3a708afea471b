"""Text messages (短信) to citizens: one row per message, delivered and retried by the SMS job.

Written only by :mod:`app.notifications.sms`; the text is SMS-ready (number and tracking code, never the
case's content).
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
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
from models.notification import DeliveryStatus
from models.types import UTCDateTime
from models.types import enum_column


class SmsKind(LabelledEnum):
    """What a text tells the citizen."""

    ACCEPTED = "accepted", _l("Case accepted")
    ANSWERED = "answered", _l("Case answered")


class SmsMessage(db.Model):
    """One text to one citizen's phone: pending until the gateway took it, then sent or failed."""

    __tablename__ = "sms_message"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_item.id", ondelete="CASCADE"), index=True)
    # the timeline entry the text is about: one text per event, whoever queues it twice
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_event.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(enum_column(SmsKind, "sms_message_kind"))
    phone: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(
        enum_column(DeliveryStatus, "sms_message_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case | None] = relationship()

    __table_args__ = (
        Index("ix_sms_message_event_id", "event_id", unique=True),
        Index("ix_sms_message_due", "status", "next_attempt_at"),
    )
