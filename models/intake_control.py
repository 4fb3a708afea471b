"""Intake controls: API keys of the systems that post cases, the ban list and the sensitive-word list."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import db
from app.timeutil import utcnow
from models.enums import Channel
from models.enums import LabelledEnum
from models.org import Mailbox
from models.types import Coded
from models.types import UTCDateTime
from models.types import enum_column


class ApiKey(db.Model):
    """A key another system (city platform, 12345 hotline) uses for Open311; only its hash is stored."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    system: Mapped[str] = mapped_column(String(100))
    mailbox_id: Mapped[int | None] = mapped_column(ForeignKey("mailbox.id"))
    channel: Mapped[str] = mapped_column(enum_column(Channel, "api_key_channel"), default=Channel.API)
    prefix: Mapped[str] = mapped_column(String(12), index=True)
    key_hash: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)

    mailbox: Mapped[Mailbox | None] = relationship()

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class BanKind(LabelledEnum):
    PHONE = "phone", _l("Phone number")
    IP = "ip", _l("IP address")


class BanEntry(db.Model):
    """A phone number or IP address whose submissions are refused."""

    __tablename__ = "ban_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(Coded(BanKind, 10))
    value: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("kind", "value", name="uq_ban_entry_kind_value"),)

    def __str__(self) -> str:
        return self.value


class SensitiveWord(db.Model):
    """A word that marks a submission 敏感件 (sensitive) for careful handling; it is never refused for it."""

    __tablename__ = "sensitive_word"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    word: Mapped[str] = mapped_column(String(50), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    def __str__(self) -> str:
        return self.word
