"""Staff accounts: role, department, password hash and lock-out state (the rules: app.auth)."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.extensions import db
from app.timeutil import utcnow
from models.enums import LeaderRank
from models.enums import Role
from models.org import Department
from models.types import UTCDateTime
from models.types import enum_column


class User(UserMixin, db.Model):
    """A member of staff who logs in to the panel."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(enum_column(Role, "user_role"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    # Leaders only: their rank, which decides the 包案 levels they hold (app.command.packages).
    leader_rank: Mapped[str | None] = mapped_column(enum_column(LeaderRank, "user_leader_rank"))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session's user id: raising it ends every session of the account (app.auth.sessions).
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department: Mapped[Department | None] = relationship()

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_id(self) -> str:
        """Flask-Login: what the session stores; app.auth.sessions.load_user checks both parts."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:
        """Flask-Login: inactive users cannot log in or stay logged in."""
        return bool(self.active)
