"""Hot spots (弱信号预警): once a day, find a category rising at one street or community against its own past.

**The cells.** Every category (level 2, and its level-1 parent) × every place (street, and community): four
overlapping families. Merged duplicates and repeats (``repeat_of``) are left out, so one person writing
three times is not a cluster of three.

**What is expected.** The window is the last :data:`WINDOW_DAYS` whole local days. A cell's expected count is
its mean daily rate over the :data:`BASELINE_DAYS` days before the window times each window day's weekday
factor. The rate is the cell's own count shrunk towards its share of the category's district-wide rate
(worth two weeks of history), so a quiet cell expects a little, never zero. The weekday factor comes from
all cases in the district: eight samples per weekday per cell would be noise, the district's week is not.

**The test.** Counts of rare events in a fixed window are Poisson; "is this many unusually many?" is the
one-sided tail P(X ≥ observed | expected), computed in log space with :mod:`math` (no SciPy for one
formula). A fixed threshold ("≥ 5 a day") would shout about every busy street and never hear a quiet
community; the tail scales with each cell's own history. Thousands of cells are tested each day, so the
p-values are cut by Benjamini–Hochberg at :data:`FDR` over every cell with any case in the baseline or the
window (with no real cluster this bounds a day's chance of any false alarm by ``FDR``), and a cell needs at
least :data:`MIN_COUNT` cases. Finer cells are read first; a street or level-1 cell alerts only if it is
still significant without the cases already alerted below it, so one cluster is one alert.

**Dedupe.** An alert keeps its first window's start as its key (category, place, start). When the next
day's scan finds the same cell still rising, it extends that alert (end, cases, counts) and tells nobody
again. Alerts whose cluster has not risen for :data:`CLOSE_AFTER_DAYS` days are closed.

New alerts go to every active supervisor and leader through the outbox, in the office's language, each
linking to the alert's page and its cases. The job commits; this module only flushes.
"""

from collections import defaultdict
from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import select

from app.extensions import db
from app.extensions import insert_unless_exists
from app.i18n import office_language
from app.notifications.links import case_link
from app.notifications.links import link
from app.notifications.outbox import notify_users
from app.refusal import Refusal
from app.reports.hotspot_stats import Baseline
from app.reports.hotspot_stats import bh_cutoff
from app.reports.hotspot_stats import chance_text  # noqa: F401  (the pages show it)
from app.reports.hotspot_stats import expected_text
from app.reports.hotspot_stats import poisson_sf
from app.timeutil import as_utc
from app.timeutil import local_day
from app.timeutil import local_day_start
from models.case import Case
from models.enums import DepartmentKind
from models.enums import Role
from models.hotspot import HotspotAlert
from models.hotspot import HotspotStatus
from models.notification import NoticeKind
from models.org import Category
from models.org import Department
from models.user import User

WINDOW_DAYS = 2
BASELINE_DAYS = 56  # eight weeks, each weekday eight times
MIN_HISTORY_DAYS = 14  # no scan until two weeks of cases exist: a baseline of days without data would lie
MIN_COUNT = 3
FDR = 0.05  # HOTSPOT_FDR in the config
CLOSE_AFTER_DAYS = 7
CASES_NAMED = 10  # cases named (and linked) in one message
PLACE_KINDS = (DepartmentKind.COMMUNITY, DepartmentKind.STREET)
LIVE = (HotspotStatus.OPEN, HotspotStatus.ACKNOWLEDGED)


def _cells(parent_of: dict, category_id: int, street_id, community_id):
    """The cells one case counts in: (category, place) → (level, place kind)."""
    categories = [(category_id, 2 if parent_of.get(category_id) else 1)]
    if parent_of.get(category_id):
        categories.append((parent_of[category_id], 1))
    places = [
        (p, k) for p, k in ((community_id, DepartmentKind.COMMUNITY), (street_id, DepartmentKind.STREET)) if p
    ]
    return {(c, p): (level, kind) for c, level in categories for p, kind in places}


class Scan:
    """One day's look at the cells: the counts of the window and the baseline, then the tests."""

    def __init__(self, now: datetime):
        self.now, today = now, local_day(now)
        self.window_days = [today - timedelta(days=d) for d in range(WINDOW_DAYS, 0, -1)]
        self.start, self.end = local_day_start(self.window_days[0]), local_day_start(today)
        self.parent_of = dict(db.session.execute(select(Category.id, Category.parent_id)).all())
        places = db.session.execute(
            select(Department.kind, func.count()).where(Department.active.is_(True)).group_by(Department.kind)
        ).all()
        self.places = {str(kind): count for kind, count in places}
        self.kinds: dict = {}  # cell -> (level, place kind)
        self.window_ids: dict = defaultdict(list)
        self.baseline: Baseline | None = None
        self.factor: dict = {}

    def load(self) -> bool:
        """Read the window's and baseline's cases; False when there is too little history to judge."""
        first = db.session.scalar(select(func.min(Case.received_at)))
        if first is None or as_utc(first) > self.start - timedelta(days=MIN_HISTORY_DAYS):
            return False
        first_day = max(local_day(first), self.window_days[0] - timedelta(days=BASELINE_DAYS))
        days = [first_day + timedelta(days=d) for d in range((self.window_days[0] - first_day).days)]
        self.baseline = Baseline(days=days, places=self.places)
        rows = db.session.execute(
            select(Case.id, Case.category_id, Case.street_id, Case.community_id, Case.received_at).where(
                Case.received_at >= local_day_start(first_day),
                Case.received_at < self.end,
                Case.category_id.is_not(None),
                Case.merged_into_id.is_(None),
                Case.repeat_of_id.is_(None),
            )
        )
        for case_id, category_id, street_id, community_id, received_at in rows:
            cells = _cells(self.parent_of, category_id, street_id, community_id)
            self.kinds.update(cells)
            if as_utc(received_at) >= self.start:
                for cell in cells:
                    self.window_ids[cell].append(case_id)
            else:
                categories = {category_id, self.parent_of.get(category_id)} - {None}
                self.baseline.add(cells, categories, local_day(received_at))
        self.factor = self.baseline.weekday_factor()
        return True

    def expected(self, cell, days) -> float:
        """The cell's expected count over ``days`` (local dates)."""
        rate = self.baseline.daily_rate(cell[0], cell[1], str(self.kinds[cell][1]))
        return rate * sum(self.factor[day.weekday()] for day in days)

    def findings(self) -> list[dict]:
        """The cells rising beyond chance, finest first, each cluster once."""
        tested = {}
        for cell in self.kinds:
            observed, expected = len(self.window_ids.get(cell, ())), self.expected(cell, self.window_days)
            tested[cell] = (observed, expected, poisson_sf(observed, expected))
        cut = bh_cutoff([p for _o, _e, p in tested.values()], current_app.config["HOTSPOT_FDR"])
        rising = [c for c, (o, _e, p) in tested.items() if o >= MIN_COUNT and p <= cut]
        rising.sort(
            key=lambda c: (-self.kinds[c][0], self.kinds[c][1] != DepartmentKind.COMMUNITY, tested[c][2])
        )
        covered, found = set(), []
        for cell in rising:
            observed, expected, p = tested[cell]
            fresh = [i for i in self.window_ids[cell] if i not in covered]
            if len(fresh) < observed and (len(fresh) < MIN_COUNT or poisson_sf(len(fresh), expected) > cut):
                continue  # a finer alert already tells this cluster
            covered.update(self.window_ids[cell])
            found.append({"cell": cell, "observed": observed, "expected": expected, "p": p})
        return found


def _live_alert(cell, start) -> HotspotAlert | None:
    """The cell's alert still open whose window reaches this one (to extend rather than repeat)."""
    return db.session.scalar(
        select(HotspotAlert)
        .where(
            HotspotAlert.category_id == cell[0],
            HotspotAlert.department_id == cell[1],
            HotspotAlert.status.in_(LIVE),
            HotspotAlert.window_end >= start,
        )
        .order_by(HotspotAlert.window_start.desc())
        .limit(1)
    )


def _extend(scan: Scan, alert: HotspotAlert, finding: dict) -> None:
    ids = sorted(set(alert.case_ids or ()) | set(scan.window_ids[finding["cell"]]))
    first_day = local_day(alert.window_start)
    days = [first_day + timedelta(days=d) for d in range((local_day(scan.end) - first_day).days)]
    alert.window_end, alert.case_ids, alert.observed = max(as_utc(alert.window_end), scan.end), ids, len(ids)
    alert.expected = scan.expected(finding["cell"], days)
    alert.p_value, alert.updated_at = poisson_sf(alert.observed, alert.expected), scan.now


def scan(now: datetime) -> dict:
    """Run the day's scan at ``now``: raise new alerts (and tell), extend running ones, close quiet ones."""
    run = Scan(now)
    if not run.load():
        return {"skipped": "not enough history"}
    found, raised, extended = run.findings(), [], 0
    for finding in found:
        cell = finding["cell"]
        alert = _live_alert(cell, run.start)
        if alert is not None:
            _extend(run, alert, finding)
            extended += 1
            continue
        values = {
            "category_id": cell[0],
            "department_id": cell[1],
            "window_start": run.start,
            "window_end": run.end,
            "observed": finding["observed"],
            "expected": finding["expected"],
            "p_value": finding["p"],
            "case_ids": sorted(run.window_ids[cell]),
            "raised_at": now,
            "updated_at": now,
            "status": HotspotStatus.OPEN,
        }
        if insert_unless_exists(HotspotAlert, **values):
            raised.append(_live_alert(cell, run.start))
    closed = _close_quiet(run.end, now)
    for alert in raised:
        _tell(alert, now)
    db.session.flush()
    return {"cells": len(run.kinds), "raised": len(raised), "extended": extended, "closed": closed}


def _close_quiet(end: datetime, now: datetime) -> int:
    quiet = db.session.scalars(
        select(HotspotAlert).where(
            HotspotAlert.status.in_(LIVE), HotspotAlert.window_end < end - timedelta(days=CLOSE_AFTER_DAYS)
        )
    ).all()
    for alert in quiet:
        alert.status, alert.closed_at = HotspotStatus.CLOSED, now
    return len(quiet)


def window_text(alert: HotspotAlert) -> str:
    """The alert's days, e.g. "2026-11-30 至 2026-12-01"."""
    first, last = local_day(alert.window_start), local_day(alert.window_end) - timedelta(days=1)
    return _("%(first)s to %(last)s", first=first.isoformat(), last=last.isoformat())


def place_text(alert: HotspotAlert) -> str:
    """The place with its street, e.g. "甲街道 甲一社区"."""
    place = alert.department
    if place.kind == DepartmentKind.COMMUNITY and place.parent is not None:
        return f"{place.parent.name} {place.name}"
    return place.name


def alert_cases(alert: HotspotAlert, query=None) -> list[Case]:
    """The alert's cases, newest first; ``query`` may be a scoped select of cases."""
    query = query if query is not None else select(Case)
    return list(
        db.session.scalars(query.where(Case.id.in_(alert.case_ids or [])).order_by(Case.received_at.desc()))
    )


def _tell(alert: HotspotAlert, now: datetime) -> None:
    """Every active supervisor and leader hears of a new alert, with links to it and its cases."""
    users = db.session.scalars(
        select(User)
        .where(User.role.in_([Role.SUPERVISOR, Role.LEADER]), User.active.is_(True))
        .order_by(User.id)
    ).all()
    cases = alert_cases(alert)
    with office_language():
        what = {"category": str(alert.category), "place": place_text(alert)}
        subject = "【{}】{}".format(_("Hot spot"), _("%(category)s at %(place)s", **what))
        lines = [
            _(
                "%(observed)d cases from %(window)s; about %(expected)s expected from its own history.",
                observed=alert.observed,
                window=window_text(alert),
                expected=expected_text(alert.expected),
            ),
            *(f"{case.number} {case.title}" for case in cases[:CASES_NAMED]),
        ]
        links = [link(f"/admin/hotspots/{alert.id}", _("Hot spot alert %(id)d", id=alert.id))]
        links += [case_link(case) for case in cases[:CASES_NAMED]]
        data = {"links": links, "event": "hotspot"}
        notify_users(users, subject, "\n".join(lines), kind=NoticeKind.HOTSPOT.value, data=data, now=now)


def live_alerts(limit: int = 20) -> list[HotspotAlert]:
    """Alerts not over yet, newest first (the dashboard's list)."""
    return list(
        db.session.scalars(
            select(HotspotAlert)
            .where(HotspotAlert.status.in_(LIVE))
            .order_by(HotspotAlert.updated_at.desc(), HotspotAlert.id.desc())
            .limit(limit)
        )
    )


def acknowledge(alert: HotspotAlert, user: User, now: datetime) -> None:
    """A supervisor or leader has seen the alert; refused when it is not new any more."""
    if alert.status != HotspotStatus.OPEN:
        raise Refusal(_("This alert has been noted already or is over."))
    alert.status, alert.acknowledged_by, alert.acknowledged_at = HotspotStatus.ACKNOWLEDGED, user, now
    db.session.flush()


def report_rows(day) -> list[list]:
    """The 民情日报's rows for ``day``: the alerts whose window ends with that day."""
    alerts = db.session.scalars(
        select(HotspotAlert)
        .where(HotspotAlert.window_end == local_day_start(day + timedelta(days=1)))
        .order_by(HotspotAlert.p_value)
    ).all()
    numbers = dict(
        db.session.execute(
            select(Case.id, Case.number).where(Case.id.in_({i for a in alerts for i in a.case_ids or ()}))
        ).all()
    )
    return [
        [
            str(alert.category),
            place_text(alert),
            window_text(alert),
            alert.observed,
            expected_text(alert.expected),
            "、".join(numbers[i] for i in alert.case_ids[:CASES_NAMED] if i in numbers),
        ]
        for alert in alerts
    ]
