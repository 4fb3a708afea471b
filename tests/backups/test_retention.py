"""Retention: the newest backup of each of the last 7 days, 4 ISO weeks and 12 months, and the pruning."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from app.backups.retention import choose_kept
from app.backups.retention import prune
from app.backups.retention import stamp_of
from app.timeutil import LOCAL_TZ


def at(day: str, time: str = "03:15") -> datetime:
    return datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=LOCAL_TZ)


def every_day(first: date, last: date, time: str = "03:15") -> list[datetime]:
    return [at((first + timedelta(days=n)).isoformat(), time) for n in range((last - first).days + 1)]


def days(kept) -> list[str]:
    return sorted(stamp.date().isoformat() for stamp in kept)


def test_a_year_of_nightly_backups_keeps_7_days_4_weeks_and_12_months():
    kept = choose_kept(every_day(date(2026, 1, 1), date(2026, 12, 31)))
    dailies = [f"2026-12-{d}" for d in range(25, 32)]
    weeklies = ["2026-12-13", "2026-12-20"]  # + 12-27 (a daily) and 12-31 (week 53, a daily)
    monthlies = ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30"]
    monthlies += ["2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31", "2026-11-30"]
    assert days(kept) == sorted(dailies + weeklies + monthlies)


def test_months_reach_back_twelve_months_across_the_new_year():
    kept = choose_kept(every_day(date(2025, 6, 1), date(2026, 8, 15)), daily=0, weekly=0)
    assert days(kept) == [
        "2025-09-30", "2025-10-31", "2025-11-30", "2025-12-31", "2026-01-31", "2026-02-28",
        "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30", "2026-07-31", "2026-08-15",
    ]  # fmt: skip


def test_several_backups_a_day_keep_only_the_newest_of_each_day():
    stamps = [
        at(day, time) for day in ("2026-03-01", "2026-03-02", "2026-03-03") for time in ("03:15", "14:00")
    ]
    kept = choose_kept(stamps, daily=7, weekly=0, monthly=0)
    assert kept == {at("2026-03-01", "14:00"), at("2026-03-02", "14:00"), at("2026-03-03", "14:00")}


def test_days_and_weeks_without_a_backup_do_not_count():
    stamps = [at("2026-05-04"), at("2026-05-20"), at("2026-06-10"), at("2026-06-11"), at("2026-07-01")]
    assert choose_kept(stamps, daily=3, weekly=0, monthly=0) == {
        at("2026-06-10"),
        at("2026-06-11"),
        at("2026-07-01"),
    }
    assert choose_kept(stamps, daily=0, weekly=4, monthly=0) == {
        at("2026-05-20"), at("2026-06-11"), at("2026-07-01"), at("2026-05-04"),
    }  # fmt: skip


def test_iso_weeks_run_across_the_new_year():
    # 2026-12-28 (Mon) to 2027-01-03 (Sun) is ISO week 2026-W53: one weekly backup for all of it
    stamps = every_day(date(2026, 12, 21), date(2027, 1, 3))
    kept = choose_kept(stamps, daily=0, weekly=2, monthly=0)
    assert days(kept) == ["2026-12-27", "2027-01-03"]


def test_newest_is_kept_even_with_nothing_to_keep_and_nothing_in_is_nothing_out():
    stamps = every_day(date(2026, 1, 1), date(2026, 1, 10))
    assert choose_kept(stamps, 0, 0, 0) == {at("2026-01-10")}
    assert choose_kept([]) == set()


def test_a_short_history_is_kept_whole():
    stamps = every_day(date(2026, 2, 1), date(2026, 2, 5))
    assert choose_kept(stamps) == set(stamps)


def test_prune_names_old_backups_by_beijing_date_and_leaves_other_folders_alone(tmp_path):
    names = [
        "suqiu-20261229T191500Z",  # 2026-12-30 03:15 Beijing
        "suqiu-20261230T191500Z",  # 2026-12-31 03:15 Beijing
        "suqiu-20261230T191500Z-2",  # a second backup in the same second: kept or dropped with the first
        "suqiu-20261231T170000Z",  # 2027-01-01 01:00 Beijing: a new month there, still December in UTC
    ]
    for name in names:
        (tmp_path / name).mkdir()
    (tmp_path / "notes").mkdir()
    (tmp_path / "suqiu-20200101T000000Z.tar").write_bytes(b"not a folder")
    doomed = prune(tmp_path, daily=1, weekly=0, monthly=2)
    assert [path.name for path in doomed] == ["suqiu-20261229T191500Z"]
    assert all(path.parent == tmp_path for path in doomed)


def test_backup_names_are_read_as_utc():
    assert stamp_of("suqiu-20261231T170000Z-3") == datetime(2026, 12, 31, 17, 0, tzinfo=UTC)
    assert stamp_of(".suqiu-20261231T170000Z.partial") is None
    assert stamp_of("suqiu-latest") is None
