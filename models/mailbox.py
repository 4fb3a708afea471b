"""Named intake channels (局长信箱, 书记在线, 区长信箱 …) with a public page each."""

from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import db
from models.enums import MAILBOX_KIND_LABELS
from models.enums import MailboxKind
from models.enums import enum_column
from models.org import Department


class Mailbox(db.Model):
    """A leader mailbox owned by a department and a named leader."""

    __tablename__ = "mailbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(enum_column(MailboxKind, "mailbox_kind"))
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    leader_name: Mapped[str | None] = mapped_column(String(50))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    intro: Mapped[str | None] = mapped_column(Text)
    real_name_required: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")

    department: Mapped[Department] = relationship()

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self):
        """Translated kind name."""
        return MAILBOX_KIND_LABELS.get(self.kind, self.kind)
