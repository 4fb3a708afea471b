"""Case list search, the street and community filters, and date filters that use indexes and the
Asia/Shanghai day.

Each search term is read by its shape: a case number (or a piece of one), a tracking code, the phone's last
four digits, a phone number, or text (the title, the content, the citizen's name, the address: through the
bigram index of :mod:`app.cases.search_index`, never a scan). The list's scope is
applied around it by the view, so a search never reaches a case the user may not see. A role that sees a
field masked cannot search by it (:func:`app.auth.pii.may_search`): a leader's four digits match case numbers
only, and a role that sees phone or ID numbers masked in free text (:mod:`app.auth.redaction`) searches the
title, content, name and address by words without Latin letters or digits, which could spell such a number out.
"""

import re
from datetime import timedelta

from flask import current_app
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_
from sqlalchemy import false
from sqlalchemy import or_
from sqlalchemy import select

from app.auth.pii import may_search
from app.auth.pii import sees_in_full
from app.auth.redaction import FIELD_OF_KIND
from app.cases import search_index
from app.cases.opening import TRACKING_ALPHABET
from app.cases.opening import TRACKING_LENGTH
from app.extensions import db
from app.timeutil import local_day
from app.timeutil import local_day_start
from app.timeutil import utcnow
from app.validators import ascii_text
from app.validators import parse_id
from models.case import Case
from models.org import Department

CASE_NUMBER_RE = re.compile(r"^SQ\d", re.IGNORECASE)
PHONE_RE = re.compile(r"^\+?[0-9][0-9-]{6,}$")
LAST4_RE = re.compile(r"^[0-9]{4}$")
NUMBER_PIECE_RE = re.compile(r"^[0-9][0-9-]*$")  # a piece of a case number: 1202-0001, 000123, 17
TRACKING_RE = re.compile(rf"^[{TRACKING_ALPHABET}]{{{TRACKING_LENGTH}}}$")
LATIN_OR_DIGIT = re.compile(r"[0-9A-Za-z]")


def _prefix(column, term: str):
    """``column`` starts with ``term``, written as a range so a B-tree index serves it."""
    return and_(column >= term, column < term + "\uffff")


def _reads_free_text_in_full(user) -> bool:
    """Whether ``user`` sees the phone and ID numbers typed into free text as they were written."""
    return all(sees_in_full(field, user) for field in FIELD_OF_KIND.values())


def text_columns(term: str, user) -> tuple[str, ...]:
    """The columns ``term`` is searched in for ``user``: none for a role that reads free text masked and a
    term with Latin letters or digits (the number piece it holds cannot be searched), else those it sees."""
    if LATIN_OR_DIGIT.search(term) and not _reads_free_text_in_full(user):
        return ()
    return tuple(name for name in search_index.COLUMNS if may_search("Case", name, user))


def _text_clauses(term: str, user) -> tuple:
    """Words in the title, the content, the citizen's name or the address, through the bigram index
    (:mod:`app.cases.search_index`): (for the list, for its count); nothing for a term without a letter or
    digit it may search."""
    found = search_index.conditions(db.session, term, text_columns(term, user))
    return (false(), false()) if found is None else found


def _number_piece(term: str) -> tuple:
    """A piece of a case number, found through the index of the numbers' bigrams and checked as written."""
    found = search_index.conditions(db.session, term, ["number"])
    if found is None:
        return false(), false()
    return tuple(and_(clause, Case.number.contains(term)) for clause in found)


def _either(clause, pair: tuple) -> tuple:
    """``clause`` or the other condition. PostgreSQL cannot combine an index condition with an ``IN``
    subquery under OR (it scans the table, 0.5 s at a million cases): there, the ids of both, united."""
    if search_index.dialect(db.session) != "postgresql":
        return tuple(or_(clause, other) for other in pair)
    return tuple(
        Case.id.in_(select(Case.id).where(clause).union(select(Case.id).where(other))) for other in pair
    )


def case_search_clauses(term: str, user) -> tuple:
    """One search term as conditions for the list and for its count, read by its shape (see the module
    docstring); the two differ only in the plan SQLite gets for a frequent word.

    Case numbers, phones, the phone's last four digits and tracking codes walk a B-tree index; pieces of
    case numbers and text the bigram index. A phone is searched only for roles that see it in full:
    searching a masked phone digit by digit would reveal it.
    """
    term = ascii_text(term).strip()
    if CASE_NUMBER_RE.match(term):
        return (_prefix(Case.number, term.upper()),) * 2
    if TRACKING_RE.match(term.upper()):
        return _either(Case.tracking_code == term.upper(), _text_clauses(term, user))
    if LAST4_RE.match(term):
        if not may_search("Case", "citizen_phone", user):
            return _number_piece(term)
        return _either(Case.citizen_phone_last4 == term, _number_piece(term))
    if PHONE_RE.match(term):
        if not may_search("Case", "citizen_phone", user):
            return _number_piece(term)
        return _either(_prefix(Case.citizen_phone, term.replace("-", "")), _number_piece(term))
    if NUMBER_PIECE_RE.match(term):
        return _number_piece(term)
    return _text_clauses(term, user)


def case_search_clause(term: str, user):
    """One search term as the list's condition (:func:`case_search_clauses`)."""
    return case_search_clauses(term, user)[0]


def placeholder(user) -> str:
    """What the search box says it searches, for ``user``'s role."""
    if may_search("Case", "citizen_phone", user):
        return _("Case number, tracking code, name, phone or its last 4 digits, address, title, content")
    return _("Case number, tracking code, name, address, title, content")


def apply_case_search(query, count_query, search: str, user):
    """Apply every space-separated term (all must match) to the list and count queries; a searched list
    counts its matches up to ``SEARCH_COUNT_CAP`` only (a frequent word would otherwise gather them all)."""
    for term in search.split():
        listed, counted = case_search_clauses(term, user)
        query = query.filter(listed)
        if count_query is not None:
            count_query = count_query.filter(counted)
    if count_query is not None and search.split():
        count_query.count_cap = current_app.config["SEARCH_COUNT_CAP"]
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


def _units_under(department_id):
    """The ids of department ``department_id`` and every unit below it (a street's communities and stations),
    as a subquery; none for an unknown id."""
    unit = db.session.get(Department, department_id) if department_id is not None else None
    if unit is None:
        return None
    return select(Department.id).where(Department.path.startswith(unit.path, autoescape=True))


class AreaFilter(sqla_filters.FilterEqual):
    """Cases of one street or community: those placed there (the case's street or community), and those
    without a place recorded that a unit there handles (leads, or works as handed down to it).

    The URL keeps FilterEqual's name (``flt0_street_equals``), which the dashboard's area board links to.
    """

    def validate(self, value):
        """A department id."""
        return parse_id(value) is not None

    def clean(self, value):
        """The id as a number."""
        return parse_id(value)

    def apply(self, query, value, alias=None):
        """Placed in the unit, or placed nowhere and handled in it or below it."""
        units = _units_under(value)
        if units is None:
            return query.filter(false())
        place = self.get_column(alias)
        handled = or_(Case.lead_department_id.in_(units), Case.handed_down_to_id.in_(units))
        return query.filter(or_(place == value, and_(place.is_(None), handled)))
