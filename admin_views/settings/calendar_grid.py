"""The work calendar as twelve month grids (endpoint ``calendar.year_view``): rest days, holidays and 调休
(weekend days worked in exchange for a holiday) marked; an administrator clicks a day to change it.

A change is the same as an edit on the day's form: the row becomes the administrator's (source ``admin``),
is audited with its before and after, and queues the recompute of the deadlines touching that day.
"""

import calendar
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import RadioField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import ValidationError

from app.deadlines.calendar_seed import MAKEUP_SUFFIX
from app.deadlines.calendar_seed import NAME_LENGTH
from app.deadlines.calendar_seed import record_change
from app.deadlines.workcalendar import WEEKDAYS
from app.deadlines.workcalendar import day_label
from app.extensions import db
from app.validators import ascii_text
from app.validators import visible_text
from models.deadline import CalendarSource
from models.deadline import WorkCalendarDay

FIELDS = ("is_workday", "name", "source")  # what an audit row of a day holds
TOGGLE, WORK, REST = "toggle", "work", "rest"
MODES = [
    (TOGGLE, _l("Switch between working day and rest day")),
    (WORK, _l("Make it a working day")),
    (REST, _l("Make it a rest day")),
]
# How a day shows: CSS class, the mark in its corner, what it is called.
KINDS = {
    "work": ("cal-work", "", _l("Working day")),
    "rest": ("cal-rest", "", _l("Rest day")),
    "holiday": ("cal-holiday", _l("Day off"), _l("Holiday")),
    "makeup": ("cal-makeup", _l("Workday"), _l("Make-up working day")),
}


def snapshot_of(row: WorkCalendarDay | None) -> dict | None:
    """The audited fields of a day (None for a day not in the table)."""
    return None if row is None else {key: getattr(row, key) for key in FIELDS}


def _valid_day(form, field):
    try:
        field.data = date.fromisoformat(ascii_text(field.data).strip())
    except (TypeError, ValueError):
        raise ValidationError(_l("Not a valid day.")) from None
    if not 1900 <= field.data.year <= 2200:
        raise ValidationError(_l("Not a valid day."))


class DayForm(FlaskForm):
    """A click on a day: which day, what to do, and an optional name (e.g. 春节)."""

    day = StringField(_l("Day"), validators=[DataRequired(), _valid_day])
    mode = RadioField(_l("A click on a day"), choices=MODES, default=TOGGLE)
    name = StringField(
        _l("Name to give the day (optional)"),
        filters=[lambda value: visible_text(value) or None],
        validators=[Length(max=NAME_LENGTH)],
    )


@dataclass
class GridDay:
    """One cell of a month grid."""

    day: date
    kind: str
    name: str | None
    known: bool
    today: bool

    @property
    def css(self) -> str:
        """The cell's classes."""
        classes = [KINDS[self.kind][0]]
        if not self.known:
            classes.append("cal-unknown")
        if self.today:
            classes.append("cal-today")
        return " ".join(classes)

    @property
    def mark(self) -> str:
        """休 or 班 in the corner of holidays and make-up working days."""
        return str(KINDS[self.kind][1])

    @property
    def title(self) -> str:
        """What the cell says when pointed at or read aloud."""
        parts = [day_label(self.day), str(KINDS[self.kind][2])]
        if self.name:
            parts.insert(1, self.name)
        return " · ".join(parts)


def kind_of(day: date, is_workday: bool, name: str | None) -> str:
    """work, rest, holiday (a weekday off, or a named rest day) or makeup (a weekend day worked)."""
    weekend = day.weekday() >= 5
    if is_workday:
        return "makeup" if weekend else "work"
    return "holiday" if not weekend or name else "rest"


def year_rows(year: int) -> dict[date, WorkCalendarDay]:
    """The table's days of ``year``."""
    query = select(WorkCalendarDay).where(
        WorkCalendarDay.day >= date(year, 1, 1), WorkCalendarDay.day <= date(year, 12, 31)
    )
    return {row.day: row for row in db.session.scalars(query)}


def year_grid(year: int, today: date) -> list[dict]:
    """Twelve months, each ``{"title", "month", "weeks"}``; a week is seven cells, None outside the month.

    A day the table lacks shows its weekly default (Monday to Friday worked), marked as not in the calendar.
    """
    rows = year_rows(year)
    months = []
    for month in range(1, 13):
        grid = []
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells = []
            for day in week:
                if day.month != month:
                    cells.append(None)
                    continue
                row = rows.get(day)
                working = row.is_workday if row is not None else day.weekday() < 5
                name = row.name if row is not None else None
                cells.append(GridDay(day, kind_of(day, working, name), name, row is not None, day == today))
            grid.append(cells)
        months.append({"month": month, "title": format_date(date(year, month, 1), "LLLL"), "weeks": grid})
    return months


def weekday_names() -> list[str]:
    """Monday to Sunday, as the grid's header."""
    return [str(name) for name in WEEKDAYS]


def change_day(day: date, mode: str, name: str | None, actor) -> WorkCalendarDay:
    """Apply a click to ``day`` (flushed; the caller commits and drops the calendar cache).

    Without a name given, a day back at its weekly default loses its name, a weekend day made a working
    day is called 调休上班, and any other day keeps the name it had.
    """
    row = db.session.get(WorkCalendarDay, day)
    before = snapshot_of(row)
    if row is None:
        row = WorkCalendarDay(day=day, is_workday=day.weekday() < 5)
        db.session.add(row)
    working = {TOGGLE: not row.is_workday, WORK: True, REST: False}[mode]
    if name is None:
        default = day.weekday() < 5
        name = None if working == default else (MAKEUP_SUFFIX if working else row.name)
    row.is_workday, row.name, row.source = working, name, CalendarSource.ADMIN
    row.updated_by_id = getattr(actor, "id", None)
    record_change(
        [day], actor, day.isoformat(), "create" if before is None else "update", before, snapshot_of(row)
    )
    db.session.flush()
    return row
