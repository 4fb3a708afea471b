"""即接即办 and 标准用语: which requests an intake clerk may answer on the spot, and the admin-kept reply
templates per category. The rules live in :mod:`app.cases.direct_answer` and :mod:`app.cases.wording`."""

from datetime import datetime

from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import db
from app.timeutil import utcnow
from models.enums import RequestType
from models.org import Category
from models.types import Coded
from models.types import UTCDateTime


class DirectAnswerScope(db.Model):
    """A kind of request an intake clerk may answer on the spot (直接答复): a request type, a category (a
    level-1 category covers its sub-categories), or both; an empty field matches any."""

    __tablename__ = "direct_answer_scope"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_type: Mapped[str | None] = mapped_column(Coded(RequestType))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    note: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    category: Mapped[Category | None] = relationship()


class ReplyTemplate(db.Model):
    """标准用语: a reply text with placeholders ({称呼}, {编号}, {标题}, {承办单位}, {日期}) for a category (or any)."""

    __tablename__ = "reply_template"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("category.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    sort_order: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    category: Mapped[Category | None] = relationship()

    def __str__(self) -> str:
        return self.title
