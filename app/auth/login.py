"""The check of a username and password, throttled before any hashing.

Every attempt takes a place in fixed-window counters first, in one atomic step (:func:`app.ratelimit.take`),
so parallel requests cannot slip past a limit. A browser holding a device cookie for the account
(:mod:`app.auth.devices`) is counted on its own (``LOGIN_LIMIT_PER_DEVICE``); any other attempt counts
against its address (``LOGIN_LIMIT_PER_IP``) and against the typed username (``LOGIN_LIMIT_PER_ACCOUNT``).
Counts are keyed by the typed name, and an unknown name costs one hash like a known one, so the answers
and their timing say nothing about which accounts exist. A successful login gives its places back.

The account's ``failed_logins`` and ``locked_until`` mirror the counts for administrators, who can unlock.
Nothing here commits: the login page commits the outcome.
"""

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from enum import Enum

from sqlalchemy import update

from app import ratelimit
from app.auth import devices
from app.auth.passwords import HashBusy
from app.auth.passwords import check_password
from app.extensions import db
from app.validators import ascii_text
from models.user import User

USERNAME_MAX = 64


class Outcome(Enum):
    """What a login attempt came to."""

    OK = "ok"
    WRONG = "wrong"
    THROTTLED = "throttled"
    BUSY = "busy"


@dataclass(frozen=True)
class Attempt:
    """The outcome, the user (when OK, or the known account a wrong password was typed for), the seconds to
    wait when throttled, and whether this failure locked the account (for the audit trail)."""

    outcome: Outcome
    user: User | None = None
    wait_seconds: int = 0
    locked: bool = False


def normalise_username(text: str | None) -> str:
    """The username as looked up and counted: NFKC, trimmed, at most 64 characters."""
    return ascii_text(text or "").strip()[:USERNAME_MAX]


def _counters(username: str, ip: str, device_cookie: str | None) -> list[tuple[str, str]]:
    device = devices.device_id(device_cookie, username)
    if device is not None:
        return [("LOGIN_LIMIT_PER_DEVICE", device)]
    return [("LOGIN_LIMIT_PER_IP", ip), ("LOGIN_LIMIT_PER_ACCOUNT", username)]


def _count_failure(user: User, counters, now: datetime) -> bool:
    db.session.execute(
        update(User).where(User.id == user.id).values(failed_logins=User.failed_logins + 1),
        execution_options={"synchronize_session": False},
    )
    locked = False
    if ("LOGIN_LIMIT_PER_ACCOUNT", user.username) in counters:
        wait = ratelimit.seconds_until_free([("LOGIN_LIMIT_PER_ACCOUNT", user.username)])
        if wait:
            locked = user.locked_until is None or user.locked_until <= now
            user.locked_until = now + timedelta(seconds=wait)
    db.session.flush()
    db.session.expire(user, ["failed_logins"])
    return locked


def authenticate(username: str, password: str, ip: str, device_cookie: str | None, now: datetime) -> Attempt:
    """Check a login attempt within its throttles (flushed, not committed)."""
    username = normalise_username(username)
    counters = _counters(username, ip, device_cookie)
    if not ratelimit.take(counters):
        return Attempt(Outcome.THROTTLED, wait_seconds=max(60, ratelimit.seconds_until_free(counters)))
    user = db.session.query(User).filter_by(username=username).one_or_none() if username else None
    try:
        matches = check_password(user, password)
    except HashBusy:
        ratelimit.give_back(counters)
        return Attempt(Outcome.BUSY)
    if user is not None and user.active and matches:
        ratelimit.give_back(counters)
        user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
        db.session.flush()
        return Attempt(Outcome.OK, user)
    if user is not None:
        return Attempt(Outcome.WRONG, user, locked=_count_failure(user, counters, now))
    return Attempt(Outcome.WRONG)


def unlock(user: User) -> None:
    """Clear the account's failure count and its per-account login throttle (an administrator's unlock)."""
    ratelimit.clear("LOGIN_LIMIT_PER_ACCOUNT", user.username)
    user.locked_until, user.failed_logins = None, 0
