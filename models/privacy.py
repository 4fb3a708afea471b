"""The personal-data retention setting (个人信息保护): one row, kept by :mod:`app.privacy.retention`."""

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.extensions import db
from app.timeutil import utcnow
from models.types import UTCDateTime

DEFAULT_MONTHS = 36


class PrivacySetting(db.Model):
    """How many months after a case is finished its citizen's personal data is erased (0: never)."""

    __tablename__ = "privacy_setting"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    retention_months: Mapped[int] = mapped_column(Integer, default=DEFAULT_MONTHS, server_default="36")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
