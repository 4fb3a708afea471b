"""Volunteer programme figures: totals per volunteer (``volunteer_totals``) and the leaderboard (``leaderboard``).

Both pages count clues by the time they were reported and rewards by the time they were proposed, in
Asia/Shanghai months and years, and show only volunteers the user may see (``app.auth.access``).
"""

from dataclasses import dataclass
from datetime import date

from flask import request
from flask import url_for
from flask_admin import expose
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import case
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from admin_views.base import SecuredView
from app.auth.access import is_department_scoped
from app.auth.access import volunteer_clause
from app.extensions import db
from app.timeutil import local_day
from app.timeutil import local_day_start
from app.timeutil import utcnow
from app.volunteers.reward_amounts import yuan
from app.volunteers.rewards import GRANTED
from models.enums import ClueStatus
from models.enums import DepartmentKind
from models.enums import RewardStatus
from models.enums import VolunteerGroup
from models.org import Department
from models.volunteer import Clue
from models.volunteer import RewardPayout
from models.volunteer import Volunteer

YEARS_BACK = 4
MONTHS_LISTED = 24
DEFAULT_TOP, MAX_TOP = 10, 100
METRICS = ("clues", "converted", "rewards", "approved", "paid")


def this_year() -> int:
    """The current Asia/Shanghai year."""
    return local_day(utcnow()).year


def month_bounds(year: int, month: int | None):
    """UTC instants where an Asia/Shanghai month (or the whole year without one) starts and ends."""
    first = date(year, month or 1, 1)
    if month is None or month == 12:
        after = date(year + 1, 1, 1)
    else:
        after = date(year, month + 1, 1)
    return local_day_start(first), local_day_start(after)


def month_options() -> list[tuple[str, str]]:
    """The last 24 months as ``("2026-11", "2026-11")``, newest first."""
    today = local_day(utcnow())
    values, year, month = [], today.year, today.month
    for _ in range(MONTHS_LISTED):
        values.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return [(value, value) for value in values]


def community_options() -> list[tuple[str, str]]:
    """Communities the current user may see, as select options."""
    query = select(Department).where(Department.kind == DepartmentKind.COMMUNITY).order_by(Department.path)
    if is_department_scoped(current_user):
        own = current_user.department
        query = query.where(Department.path.startswith(own.path, autoescape=True) if own else false())
    return [(str(dept.id), dept.name) for dept in db.session.scalars(query)]


def group_options() -> list[tuple[str, object]]:
    """Volunteer groups as select options."""
    return VolunteerGroup.choices()


class MonthFilter(sqla_filters.BaseSQLAFilter):
    """Rewards proposed in one Asia/Shanghai month (``2026-05``)."""

    def validate(self, value):
        """A ``YYYY-MM`` month."""
        year, _sep, month = str(value).partition("-")
        return year.isdigit() and month.isdigit() and 2000 <= int(year) <= 2200 and 1 <= int(month) <= 12

    def apply(self, query, value, alias=None):
        """From the first of the month to the first of the next, local time."""
        year, month = (int(part) for part in value.split("-"))
        start, end = month_bounds(year, month)
        column = self.get_column(alias)
        return query.filter(column >= start, column < end)

    def operation(self):
        return _l("is")


class VolunteerFilter(sqla_filters.BaseSQLAFilter):
    """Rewards of the volunteers with one community or group (a subquery: no join, no duplicate rows)."""

    def __init__(self, attribute, name, options, coerce=str):
        super().__init__(RewardPayout.volunteer_id, name, options=options)
        self.attribute, self.coerce = attribute, coerce

    def clean(self, value):
        """The value as the attribute's type (a community id is a number)."""
        return self.coerce(value)

    def apply(self, query, value, alias=None):
        """Volunteers whose attribute equals ``value``."""
        return query.filter(
            RewardPayout.volunteer_id.in_(select(Volunteer.id).where(self.attribute == value))
        )

    def operation(self):
        return _l("is")


def _int(value, low: int, high: int) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


@dataclass(frozen=True)
class StatsFilter:
    """The year, month, community, group and top-N chosen on a figures page."""

    year: int
    month: int | None = None
    community_id: int | None = None
    group: str | None = None
    top: int = DEFAULT_TOP

    @classmethod
    def from_args(cls, args) -> "StatsFilter":
        """Read the filters from the query string; anything invalid means "all"."""
        group = args.get("group") or None
        return cls(
            year=_int(args.get("year"), 2000, 2200) or this_year(),
            month=_int(args.get("month"), 1, 12),
            community_id=_int(args.get("community"), 1, 2**31),
            group=VolunteerGroup.from_code(group),
            top=_int(args.get("top"), 1, MAX_TOP) or DEFAULT_TOP,
        )

    def args(self, **changes) -> dict:
        """Query-string arguments for these filters (with ``changes``), for links."""
        values = {"year": self.year, "month": self.month, "community": self.community_id, "group": self.group}
        values.update(changes)
        return {key: value for key, value in values.items() if value is not None}


def volunteer_totals(flt: StatsFilter, user):
    """One row per visible volunteer with clues or rewards in the period, with their counts and amounts."""
    start, end = month_bounds(flt.year, flt.month)
    converted = case((Clue.status == ClueStatus.CONVERTED, 1), else_=0)
    clues = (
        select(Clue.volunteer_id.label("vid"), func.count(Clue.id).label("clues"))
        .add_columns(func.sum(converted).label("converted"))
        .where(Clue.reported_at >= start, Clue.reported_at < end)
        .group_by(Clue.volunteer_id)
        .subquery()
    )
    granted = RewardPayout.status.in_(GRANTED)
    paid = RewardPayout.status == RewardStatus.PAID
    rewards = (
        select(RewardPayout.volunteer_id.label("vid"), func.sum(case((granted, 1), else_=0)).label("rewards"))
        .add_columns(func.sum(case((granted, RewardPayout.amount), else_=0)).label("approved"))
        .add_columns(func.sum(case((paid, RewardPayout.amount), else_=0)).label("paid"))
        .where(RewardPayout.proposed_at >= start, RewardPayout.proposed_at < end)
        .group_by(RewardPayout.volunteer_id)
        .subquery()
    )
    sources = {"clues": clues, "converted": clues, "rewards": rewards, "approved": rewards, "paid": rewards}
    query = (
        select(Volunteer.id, Volunteer.name, Volunteer.group, Volunteer.community_id)
        .add_columns(Department.name.label("community"))
        .add_columns(*(func.coalesce(sources[m].c[m], 0).label(m) for m in METRICS))
        .join(Department, Department.id == Volunteer.community_id)
        .outerjoin(clues, clues.c.vid == Volunteer.id)
        .outerjoin(rewards, rewards.c.vid == Volunteer.id)
        .where(or_(clues.c.vid.is_not(None), rewards.c.vid.is_not(None)))
    )
    clause = volunteer_clause(user)
    if clause is not None:
        query = query.where(clause)
    if flt.community_id is not None:
        query = query.where(Volunteer.community_id == flt.community_id)
    if flt.group is not None:
        query = query.where(Volunteer.group == flt.group)
    return query


def leaderboard(flt: StatsFilter, user, key: str) -> list:
    """The top rows grouped by ``community_id`` or ``group``: active volunteers, clues, conversions, rewards."""
    rows = volunteer_totals(flt, user).subquery()
    sums = [func.sum(rows.c[m]).label(m) for m in METRICS]
    query = (
        select(rows.c[key].label("key"), func.count().label("volunteers"), *sums)
        .group_by(rows.c[key])
        .order_by(*(func.sum(rows.c[m]).desc() for m in ("clues", "converted", "approved")), rows.c[key])
        .limit(flt.top)
    )
    return db.session.execute(query).all()


class _FiguresView(SecuredView):
    """Staff pages with the shared filters; handlers see only their own volunteers."""

    def render_figures(self, template: str, flt: StatsFilter, **context):
        """Render with the filter options."""
        years = range(this_year(), this_year() - YEARS_BACK - 1, -1)
        return self.render(
            template,
            flt=flt,
            years=years,
            communities=community_options(),
            groups=group_options(),
            yuan=yuan,
            **context,
        )


class VolunteerTotalsView(_FiguresView):
    """Totals per volunteer: clues reported, converted into cases, rewards granted and paid."""

    page_size = 50

    @expose("/")
    def index(self):
        """One page of volunteers, largest approved amount first."""
        flt = StatsFilter.from_args(request.args)
        query = volunteer_totals(flt, current_user)
        total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        pages = max((total + self.page_size - 1) // self.page_size, 1)
        page = min(_int(request.args.get("page"), 0, 10**6) or 0, pages - 1)
        columns = query.selected_columns
        ordered = query.order_by(columns.approved.desc(), columns.clues.desc(), Volunteer.name, Volunteer.id)
        rows = db.session.execute(ordered.offset(page * self.page_size).limit(self.page_size)).all()
        return self.render_figures(
            "admin/volunteer_stats/totals.html",
            flt,
            rows=rows,
            total=total,
            page=page,
            pages=pages,
            pager_url=lambda p: url_for(".index", page=p, **flt.args()),
        )


class LeaderboardView(_FiguresView):
    """The top communities and groups of the year (or month) by clues, conversions and rewards."""

    @expose("/")
    def index(self):
        """Both boards for the chosen filters."""
        flt = StatsFilter.from_args(request.args)
        by_community = leaderboard(flt, current_user, "community_id")
        ids = [row.key for row in by_community]
        names = dict(
            db.session.execute(select(Department.id, Department.name).where(Department.id.in_(ids))).all()
        )
        return self.render_figures(
            "admin/volunteer_stats/leaderboard.html",
            flt,
            by_community=[(names.get(row.key, ""), row) for row in by_community],
            by_group=[
                (VolunteerGroup.label_of(row.key), row) for row in leaderboard(flt, current_user, "group")
            ],
        )
