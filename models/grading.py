"""Grading rules (分级规则) an administrator sets, and the grade they suggested for each new case, with the
clerk's different choice and its reason (app.intake.grading)."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import Column
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import db
from app.timeutil import utcnow
from models.enums import Grade
from models.org import Category
from models.types import UTCDateTime
from models.types import enum_column
from models.user import User

grading_rule_category = Table(
    "grading_rule_category",
    db.metadata,
    Column("rule_id", ForeignKey("grading_rule.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id", ondelete="CASCADE"), primary_key=True),
)


class GradingRule(db.Model):
    """A rule that suggests a grade when every condition it sets holds (unset conditions are ignored)."""

    __tablename__ = "grading_rule"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    priority: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0"
    )  # higher: reason listed first
    grade: Mapped[str] = mapped_column(enum_column(Grade, "grading_rule_grade"))
    min_people: Mapped[int | None] = mapped_column(Integer)
    min_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))  # yuan
    keywords: Mapped[list | None] = mapped_column(JSON)  # any one in the title or content
    min_repeats: Mapped[int | None] = mapped_column(Integer)  # earlier cases of the same matter
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # a level-1 category also matches its level-2 children
    categories: Mapped[list[Category]] = relationship(secondary=grading_rule_category, order_by=Category.code)

    def __str__(self) -> str:
        return self.name


class GradeSuggestion(db.Model):
    """The grade the rules suggested for one case, why, the grade the case ended with and the clerk's reason."""

    __tablename__ = "grade_suggestion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_item.id", ondelete="CASCADE"))
    suggested_grade: Mapped[str] = mapped_column(enum_column(Grade, "grade_suggestion_suggested"))
    reasons: Mapped[list | None] = mapped_column(JSON)  # sentences in the office's language
    rule_ids: Mapped[list | None] = mapped_column(JSON)
    final_grade: Mapped[str] = mapped_column(enum_column(Grade, "grade_suggestion_final"))
    differed: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    clerk_reason: Mapped[str | None] = mapped_column(String(255))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    decided_by: Mapped[User | None] = relationship()

    __table_args__ = (
        Index("ix_grade_suggestion_case_id", "case_id", unique=True),
        Index("ix_grade_suggestion_created_at", "created_at"),
    )
