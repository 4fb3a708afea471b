"""Case list search and date filters that use indexes and the Asia/Shanghai day."""

import re
from datetime import timedelta

from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_
from sqlalchemy import or_

from app.auth.pii import may_search
from app.timeutil import local_day
from app.timeutil import local_day_start
from app.timeutil import utcnow
from app.validators import ascii_text
from models.case import Case

CASE_NUMBER_RE = re.compile(r"^SQ\d", re.IGNORECASE)
PHONE_RE = re.compile(r"^\+?[0-9][0-9-]{6,}$")


def _prefix(column, term: str):
    """``column`` starts with ``term``, written as a range so a B-tree index serves it."""
    return and_(column >= term, column < term + "\uffff")


def case_search_clause(term: str, user):
    """Case numbers and phone numbers by index prefix; any other text within the title.

    A phone is searched only for roles that see it in full: searching a masked phone digit by digit
    would reveal it.
    """
    term = ascii_text(term).strip()
    if CASE_NUMBER_RE.match(term):
        return _prefix(Case.number, term.upper())
    if PHONE_RE.match(term):
        if not may_search("Case", "citizen_phone", user):
            return Case.number.contains(term)
        return or_(_prefix(Case.citizen_phone, term.replace("-", "")), Case.number.contains(term))
    return Case.title.contains(term, autoescape=True)


def apply_case_search(query, count_query, search: str, user):
    """Apply every space-separated term (all must match) to the list and count queries."""
    for term in search.split():
        clause = case_search_clause(term, user)
        query = query.filter(clause)
        if count_query is not None:
            count_query = count_query.filter(clause)
    return query, count_query


class LocalDateBetweenFilter(sqla_filters.DateBetweenFilter):
    """Between two Asia/Shanghai calendar days, inclusive, on a UTC timestamp column."""

    def apply(self, query, value, alias=None):
        start, end = value
        column = self.get_column(alias)
        return query.filter(
            column >= local_day_start(start), column < local_day_start(end + timedelta(days=1))
        )


class DueFilter(sqla_filters.BaseSQLAFilter):
    """Cases by their next due time, relative to the moment the list is shown."""

    def __init__(self, column, name):
        super().__init__(
            column,
            name,
            options=[
                ("overdue", _l("Overdue")),
                ("hour", _l("Due within 1 hour")),
                ("today", _l("Due today")),
            ],
        )

    def apply(self, query, value, alias=None):
        """Overdue: due by now; within 1 h; today: not yet due, due before midnight Asia/Shanghai."""
        column = self.get_column(alias)
        now = utcnow()
        if value == "overdue":
            return query.filter(column <= now)
        if value == "hour":
            return query.filter(column > now, column <= now + timedelta(hours=1))
        end_of_today = local_day_start(local_day(now) + timedelta(days=1))
        return query.filter(column > now, column < end_of_today)

    def operation(self):
        return _l("is")
