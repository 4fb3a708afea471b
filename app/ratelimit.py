"""Rate limits that views and the login check themselves, so a refusal is a message in the page.

Counts live in Flask-Limiter's storage (memory by default, Redis when RATELIMIT_STORAGE_URI says so), in
fixed windows. When the shared storage cannot be reached, counting goes on in this process's memory with
each limit divided among the ``RATELIMIT_FALLBACK_WORKERS`` processes that share it (strict: together they
never allow more than the limit), a warning is logged, and the shared storage is tried again after
``RATELIMIT_RETRY_SECONDS``. Letting everything through would open the door to floods exactly when the
counters are gone; refusing everything would close the front door over a cache; the database is already
the busiest part under a flood. A check counts and decides in one atomic step (:func:`take`): two requests at the same
moment can never both take the last place. A taken place is given back (:func:`give_back`) when what it
was taken for did not happen, so refused letters and successful look-ups do not use up the limit.
"""

import logging
import math
import threading
import time

from flask import current_app
from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from app.extensions import limiter

log = logging.getLogger(__name__)
_local = FixedWindowRateLimiter(MemoryStorage())  # this process's own counters, while the shared are away
_shared_down_until = [0.0]
_lock = threading.Lock()


def _limit(setting: str):
    return parse(current_app.config[setting])


def _local_share(limit):
    """``limit`` divided among the processes that share it, at least 1."""
    workers = max(1, int(current_app.config.get("RATELIMIT_FALLBACK_WORKERS") or 1))
    return type(limit)(max(1, limit.amount // workers), limit.multiples)


def _counted(setting: str, action):
    """``action(strategy, limit)`` on the shared counters, or on this process's own when they are away."""
    limit = _limit(setting)
    if time.monotonic() >= _shared_down_until[0]:
        try:
            return action(limiter.limiter, limit)
        except Exception as error:  # any storage failure (Redis down, timeout): count locally instead
            with _lock:
                if time.monotonic() >= _shared_down_until[0]:
                    retry = float(current_app.config.get("RATELIMIT_RETRY_SECONDS", 30))
                    _shared_down_until[0] = time.monotonic() + retry
                    log.warning(
                        "rate-limit storage unreachable (%s: %s); counting in this process for %.0f s",
                        type(error).__name__,
                        error,
                        retry,
                    )
    return action(_local, _local_share(limit))


def hit(setting: str, *keys: str) -> bool:
    """Count one hit under config ``setting`` (e.g. "5/hour") for ``keys``; False when it went over."""
    return _counted(setting, lambda strategy, limit: strategy.hit(limit, setting, *keys))


def give_back(checks) -> None:
    """Return one counted hit to each ``(setting, key)`` of ``checks``."""
    for setting, key in checks:
        _counted(
            setting,
            lambda strategy, limit, key=key, setting=setting: strategy.storage.incr(
                limit.key_for(setting, key), limit.get_expiry(), amount=-1
            ),
        )


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
    _counted(setting, lambda strategy, limit: strategy.clear(limit, setting, key))


def seconds_until_free(checks) -> int:
    """How long until every ``(setting, key)`` of ``checks`` has a place again (0 when it has now)."""
    waits = [0]
    for setting, key in checks:
        reset_at, remaining = window(setting, key)
        if remaining <= 0:
            waits.append(max(0, math.ceil(reset_at - time.time())))
    return max(waits)


def window(setting: str, *keys: str):
    """``(reset_at, remaining)`` of the window counted under ``setting`` for ``keys``."""
    return _counted(setting, lambda strategy, limit: strategy.get_window_stats(limit, setting, *keys))
