"""Logging in: who a session's user is, and the check of a username and password with lock-out.

An account is locked for ``LOGIN_LOCKOUT_MINUTES`` after ``LOGIN_MAX_FAILURES`` wrong passwords in a
row; a right password resets the count. Nothing here commits: the login page commits the outcome.
"""

from datetime import datetime
from datetime import timedelta
from enum import Enum

from flask import current_app

from app.auth.passwords import check_password
from app.extensions import db
from models.user import User


class Outcome(Enum):
    """What a login attempt came to."""

    OK = "ok"
    LOCKED = "locked"
    WRONG = "wrong"


def load_user(user_id: str) -> User | None:
    """The session's user (Flask-Login's user loader); a deactivated account is logged out."""
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.active else None


def is_locked(user: User, now: datetime) -> bool:
    """True while a lock-out is in force."""
    return user.locked_until is not None and user.locked_until > now


def authenticate(username: str, password: str, now: datetime) -> tuple[Outcome, User | None]:
    """Check the username and password, counting failures and locking the account (flushed)."""
    user = db.session.query(User).filter_by(username=(username or "").strip()).one_or_none()
    if user is not None and is_locked(user, now):
        return Outcome.LOCKED, user
    if user is not None and user.active and check_password(user, password):
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
        db.session.flush()
        return Outcome.OK, user
    if user is not None:
        config = current_app.config
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= config["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"])
            user.failed_logins = 0
        db.session.flush()
    return Outcome.WRONG, None
