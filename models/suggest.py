"""What the category suggestion keeps: the trained models (one row per training, the newest in use), the
admin-editable keyword hints per category, and what was suggested for each case against what it ended with.
The rules are in app.suggest."""

from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import db
from app.timeutil import utcnow
from models.case import Case
from models.org import Category
from models.org import Department
from models.types import UTCDateTime


class SuggestModel(db.Model):
    """One trained model: the fitted pipeline (pickled by us, read only from our own database) and its figures."""

    __tablename__ = "suggest_model"

    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    blob: Mapped[bytes] = mapped_column(LargeBinary)
    cases_used: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    hint_documents: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    categories: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    held_out: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    top1: Mapped[float | None] = mapped_column(Float)  # share right on the held-out split, None when too few
    top3: Mapped[float | None] = mapped_column(Float)
    seconds: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")


class CategoryHint(db.Model):
    """Keywords that point to a category: a cold start's whole evidence, later extra evidence for rare ones."""

    __tablename__ = "category_hint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("category.id", ondelete="CASCADE"), unique=True)
    keywords: Mapped[str] = mapped_column(Text, default="")  # one keyword per line (or separated by 、,，;)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    category: Mapped[Category] = relationship()

    def __str__(self) -> str:
        return str(self.category) if self.category is not None else ""


class RoutingSuggestion(db.Model):
    """What was suggested for one case at intake, and the category and department it has since been given."""

    __tablename__ = "routing_suggestion"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_item.id", ondelete="CASCADE"), unique=True)
    suggested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    model_version: Mapped[int | None] = mapped_column(Integer)  # None: from the keyword hints alone
    categories: Mapped[list] = mapped_column(JSON, default=list)  # [{"code", "score"}, …] best first
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"))
    chosen_category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="SET NULL"))
    chosen_department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id", ondelete="SET NULL"))
    chosen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    top1_right: Mapped[bool | None] = mapped_column(Boolean)
    top3_right: Mapped[bool | None] = mapped_column(Boolean)
    department_right: Mapped[bool | None] = mapped_column(Boolean)

    case: Mapped[Case] = relationship()
    department: Mapped[Department | None] = relationship(foreign_keys=[department_id])
    chosen_category: Mapped[Category | None] = relationship()
    chosen_department: Mapped[Department | None] = relationship(foreign_keys=[chosen_department_id])
