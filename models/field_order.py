"""社区发令 · 部门报到: orders (令) issued by a street or community to district bureaus, the admin-defined
classes of order with their 报到 rules, each addressed bureau's part (接令 → 报到 → 反馈 → the issuer's
rating), and the people who turned up. The rules live in :mod:`app.command.field_orders`."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import Column
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import db
from app.timeutil import utcnow
from models.case import Case
from models.deadline import Unit
from models.enums import LabelledEnum
from models.enums import Satisfaction
from models.org import Department
from models.types import UTCDateTime
from models.types import enum_column
from models.user import User


class AttendeeLevel(LabelledEnum):
    """The level of a person who turns up for a 报到, lowest first (a class sets the minimum)."""

    STAFF = "staff", _l("Staff member")
    SECTION_CHIEF = "section_chief", _l("Section chief")
    BUREAU_LEADER = "bureau_leader", _l("Bureau leader")


class FieldOrderStatus(LabelledEnum):
    """An order is open until every addressed bureau's part is rated (or it is withdrawn)."""

    OPEN = "open", _l("Open")
    CLOSED = "closed", _l("Closed")
    WITHDRAWN = "withdrawn", _l("Withdrawn")


class FieldTargetStatus(LabelledEnum):
    """Where one bureau's part of an order stands, in order."""

    ISSUED = "issued", _l("Awaiting acknowledgement")
    ACKNOWLEDGED = "acknowledged", _l("Acknowledged, awaiting check-in")
    CHECKED_IN = "checked_in", _l("Checked in, awaiting the outcome")
    REPORTED = "reported", _l("Outcome reported, awaiting the rating")
    RATED = "rated", _l("Rated")
    WITHDRAWN = "withdrawn", _l("Withdrawn")


class FieldOrderClass(db.Model):
    """An admin-defined class of order (e.g. 紧急, 一般) and its rules: how soon the bureau must acknowledge,
    check in and report, and who must turn up (the minimum level and headcount)."""

    __tablename__ = "field_order_class"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    ack_amount: Mapped[int] = mapped_column(Integer)
    ack_unit: Mapped[str] = mapped_column(enum_column(Unit, "field_order_class_ack_unit"))
    check_in_amount: Mapped[int] = mapped_column(Integer)
    check_in_unit: Mapped[str] = mapped_column(enum_column(Unit, "field_order_class_check_in_unit"))
    # the outcome is due this long after the check-in
    feedback_amount: Mapped[int] = mapped_column(Integer)
    feedback_unit: Mapped[str] = mapped_column(enum_column(Unit, "field_order_class_feedback_unit"))
    min_level: Mapped[str] = mapped_column(enum_column(AttendeeLevel, "field_order_class_min_level"))
    min_headcount: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __str__(self) -> str:
        return self.name


field_order_case = Table(
    "field_order_case",
    db.metadata,
    Column("order_id", ForeignKey("field_order.id", ondelete="CASCADE"), primary_key=True),
    Column("case_id", ForeignKey("case_item.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class FieldOrder(db.Model):
    """A 令: a street's or community's call on one or more bureaus about a matter (with or without cases)."""

    __tablename__ = "field_order"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("field_order_class.id"))
    matter: Mapped[str] = mapped_column(Text)
    place: Mapped[str] = mapped_column(String(200))
    issuing_department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # the class's rules as they were when the order was issued (a later edit of the class changes nothing)
    rules: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(
        enum_column(FieldOrderStatus, "field_order_status"), default=FieldOrderStatus.OPEN
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    order_class: Mapped[FieldOrderClass] = relationship()
    issuing_department: Mapped[Department] = relationship()
    issued_by: Mapped[User | None] = relationship()
    cases: Mapped[list[Case]] = relationship(
        secondary=field_order_case,
        order_by=Case.id,
        backref=db.backref("field_orders", order_by="FieldOrder.id"),
    )
    targets: Mapped[list["FieldOrderTarget"]] = relationship(
        back_populates="order", order_by="FieldOrderTarget.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (Index("ix_field_order_status_issued", "status", "issued_at"),)

    def __str__(self) -> str:
        return self.number


class FieldOrderTarget(db.Model):
    """One addressed bureau's part of a 令: 接令, 报到 (who came, at what level), 反馈, and the issuer's rating."""

    __tablename__ = "field_order_target"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("field_order.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    status: Mapped[str] = mapped_column(
        enum_column(FieldTargetStatus, "field_order_target_status"), default=FieldTargetStatus.ISSUED
    )
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # [{"name": ..., "level": AttendeeLevel code}], as entered at the check-in
    attendees: Mapped[list | None] = mapped_column(JSON)
    headcount: Mapped[int | None] = mapped_column(Integer)
    # whether the check-in met the class's minimum level and headcount (到场达标)
    staffed: Mapped[bool | None] = mapped_column(Boolean)
    check_in_note: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    outcome: Mapped[str | None] = mapped_column(Text)
    rating: Mapped[str | None] = mapped_column(enum_column(Satisfaction, "field_order_target_rating"))
    rating_reason: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    order: Mapped[FieldOrder] = relationship(back_populates="targets")
    department: Mapped[Department] = relationship()
    acknowledged_by: Mapped[User | None] = relationship(foreign_keys=[acknowledged_by_id])
    checked_in_by: Mapped[User | None] = relationship(foreign_keys=[checked_in_by_id])
    reported_by: Mapped[User | None] = relationship(foreign_keys=[reported_by_id])
    rated_by: Mapped[User | None] = relationship(foreign_keys=[rated_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("order_id", "department_id", name="uq_field_order_target_department"),
        Index("ix_field_order_target_department_status", "department_id", "status"),
    )
