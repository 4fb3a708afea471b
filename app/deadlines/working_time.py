"""Time on the work calendar: how many hours of an interval fall on working days (平均办理时长).

A working day counts all its 24 hours (Asia/Shanghai); rest days and holidays count none. Within the days
the calendar table spans, an interval costs two look-ups in a running total of working days; outside it,
days are counted one by one (Monday to Friday), as :mod:`app.deadlines.workcalendar` does.
"""

from datetime import date
from datetime import datetime
from datetime import timedelta

from app.deadlines.workcalendar import is_workday
from app.deadlines.workcalendar import running_workdays
from app.timeutil import LOCAL_TZ
from app.timeutil import as_utc

DAY_SECONDS = 86400


def _workdays_before(day: date) -> int:
    """Working days before ``day``, counted from the table's first day (negative before it)."""
    first, totals = running_workdays()
    offset = (day - first).days
    if offset < 0:
        return -sum(is_workday(day + timedelta(days=n)) for n in range(-offset))
    if offset < len(totals):
        return totals[offset]
    last = first + timedelta(days=len(totals) - 1)  # the first day past the table
    return totals[-1] + sum(is_workday(last + timedelta(days=n)) for n in range(offset - len(totals) + 1))


def _working_seconds_since_origin(instant: datetime) -> float:
    local = as_utc(instant).astimezone(LOCAL_TZ)
    day = local.date()
    since_midnight = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
    return _workdays_before(day) * DAY_SECONDS + (since_midnight if is_workday(day) else 0)


def working_hours(start: datetime, end: datetime) -> float:
    """Hours between ``start`` and ``end`` that fall on working days (0 when ``end`` is not after ``start``)."""
    if end <= start:
        return 0.0
    return (_working_seconds_since_origin(end) - _working_seconds_since_origin(start)) / 3600
