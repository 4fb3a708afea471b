"""Scorecards (考核): the schemes that weight the rates into a score, and the periods scored and published.

A ``ScoreScheme`` holds the weights (percent per rate key of ``app.reports.rates``, summing to 100) and the
deduction points per counted event, from its effective date on. A ``ScorePeriod`` row exists once a
period's scorecard of one unit kind is published; its ``snapshot`` then holds every row exactly as shown.
The rules live in ``app.reports.scorecards``.
"""

from datetime import date
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON
from sqlalchemy import Date
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.extensions import db
from app.timeutil import utcnow
from models.enums import LabelledEnum
from models.types import Coded
from models.types import UTCDateTime


class ScorePeriodKind(LabelledEnum):
    """How long a scored period is."""

    MONTH = "month", _l("Month")
    QUARTER = "quarter", _l("Quarter")


class ScoreUnit(LabelledEnum):
    """What a scorecard ranks: departments (by the cases they lead), or streets or communities (by area)."""

    DEPARTMENT = "department", _l("Departments")
    STREET = "street", _l("Streets")
    COMMUNITY = "community", _l("Communities")


class ScoreStatus(LabelledEnum):
    """A period's scorecard is a draft (counted live) until it is published (frozen)."""

    DRAFT = "draft", _l("Draft")
    PUBLISHED = "published", _l("Published (frozen)")


class ScoreScheme(db.Model):
    """The weights and deductions of the score, in force from ``effective_from`` until the next scheme."""

    __tablename__ = "score_scheme"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    effective_from: Mapped[date] = mapped_column(Date)
    weights: Mapped[dict] = mapped_column(JSON)  # {rate key: percent}
    deductions: Mapped[dict] = mapped_column(JSON)  # {"late": points, "sent_back": points}
    max_deduction: Mapped[float | None] = mapped_column(Float)  # None: no cap
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    __table_args__ = (UniqueConstraint("effective_from", name="uq_score_scheme_effective_from"),)


class ScorePeriod(db.Model):
    """One period's scorecard of one unit kind; once published, ``snapshot`` is what it shows for good."""

    __tablename__ = "score_period"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(Coded(ScorePeriodKind, 10))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    unit_kind: Mapped[str] = mapped_column(Coded(ScoreUnit, 12))
    status: Mapped[str] = mapped_column(Coded(ScoreStatus, 10), default=ScoreStatus.DRAFT)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    scheme_id: Mapped[int | None] = mapped_column(ForeignKey("score_scheme.id"), index=True)
    snapshot: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("kind", "first_day", "unit_kind", name="uq_score_period_key"),)
