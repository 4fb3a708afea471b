"""Filling and checking the work calendar table: seed from ``chinesecalendar``, cross-check with ``holidays``.

The packages are read only here, when an operator seeds or checks; deadline maths reads the table alone
(:mod:`app.deadlines.workcalendar`). Rows an administrator entered (source ``admin``) are never overwritten.
"""

import calendar
from collections.abc import Iterable
from datetime import date
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import select

from app import audit
from app.deadlines.workcalendar import invalidate_cache
from app.extensions import db
from models.audit import AuditAction
from models.audit import AuditEntity
from models.deadline import CalendarSource
from models.deadline import WorkCalendarDay
from models.jobstate import RecomputeRequest

MAKEUP_SUFFIX = "调休上班"  # a weekend day worked in exchange for a holiday (补班)
NAME_LENGTH = 50


def year_days(year: int) -> list[date]:
    """Every day of ``year``."""
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range(366 if calendar.isleap(year) else 365)]


def _rows_of(years: Iterable[int]) -> dict[date, WorkCalendarDay]:
    years = sorted(set(years))
    if not years:
        return {}
    query = select(WorkCalendarDay).where(
        WorkCalendarDay.day >= date(years[0], 1, 1), WorkCalendarDay.day <= date(years[-1], 12, 31)
    )
    return {row.day: row for row in db.session.scalars(query)}


def package_day(day: date) -> tuple[bool, str | None]:
    """``(is_workday, name)`` of ``day`` from chinesecalendar; raises NotImplementedError outside its years."""
    import chinese_calendar
    from chinese_calendar import Holiday

    working = chinese_calendar.is_workday(day)
    holiday = chinese_calendar.get_holiday_detail(day)[1]
    chinese = Holiday(holiday).chinese if holiday else None
    if working and day.weekday() >= 5:
        return True, f"{chinese or ''}{MAKEUP_SUFFIX}"[:NAME_LENGTH]
    if not working and chinese:
        return False, chinese[:NAME_LENGTH]
    return working, None


def record_change(days: list[date], actor, key: str, action: str, before, after) -> None:
    """Audit a calendar change and queue the recompute of deadlines touching ``days`` (same transaction)."""
    actor_id = getattr(actor, "id", None)
    audit.record(AuditEntity.WORK_CALENDAR_DAY, key, action, actor, before, after)
    if days:
        scope = {"days": sorted(day.isoformat() for day in days)}
        db.session.add(RecomputeRequest(reason="calendar", scope=scope, requested_by_id=actor_id))


def seed_calendar(years: Iterable[int], actor=None) -> dict:
    """Fill every day of ``years`` from chinesecalendar (flushed; the caller commits); idempotent, never
    overwrites administrators' rows."""
    result = {"created": 0, "updated": 0, "kept_admin": 0, "unsupported": []}
    for year in sorted(set(years)):
        try:
            wanted = {day: package_day(day) for day in year_days(year)}
        except NotImplementedError:
            result["unsupported"].append(year)
            continue
        existing, changed, counts = _rows_of([year]), [], {"created": 0, "updated": 0}
        for day, (working, name) in wanted.items():
            row = existing.get(day)
            if row is not None and row.source == CalendarSource.ADMIN:
                result["kept_admin"] += 1
                continue
            if row is not None and (row.is_workday, row.name, row.source) == (
                working,
                name,
                CalendarSource.CHINESECALENDAR,
            ):
                continue
            changed.append(day)
            if row is None:
                db.session.add(
                    WorkCalendarDay(
                        day=day, is_workday=working, name=name, source=CalendarSource.CHINESECALENDAR
                    )
                )
                counts["created"] += 1
            else:
                row.is_workday, row.name, row.source, row.updated_by_id = (
                    working,
                    name,
                    CalendarSource.CHINESECALENDAR,
                    None,
                )
                counts["updated"] += 1
        if counts["created"] or counts["updated"]:
            record_change(
                changed, actor, str(year), AuditAction.SEED, None, {**counts, "source": "chinesecalendar"}
            )
        result["created"] += counts["created"]
        result["updated"] += counts["updated"]
    db.session.flush()
    if result["created"] or result["updated"]:
        invalidate_cache()
    return result


def generate_year(year: int, actor=None) -> int:
    """Add weekly defaults (Mon-Fri working, source ``weekly``) for the days of ``year`` not in the table
    (flushed; the caller commits)."""
    existing = _rows_of([year])
    missing = [day for day in year_days(year) if day not in existing]
    for day in missing:
        db.session.add(
            WorkCalendarDay(
                day=day,
                is_workday=day.weekday() < 5,
                source=CalendarSource.WEEKLY,
                updated_by_id=getattr(actor, "id", None),
            )
        )
    if missing:
        # Due times stay (the fallback is the same rule) but explanations lose "no data for this year".
        record_change(
            missing,
            actor,
            str(year),
            AuditAction.ADD_YEAR,
            None,
            {"created": len(missing), "source": "weekly"},
        )
    db.session.flush()
    invalidate_cache()
    return len(missing)


def cross_check(years: Iterable[int]) -> list[dict]:
    """Days of the table in ``years`` whose working status disagrees with ``holidays.CN().is_working_day``."""
    import holidays

    years = sorted(set(years))
    if not years:
        return []
    reference = holidays.CN(years=years)
    disagreements = []
    for day, row in sorted(_rows_of(years).items()):
        expected = reference.is_working_day(day)
        if bool(row.is_workday) != expected:
            disagreements.append(
                {
                    "day": day,
                    "table": bool(row.is_workday),
                    "holidays": expected,
                    "name": row.name,
                    "source": row.source,
                    "holidays_name": reference.get(day),
                }
            )
    return disagreements


def count_days(year: int) -> int:
    """How many days of ``year`` the table holds."""
    query = select(func.count()).where(
        WorkCalendarDay.day >= date(year, 1, 1), WorkCalendarDay.day <= date(year, 12, 31)
    )
    return db.session.scalar(query) or 0


def calendar_health(today: date) -> dict | None:
    """A warning when this year is incomplete or, from November on, next year is; None when fine."""
    size = {year: 366 if calendar.isleap(year) else 365 for year in (today.year, today.year + 1)}
    missing = {today.year: size[today.year] - count_days(today.year)}
    if today.month >= 11:
        missing[today.year + 1] = size[today.year + 1] - count_days(today.year + 1)
    missing = {year: count for year, count in missing.items() if count > 0}
    if not missing:
        return None
    messages = []
    if today.year in missing:
        messages.append(
            _(
                "The work calendar is missing %(count)d days of this year (%(year)d): deadlines on those days "
                "count Monday to Friday as working days.",
                count=missing[today.year],
                year=today.year,
            )
        )
    if today.year + 1 in missing:
        messages.append(
            _(
                "The work calendar is missing %(count)d days of next year (%(year)d). Enter next year's "
                "holidays and make-up working days once the State Council publishes them.",
                count=missing[today.year + 1],
                year=today.year + 1,
            )
        )
    return {
        "level": "danger" if today.year in missing else "warning",
        "message": " ".join(messages),
        "missing": missing,
    }
