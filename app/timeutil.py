"""Time helpers: store UTC, show and reason about days in Asia/Shanghai."""

from datetime import UTC
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Return ``value`` as aware UTC; naive values are taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_local(value: datetime | None) -> datetime | None:
    """Convert a stored datetime to Asia/Shanghai time for display."""
    if value is None:
        return None
    return as_utc(value).astimezone(LOCAL_TZ)


def local_day(value: datetime) -> date:
    """Return the Asia/Shanghai calendar day of an instant."""
    return as_utc(value).astimezone(LOCAL_TZ).date()


def local_day_start(day: date) -> datetime:
    """Return the UTC instant at which the given Asia/Shanghai day starts."""
    return datetime(day.year, day.month, day.day, tzinfo=LOCAL_TZ).astimezone(UTC)


def format_local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Format a stored datetime in Asia/Shanghai time; empty string for None."""
    local = to_local(value)
    return local.strftime(fmt) if local else ""
