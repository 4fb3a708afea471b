"""Files citizens attach to a case (photos, voice notes), stored outside ``static/`` under random names."""

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import db
from app.timeutil import utcnow
from models.case import Case
from models.types import UTCDateTime


class AttachmentKind(StrEnum):
    IMAGE = "image"
    AUDIO = "audio"


ATTACHMENT_KIND_LABELS = {AttachmentKind.IMAGE: _l("Photo"), AttachmentKind.AUDIO: _l("Voice note")}


class Attachment(db.Model):
    """One stored file of a case or a clue; the bytes live at ``UPLOAD_FOLDER/stored_name``."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_item.id", ondelete="CASCADE"), index=True)
    clue_id: Mapped[int | None] = mapped_column(ForeignKey("clue.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case | None] = relationship(back_populates="attachments")
    clue: Mapped["Clue | None"] = relationship(back_populates="attachments")  # noqa: F821  (models.clue)

    def __str__(self) -> str:
        return self.original_name
