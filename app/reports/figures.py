"""Measures summed over a period and a cut: the rollup for past days, counted live for today.

A :class:`Cut` says which cases (department as lead or co-handler, mailbox, street, community, categories,
channel, grade) and which days; :func:`sums` answers with the measures of :mod:`app.reports.measures`,
optionally grouped by one dimension, by day or by month. Past days not built yet are counted live too,
so a figure is right even before the rollup job has run. Handlers only ever get their own department's
figures (:func:`app.auth.access.figure_department`).
"""

from collections import defaultdict
from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask import g
from sqlalchemy import func
from sqlalchemy import select

from app.auth.access import figure_department
from app.extensions import db
from app.reports import measures
from app.reports import summaries
from app.reports.rollup import LIVE_CACHE
from app.reports.rollup import built_days
from app.reports.rollup import day_rows
from app.timeutil import local_day
from models.org import Category
from models.report import DailyRollup
from models.report import DailySummary

GROUPS = ("department", "mailbox", "category", "parent_category", "street", "community", "channel", "grade")
TIME_GROUPS = ("day", "month")
# position of each dimension in a rollup key (app.reports.rollup.KEY)
_POSITION = {
    "department": 0,
    "role": 1,
    "mailbox": 2,
    "category": 3,
    "street": 4,
    "community": 5,
    "channel": 6,
    "grade": 7,
}
_COLUMN = summaries.ROLLUP_COLUMN


@dataclass(frozen=True)
class Cut:
    """Which days (``start`` … ``end``, both included) and which cases; None means any."""

    start: date
    end: date
    department_id: int | None = None
    role: str = "lead"  # "lead": cases the department leads; "co": cases it co-handles
    mailbox_id: int | None = None
    category_ids: tuple[int, ...] | None = None
    street_id: int | None = None
    community_id: int | None = None
    channel: str | None = None
    grade: str | None = None

    def filters(self) -> dict:
        """The dimension filters that are set, by dimension name."""
        named = {
            "department": self.department_id,
            "mailbox": self.mailbox_id,
            "street": self.street_id,
            "community": self.community_id,
            "channel": self.channel,
            "grade": self.grade,
        }
        return {name: value for name, value in named.items() if value is not None}


def scoped(cut: Cut, user) -> Cut:
    """``cut`` narrowed to what ``user`` may see: a handler's own department only."""
    department = figure_department(user)
    return cut if department is None else replace(cut, department_id=department)


def _parents() -> dict[int, int]:
    return {cid: parent or cid for cid, parent in db.session.execute(select(Category.id, Category.parent_id))}


def _group_value(group: str | None, key: tuple, day: date, parents: dict):
    if group is None:
        return None
    if group == "day":
        return day
    if group == "month":
        return day.replace(day=1)
    if group == "parent_category":
        return parents.get(key[_POSITION["category"]], 0)
    return key[_POSITION[group]]


def _rollup_query(cut: Cut, group: str | None):
    """(the grouping column or None, the table, its conditions) of the built days: a summary grain when one
    answers the cut (:mod:`app.reports.summaries`), else the full rollup."""
    filters = cut.filters()
    dimensions = set(filters) | ({"category"} if cut.category_ids is not None else set())
    grain = summaries.grain_for(dimensions, group, cut.role)
    if grain is None:
        table, columns = DailyRollup, _COLUMN
        conditions = [DailyRollup.department_role == cut.role]
    else:
        table, columns = DailySummary, summaries.columns_of(grain)
        conditions = [DailySummary.grain == grain, DailySummary.department_role == cut.role]
    conditions += [columns[name] == value for name, value in filters.items()]
    if cut.category_ids is not None:
        conditions.append(columns["category"].in_(cut.category_ids))
    if group in ("day", "month"):
        column = table.day
    elif group is not None:
        column = columns[summaries.CUT_DIMENSION.get(group, group)]
    else:
        column = None
    return column, table, conditions


def _rollup_sums(cut: Cut, days: tuple[date, date], group: str | None, parents: dict) -> dict:
    first, last = days
    column, table, conditions = _rollup_query(cut, group)
    names = list(measures.MEASURES)
    query = select(*([column] if column is not None else []), *(func.sum(getattr(table, n)) for n in names))
    query = query.where(table.day >= first, table.day <= last, *conditions)
    if column is not None:
        query = query.group_by(column)
    out: dict = defaultdict(lambda: defaultdict(int))
    for row in db.session.execute(query):
        values = row[1:] if column is not None else row
        if column is None:
            target = None
        elif group == "month":
            target = row[0].replace(day=1)
        elif group == "parent_category":
            target = parents.get(row[0], 0)
        else:
            target = row[0]
        for name, value in zip(names, values, strict=True):
            out[target][name] += value or 0
    return out


def kept_for_a_minute(key, now: datetime, compute):
    """``compute()``, or what it gave at a ``now`` less than ``LIVE_FIGURES_SECONDS`` before this one.

    The process keeps live counts (today's figures, the open cases on the dashboard) for up to a minute,
    unless a case changed in this process meanwhile: the rollup's flush listener drops them all. Other
    processes' changes show within that minute.
    """
    keep = timedelta(seconds=current_app.config.get("LIVE_FIGURES_SECONDS", 0))
    kept = current_app.extensions.setdefault(LIVE_CACHE, {})
    counted_at, value = kept.get(key, (None, None))
    if counted_at is None or not counted_at <= now < counted_at + keep:
        value = compute()
        if keep:
            kept[key] = (now, value)
    return value


def _day_rows(day: date, now: datetime) -> dict:
    """``day_rows`` of a day counted live, as of ``now`` or a moment before it (see
    :func:`kept_for_a_minute`); within one app context a day is counted at most once per ``now``."""
    cache = g.setdefault(LIVE_CACHE, {})
    if (day, now) not in cache:
        cache[(day, now)] = kept_for_a_minute(("day", day), now, lambda: day_rows(day, now))
    return cache[(day, now)]


def _live_sums(cut: Cut, day: date, now: datetime, group: str | None, parents: dict, out: dict) -> None:
    filters = cut.filters()
    for key, values in _day_rows(day, now).items():
        if key[_POSITION["role"]] != cut.role:
            continue
        if any(key[_POSITION[name]] != value for name, value in filters.items()):
            continue
        if cut.category_ids is not None and key[_POSITION["category"]] not in cut.category_ids:
            continue
        bucket = out[_group_value(group, key, day, parents)]
        for name, value in values.items():
            bucket[name] += value


def sums(cut: Cut, now: datetime, group: str | None = None) -> dict:
    """{group value (None when ungrouped): {measure: sum}} over the cut; missing measures are 0."""
    parents = _parents() if group == "parent_category" else {}
    today = local_day(now)
    last_past = min(cut.end, today - timedelta(days=1))
    out: dict = defaultdict(lambda: defaultdict(int))
    if cut.start <= last_past:
        built = built_days(cut.start, last_past)
        for target, values in _rollup_sums(cut, (cut.start, last_past), group, parents).items():
            for name, value in values.items():
                out[target][name] += value
        for n in range((last_past - cut.start).days + 1):
            day = cut.start + timedelta(days=n)
            if day not in built:
                _live_sums(cut, day, now, group, parents, out)
    if cut.start <= today <= cut.end:
        _live_sums(cut, today, now, group, parents, out)
    return {target: dict.fromkeys(measures.MEASURES, 0) | dict(values) for target, values in out.items()}


def total(cut: Cut, now: datetime) -> dict:
    """The measures summed over the whole cut (zeros when nothing was counted)."""
    return sums(cut, now).get(None, dict.fromkeys(measures.MEASURES, 0))


def narrowed(cut: Cut, group: str | None, value) -> Cut:
    """``cut`` limited to one row of a grouping (the cases behind that row's figures)."""
    if group is None:
        return cut
    if group == "day":
        return replace(cut, start=value, end=value)
    if group == "month":
        after = (value.replace(day=28) + timedelta(days=4)).replace(day=1)
        return replace(cut, start=max(cut.start, value), end=min(cut.end, after - timedelta(days=1)))
    if group in ("category", "parent_category"):
        ids = {value}
        if group == "parent_category":
            ids |= set(db.session.scalars(select(Category.id).where(Category.parent_id == value)))
        if cut.category_ids is not None:
            ids &= set(cut.category_ids)
        return replace(cut, category_ids=tuple(sorted(ids)))
    attribute = {"department": "department_id", "mailbox": "mailbox_id", "street": "street_id"}
    attribute |= {"community": "community_id", "channel": "channel", "grade": "grade"}
    return replace(cut, **{attribute[group]: value})
