"""Deadline policies, one deadline row per case and stage, the once-only fire log, extensions (延期) and the
work calendar."""

from datetime import date
from datetime import datetime

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
from models.enums import Grade
from models.enums import LabelledEnum
from models.enums import RequestType
from models.org import Category
from models.org import Mailbox
from models.types import Coded
from models.types import UTCDateTime
from models.types import enum_column
from models.user import User


class Stage(LabelledEnum):
    """The steps of a case that run on a clock, in lifecycle order."""

    REGISTER = "register", _l("Register (intake)")
    DISPATCH = "dispatch", _l("Dispatch")
    SIGN = "sign", _l("Sign for")
    CONTACT = "contact", _l("Contact the citizen")
    FIRST_REPLY = "first_reply", _l("First reply")
    RESOLVE = "resolve", _l("Resolve")
    REVISIT = "revisit", _l("Revisit")
    INSTRUCTION = "instruction", _l("Answer a leader instruction")
    SUPERVISION = "supervision", _l("Answer a supervision order")
    ORDER_ACK = "order_ack", _l("Acknowledge an order (接令)")
    CHECK_IN = "check_in", _l("Check in on site (报到)")
    FEEDBACK = "feedback", _l("Report the outcome (反馈)")
    # a red case's hourly 动态更新 until the citizen is contacted (app.cases.progress_updates)
    PROGRESS_UPDATE = "progress_update", _l("Hourly progress update")


ORDER_STAGES = (Stage.INSTRUCTION, Stage.SUPERVISION)
# the clocks of a bureau's part of a 令 (models.field_order): no case of their own
FIELD_STAGES = (Stage.ORDER_ACK, Stage.CHECK_IN, Stage.FEEDBACK)
# The stages of the case itself (one deadline each per case); the order stages run one per addressed
# department; a co-department's part (models.case_part) runs SIGN, CONTACT and RESOLVE of its own.
CASE_STAGES = tuple(s for s in Stage if s not in ORDER_STAGES and s not in FIELD_STAGES)
PART_STAGES = (Stage.SIGN, Stage.CONTACT, Stage.RESOLVE)


class ClockAnchor(LabelledEnum):
    """The case event a policy's clock counts from (``DeadlinePolicy.starts_from``); each names the case
    field that holds its time (:data:`ANCHOR_FIELDS`)."""

    RECEIVED = "received", _l("Receipt of the case")
    REGISTERED = "registered", _l("Registration of the case")
    DISPATCHED = "dispatched", _l("Dispatch of the case")
    SIGNED = "signed", _l("Signing for the case")
    CONTACTED = "contacted", _l("Contact with the citizen")


ANCHOR_FIELDS = {
    ClockAnchor.RECEIVED: "received_at",
    ClockAnchor.REGISTERED: "registered_at",
    ClockAnchor.DISPATCHED: "dispatched_at",
    ClockAnchor.SIGNED: "signed_at",
    ClockAnchor.CONTACTED: "contacted_at",
}


class Unit(LabelledEnum):
    """How a policy's amount is counted."""

    MINUTES = "minutes", _l("minutes")
    HOURS = "hours", _l("hours")
    NATURAL_DAYS = "natural_days", _l("natural days")
    WORKING_DAYS = "working_days", _l("working days")


class DeadlineStatus(LabelledEnum):
    """Where a deadline stands: its clock runs, or it stopped met or cancelled."""

    RUNNING = "running", _l("Running")
    MET = "met", _l("Met")
    CANCELLED = "cancelled", _l("Cancelled")


class Urgency(LabelledEnum):
    """The colour a case shows in lists, from its most urgent running deadline."""

    GREEN = "green", _l("On time")
    YELLOW = "yellow", _l("Due soon")
    RED = "red", _l("Overdue")


class LadderStep(LabelledEnum):
    """What a rung of the ladder does; each fires at most once per deadline version."""

    WARN = "warn", _l("Warning")
    BREACH = "breach", _l("Overdue")
    ESCALATE_SUPERVISOR = "escalate_supervisor", _l("Escalated to supervisors")
    ESCALATE_LEADER = "escalate_leader", _l("Escalated to the owning leader")


class ExtensionStatus(LabelledEnum):
    """Where an extension request stands."""

    REQUESTED = "requested", _l("Requested")
    APPROVED = "approved", _l("Approved")
    REJECTED = "rejected", _l("Rejected")


class CalendarSource(LabelledEnum):
    """Where a work-calendar day came from."""

    CHINESECALENDAR = "chinesecalendar", _l("chinesecalendar package")
    WEEKLY = "weekly", _l("Weekly default (Mon-Fri)")
    ADMIN = "admin", _l("Entered by an administrator")


class DeadlinePolicy(db.Model):
    """How long a stage may take for the cases it matches, and the warning and escalation ladder."""

    __tablename__ = "deadline_policy"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    policy_set: Mapped[str | None] = mapped_column(String(50))
    stage: Mapped[str] = mapped_column(enum_column(Stage, "deadline_stage"), index=True)
    grade: Mapped[str | None] = mapped_column(Coded(Grade))
    request_type: Mapped[str | None] = mapped_column(Coded(RequestType))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    mailbox_id: Mapped[int | None] = mapped_column(ForeignKey("mailbox.id"))
    amount: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(enum_column(Unit, "deadline_unit"))
    ladder: Mapped[list] = mapped_column(JSON, default=list)
    # the event the clock counts from when it has already happened; None: when the stage starts
    starts_from: Mapped[str | None] = mapped_column(Coded(ClockAnchor))
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
    # None only for a 令's clocks (``field_target_id``), which may concern no case
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_item.id", ondelete="CASCADE"))
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
    last_fired: Mapped[str | None] = mapped_column(Coded(LadderStep, 30))
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(enum_column(DeadlineStatus, "case_deadline_status"))
    extended_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    explanation: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # An order stage's addressed department (models.command.OrderTarget); None for the case's own stages.
    target_id: Mapped[int | None] = mapped_column(ForeignKey("order_target.id", ondelete="CASCADE"))
    # A co-department's part of the case (协办, models.case_part); None for the lead's own stages.
    part_id: Mapped[int | None] = mapped_column(ForeignKey("case_part.id", ondelete="CASCADE"))
    # A bureau's part of a 令 (models.field_order): its 接令, 报到 and 反馈 clocks.
    field_target_id: Mapped[int | None] = mapped_column(
        ForeignKey("field_order_target.id", ondelete="CASCADE")
    )

    # Plain many-to-one: Case.deadlines (below) holds only the case's own stages.
    case: Mapped[Case] = relationship()
    target: Mapped["OrderTarget | None"] = relationship(  # noqa: F821  (models.command)
        backref=db.backref("deadline", uselist=False)
    )
    part: Mapped["CasePart | None"] = relationship(  # noqa: F821  (models.case_part)
        backref=db.backref("deadlines", order_by="CaseDeadline.id", cascade="all, delete-orphan")
    )
    field_target: Mapped["FieldOrderTarget | None"] = relationship(  # noqa: F821  (models.field_order)
        backref=db.backref("deadlines", order_by="CaseDeadline.id", cascade="all, delete-orphan")
    )
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
        # one deadline per addressed department's part of an order; partial, so that the case's own stages
        # (target_id IS NULL, millions of rows) are never looked up through it
        Index(
            "uq_case_deadline_target",
            "target_id",
            unique=True,
            sqlite_where=text("target_id IS NOT NULL"),
            postgresql_where=text("target_id IS NOT NULL"),
        ),
        # one deadline per case and stage of the case itself; order stages have one per addressed department,
        # a co-department's part one per stage of its own
        Index(
            "uq_case_deadline_case_stage",
            "case_id",
            "stage",
            unique=True,
            sqlite_where=text("target_id IS NULL AND part_id IS NULL"),
            postgresql_where=text("target_id IS NULL AND part_id IS NULL"),
        ),
        Index(
            "uq_case_deadline_part_stage",
            "part_id",
            "stage",
            unique=True,
            sqlite_where=text("part_id IS NOT NULL"),
            postgresql_where=text("part_id IS NOT NULL"),
        ),
        Index(
            "uq_case_deadline_field_stage",
            "field_target_id",
            "stage",
            unique=True,
            sqlite_where=text("field_target_id IS NOT NULL"),
            postgresql_where=text("field_target_id IS NOT NULL"),
        ),
        Index(
            "ix_case_deadline_next_fire",
            "next_fire_at",
            sqlite_where=text("status = 'running' AND next_fire_at IS NOT NULL"),
            postgresql_where=text("status = 'running' AND next_fire_at IS NOT NULL"),
        ),
        Index("ix_case_deadline_policy", "policy_id"),
        # the rollup finds the stages decided on a day: met, or fallen due
        Index("ix_case_deadline_due_at", "due_at"),
        Index("ix_case_deadline_met_at", "met_at"),
    )


Case.deadlines = relationship(
    CaseDeadline,
    primaryjoin=lambda: (
        (CaseDeadline.case_id == Case.id) & CaseDeadline.target_id.is_(None) & CaseDeadline.part_id.is_(None)
    ),
    order_by=CaseDeadline.id,
    overlaps="case",
)


class DeadlineFire(db.Model):
    """Proof that a rung fired: unique per (deadline, step, version), written with its outbox rows."""

    __tablename__ = "deadline_fire"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("case_deadline.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(Coded(LadderStep, 30))
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


class WorkCalendarDay(db.Model):
    """A day of the Asia/Shanghai calendar; the table, not any package, is the source of truth."""

    __tablename__ = "work_calendar_day"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_workday: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str | None] = mapped_column(String(50))
    source: Mapped[str] = mapped_column(Coded(CalendarSource), default=CalendarSource.ADMIN)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    def __str__(self) -> str:
        return self.day.isoformat()
