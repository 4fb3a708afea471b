"""When demo cases arrive: a weight for each day of the history, the hour of day, and the seasonal topics.

A day's weight follows the work calendar (:func:`app.deadlines.workcalendar.is_workday`): working days
carry the load, rest days less, the long holidays (春节, 国庆: seven rest days or more in a row) least and
the working days around them less than usual; a mild growth runs over the whole history. Some topics swing
with the seasons:
noise and construction in summer, storms and fallen trees in the rainy season, gas in winter, school places
before the school year, unpaid wages in the weeks before 春节.
"""

import bisect
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from app.deadlines.workcalendar import is_workday
from app.timeutil import LOCAL_TZ
from app.timeutil import as_utc
from app.timeutil import local_day

REST_DAY = 0.38  # a weekend's load against a working day's
LONG_HOLIDAY = 0.2  # a day of 春节 or 国庆
LONG_HOLIDAY_DAYS = 7  # rest days in a row that make a long holiday
NEAR_HOLIDAY = 0.75  # the working days just before and after a long holiday
NEAR_DAYS = 3
WEEKDAY = (1.15, 1.05, 1.0, 1.0, 0.9, 1.0, 1.0)  # Monday brings the weekend's matters
GROWTH = (0.8, 1.2)  # the load at the start and at the end of the history
WAGE_RUSH_DAYS = 45  # 讨薪 rises over the weeks before 春节
# Hour of day (local) a citizen gets in touch, 0 … 23: by day, a peak in the morning and after dinner.
HOUR_WEIGHTS = (1, 1, 0.5, 0.5, 0.5, 1, 2, 4, 9, 12, 12, 10, 7, 7, 10, 11, 10, 9, 7, 7, 8, 6, 4, 2)
OFFICE_HOURS = (0,) * 9 + (12, 12, 10, 4, 4, 10, 11, 10, 6) + (0,) * 6  # walk-in halls: 9:00 … 18:00

SUMMER = (6, 7, 8, 9)
RAINY = (5, 6, 7, 8, 9)
WINTER = (12, 1, 2)
SCHOOL_PLACES = (4, 5, 6, 7, 8)
# category code: (months of the high season, factor then, factor otherwise)
SEASONAL = {
    "CXJS-SGGL": (SUMMER, 3.0, 0.6),  # 夜间施工: long evenings, windows open
    "STHJ-ZS": (SUMMER, 3.0, 0.6),  # 噪声: night markets, square dancing
    "JTYS-KHY": (SUMMER, 2.0, 0.8),
    "YJAQ-FX": (RAINY, 5.0, 0.2),  # 暴雨, 台风
    "CSGL-YLLH": (RAINY, 3.0, 0.5),
    "CSGL-PSXT": (RAINY, 2.0, 0.7),
    "GGFW-GQ": (WINTER, 3.0, 0.5),  # 燃气: water heaters and hot pot
    "YJAQ-RQ": (WINTER, 3.0, 0.5),
    "GGFW-GN": (WINTER, 4.0, 0.2),  # 寒潮取暖
    "JY-RXSX": (SCHOOL_PLACES, 3.0, 0.4),
    "JY-XW": (SCHOOL_PLACES, 3.0, 0.4),
}
WAGES = "LDSB-QX"
WAGE_RUSH = 5.0  # 欠薪 before 春节, against the rest of the year
WAGE_QUIET = 0.7


class Season:
    """Day weights over the history up to ``now``, and the seasonal weight of a template on a day."""

    def __init__(self, now: datetime, history_days: int):
        self.now = as_utc(now)
        self.today = local_day(self.now)
        self.first = self.today - timedelta(days=history_days)
        self.days = [self.first + timedelta(days=i) for i in range(history_days + 1)]
        # A few weeks past either end, so the holidays at the edges are still seen whole.
        edge = timedelta(days=WAGE_RUSH_DAYS + 20)
        scan = [
            self.first - edge + timedelta(days=i) for i in range((self.today - self.first + 2 * edge).days)
        ]
        working = {day: is_workday(day) for day in scan}
        self.holidays = _long_holidays(scan, working)
        self.spring_festivals = [run[0] for run in self.holidays if run[0].month in (1, 2)]
        holiday_days = {day for run in self.holidays for day in run}
        near = _near(scan, working, self.holidays)
        self.calendar_weight = {}  # the day's weight before the growth
        for day in scan:
            if day in holiday_days:
                w = LONG_HOLIDAY
            elif not working[day]:
                w = REST_DAY
            else:
                w = WEEKDAY[day.weekday()] * (NEAR_HOLIDAY if day in near else 1.0)
            self.calendar_weight[day] = w
        self.busiest = max(self.calendar_weight.values())
        self.weights = [
            self.calendar_weight[day] * (GROWTH[0] + (GROWTH[1] - GROWTH[0]) * i / max(1, history_days))
            for i, day in enumerate(self.days)
        ]
        self.cumulative = []
        total = 0.0
        for w in self.weights:
            total += w
            self.cumulative.append(total)

    def pick_day(self, rng, low: date, high: date) -> date:
        """A day in ``low`` … ``high`` (clipped to the history), drawn by the days' weights."""
        lo = max(0, min(len(self.days) - 1, (low - self.first).days))
        hi = max(lo, min(len(self.days) - 1, (high - self.first).days))
        base = self.cumulative[lo - 1] if lo else 0.0
        u = base + rng.random() * (self.cumulative[hi] - base)
        return self.days[min(hi, max(lo, bisect.bisect_left(self.cumulative, u, lo, hi + 1)))]

    def likely(self, rng, at: datetime) -> bool:
        """Draw whether a case arrives at ``at``: always on the busiest days, less often on quieter ones."""
        return rng.random() * self.busiest < self.calendar_weight.get(local_day(at), self.busiest)

    def time_on(self, rng, day: date, office: bool = False) -> datetime:
        """An instant on local ``day`` at a likely hour (office hours only for ``office``), as UTC."""
        hours = OFFICE_HOURS if office else HOUR_WEIGHTS
        hour = rng.choices(range(24), weights=hours)[0]
        local = datetime.combine(day, time(hour), tzinfo=LOCAL_TZ) + timedelta(seconds=rng.uniform(0, 3600))
        return as_utc(local)

    def topic_factor(self, category: str, day: date) -> float:
        """How much more (or less) often than usual a case of ``category`` comes in on ``day``."""
        if category == WAGES:
            before = any(
                timedelta(0) <= start - day <= timedelta(days=WAGE_RUSH_DAYS)
                for start in self.spring_festivals
            )
            return WAGE_RUSH if before else WAGE_QUIET
        season = SEASONAL.get(category)
        if season is None:
            return 1.0
        months, high, low = season
        return high if day.month in months else low


def _long_holidays(days: list[date], working: dict) -> list[list[date]]:
    """Runs of at least LONG_HOLIDAY_DAYS rest days in a row (春节 and 国庆 in the Chinese calendar)."""
    runs, current = [], []
    for day in days:
        if not working[day]:
            current.append(day)
            continue
        if len(current) >= LONG_HOLIDAY_DAYS:
            runs.append(current)
        current = []
    if len(current) >= LONG_HOLIDAY_DAYS:
        runs.append(current)
    return runs


def _near(days: list[date], working: dict, holidays: list[list[date]]) -> set[date]:
    """The NEAR_DAYS working days before and after each long holiday."""
    near = set()
    index = {day: i for i, day in enumerate(days)}
    for run in holidays:
        for start, step in ((index[run[0]] - 1, -1), (index[run[-1]] + 1, 1)):
            i, found = start, 0
            while 0 <= i < len(days) and found < NEAR_DAYS:
                if working[days[i]]:
                    near.add(days[i])
                    found += 1
                i += step
    return near
