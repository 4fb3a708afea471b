"""The figures behind the leaders' picture: a daily rollup of counted measures, and its correction queue.

One rollup row per local day × department (as lead or co-handler) × mailbox × category × street ×
community × channel × grade; 0 and "" stand for "none" so the key can be unique. The measure columns are
named in ``app.reports.measures.MEASURES``, which also says how each is counted.
"""

from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON
from sqlalchemy import Date
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.extensions import db
from app.timeutil import utcnow
from models.types import UTCDateTime

ROLLUP_KEY = (
    "day",
    "department_id",
    "department_role",
    "mailbox_id",
    "category_id",
    "street_id",
    "community_id",
    "channel",
    "grade",
)
STAGE_NAMES = ("register", "dispatch", "sign", "contact", "first_reply", "resolve", "revisit")


class Measures:
    """The measure columns, shared by the rollup and its summaries (named in app.reports.measures.MEASURES)."""

    received: Mapped[int] = mapped_column(Integer, default=0)
    people: Mapped[int] = mapped_column(Integer, default=0)
    money: Mapped[Decimal] = mapped_column(Numeric(18, 2), default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    closed_hours: Mapped[float] = mapped_column(Float, default=0)
    closed_supported: Mapped[int] = mapped_column(Integer, default=0)
    resolve_due: Mapped[int] = mapped_column(Integer, default=0)
    resolve_due_closed: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[int] = mapped_column(Integer, default=0)
    replies: Mapped[int] = mapped_column(Integer, default=0)
    sent_back: Mapped[int] = mapped_column(Integer, default=0)
    rated: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[int] = mapped_column(Integer, default=0)
    basic: Mapped[int] = mapped_column(Integer, default=0)
    pleased: Mapped[int] = mapped_column(Integer, default=0)
    register_decided: Mapped[int] = mapped_column(Integer, default=0)
    register_on_time: Mapped[int] = mapped_column(Integer, default=0)
    dispatch_decided: Mapped[int] = mapped_column(Integer, default=0)
    dispatch_on_time: Mapped[int] = mapped_column(Integer, default=0)
    sign_decided: Mapped[int] = mapped_column(Integer, default=0)
    sign_on_time: Mapped[int] = mapped_column(Integer, default=0)
    contact_decided: Mapped[int] = mapped_column(Integer, default=0)
    contact_on_time: Mapped[int] = mapped_column(Integer, default=0)
    first_reply_decided: Mapped[int] = mapped_column(Integer, default=0)
    first_reply_on_time: Mapped[int] = mapped_column(Integer, default=0)
    resolve_decided: Mapped[int] = mapped_column(Integer, default=0)
    resolve_on_time: Mapped[int] = mapped_column(Integer, default=0)
    revisit_decided: Mapped[int] = mapped_column(Integer, default=0)
    revisit_on_time: Mapped[int] = mapped_column(Integer, default=0)
    # 批示 and 督办 answers, counted for the addressed department; 包案 of closed cases and their 销案
    instruction_decided: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    instruction_on_time: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    supervision_decided: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    supervision_on_time: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    orders_late: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    packaged_closed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    packaged_settled: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # 即接即办 closures (专班办结); co-departments' own parts (协办); bureaus' parts of 令 (依令考核)
    closed_at_intake: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    part_decided: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    part_on_time: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    parts_waived: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    field_ack_decided: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    field_ack_on_time: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    field_checkin_decided: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    field_checkin_on_time: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    field_feedback_decided: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    field_feedback_on_time: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    field_late: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    field_checked_in: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    field_checkin_staffed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    field_rated: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    field_rated_pleased: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DailyRollup(Measures, db.Model):
    """Counts of one local day for one combination of the case's dimensions."""

    __tablename__ = "daily_rollup"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    department_id: Mapped[int] = mapped_column(Integer, default=0)
    department_role: Mapped[str] = mapped_column(String(4), default="lead")  # "lead" or "co"
    mailbox_id: Mapped[int] = mapped_column(Integer, default=0)
    category_id: Mapped[int] = mapped_column(Integer, default=0)
    street_id: Mapped[int] = mapped_column(Integer, default=0)
    community_id: Mapped[int] = mapped_column(Integer, default=0)
    channel: Mapped[str] = mapped_column(String(20), default="")
    grade: Mapped[str] = mapped_column(String(10), default="")

    __table_args__ = (
        UniqueConstraint(*ROLLUP_KEY, name="uq_daily_rollup_key"),
        Index("ix_daily_rollup_department_day", "department_id", "day"),
        Index("ix_daily_rollup_street_day", "street_id", "day"),
    )


class DailySummary(Measures, db.Model):
    """The rollup of one day summed over all dimensions but one (its *grain*): a few hundred rows a day, so a
    year of one department's, street's or category's figures reads tens of thousands of rows, not millions.

    ``key_id`` holds the grain's id (department, mailbox, category, street, community; 0 for none) and
    ``key_code`` its code (channel, grade); the "all" grain has one row per role. The one two-key grain,
    ``department_category``, holds the category in ``key_id`` and the department in ``key_id2`` (the 化解率
    of each department reads only the dispute categories' rows). Written with the rollup's
    rows of the day (:func:`app.reports.rollup.rebuild_day`), never on its own.
    """

    __tablename__ = "daily_summary"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    grain: Mapped[str] = mapped_column(String(20))
    key_id: Mapped[int] = mapped_column(Integer, default=0)
    key_code: Mapped[str] = mapped_column(String(20), default="")
    key_id2: Mapped[int] = mapped_column(Integer, default=0)
    department_role: Mapped[str] = mapped_column(String(4), default="lead")

    __table_args__ = (
        UniqueConstraint(
            "grain", "day", "key_id", "key_code", "key_id2", "department_role", name="uq_daily_summary_key"
        ),
        Index("ix_daily_summary_grain_key_day", "grain", "key_id", "day"),
    )


class RollupDirty(db.Model):
    """A rollup correction waiting for the job: a day to rebuild, or a case whose days are to be rebuilt."""

    __tablename__ = "rollup_dirty"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date | None] = mapped_column(Date)
    case_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AreaColourRule(db.Model):
    """How the area board colours a street or community (one row; administrators edit it)."""

    __tablename__ = "area_colour_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # red: at least this many open red-grade cases, or this share of open cases overdue
    red_open_red_cases: Mapped[int] = mapped_column(Integer, default=1)
    red_overdue_share: Mapped[float] = mapped_column(Float, default=0.10)
    # yellow: at least this share of open cases overdue, or at least this many open cases
    yellow_overdue_share: Mapped[float] = mapped_column(Float, default=0.03)
    yellow_open_cases: Mapped[int] = mapped_column(Integer, default=30)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class ReportIssue(db.Model):
    """One issue of a periodic report (民情日报 …): its figures as built, the editor's note, when it went out."""

    __tablename__ = "report_issue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # "daily" (weekly, monthly, quarterly to come)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    editor_note: Mapped[str | None] = mapped_column(Text)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    noted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("kind", "first_day", name="uq_report_issue_kind_first_day"),)


class ReportReading(db.Model):
    """A leader's 已阅 on an issue, with an optional comment (批注)."""

    __tablename__ = "report_reading"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("report_issue.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    comment: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("issue_id", "user_id", name="uq_report_reading_issue_user"),)
