"""The work calendar: one row per day saying whether it is a working day (调休 make-up days included)."""

from datetime import date
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.extensions import db
from app.timeutil import utcnow
from models.types import UTCDateTime

CALENDAR_SOURCE_LABELS = {
    "chinesecalendar": _l("chinesecalendar package"),
    "weekly": _l("Weekly default (Mon-Fri)"),
    "admin": _l("Entered by an administrator"),
}


class WorkCalendarDay(db.Model):
    """A day of the Asia/Shanghai calendar; the table, not any package, is the source of truth."""

    __tablename__ = "work_calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str | None] = mapped_column(String(50))
    source: Mapped[str] = mapped_column(String(20), default="admin")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    def __str__(self) -> str:
        return self.day.isoformat()
