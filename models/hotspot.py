"""Hot spot alerts (弱信号预警): a category rising above its own baseline at one street or community.

Written only by :mod:`app.reports.hotspots`. One row per cluster: the key (category, place, first window
start) is unique, and a cluster still rising on the next day's scan extends its row instead of adding one.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import db
from app.timeutil import utcnow
from models.enums import LabelledEnum
from models.org import Category
from models.org import Department
from models.types import UTCDateTime
from models.types import enum_column
from models.user import User


class HotspotStatus(LabelledEnum):
    """Where an alert stands: new, seen by a supervisor or leader, or over (the cluster stopped rising)."""

    OPEN = "open", _l("Not yet noted")
    ACKNOWLEDGED = "acknowledged", _l("Noted")
    CLOSED = "closed", _l("Over")


class HotspotAlert(db.Model):
    """One rising cluster: the cases of one category at one place in a window, against what was expected."""

    __tablename__ = "hotspot_alert"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))  # the street or community
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)  # local midnight of the first day
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)  # local midnight after the last day
    observed: Mapped[int] = mapped_column(Integer)
    expected: Mapped[float] = mapped_column(Float)
    p_value: Mapped[float] = mapped_column(Float)
    case_ids: Mapped[list] = mapped_column(JSON, default=list)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(
        enum_column(HotspotStatus, "hotspot_alert_status"), default=HotspotStatus.OPEN, server_default="open"
    )
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    category: Mapped[Category] = relationship()
    department: Mapped[Department] = relationship()
    acknowledged_by: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("uq_hotspot_alert_cluster", "category_id", "department_id", "window_start", unique=True),
        Index("ix_hotspot_alert_status_window", "status", "window_end"),
    )
