"""Staff passwords: Argon2id hashes (RFC 9106 low-memory parameters), set and checked only here."""

from argon2 import PasswordHasher
from argon2 import profiles
from argon2.exceptions import InvalidHashError
from argon2.exceptions import VerificationError
from flask import current_app

MIN_LENGTH = 8


def _hasher() -> PasswordHasher:
    """Argon2id with RFC 9106 low-memory parameters; tests may ask for the cheapest profile."""
    if current_app and current_app.config.get("PASSWORD_HASH_CHEAP"):
        return PasswordHasher.from_parameters(profiles.CHEAPEST)
    return PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY)


def set_password(user, password: str) -> None:
    """Hash ``password`` and store it on ``user``."""
    user.password_hash = _hasher().hash(password)


def check_password(user, password: str) -> bool:
    """Whether ``password`` matches the user's stored hash (an account without one matches nothing)."""
    if not user.password_hash:
        return False
    try:
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
