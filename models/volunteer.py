"""平安员 volunteers, their clues (线索), the reward payouts made for useful clues, and the yearly funds."""

from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import Numeric
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
from models.enums import ClueStatus
from models.enums import PayMethod
from models.enums import RewardStatus
from models.enums import RewardTier
from models.enums import VolunteerGroup
from models.enums import VolunteerStatus
from models.org import Department
from models.types import Coded
from models.types import UTCDateTime
from models.types import enum_column
from models.user import User


class Volunteer(db.Model):
    """A resident who patrols and reports dispute clues (线索)."""

    __tablename__ = "volunteer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    phone: Mapped[str] = mapped_column(String(20), index=True)
    group: Mapped[str] = mapped_column(enum_column(VolunteerGroup, "volunteer_group"))
    community_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    joined_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(
        enum_column(VolunteerStatus, "volunteer_status"),
        default=VolunteerStatus.ACTIVE,
        server_default="active",
    )
    id_number: Mapped[str | None] = mapped_column(String(18))
    patrol_area: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    # The personal link to the clue page (/v/<token>): unguessable, replaced when it leaks.
    link_token: Mapped[str | None] = mapped_column(String(43))

    community: Mapped[Department] = relationship()

    __table_args__ = (
        Index("ix_volunteer_id_number", "id_number", unique=True),
        Index("ix_volunteer_link_token", "link_token", unique=True),
    )

    @property
    def active(self) -> bool:
        """Whether the volunteer is on active duty (status active)."""
        return self.status == VolunteerStatus.ACTIVE

    def __str__(self) -> str:
        return self.name


class RewardPayout(db.Model):
    """A reward (平安奖励金) proposed, approved and paid to a volunteer for a clue."""

    __tablename__ = "reward_payout"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_item.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(
        enum_column(RewardStatus, "reward_status"), default=RewardStatus.PROPOSED
    )
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    clue_id: Mapped[int | None] = mapped_column(ForeignKey("clue.id"), index=True)
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("reward_fund.id"), index=True)
    tier: Mapped[str | None] = mapped_column(Coded(RewardTier))
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejection_reason: Mapped[str | None] = mapped_column(Text)
    paid_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    paid_on: Mapped[date | None] = mapped_column(Date)
    pay_method: Mapped[str | None] = mapped_column(Coded(PayMethod))
    pay_reference: Mapped[str | None] = mapped_column(String(100))

    volunteer: Mapped[Volunteer] = relationship()
    case: Mapped[Case | None] = relationship()
    clue: Mapped["Clue | None"] = relationship(back_populates="rewards")  # noqa: F821  (models.volunteer)
    fund: Mapped["RewardFund | None"] = relationship()
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])
    rejected_by: Mapped[User | None] = relationship(foreign_keys=[rejected_by_id])
    paid_by: Mapped[User | None] = relationship(foreign_keys=[paid_by_id])

    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        # At most one approved (or paid) reward per clue, enforced by the database.
        Index(
            "ux_reward_payout_clue_granted",
            "clue_id",
            unique=True,
            sqlite_where=text("status IN ('approved', 'paid') AND clue_id IS NOT NULL"),
            postgresql_where=text("status IN ('approved', 'paid') AND clue_id IS NOT NULL"),
        ),
    )

    def __str__(self) -> str:
        return f"{self.volunteer} ¥{self.amount}"


class RewardFund(db.Model):
    """A district's yearly 平安奖励金 budget. ``approved_total`` counts approved and paid rewards.

    The CHECK constraints make overspending impossible in the database itself: an approval is a
    conditional UPDATE of this row, and two concurrent approvals are serialised on it.
    """

    __tablename__ = "reward_fund"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    district_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    budget: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    approved_total: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=0, server_default="0")
    paid_total: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=0, server_default="0")
    note: Mapped[str | None] = mapped_column(Text)

    district: Mapped[Department] = relationship()

    __table_args__ = (
        UniqueConstraint("year", "district_id", name="uq_reward_fund_year_district"),
        CheckConstraint("budget >= 0", name="budget_not_negative"),
        CheckConstraint("approved_total >= 0 AND approved_total <= budget", name="within_budget"),
        CheckConstraint("paid_total >= 0 AND paid_total <= approved_total", name="paid_within_approved"),
    )

    def __str__(self) -> str:
        return f"{self.year} {self.district}"

    @property
    def remaining(self) -> Decimal:
        """Budget not yet approved."""
        return (self.budget or 0) - (self.approved_total or 0)


class Clue(db.Model):
    """One report by a volunteer; ``case`` is the case it became (converted) or joined (merged)."""

    __tablename__ = "clue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("volunteer.id"), index=True)
    # The volunteer's community when reported: handlers of that community (and above) see the clue.
    community_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    place: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    people_involved: Mapped[int | None] = mapped_column(Integer)
    money_involved: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    status: Mapped[str] = mapped_column(enum_column(ClueStatus, "clue_status"), default=ClueStatus.NEW)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_item.id"), index=True)
    dismiss_reason: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    entered_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id")
    )  # None: the volunteer's link
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    triaged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submission_key: Mapped[str | None] = mapped_column(String(64))

    volunteer: Mapped[Volunteer] = relationship()
    community: Mapped[Department] = relationship()
    case: Mapped[Case | None] = relationship()
    entered_by: Mapped[User | None] = relationship(foreign_keys=[entered_by_id])
    triaged_by: Mapped[User | None] = relationship(foreign_keys=[triaged_by_id])
    rewards: Mapped[list["RewardPayout"]] = relationship(back_populates="clue")  # noqa: F821
    attachments: Mapped[list["Attachment"]] = relationship(  # noqa: F821  (models.case)
        back_populates="clue", order_by="Attachment.id"
    )

    __table_args__ = (
        Index("ix_clue_status_reported", "status", "reported_at"),
        Index("ix_clue_submission_key", "submission_key", unique=True),
    )

    def __str__(self) -> str:
        return f"#{self.id} {self.place}"
