"""The leaders' home page as data: intake and open-case counts, rates against their targets, a 30-day
trend, category and channel mix, departments ranked by overdue stages, and the area board.

Past days come from the rollup (:mod:`app.reports.figures`); only open cases are counted live, on the
status index. Handlers get their own department's figures (``scoped``).
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta

from sqlalchemy import case as when
from sqlalchemy import func
from sqlalchemy import select

from app import audit
from app.auth.access import is_department_scoped
from app.auth.access import scope_query
from app.extensions import db
from app.reports import periods
from app.reports.figures import Cut
from app.reports.figures import kept_for_a_minute
from app.reports.figures import scoped
from app.reports.figures import sums
from app.reports.rate_table import rate_rows
from app.reports.rates import BY_KEY
from app.timeutil import local_day
from models.audit import AuditAction
from models.audit import AuditEntity
from models.case import Case
from models.deadline import Urgency
from models.enums import OPEN_STATUSES
from models.enums import DepartmentKind
from models.enums import Grade
from models.org import Department
from models.report import AreaColourRule

TREND_DAYS = 30
HEADLINE_RATES = ("response", "reply", "closure", "satisfaction")
RANKED = 10
RED, YELLOW, GREEN = "red", "yellow", "green"


@dataclass
class Area:
    """A street or community on the board: its open, overdue and red cases and its colour."""

    department_id: int
    name: str
    open: int
    overdue: int
    red: int
    colour: str
    communities: list = field(default_factory=list)


RULE_AUDITED = ("red_open_red_cases", "red_overdue_share", "yellow_overdue_share", "yellow_open_cases")


def record_rule_change(rule: AreaColourRule, actor) -> None:
    """Audit an edit of the area colour rule (the caller commits it with the edit)."""
    before = audit.snapshot(rule, RULE_AUDITED, old=True)
    after = audit.snapshot(rule, RULE_AUDITED)
    if before != after:
        audit.record(AuditEntity.AREA_COLOUR_RULE, rule.id, AuditAction.UPDATE, actor, before, after)


def colour_rule() -> AreaColourRule:
    """The administrators' rule (the defaults when none is saved)."""
    rule = db.session.scalar(select(AreaColourRule).order_by(AreaColourRule.id).limit(1))
    return rule or AreaColourRule(
        red_open_red_cases=1, red_overdue_share=0.10, yellow_overdue_share=0.03, yellow_open_cases=30
    )


def colour(open_cases: int, overdue: int, red: int, rule: AreaColourRule) -> str:
    """red / yellow / green for an area by ``rule``."""
    share = overdue / open_cases if open_cases else 0
    if red >= rule.red_open_red_cases or share > rule.red_overdue_share:
        return RED
    if share > rule.yellow_overdue_share or open_cases >= rule.yellow_open_cases:
        return YELLOW
    return GREEN


def open_cases(user, now: datetime) -> dict:
    """{(status, street id, community id): (open, overdue, red)} of the open cases the user may see: one pass
    over the open cases (a covering index) feeds the queues, the tiles and the area board; kept for a
    minute like today's figures (:func:`app.reports.figures.kept_for_a_minute`)."""

    def count() -> dict:
        query = select(
            Case.status,
            Case.street_id,
            Case.community_id,
            func.count(Case.id),
            func.sum(when((Case.urgency == Urgency.RED, 1), else_=0)),
            func.sum(when((Case.grade == Grade.RED, 1), else_=0)),
        ).where(Case.status.in_(OPEN_STATUSES))
        query = scope_query(Case, query, user).group_by(Case.status, Case.street_id, Case.community_id)
        rows = db.session.execute(query)
        return {tuple(row[:3]): (row[3], int(row[4] or 0), int(row[5] or 0)) for row in rows}

    scope = (str(user.role), user.department_id) if is_department_scoped(user) else None
    return kept_for_a_minute(("open cases", scope), now, count)


def queue_counts(user, now: datetime) -> dict:
    """{status: open cases in it} that the user may see."""
    counts: dict = {}
    for (status, _street, _community), (number, _overdue, _red) in open_cases(user, now).items():
        counts[status] = counts.get(status, 0) + number
    return counts


def _add(totals: dict, key, counts: tuple) -> None:
    before = totals.get(key, (0, 0, 0))
    totals[key] = tuple(a + b for a, b in zip(before, counts, strict=True))


def area_board(user, now: datetime) -> list[Area]:
    """Streets with their communities, coloured by the rule, from the open cases the user may see."""
    rule = colour_rule()
    by_street, by_community = {}, {}
    for (_status, street, community), counts in open_cases(user, now).items():
        if street is not None:
            _add(by_street, street, counts)
        if community is not None:
            _add(by_community, community, counts)
    units = db.session.execute(
        select(Department.id, Department.name, Department.kind, Department.parent_id)
        .where(Department.kind.in_([DepartmentKind.STREET, DepartmentKind.COMMUNITY]), Department.active)
        .order_by(Department.path)
    ).all()
    streets = {}
    for unit_id, name, kind, parent_id in units:
        counts = (by_street if kind == DepartmentKind.STREET else by_community).get(unit_id, (0, 0, 0))
        area = Area(unit_id, name, *counts, colour=colour(*counts, rule))
        if kind == DepartmentKind.STREET:
            streets[unit_id] = area
        elif parent_id in streets:
            streets[parent_id].communities.append(area)
    return list(streets.values())


@dataclass
class Picture:
    """Everything the dashboard shows."""

    tiles: dict
    rates: list
    trend_days: list
    trend_received: list
    trend_closed: list
    categories: list  # (parent category id, received)
    channels: list  # (channel, received)
    overdue_ranking: list  # (department id, late stages)
    areas: list
    month: Cut


def month_so_far(user, now: datetime) -> Cut:
    """This month up to today, as ``user`` may see it."""
    today = local_day(now)
    first, last = periods.period("month", today)
    return scoped(Cut(first, min(last, today)), user)


def headline_rates(month: Cut, now: datetime) -> list:
    """The headline rates (响应率, 按时答复率, 办结率, 满意率) over ``month``."""
    figures = rate_rows(month, now, rates=[BY_KEY[k] for k in HEADLINE_RATES])[None]
    return [figures[key] for key in HEADLINE_RATES]


def picture(user, now: datetime) -> Picture:
    """The dashboard of ``user`` at ``now``."""
    today = local_day(now)
    month = month_so_far(user, now)
    trend = scoped(Cut(today - timedelta(days=TREND_DAYS - 1), today), user)
    by_day = sums(trend, now, group="day")
    days = [trend.start + timedelta(days=n) for n in range(TREND_DAYS)]
    zero: dict = {}
    month_totals = sums(month, now).get(None, zero)
    open_counts = open_cases(user, now).values()
    open_total, overdue, red = (sum(column) for column in zip((0, 0, 0), *open_counts, strict=True))
    tiles = {
        "today": by_day.get(today, zero).get("received", 0),
        "month": month_totals.get("received", 0),
        "open": open_total,
        "overdue": overdue,
        "red": red,
    }
    categories = sums(month, now, group="parent_category")
    channels = sums(month, now, group="channel")
    ranking = sums(month, now, group="department")
    return Picture(
        tiles=tiles,
        rates=headline_rates(month, now),
        trend_days=days,
        trend_received=[by_day.get(d, zero).get("received", 0) for d in days],
        trend_closed=[by_day.get(d, zero).get("closed", 0) for d in days],
        categories=sorted(
            ((k, v["received"]) for k, v in categories.items() if v["received"]), key=lambda x: -x[1]
        ),
        channels=sorted(
            ((k, v["received"]) for k, v in channels.items() if v["received"]), key=lambda x: -x[1]
        ),
        overdue_ranking=sorted(
            ((k, v["late"]) for k, v in ranking.items() if v["late"] and k), key=lambda x: -x[1]
        )[:RANKED],
        areas=area_board(user, now),
        month=month,
    )
