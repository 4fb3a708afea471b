"""The work calendar in the panel (endpoint ``calendar``): administrators edit days and add a new year.

Every create, edit and delete writes a ``ConfigChange``, queues a ``RecomputeRequest`` for the day in the
same transaction, and drops the process's calendar cache.
"""

from datetime import date

from flask import abort
from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from flask_admin import expose
from flask_admin.babel import lazy_gettext as admin_lazy_gettext
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import inspect
from wtforms import IntegerField
from wtforms.validators import DataRequired
from wtforms.validators import NumberRange

from admin_views import formatters as fmt
from admin_views.base import LazyOptions
from admin_views.base import SecuredModelView
from admin_views.base import acting_user
from admin_views.base import form_errors
from admin_views.settings.calendar_grid import FIELDS
from admin_views.settings.calendar_grid import MODES
from admin_views.settings.calendar_grid import DayForm
from admin_views.settings.calendar_grid import change_day
from admin_views.settings.calendar_grid import weekday_names
from admin_views.settings.calendar_grid import year_grid
from app.deadlines.calendar_seed import generate_year
from app.deadlines.calendar_seed import record_change
from app.deadlines.workcalendar import day_label
from app.deadlines.workcalendar import invalidate_cache
from app.extensions import db
from app.timeutil import local_day
from app.timeutil import utcnow
from models.deadline import CalendarSource
from models.deadline import WorkCalendarDay
from models.user import User


def _parse_day(value) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _year_arg(value, default: int) -> int:
    """The year asked for in the query string, or ``default``."""
    text = str(value or "")
    return int(text) if text.isdigit() and 1900 <= int(text) <= 2200 else default


def _calendar_years() -> list[tuple[str, str]]:
    first, last = db.session.query(db.func.min(WorkCalendarDay.day), db.func.max(WorkCalendarDay.day)).one()
    if first is None:
        return []
    return [(str(year), str(year)) for year in range(last.year, first.year - 1, -1)]


def _day(view, context, model, name):
    return day_label(model.day)


def _workday(view, context, model, name):
    if model.is_workday:
        return fmt.badge(_("Working day"), "badge-success")
    return fmt.badge(_("Rest day"), "badge-secondary")


def _updated_by(view, context, model, name):
    user = db.session.get(User, model.updated_by_id) if model.updated_by_id else None
    return user.display_name if user else ""


class YearFilter(sqla_filters.BaseSQLAFilter):
    """Days of one calendar year."""

    def validate(self, value):
        """A four-digit year."""
        return str(value).isdigit() and 1900 <= int(value) <= 2200

    def apply(self, query, value, alias=None):
        """1 January to 31 December of the year."""
        year, column = int(value), self.get_column(alias)
        return query.filter(column >= date(year, 1, 1), column <= date(year, 12, 31))

    def operation(self):
        return admin_lazy_gettext("equals")  # Flask-Admin's own catalog translates it


class AddYearForm(FlaskForm):
    """The year to fill with weekly defaults."""

    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(min=1900, max=2200)])


def _snapshot(model: WorkCalendarDay, old: bool = False) -> dict:
    """The audited fields of a day; ``old`` reads the values loaded before the form changed them."""
    state = inspect(model)
    values = {}
    for key in FIELDS:
        history = state.attrs[key].history
        values[key] = history.deleted[0] if old and history.deleted else getattr(model, key)
    return values


class WorkCalendarView(SecuredModelView):
    """Days of the work calendar; staff read, only administrators change them."""

    list_template = "admin/calendar/list.html"
    edit_template = "admin/calendar/edit.html"
    column_list = ("day", "is_workday", "name", "source", "updated_at", "updated_by_id")
    column_details_list = column_list
    column_labels = {
        "day": _l("Day"),
        "is_workday": _l("Working day"),
        "name": _l("Name"),
        "source": _l("Source"),
        "updated_at": _l("Updated"),
        "updated_by_id": _l("Updated by"),
    }
    column_formatters = {
        "day": _day,
        "is_workday": _workday,
        "source": fmt.label,
        "updated_by_id": _updated_by,
    }
    column_formatters_detail = column_formatters
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_type_formatters_detail = fmt.LIST_TYPE_FORMATTERS
    column_default_sort = ("day", True)
    column_sortable_list = ("day", "is_workday", "name", "source", "updated_at")
    column_searchable_list = ("name",)
    column_filters = (
        YearFilter(WorkCalendarDay.day, _l("Year"), options=LazyOptions(_calendar_years)),
        sqla_filters.DateBetweenFilter(WorkCalendarDay.day, _l("Day")),
        sqla_filters.BooleanEqualFilter(WorkCalendarDay.is_workday, _l("Working day")),
        sqla_filters.FilterEqual(WorkCalendarDay.source, _l("Source"), options=CalendarSource.choices()),
    )
    form_columns = ("day", "is_workday", "name")
    form_args = {"day": {"validators": [DataRequired()]}}

    # --- the primary key is the day, not an integer id ------------------------------------
    def get_count_query(self):
        """The list total on the day column."""
        return self.scope(db.session.query(db.func.count(WorkCalendarDay.day)))

    def get_one(self, id):
        """Details, edit, delete by ISO day; an unknown day answers 404."""
        day = _parse_day(id)
        row = None if day is None else self.get_query().filter(WorkCalendarDay.day == day).one_or_none()
        if row is None:
            abort(404)
        return row

    def scoped_ids(self, ids):
        """Days posted by a bulk action."""
        days = [day for day in (_parse_day(i) for i in ids) if day is not None]
        return self.get_query().filter(WorkCalendarDay.day.in_(days))

    def is_action_allowed(self, name):
        """No bulk delete: days are deleted one at a time from their row."""
        return name != "delete" and super().is_action_allowed(name)

    def day_heading(self, model) -> str:
        """The day being edited, for the edit page's heading."""
        return day_label(model.day)

    def edit_form(self, obj=None):
        """The day itself is the key: only whether it is worked and its name change."""
        form = super().edit_form(obj)
        del form.day
        return form

    # --- audit, recompute, cache ----------------------------------------------------------
    def on_model_change(self, form, model, is_created):
        """Mark the day as entered by an administrator, audit it and queue the recompute."""
        before = None if is_created else _snapshot(model, old=True)
        model.name = (model.name or "").strip() or None
        model.source = "admin"
        model.updated_by_id = acting_user().id
        action = "create" if is_created else "update"
        key = model.day.isoformat()
        record_change([model.day], acting_user(), key, action, before, _snapshot(model))

    def after_model_change(self, form, model, is_created):
        """Later lookups in this process read the new table."""
        invalidate_cache()

    def on_model_delete(self, model):
        """Audit the deletion (the day falls back to Mon-Fri) and queue the recompute."""
        record_change([model.day], acting_user(), model.day.isoformat(), "delete", _snapshot(model), None)

    def after_model_delete(self, model):
        """Later lookups in this process read the new table."""
        invalidate_cache()

    @property
    def extra_css(self):
        """The month grids' styles."""
        return [url_for("static", filename="calendar.css")]

    # --- the year as month grids ----------------------------------------------------------
    @expose("/year/", methods=("GET", "POST"))
    def year_view(self):
        """Twelve month grids of a year (``?year=``); administrators click a day to change it."""
        today = local_day(utcnow())
        form = DayForm()
        if request.method == "POST":
            if not self.can_edit:
                abort(403)
            if not form.validate():
                flash(_("Nothing was changed: %(errors)s", errors=form_errors(form)), "error")
                return redirect(url_for(".year_view", year=request.args.get("year", today.year)))
            row = change_day(form.day.data, form.mode.data, form.name.data, acting_user())
            db.session.commit()
            invalidate_cache()
            state = _("working day") if row.is_workday else _("rest day")
            flash(_("%(day)s is now a %(state)s.", day=day_label(row.day), state=state), "success")
            return redirect(url_for(".year_view", year=row.day.year, _anchor=f"month-{row.day.month}"))
        year = _year_arg(request.args.get("year"), today.year)
        return self.render(
            "admin/calendar/year.html",
            year=year,
            months=year_grid(year, today),
            weekdays=weekday_names(),
            form=form,
            modes=MODES,
            can_change=self.can_edit,
        )

    # --- add a year -----------------------------------------------------------------------
    @expose("/add-year/", methods=("GET", "POST"))
    def add_year_view(self):
        """Administrators fill the missing days of a year with Mon-Fri defaults, then edit the holidays."""
        if not self.can_create:
            abort(403)
        form = AddYearForm(request.form if request.method == "POST" else None)
        if request.method == "POST" and form.validate():
            year = form.year.data
            created = generate_year(year, acting_user())
            db.session.commit()
            invalidate_cache()
            flash(
                _("%(year)d: %(count)d days added with weekly defaults.", year=year, count=created), "success"
            )
            return redirect(url_for(".index_view", flt0_year_equals=str(year)))
        return self.render("admin/calendar/add_year.html", form=form)
