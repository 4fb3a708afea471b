"""Periods of the leaders' figures in Asia/Shanghai days: a day, a week (Monday to Sunday), a month, a
quarter, a year, or a custom range; each with the period before it for comparisons."""

from datetime import date
from datetime import timedelta

KINDS = ("day", "week", "month", "quarter", "year", "custom")
MAX_CUSTOM_DAYS = 3 * 366


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period(kind: str, anchor: date, end: date | None = None) -> tuple[date, date]:
    """(first, last) day of the period of ``kind`` that holds ``anchor`` (custom: ``anchor`` … ``end``)."""
    if kind == "day":
        return anchor, anchor
    if kind == "week":
        first = anchor - timedelta(days=anchor.weekday())
        return first, first + timedelta(days=6)
    if kind == "month":
        first = _month_start(anchor)
        return first, _add_months(first, 1) - timedelta(days=1)
    if kind == "quarter":
        first = date(anchor.year, 3 * ((anchor.month - 1) // 3) + 1, 1)
        return first, _add_months(first, 3) - timedelta(days=1)
    if kind == "year":
        return date(anchor.year, 1, 1), date(anchor.year, 12, 31)
    if kind == "custom" and end is not None and anchor <= end and (end - anchor).days <= MAX_CUSTOM_DAYS:
        return anchor, end
    raise ValueError(kind)


def previous(kind: str, first: date, last: date) -> tuple[date, date]:
    """The period just before ``first`` … ``last`` of the same kind (custom: the same length)."""
    if kind in ("month", "quarter", "year"):
        months = {"month": 1, "quarter": 3, "year": 12}[kind]
        start = _add_months(first, -months)
        return start, first - timedelta(days=1)
    length = (last - first).days + 1
    return first - timedelta(days=length), first - timedelta(days=1)


def label(kind: str, first: date, last: date) -> str:
    """A short name of the period: 2026-11, 2026 Q4, 2026, 2026-11-30, 2026-11-23 – 2026-11-29."""
    if kind == "month":
        return f"{first:%Y-%m}"
    if kind == "quarter":
        return f"{first.year} Q{(first.month - 1) // 3 + 1}"
    if kind == "year":
        return str(first.year)
    if first == last:
        return first.isoformat()
    return f"{first.isoformat()} – {last.isoformat()}"
