"""Clues (线索): what a 平安员 volunteer saw and reported, triaged by staff into a case, a merge or nothing."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey
from sqlalchemy import Index
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
from models.enums import ClueStatus
from models.enums import enum_column
from models.org import Department
from models.types import UTCDateTime
from models.user import User
from models.volunteer import Volunteer


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
    attachments: Mapped[list["Attachment"]] = relationship(  # noqa: F821  (models.attachment)
        back_populates="clue", order_by="Attachment.id"
    )

    __table_args__ = (
        Index("ix_clue_status_reported", "status", "reported_at"),
        Index("ix_clue_submission_key", "submission_key", unique=True),
    )

    def __str__(self) -> str:
        return f"#{self.id} {self.place}"
