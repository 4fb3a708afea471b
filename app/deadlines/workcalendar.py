"""Deadline date maths on the work calendar table (Asia/Shanghai): the one place that counts days.

The table ``work_calendar_day`` is the source of truth; the packages only seed it. A day missing from
the table counts Monday to Friday as working days, and the explanation says so. Each process caches the
table for ``CACHE_SECONDS``; :func:`invalidate_cache` drops the cache after an edit.
"""

import time
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask import has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.timeutil import LOCAL_TZ
from app.timeutil import as_utc
from app.timeutil import local_day
from app.timeutil import local_day_start
from models.deadline import WorkCalendarDay

CACHE_SECONDS = 60
CACHE_KEY = "suqiu_workcalendar"
UNITS = ("minutes", "hours", "natural_days", "working_days")
RUNNING_SPAN = (date(2000, 1, 1), date(2060, 12, 31))  # always covered by running_workdays
MAX_RANGES = 4  # skipped ranges listed in an explanation before "and N more"
WEEKDAYS = (_l("Mon"), _l("Tue"), _l("Wed"), _l("Thu"), _l("Fri"), _l("Sat"), _l("Sun"))


@dataclass
class _Snapshot:
    loaded_at: float
    days: dict  # date -> (is_workday, name)
    running: tuple | None = None  # (first day, working days before each day from it), built on first use


@dataclass
class _Step:
    day: date
    is_workday: bool
    name: str | None
    known: bool


def invalidate_cache() -> None:
    """Forget this process's cached calendar so the next lookup reads the table again."""
    if has_app_context():
        current_app.extensions.pop(CACHE_KEY, None)


def _table() -> dict:
    """The calendar table as {day: (is_workday, name)}, cached per app and process for CACHE_SECONDS."""
    snapshot = current_app.extensions.get(CACHE_KEY)
    if snapshot is None or time.monotonic() - snapshot.loaded_at > CACHE_SECONDS:
        query = select(WorkCalendarDay.day, WorkCalendarDay.is_workday, WorkCalendarDay.name)
        with db.session.no_autoflush:  # callers may be in the middle of a lifecycle action
            rows = db.session.execute(query).all()
        snapshot = _Snapshot(time.monotonic(), {day: (work, name) for day, work, name in rows})
        current_app.extensions[CACHE_KEY] = snapshot
    return snapshot.days


def running_workdays() -> tuple[date, list[int]]:
    """(first, totals): ``totals[i]`` is the number of working days in ``first`` … ``first + i - 1``, over
    the table's days and at least 2000–2060 (days the table lacks count Monday to Friday); cached with it."""
    table = _table()
    snapshot = current_app.extensions[CACHE_KEY]
    if snapshot.running is None:
        first, last = min([*table, RUNNING_SPAN[0]]), max([*table, RUNNING_SPAN[1]])
        totals = [0]
        for n in range((last - first).days + 1):
            totals.append(totals[-1] + _step(first + timedelta(days=n), table).is_workday)
        snapshot.running = (first, totals)
    return snapshot.running


def _step(day: date, table: dict) -> _Step:
    entry = table.get(day)
    if entry is None:
        return _Step(day, day.weekday() < 5, None, False)
    return _Step(day, bool(entry[0]), entry[1], True)


def is_workday(day: date) -> bool:
    """True when ``day`` is a working day (the table, else Monday to Friday)."""
    return _step(day, _table()).is_workday


def _walk(day: date, n: int) -> tuple[date, list[_Step]]:
    """Step day by day from ``day`` (not counted) until ``n`` working days are counted; n < 0 goes back."""
    table, direction, remaining = _table(), (1 if n >= 0 else -1), abs(n)
    steps, current = [], day
    limit = 3660 + 7 * remaining  # ten years of rest days would be a broken table, not a real calendar
    while remaining > 0:
        current += timedelta(days=direction)
        step = _step(current, table)
        steps.append(step)
        remaining -= step.is_workday
        if len(steps) > limit:
            raise ValueError(f"no {n} working days found within {limit} days of {day}")
    return current, steps


def add_working_days(day: date, n: int) -> date:
    """The ``n``-th working day after ``day`` (``day`` itself not counted; negative ``n`` counts back)."""
    return _walk(day, n)[0]


def day_label(day: date) -> str:
    """A day with its weekday, e.g. "Sat 2026-02-14"."""
    return f"{WEEKDAYS[day.weekday()]} {day.isoformat()}"


def _stamp(instant: datetime) -> str:
    local = as_utc(instant).astimezone(LOCAL_TZ)
    return f"{WEEKDAYS[local.weekday()]} {local:%Y-%m-%d %H:%M}"


def _end_of(day: date) -> datetime:
    """24:00 Asia/Shanghai at the end of ``day``, as aware UTC."""
    return local_day_start(day + timedelta(days=1))


def _skipped_ranges(steps: list[_Step]) -> str:
    """Consecutive rest days as "first … last (name)", holidays first when too many; "and N more"."""
    groups: list[list[_Step]] = []
    for step in steps:
        if step.is_workday:
            continue
        if groups and (step.day - groups[-1][-1].day).days == 1:
            groups[-1].append(step)
        else:
            groups.append([step])
    shown = groups
    if len(groups) > MAX_RANGES:  # keep the named holidays, drop plain weekends first
        order = sorted(range(len(groups)), key=lambda i: (not any(s.name for s in groups[i]), i))
        keep = set(order[: MAX_RANGES - 1])
        shown = [group for i, group in enumerate(groups) if i in keep]
    parts = []
    for group in shown:
        first, last = group[0].day, group[-1].day
        text = first.isoformat() if first == last else f"{first.isoformat()} … {last.isoformat()}"
        name = next((s.name for s in group if s.name), None)
        parts.append(f"{text} ({name})" if name else text)
    if len(groups) > MAX_RANGES:
        parts.append(_("and %(count)d more", count=len(groups) - len(parts)))
    return ", ".join(parts)


def _working_days_explanation(start: datetime, amount: int, due_day: date, steps: list[_Step]) -> str:
    values = {"start": _stamp(start), "amount": amount, "day": day_label(due_day)}
    ranges = _skipped_ranges(steps)
    if ranges:
        text = _(
            "From %(start)s; %(amount)d working days counted from the next day, skipping %(ranges)s; "
            "due at the end of %(day)s.",
            ranges=ranges,
            **values,
        )
    else:
        text = _(
            "From %(start)s; %(amount)d working days counted from the next day; due at the end of %(day)s.",
            **values,
        )
    weekend = [s.day.isoformat() for s in steps if s.is_workday and s.day.weekday() >= 5]
    if weekend:
        text += " " + _("Weekend working days counted: %(days)s.", days=", ".join(weekend))
    return text + _missing_note(steps)


def _missing_note(steps: list[_Step]) -> str:
    years = sorted({s.day.year for s in steps if not s.known})
    if not years:
        return ""
    listed = ", ".join(str(year) for year in years)
    return " " + _(
        "The work calendar has no data for %(years)s; Monday to Friday were counted as working days.",
        years=listed,
    )


def compute_due(start: datetime, amount: int, unit: str) -> tuple[datetime, str]:
    """The due instant (aware UTC) of a time limit of ``amount`` ``unit`` from ``start``, and why."""
    start = as_utc(start)
    unit = str(unit)
    if unit not in UNITS:
        raise ValueError(f"unknown deadline unit {unit!r}")
    if amount < 0:
        raise ValueError("a time limit cannot be negative")
    if unit in ("minutes", "hours"):
        due = start + timedelta(**{unit: amount})
        values = {"start": _stamp(start), "amount": amount, "due": _stamp(due)}
        if unit == "minutes":
            return due, _("From %(start)s; due %(amount)d minutes later, at %(due)s.", **values)
        return due, _("From %(start)s; due %(amount)d hours later, at %(due)s.", **values)
    first_day = local_day(start)
    if unit == "natural_days":
        due_day = first_day + timedelta(days=amount)
        explanation = _(
            "From %(start)s; %(amount)d natural days counted from the next day; due at the end of %(day)s.",
            start=_stamp(start),
            amount=amount,
            day=day_label(due_day),
        )
        return _end_of(due_day), explanation
    due_day, steps = _walk(first_day, amount)
    return _end_of(due_day), _working_days_explanation(start, amount, due_day, steps)
