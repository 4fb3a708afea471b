"""Working-day arithmetic on the seeded 2026 calendar: 春节 and 国庆 with their make-up days, Beijing day
boundaries, natural days, elapsed time, an unknown year, the cache, seeding, the cross-check, health, the CLI."""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from app.deadlines import workcalendar
from app.deadlines.calendar_seed import calendar_health
from app.deadlines.calendar_seed import cross_check
from app.deadlines.calendar_seed import generate_year
from app.deadlines.calendar_seed import seed_calendar
from app.deadlines.cli import calendar_group
from app.deadlines.workcalendar import add_working_days
from app.deadlines.workcalendar import compute_due
from app.deadlines.workcalendar import invalidate_cache
from app.deadlines.workcalendar import is_workday
from models.audit import ConfigChange
from models.deadline import WorkCalendarDay
from models.jobstate import RecomputeRequest

D = date
FRI_2330_BEIJING = datetime(2026, 2, 13, 15, 30, tzinfo=UTC)  # still Friday 2/13 in UTC and in Beijing
SAT_0030_BEIJING = datetime(
    2026, 2, 13, 16, 30, tzinfo=UTC
)  # Friday in UTC, already Saturday 2/14 in Beijing


def end_of_beijing_day(day: date) -> datetime:
    """24:00 Beijing at the end of ``day`` = 16:00 UTC that day."""
    return datetime(day.year, day.month, day.day, 16, 0, tzinfo=UTC)


@pytest.fixture
def cal2026(app, db):
    """The 2026 calendar from chinesecalendar."""
    result = seed_calendar([2026])
    assert result == {"created": 365, "updated": 0, "kept_admin": 0, "unsupported": []}
    return db


def row(db, day: date) -> WorkCalendarDay:
    return db.session.get(WorkCalendarDay, day)


def test_seed_has_the_2026_holidays_and_make_up_days(cal2026):
    db = cal2026
    assert db.session.scalar(select(func.count()).select_from(WorkCalendarDay)) == 365
    for day in (
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 9, 20),
        D(2026, 10, 10),
        D(2026, 1, 4),
        D(2026, 5, 9),
    ):
        assert row(db, day).is_workday and day.weekday() >= 5
        assert row(db, day).name.endswith("调休上班")
    assert row(db, D(2026, 2, 14)).name == "春节调休上班"
    assert all(
        not row(db, D(2026, 2, d)).is_workday and row(db, D(2026, 2, d)).name == "春节" for d in range(15, 24)
    )
    assert all(
        not row(db, D(2026, 10, d)).is_workday and row(db, D(2026, 10, d)).name == "国庆节"
        for d in range(1, 8)
    )
    ordinary_saturday = row(db, D(2026, 3, 7))
    assert (ordinary_saturday.is_workday, ordinary_saturday.name, ordinary_saturday.source) == (
        False,
        None,
        "chinesecalendar",
    )
    again = seed_calendar([2026])
    assert (again["created"], again["updated"]) == (0, 0)


def test_seed_keeps_admin_days_and_reports_unknown_years(cal2026):
    db = cal2026
    day = row(db, D(2026, 2, 24))
    day.is_workday, day.name, day.source = False, "区里放假", "admin"
    db.session.commit()
    result = seed_calendar([2026, 2031])
    assert result == {"created": 0, "updated": 0, "kept_admin": 1, "unsupported": [2031]}
    assert (row(db, D(2026, 2, 24)).is_workday, row(db, D(2026, 2, 24)).name) == (False, "区里放假")


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (D(2026, 2, 13), 1, D(2026, 2, 14)),  # Saturday 2/14 is a make-up working day
        (D(2026, 2, 13), 2, D(2026, 2, 24)),  # 2/15-2/23 are 春节
        (D(2026, 2, 13), 3, D(2026, 2, 25)),
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        (D(2026, 2, 27), 1, D(2026, 2, 28)),  # Saturday 2/28 is a make-up working day too
        (D(2026, 2, 28), 1, D(2026, 3, 2)),
        (D(2026, 9, 18), 1, D(2026, 9, 20)),  # Sunday 9/20 is worked
        (D(2026, 9, 30), 1, D(2026, 10, 8)),  # 10/1-10/7 are 国庆
        (D(2026, 10, 9), 1, D(2026, 10, 10)),  # Saturday 10/10 is worked
        (D(2026, 10, 10), 1, D(2026, 10, 12)),
        (D(2026, 2, 13), 0, D(2026, 2, 13)),
        (D(2026, 2, 24), -1, D(2026, 2, 14)),
    ],
)
def test_add_working_days(cal2026, start, n, expected):
    assert add_working_days(start, n) == expected


def test_is_workday(cal2026):
    assert is_workday(D(2026, 2, 14)) and is_workday(D(2026, 10, 10))
    assert not is_workday(D(2026, 2, 16)) and not is_workday(D(2026, 10, 5)) and not is_workday(D(2026, 3, 7))


def test_working_days_count_from_the_next_beijing_day(cal2026):
    due, explanation = compute_due(FRI_2330_BEIJING, 3, "working_days")
    assert due == end_of_beijing_day(D(2026, 2, 25))  # 2/14 (make-up), 2/24, 2/25
    with force_locale("en"):
        _, english = compute_due(FRI_2330_BEIJING, 3, "working_days")
    assert english == (
        "From Fri 2026-02-13 23:30; 3 working days counted from the next day, skipping "
        "2026-02-15 … 2026-02-23 (春节); due at the end of Wed 2026-02-25. "
        "Weekend working days counted: 2026-02-14."
    )
    assert "2026-02-15 … 2026-02-23 (春节)" in explanation and "2026-02-14" in explanation
    # One hour later it is Saturday in Beijing (still Friday in UTC): counting starts on Sunday 2/15.
    due, _ = compute_due(SAT_0030_BEIJING, 3, "working_days")
    assert due == end_of_beijing_day(D(2026, 2, 26))  # 2/24, 2/25, 2/26


def test_national_day_2026(cal2026):
    due, explanation = compute_due(datetime(2026, 9, 18, 15, 30, tzinfo=UTC), 1, "working_days")
    assert due == end_of_beijing_day(D(2026, 9, 20))  # Fri 23:30 Beijing; Sat 9/19 rests, Sun 9/20 works
    due, explanation = compute_due(datetime(2026, 9, 30, 2, 0, tzinfo=UTC), 4, "working_days")
    assert due == end_of_beijing_day(D(2026, 10, 12))  # 10/8, 10/9, Sat 10/10, Mon 10/12
    assert "2026-10-01 … 2026-10-07 (国庆节)" in explanation and "2026-10-10" in explanation
    due, _ = compute_due(datetime(2026, 9, 30, 16, 0, tzinfo=UTC), 1, "working_days")
    assert due == end_of_beijing_day(D(2026, 10, 8))  # 00:00 Beijing on 10/1: counting starts 10/2


def test_natural_days_ignore_holidays_but_not_the_beijing_day(cal2026):
    due, explanation = compute_due(FRI_2330_BEIJING, 60, "natural_days")
    assert due == end_of_beijing_day(D(2026, 4, 14))
    with force_locale("en"):
        _, english = compute_due(FRI_2330_BEIJING, 60, "natural_days")
    assert english == (
        "From Fri 2026-02-13 23:30; 60 natural days counted from the next day; "
        "due at the end of Tue 2026-04-14."
    )
    assert compute_due(FRI_2330_BEIJING, 1, "natural_days")[0] == end_of_beijing_day(D(2026, 2, 14))
    assert compute_due(SAT_0030_BEIJING, 1, "natural_days")[0] == end_of_beijing_day(D(2026, 2, 15))
    assert compute_due(FRI_2330_BEIJING, 7, "natural_days")[0] == end_of_beijing_day(D(2026, 2, 20))


def test_minutes_and_hours_are_elapsed_time(cal2026):
    due, explanation = compute_due(FRI_2330_BEIJING, 30, "minutes")
    assert due == datetime(2026, 2, 13, 16, 0, tzinfo=UTC)
    with force_locale("en"):
        _, english = compute_due(FRI_2330_BEIJING, 30, "minutes")
    assert english == "From Fri 2026-02-13 23:30; due 30 minutes later, at Sat 2026-02-14 00:00."
    assert compute_due(FRI_2330_BEIJING, 48, "hours")[0] == datetime(2026, 2, 15, 15, 30, tzinfo=UTC)
    naive = datetime(2026, 2, 13, 15, 30)  # naive values are UTC
    assert compute_due(naive, 10, "minutes")[0] == datetime(2026, 2, 13, 15, 40, tzinfo=UTC)
    with pytest.raises(ValueError):
        compute_due(FRI_2330_BEIJING, 1, "fortnights")
    with pytest.raises(ValueError):
        compute_due(FRI_2330_BEIJING, -1, "minutes")


def test_a_year_missing_from_the_table_counts_monday_to_friday(cal2026):
    start = datetime(2031, 2, 13, 15, 30, tzinfo=UTC)  # Thursday 23:30 Beijing; 2031 is not in the table
    due, _ = compute_due(start, 4, "working_days")
    assert due == end_of_beijing_day(D(2031, 2, 19))  # Fri 14, Mon 17, Tue 18, Wed 19
    with force_locale("en"):
        _, english = compute_due(start, 4, "working_days")
    assert "no data for 2031" in english and "Monday to Friday" in english
    assert is_workday(D(2031, 1, 1)) and not is_workday(D(2031, 1, 4))
    # Counting from the end of 2026 into 2027 says which year is missing, and only that one.
    with force_locale("en"):
        _, english = compute_due(datetime(2026, 12, 30, 2, 0, tzinfo=UTC), 5, "working_days")
    assert "no data for 2027;" in english
    assert "no data" not in compute_due(FRI_2330_BEIJING, 3, "working_days")[1]


def test_cache_is_reloaded_when_invalidated_or_stale(app, cal2026):
    db = cal2026
    assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)
    db.session.execute(
        update(WorkCalendarDay).where(WorkCalendarDay.day == D(2026, 2, 24)).values(is_workday=False)
    )
    db.session.commit()
    assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)  # cached for up to 60 s
    invalidate_cache()
    assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 25)
    db.session.execute(
        update(WorkCalendarDay).where(WorkCalendarDay.day == D(2026, 2, 24)).values(is_workday=True)
    )
    db.session.commit()
    app.extensions[workcalendar.CACHE_KEY].loaded_at -= workcalendar.CACHE_SECONDS + 1  # a minute passes
    assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)


def test_cross_check_with_holidays_cn_agrees_for_2025_and_2026(app, db):
    seed_calendar([2025, 2026])
    assert cross_check([2025, 2026]) == []
    day = db.session.get(WorkCalendarDay, D(2026, 2, 24))
    day.is_workday = False
    db.session.commit()
    [disagreement] = cross_check([2026])
    assert disagreement["day"] == D(2026, 2, 24)
    assert (disagreement["table"], disagreement["holidays"]) == (False, True)


def test_generate_year_adds_weekly_defaults_once(app, db):
    assert generate_year(2031) == 365
    saturday, monday = (
        db.session.get(WorkCalendarDay, D(2031, 1, 4)),
        db.session.get(WorkCalendarDay, D(2031, 1, 6)),
    )
    assert (saturday.is_workday, saturday.source, monday.is_workday) == (False, "weekly", True)
    assert generate_year(2031) == 0
    change = db.session.scalars(select(ConfigChange)).one()
    assert (change.entity, change.entity_key, change.action) == ("work_calendar_day", "2031", "add_year")
    request = db.session.scalars(select(RecomputeRequest)).one()
    assert request.reason == "calendar" and len(request.scope["days"]) == 365
    with force_locale("en"):
        assert "no data" not in compute_due(datetime(2031, 2, 13, 2, 0, tzinfo=UTC), 4, "working_days")[1]


def test_health_warns_from_november_when_next_year_is_missing(app, db):
    health = calendar_health(D(2026, 6, 1))
    assert health["level"] == "danger" and health["missing"] == {2026: 365}
    seed_calendar([2026])
    assert calendar_health(D(2026, 10, 31)) is None
    health = calendar_health(D(2026, 11, 1))
    assert health["level"] == "warning" and health["missing"] == {2027: 365}
    with force_locale("en"):
        assert "2027" in calendar_health(D(2026, 12, 31))["message"]
    generate_year(2027)
    assert calendar_health(D(2026, 11, 1)) is None
    assert calendar_health(D(2027, 11, 1))["missing"] == {2028: 366}


def test_cli_check_seed_and_add_year(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(calendar_group, ["check", "--today", "2026-06-01"])
    assert result.exit_code == 1, result.output
    result = runner.invoke(calendar_group, ["seed", "--from-year", "2026", "--to-year", "2026"])
    assert result.exit_code == 0 and "365 days created" in result.output
    result = runner.invoke(calendar_group, ["seed", "--from-year", "2026", "--to-year", "2026", "--if-empty"])
    assert result.exit_code == 0 and "already has data" in result.output
    result = runner.invoke(calendar_group, ["check", "--today", "2026-10-15"])
    assert result.exit_code == 0, result.output
    assert "Cross-check with holidays.CN (2026): 0 disagree" in result.output
    assert runner.invoke(calendar_group, ["check", "--today", "2026-11-02"]).exit_code == 1
    result = runner.invoke(calendar_group, ["add-year", "2027"])
    assert result.exit_code == 0 and "365 days added" in result.output
    assert runner.invoke(calendar_group, ["check", "--today", "2026-11-02"]).exit_code == 0
    assert runner.invoke(calendar_group, ["check"]).exit_code in (0, 1)  # the real today in Beijing
    result = runner.invoke(calendar_group, ["seed", "--from-year", "2027", "--to-year", "2027"])
    assert result.exit_code == 0 and "no data for 2027" in result.output
