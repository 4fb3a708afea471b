"""Rate limits the views check themselves, so a refusal can be a message in the page, not a bare 429.

Counts live in Flask-Limiter's storage (memory by default, Redis when RATELIMIT_STORAGE_URI says so).
"""

from flask import current_app
from limits import parse

from app.extensions import limiter


def _limit(setting: str):
    return parse(current_app.config[setting])


def allowed(setting: str, *keys: str) -> bool:
    """Whether one more hit under config ``setting`` (e.g. "5/hour") for ``keys`` stays in the limit."""
    return limiter.limiter.test(_limit(setting), setting, *keys)


def hit(setting: str, *keys: str) -> bool:
    """Count one hit; False when it went over the limit."""
    return limiter.limiter.hit(_limit(setting), setting, *keys)
