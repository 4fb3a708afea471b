"""Deadline policies, one deadline row per case and stage, the once-only fire log, and extensions (延期)."""

from datetime import date
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import db
from app.timeutil import utcnow
from models.case import Case
from models.enums import enum_column
from models.org import Category
from models.org import Mailbox
from models.types import UTCDateTime
from models.user import User


class Stage(StrEnum):
    """The steps of a case that run on a clock, in lifecycle order."""

    REGISTER = "register"
    DISPATCH = "dispatch"
    SIGN = "sign"
    CONTACT = "contact"
    FIRST_REPLY = "first_reply"
    RESOLVE = "resolve"
    REVISIT = "revisit"


STAGE_LABELS = {
    Stage.REGISTER: _l("Register (intake)"),
    Stage.DISPATCH: _l("Dispatch"),
    Stage.SIGN: _l("Sign for"),
    Stage.CONTACT: _l("Contact the citizen"),
    Stage.FIRST_REPLY: _l("First reply"),
    Stage.RESOLVE: _l("Resolve"),
    Stage.REVISIT: _l("Revisit"),
}


class Unit(StrEnum):
    """How a policy's amount is counted."""

    MINUTES = "minutes"
    HOURS = "hours"
    NATURAL_DAYS = "natural_days"
    WORKING_DAYS = "working_days"


UNIT_LABELS = {
    Unit.MINUTES: _l("minutes"),
    Unit.HOURS: _l("hours"),
    Unit.NATURAL_DAYS: _l("natural days"),
    Unit.WORKING_DAYS: _l("working days"),
}


class DeadlineStatus(StrEnum):
    RUNNING = "running"
    MET = "met"
    CANCELLED = "cancelled"


DEADLINE_STATUS_LABELS = {
    DeadlineStatus.RUNNING: _l("Running"),
    DeadlineStatus.MET: _l("Met"),
    DeadlineStatus.CANCELLED: _l("Cancelled"),
}


class Urgency(StrEnum):
    """The colour a case shows in lists, from its most urgent running deadline."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


URGENCY_LABELS = {
    Urgency.GREEN: _l("On time"),
    Urgency.YELLOW: _l("Due soon"),
    Urgency.RED: _l("Overdue"),
}


class LadderStep(StrEnum):
    """What a rung of the ladder does; each fires at most once per deadline version."""

    WARN = "warn"
    BREACH = "breach"
    ESCALATE_SUPERVISOR = "escalate_supervisor"
    ESCALATE_LEADER = "escalate_leader"


LADDER_STEP_LABELS = {
    LadderStep.WARN: _l("Warning"),
    LadderStep.BREACH: _l("Overdue"),
    LadderStep.ESCALATE_SUPERVISOR: _l("Escalated to supervisors"),
    LadderStep.ESCALATE_LEADER: _l("Escalated to the owning leader"),
}


class ExtensionStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"


EXTENSION_STATUS_LABELS = {
    ExtensionStatus.REQUESTED: _l("Requested"),
    ExtensionStatus.APPROVED: _l("Approved"),
    ExtensionStatus.REJECTED: _l("Rejected"),
}


class DeadlinePolicy(db.Model):
    """How long a stage may take for the cases it matches, and the warning and escalation ladder."""

    __tablename__ = "deadline_policy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    policy_set: Mapped[str | None] = mapped_column(String(50))
    stage: Mapped[str] = mapped_column(enum_column(Stage, "deadline_stage"), index=True)
    grade: Mapped[str | None] = mapped_column(String(20))
    request_type: Mapped[str | None] = mapped_column(String(20))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    mailbox_id: Mapped[int | None] = mapped_column(ForeignKey("mailbox.id"))
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(enum_column(Unit, "deadline_unit"))
    ladder: Mapped[list] = mapped_column(JSON, default=list)
    max_extensions: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    max_extension_amount: Mapped[int | None] = mapped_column(Integer)
    priority: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    category: Mapped[Category | None] = relationship()
    mailbox: Mapped[Mailbox | None] = relationship()

    def __str__(self) -> str:
        return self.name


class CaseDeadline(db.Model):
    """One stage's clock on one case: when it started, when it is due, and where its ladder stands."""

    __tablename__ = "case_deadline"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_item.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(enum_column(Stage, "case_deadline_stage"))
    policy_id: Mapped[int | None] = mapped_column(ForeignKey("deadline_policy.id", ondelete="SET NULL"))
    policy_snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    clock: Mapped[str] = mapped_column(enum_column(Unit, "case_deadline_clock"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    warn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The instant the next rung of the ladder fires; NULL when nothing is left to fire. The sweep reads this.
    next_fire_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_step: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_fired: Mapped[str | None] = mapped_column(String(30))
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(enum_column(DeadlineStatus, "case_deadline_status"))
    extended_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    explanation: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    case: Mapped[Case] = relationship(backref=db.backref("deadlines", order_by="CaseDeadline.id"))
    policy: Mapped[DeadlinePolicy | None] = relationship()
    extensions: Mapped[list["DeadlineExtension"]] = relationship(
        back_populates="deadline", order_by="DeadlineExtension.id", cascade="all, delete-orphan"
    )

    def approved_extensions(self) -> list["DeadlineExtension"]:
        """Extensions approved for the current run of this deadline, oldest first."""
        return [
            e
            for e in self.extensions
            if e.status == ExtensionStatus.APPROVED and e.decided_at and e.decided_at >= self.started_at
        ]

    __table_args__ = (
        UniqueConstraint("case_id", "stage", name="uq_case_deadline_case_stage"),
        Index(
            "ix_case_deadline_next_fire",
            "next_fire_at",
            sqlite_where=text("status = 'running' AND next_fire_at IS NOT NULL"),
            postgresql_where=text("status = 'running' AND next_fire_at IS NOT NULL"),
        ),
        Index("ix_case_deadline_policy", "policy_id"),
    )


class DeadlineFire(db.Model):
    """Proof that a rung fired: unique per (deadline, step, version), written with its outbox rows."""

    __tablename__ = "deadline_fire"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("case_deadline.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(30))
    deadline_version: Mapped[int] = mapped_column(Integer)
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    missed: Mapped[list] = mapped_column(JSON, default=list)

    __table_args__ = (
        UniqueConstraint("deadline_id", "step", "deadline_version", name="uq_deadline_fire_once"),
    )


class DeadlineExtension(db.Model):
    """A handler's request for more time (延期) and the supervisor's decision."""

    __tablename__ = "deadline_extension"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_item.id", ondelete="CASCADE"), index=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("case_deadline.id", ondelete="CASCADE"))
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(enum_column(Unit, "deadline_extension_unit"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(enum_column(ExtensionStatus, "deadline_extension_status"))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
    old_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    new_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    deadline: Mapped[CaseDeadline] = relationship(back_populates="extensions")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


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
