"""Rate limits that views and the login check themselves, so a refusal is a message in the page.

Counts live in Flask-Limiter's storage (memory by default, Redis when RATELIMIT_STORAGE_URI says so), in
fixed windows. A check counts and decides in one atomic step (:func:`take`): two requests at the same
moment can never both take the last place. A taken place is given back (:func:`give_back`) when what it
was taken for did not happen, so refused letters and successful look-ups do not use up the limit.
"""

import math
import time

from flask import current_app
from limits import parse

from app.extensions import limiter


def _limit(setting: str):
    return parse(current_app.config[setting])


def hit(setting: str, *keys: str) -> bool:
    """Count one hit under config ``setting`` (e.g. "5/hour") for ``keys``; False when it went over."""
    return limiter.limiter.hit(_limit(setting), setting, *keys)


def give_back(checks) -> None:
    """Return one counted hit to each ``(setting, key)`` of ``checks``."""
    for setting, key in checks:
        limit = _limit(setting)
        limiter.limiter.storage.incr(limit.key_for(setting, key), limit.get_expiry(), amount=-1)


def take(checks) -> bool:
    """Count one hit for every ``(setting, key)`` of ``checks``, all or none: False (nothing kept counted)
    when any of them is over its limit."""
    taken = []
    for setting, key in checks:
        taken.append((setting, key))
        if not hit(setting, key):
            give_back(taken)
            return False
    return True


def clear(setting: str, key: str) -> None:
    """Forget every hit counted under ``setting`` for ``key`` (an administrator's unlock)."""
    limiter.limiter.clear(_limit(setting), setting, key)


def seconds_until_free(checks) -> int:
    """How long until every ``(setting, key)`` of ``checks`` has a place again (0 when it has now)."""
    waits = [0]
    for setting, key in checks:
        reset_at, remaining = limiter.limiter.get_window_stats(_limit(setting), setting, key)
        if remaining <= 0:
            waits.append(max(0, math.ceil(reset_at - time.time())))
    return max(waits)
