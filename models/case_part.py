"""协办同责: each co-department's own part of a case, signed for, worked and answered on its own clocks, or
waived by a supervisor. The rules live in :mod:`app.cases.parts`."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import db
from app.timeutil import utcnow
from models.case import Case
from models.enums import LabelledEnum
from models.org import Department
from models.types import UTCDateTime
from models.types import enum_column
from models.user import User


class PartStatus(LabelledEnum):
    """Where a co-department's part stands: awaiting its sign-off, in hand, answered, or waived."""

    PENDING = "pending", _l("Awaiting sign-off")
    SIGNED = "signed", _l("Signed for, in hand")
    ANSWERED = "answered", _l("Part answered")
    WAIVED = "waived", _l("Waived by a supervisor")


# a part in one of these no longer holds up the lead department's reply
SETTLED_PARTS = frozenset({PartStatus.ANSWERED, PartStatus.WAIVED})


class CasePart(db.Model):
    """One co-department's part of a case (协办): what it was asked, its sign-off, contact and answer."""

    __tablename__ = "case_part"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_item.id", ondelete="CASCADE"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    status: Mapped[str] = mapped_column(
        enum_column(PartStatus, "case_part_status"), default=PartStatus.PENDING
    )
    # what the lead (or the dispatching clerk) asks of this department; optional
    request: Mapped[str | None] = mapped_column(Text)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    waived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waived_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    waive_reason: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    case: Mapped[Case] = relationship(
        backref=db.backref("parts", order_by="CasePart.id", cascade="all, delete-orphan")
    )
    department: Mapped[Department] = relationship()
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
    waived_by: Mapped[User | None] = relationship(foreign_keys=[waived_by_id])

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("case_id", "department_id", name="uq_case_part_department"),
        Index("ix_case_part_department_status", "department_id", "status"),
    )

    def __str__(self) -> str:
        return f"{self.department} · {self.status.label}"
