"""平安员 volunteers and the reward payouts made to them for useful clues."""

from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import db
from app.timeutil import utcnow
from models.case import Case
from models.enums import VOLUNTEER_GROUP_LABELS
from models.enums import RewardStatus
from models.enums import VolunteerGroup
from models.enums import enum_column
from models.org import Department
from models.types import UTCDateTime
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
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    community: Mapped[Department] = relationship()

    def __str__(self) -> str:
        return self.name

    @property
    def group_label(self):
        """Translated group name."""
        return VOLUNTEER_GROUP_LABELS.get(self.group, self.group)


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

    volunteer: Mapped[Volunteer] = relationship()
    case: Mapped[Case | None] = relationship()
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])

    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    def __str__(self) -> str:
        return f"{self.volunteer} ¥{self.amount}"
