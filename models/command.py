"""Command and accountability instruments on a case: 领导批示 and 督办单 (orders addressed to departments, each
answered and checked on its own clock), 包案 by a named leader ending in 销案, leaders' visits, and the
admin-set automatic 督办 rules. The rules live in :mod:`app.command`."""

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
from models.enums import LabelledEnum
from models.enums import LeaderRank
from models.org import Department
from models.types import UTCDateTime
from models.types import enum_column
from models.user import User


class OrderKind(LabelledEnum):
    """What an order is: a leader's instruction or a supervisor's supervision order."""

    INSTRUCTION = "instruction", _l("Leader instruction")
    SUPERVISION = "supervision", _l("Supervision order")


class SupervisionLevel(LabelledEnum):
    """How hard a supervision order presses, lowest first (a repeated order on a case goes one higher)."""

    GENERAL = "general", _l("General supervision")
    KEY = "key", _l("Key supervision")
    LISTED = "listed", _l("Listed supervision")


class OrderStatus(LabelledEnum):
    """An order is open until every addressed department's answer is accepted."""

    OPEN = "open", _l("Open")
    CLOSED = "closed", _l("Closed")


class TargetStatus(LabelledEnum):
    """Where one addressed department's answer stands."""

    PENDING = "pending", _l("Awaiting the answer")
    ANSWERED = "answered", _l("Answered, awaiting the check")
    RETURNED = "returned", _l("Sent back to answer again")
    ACCEPTED = "accepted", _l("Accepted")


class PackageStatus(LabelledEnum):
    """A 包案 runs until the matter is settled (销案) or another leader takes the case over."""

    ACTIVE = "active", _l("In hand")
    SETTLED = "settled", _l("Settled (销案)")
    HANDED_OVER = "handed_over", _l("Handed over")


class VisitKind(LabelledEnum):
    """A leader meets the citizen: receives them (接访) or goes out to them (下访)."""

    RECEIVE = "receive", _l("Received the citizen (接访)")
    GO_OUT = "go_out", _l("Visited the citizen (下访)")


class RuleTrigger(LabelledEnum):
    """What makes an automatic supervision rule fire on a case."""

    RED_NOT_SIGNED = "red_not_signed", _l("A red case not signed for within its limit")
    REPEAT = "repeat", _l("A repeat case received the N-th time")
    SENSITIVE = "sensitive", _l("A sensitive case")
    OVERDUE_DAYS = "overdue_days", _l("A case overdue by more than N working days")


class SupervisionRule(db.Model):
    """An admin-set rule that issues a supervision order by itself, once per case and level."""

    __tablename__ = "supervision_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    trigger: Mapped[str] = mapped_column(enum_column(RuleTrigger, "supervision_rule_trigger"))
    threshold: Mapped[int | None] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(enum_column(SupervisionLevel, "supervision_rule_level"))
    requirement: Mapped[str] = mapped_column(Text)
    due_working_days: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __str__(self) -> str:
        return self.name


class CaseOrder(db.Model):
    """A 批示 or a 督办单 on one case, addressed to one or more departments (:class:`OrderTarget`)."""

    __tablename__ = "case_order"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_item.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(enum_column(OrderKind, "case_order_kind"))
    level: Mapped[str | None] = mapped_column(enum_column(SupervisionLevel, "case_order_level"))
    content: Mapped[str] = mapped_column(Text)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The leader a supervisor wrote the instruction for (recorded as such); None when the leader wrote it.
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # The leader whose instruction it is: the writer, or the one written for (their 我的批示).
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("supervision_rule.id", ondelete="SET NULL"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(
        enum_column(OrderStatus, "case_order_status"), default=OrderStatus.OPEN
    )
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    case: Mapped[Case] = relationship(backref=db.backref("orders", order_by="CaseOrder.id"))
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    on_behalf_of: Mapped[User | None] = relationship(foreign_keys=[on_behalf_of_id])
    leader: Mapped[User | None] = relationship(foreign_keys=[leader_id])
    rule: Mapped[SupervisionRule | None] = relationship()
    targets: Mapped[list["OrderTarget"]] = relationship(
        back_populates="order", order_by="OrderTarget.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_case_order_kind_status_due", "kind", "status", "due_at"),
        # an automatic rule fires once per case and level
        Index(
            "uq_case_order_rule_level",
            "case_id",
            "rule_id",
            "level",
            unique=True,
            sqlite_where=text("rule_id IS NOT NULL"),
            postgresql_where=text("rule_id IS NOT NULL"),
        ),
    )

    def __str__(self) -> str:
        return f"{self.kind.label} #{self.id}"


class OrderTarget(db.Model):
    """One addressed department's part of an order: its answer (落实情况) and the supervisor's check."""

    __tablename__ = "order_target"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("case_order.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    status: Mapped[str] = mapped_column(
        enum_column(TargetStatus, "order_target_status"), default=TargetStatus.PENDING
    )
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    first_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    check_note: Mapped[str | None] = mapped_column(Text)
    returns: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    order: Mapped[CaseOrder] = relationship(back_populates="targets")
    department: Mapped[Department] = relationship()
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    checked_by: Mapped[User | None] = relationship(foreign_keys=[checked_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("order_id", "department_id", name="uq_order_target_department"),)


class CasePackage(db.Model):
    """包案: a named leader takes charge of a case at a level, until 销案 (or a hand-over)."""

    __tablename__ = "case_package"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_item.id", ondelete="CASCADE"), index=True)
    level: Mapped[str] = mapped_column(enum_column(LeaderRank, "case_package_level"))
    leader_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(
        enum_column(PackageStatus, "case_package_status"), default=PackageStatus.ACTIVE
    )
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    settlement: Mapped[str | None] = mapped_column(Text)
    # 销案 evidence: {"revisit": satisfaction code, "agreement": text}; photos are attachments of the package.
    evidence: Mapped[dict | None] = mapped_column(JSON)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    case: Mapped[Case] = relationship(backref=db.backref("packages", order_by="CasePackage.id"))
    leader: Mapped[User] = relationship(foreign_keys=[leader_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])
    settled_by: Mapped[User | None] = relationship(foreign_keys=[settled_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # one leader holds a case at a time
        Index(
            "uq_case_package_active",
            "case_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )


class LeaderVisit(db.Model):
    """A 包案 leader's 接访 or 下访 on a case: when, where, whom they met, what came of it (photos attached)."""

    __tablename__ = "leader_visit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_item.id", ondelete="CASCADE"), index=True)
    package_id: Mapped[int | None] = mapped_column(ForeignKey("case_package.id", ondelete="SET NULL"))
    leader_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    kind: Mapped[str] = mapped_column(enum_column(VisitKind, "leader_visit_kind"))
    visited_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200))
    met_with: Mapped[str] = mapped_column(String(200))
    outcome: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(backref=db.backref("visits", order_by="LeaderVisit.visited_on"))
    leader: Mapped[User] = relationship(foreign_keys=[leader_id])
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])
