"""Staff passwords: Argon2id hashes (RFC 9106 low-memory parameters), set and checked only here.

Each Argon2 check takes 64 MiB for a moment. At most ``PASSWORD_HASH_CONCURRENCY`` run at once in a
process; a check that cannot start within ``PASSWORD_HASH_WAIT_SECONDS`` raises :class:`HashBusy`, so
a burst of logins waits or is turned away instead of taking the server's memory.
"""

import threading
from functools import cache

from argon2 import PasswordHasher
from argon2 import profiles
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from flask import current_app

MIN_LENGTH = 8

_slots_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


class HashBusy(Exception):
    """Too many password hashes are being worked out at once; try again shortly."""


def _cheap() -> bool:
    return bool(current_app and current_app.config.get("PASSWORD_HASH_CHEAP"))


@cache
def _hasher_for(cheap: bool) -> PasswordHasher:
    return PasswordHasher.from_parameters(profiles.CHEAPEST if cheap else profiles.RFC_9106_LOW_MEMORY)


def _hasher() -> PasswordHasher:
    """Argon2id with RFC 9106 low-memory parameters; tests may ask for the cheapest profile."""
    return _hasher_for(_cheap())


@cache
def _stand_in_hash(cheap: bool) -> str:
    # Checked against when there is no account, so an unknown username costs the same time as a known one.
    return _hasher_for(cheap).hash("no such account")


def _slot() -> threading.BoundedSemaphore:
    size = max(1, int(current_app.config["PASSWORD_HASH_CONCURRENCY"]))
    with _slots_lock:
        return _slots.setdefault(size, threading.BoundedSemaphore(size))


def _verify(stored: str | None, password: str) -> bool:
    slot = _slot()
    if not slot.acquire(timeout=current_app.config["PASSWORD_HASH_WAIT_SECONDS"]):
        raise HashBusy
    try:
        return _hasher().verify(stored or _stand_in_hash(_cheap()), password)
    except (VerificationError, InvalidHashError):
        return False
    finally:
        slot.release()


def set_password(user, password: str) -> None:
    """Hash ``password`` and store it on ``user``."""
    slot = _slot()
    with slot:
        user.password_hash = _hasher().hash(password)


def check_password(user, password: str) -> bool:
    """Whether ``password`` matches the user's stored hash; with no user or no hash, the same work for False.

    Raises :class:`HashBusy` when no hashing slot frees up in time.
    """
    stored = user.password_hash if user is not None else None
    return _verify(stored, password) and bool(stored)
