"""Staff accounts: role, department, password hash and lock-out state."""

from datetime import datetime
from datetime import timedelta

from argon2 import PasswordHasher
from argon2 import profiles
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from flask import current_app
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
from models.enums import ROLE_LABELS
from models.enums import Role
from models.enums import enum_column
from models.org import Department
from models.types import UTCDateTime


def _hasher() -> PasswordHasher:
    """Argon2id with RFC 9106 low-memory parameters; tests may ask for the cheapest profile."""
    if current_app and current_app.config.get("PASSWORD_HASH_CHEAP"):
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


class User(UserMixin, db.Model):
    """A member of staff who logs in to the panel."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    role: Mapped[str] = mapped_column(enum_column(Role, "user_role"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    department: Mapped[Department | None] = relationship()

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_active(self) -> bool:
        """Flask-Login: inactive users cannot log in or stay logged in."""
        return bool(self.active)

    @property
    def role_label(self):
        """Translated role name."""
        return ROLE_LABELS.get(self.role, self.role)

    def has_role(self, *roles: str) -> bool:
        """True when the user holds one of ``roles``."""
        return self.role in roles

    def set_password(self, password: str) -> None:
        """Hash and store a new password."""
        self.password_hash = _hasher().hash(password)

    def check_password(self, password: str) -> bool:
        """Verify a password against the stored hash."""
        if not self.password_hash:
            return False
        try:
            return _hasher().verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def is_locked(self, now: datetime) -> bool:
        """True while a lock-out is in force."""
        return self.locked_until is not None and self.locked_until > now

    def record_failed_login(self, now: datetime, max_failures: int, lock_minutes: int) -> None:
        """Count a failed attempt and lock the account when the limit is reached."""
        self.failed_logins = (self.failed_logins or 0) + 1
        if self.failed_logins >= max_failures:
            self.locked_until = now + timedelta(minutes=lock_minutes)
            self.failed_logins = 0

    def record_login(self, now: datetime) -> None:
        """Reset the failure count after a successful login."""
        self.failed_logins = 0
        self.locked_until = None
        self.last_login_at = now
