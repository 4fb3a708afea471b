"""Staff sessions that can be ended: the session stores ``<user id>:<session version>``.

Raising an account's session version ends every session of it at the next request. That happens on
logout and, whoever makes the change, whenever the password, role, department or active flag changes
(a flush listener, so no code path can forget it).
"""

from sqlalchemy import event
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from app.extensions import db
from app.validators import parse_id
from models.user import User

# Changing any of these ends the account's sessions.
ENDS_SESSIONS = ("password_hash", "role", "department", "department_id", "active")


def load_user(token: str) -> User | None:
    """The session's user (Flask-Login's user loader), if the session is still current and the account active."""
    user_id, _sep, version = str(token or "").partition(":")
    number = parse_id(user_id)
    if number is None or not version.isascii() or not version.isdigit():
        return None
    user = db.session.get(User, number)
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def end_sessions(user: User) -> None:
    """End every session of ``user`` (counted in SQL, so two changes at once both count)."""
    user.session_version = User.session_version + 1


def _changed(user: User) -> bool:
    state = inspect(user)
    return any(state.attrs[name].history.has_changes() for name in ENDS_SESSIONS)


def _end_changed_accounts(session, _flush_context, _instances) -> None:
    for obj in session.dirty:
        if isinstance(obj, User) and _changed(obj):
            end_sessions(obj)


def watch_account_changes() -> None:
    """Register the flush listener once (the app factory calls it)."""
    if not event.contains(Session, "before_flush", _end_changed_accounts):
        event.listen(Session, "before_flush", _end_changed_accounts)
