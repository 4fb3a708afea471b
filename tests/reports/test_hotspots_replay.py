"""Hot-spot replay: six months of generated history (Poisson background per category × community, a
working-week rhythm, a seeded generator), clusters injected into it, and the daily scan run day by day.

Every injected cluster must be found within two days of its first case; on the clean history at most
three false alarms a month. The figures are printed (``pytest -s``) and kept in ``FIGURES``.
"""

import math
import random
from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.reports import hotspots
from app.timeutil import local_day
from models.hotspot import HotspotAlert
from models.org import Department
from tests.support.factories import dept
from tests.support.hotspots import Cases
from tests.support.hotspots import category
from tests.support.hotspots import ids_of
from tests.support.hotspots import scan_time

FIRST_DAY = date(2026, 3, 2)
DAYS = 184  # about six months
WARM_UP = 56  # scans start once eight weeks of history exist
WEEKDAY = (1.15, 1.1, 1.1, 1.1, 1.15, 0.75, 0.65)  # Monday … Sunday
RATES = (0.02, 0.05, 0.1, 0.2, 0.4)  # a cell's background cases a day
FIGURES: dict = {}

# name: (level-2 category code, community code, its background rate a day, start (days after FIRST_DAY),
# extra cases on each day from the start)
CLUSTERS = {
    "3 in one day, quiet cell": ("LD-QX", "CA", 0.02, 70, [3]),
    "3 over two days, quiet cell": ("LD-SB", "CB2", 0.02, 85, [1, 2]),
    "6 in one day, busy cell": ("CS-ZD", "CC", 0.4, 100, [6]),
    "6 over two days, busy cell": ("CS-ZS", "CA3", 0.4, 115, [3, 3]),
    "rise over five days, quiet cell": ("JS-WY", "CB3", 0.05, 130, [2, 2, 3, 3, 4]),
    "4 on a Sunday": ("LD-GS", "CC2", 0.1, 146, [4]),
}
CATEGORIES = {
    "LD": ("劳动保障", {"LD-QX": "欠薪", "LD-SB": "社保", "LD-GS": "工伤"}),
    "CS": ("城市管理", {"CS-ZD": "占道经营", "CS-ZS": "噪声扰民", "CS-LJ": "垃圾清运"}),
    "JS": ("城乡建设", {"JS-WY": "物业管理", "JS-WG": "违建", "JS-DL": "道路"}),
}
NEW_COMMUNITIES = {"CA2": "SA", "CA3": "SA", "CB2": "SB", "CB3": "SB", "CC": "SC", "CC2": "SC", "CC3": "SC"}


def _poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth: count uniforms until their product falls below e^−λ)."""
    limit, count, product = math.exp(-lam), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _district():
    """A third street, seven more communities and nine level-2 categories under three level-1 ones."""
    district = dept("D")
    db.session.add(Department(code="SC", name="丙街道", kind="street", parent=district))
    db.session.flush()
    for code, street in NEW_COMMUNITIES.items():
        db.session.add(Department(code=code, name=f"{code}社区", kind="community", parent=dept(street)))
    db.session.flush()
    codes = {}
    for top, (name, children) in CATEGORIES.items():
        category(top, name)
        for code, child in children.items():
            codes[code] = category(code, child, parent=top).id
    return codes, ["CA", "CB", *NEW_COMMUNITIES]


@pytest.fixture
def history(app):
    """The generated history with its injected clusters: {cluster name: (start day, case ids)}."""
    rng = random.Random(20261203)
    codes, communities = _district()
    rates = {(c, p): rng.choice(RATES) for c in codes for p in communities}
    rates.update({(code, place): rate for code, place, rate, *_rest in CLUSTERS.values()})
    cases, injected = Cases(rng), {}
    for offset in range(DAYS):
        day = FIRST_DAY + timedelta(days=offset)
        for (code, place), rate in rates.items():
            for _ in range(_poisson(rng, rate * WEEKDAY[day.weekday()])):
                cases.at(day, codes[code], place)
    for name, (code, place, _rate, start, extra) in CLUSTERS.items():
        numbers = [
            cases.at(FIRST_DAY + timedelta(days=start + i), codes[code], place)
            for i, count in enumerate(extra)
            for _ in range(count)
        ]
        injected[name] = (FIRST_DAY + timedelta(days=start), numbers)
    cases.flush()
    FIGURES["cases"] = cases.count
    return {name: (day, set(ids_of(numbers))) for name, (day, numbers) in injected.items()}


def test_replay_finds_every_cluster_within_two_days_with_few_false_alarms(db, history):
    scanned = [FIRST_DAY + timedelta(days=d) for d in range(WARM_UP, DAYS + 1)]
    for day in scanned:
        hotspots.scan(scan_time(day))
        db.session.commit()
    alerts = db.session.scalars(select(HotspotAlert).order_by(HotspotAlert.raised_at)).all()
    injected_ids = set().union(*(ids for _day, ids in history.values()))
    delays = {}
    for name, (start, ids) in history.items():
        found = [a for a in alerts if ids & set(a.case_ids)]
        delays[name] = (local_day(found[0].raised_at) - start).days if found else None
    false_alarms = [a for a in alerts if not injected_ids & set(a.case_ids)]
    months = len(scanned) / 30.4
    FIGURES.update(delays=delays, false_alarms=len(false_alarms), per_month=len(false_alarms) / months)
    FIGURES.update(months=round(months, 1), alerts=len(alerts))
    print(f"\nhot-spot replay: {FIGURES['cases']} cases, {len(scanned)} daily scans ({months:.1f} months)")
    for name, delay in delays.items():
        print(f"  {name}: found after {delay} day(s)")
    print(f"  false alarms: {len(false_alarms)} ({FIGURES['per_month']:.2f} a month)")
    for alert in false_alarms:
        print(f"    {alert.category} {alert.department.name} {alert.observed} vs {alert.expected:.2f}")
    assert all(delay is not None and 1 <= delay <= 2 for delay in delays.values()), delays
    assert FIGURES["per_month"] <= 3
    # the rise over five days stays one alert, extended day by day, not a new alert each morning
    rising = history["rise over five days, quiet cell"][1]
    (alert,) = [a for a in alerts if rising & set(a.case_ids)]
    assert len(rising & set(alert.case_ids)) >= 10 and alert.window_end > alert.window_start + timedelta(
        days=3
    )
