"""The bytes of attachments kept in the database (``ATTACHMENT_STORAGE = "database"``), in chunks.

Written and read only by :mod:`app.intake.storage`. No foreign key to ``attachment``: a file is stored
before its attachment row exists (and removed again if the case is not saved), as on the local disk.
"""

from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.extensions import db


class AttachmentChunk(db.Model):
    """One chunk (``seq`` from 0) of the stored file ``stored_name``."""

    __tablename__ = "attachment_chunk"

    stored_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)
