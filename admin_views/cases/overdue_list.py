"""超期件: the cases with a step still open past its time limit, the longest overdue first, with how long.

"Overdue" is the one meaning of :func:`app.deadlines.clock.late_condition` / ``is_late``, applied to the
case's own running stages; how long is counted as the stage's clock counts (working days on the work
calendar, else natural time). Rows are scoped like every list (:class:`admin_views.base.SecuredModelView`).
"""

from datetime import datetime

from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import and_

from admin_views import formatters as fmt
from admin_views.base import CappedCountQuery
from admin_views.base import LazyOptions
from admin_views.base import SecuredModelView
from admin_views.cases import columns as cols
from admin_views.cases.forms import department_choices
from app.auth.access import STAFF_ROLES
from app.deadlines import clock
from app.deadlines.working_time import working_hours
from app.extensions import db
from app.timeutil import as_utc
from app.timeutil import format_local
from app.timeutil import utcnow
from models.case import Case
from models.deadline import CaseDeadline
from models.deadline import DeadlineStatus
from models.deadline import Unit
from models.enums import Grade


def late_open(now: datetime):
    """SQL: the case has one of its own stages still running past its time (the one meaning of overdue)."""
    return Case.deadlines.any(and_(CaseDeadline.status == DeadlineStatus.RUNNING, clock.late_condition(now)))


def late_stages(case, now: datetime) -> list[CaseDeadline]:
    """The case's running stages that are overdue, the longest overdue first."""
    late = [d for d in case.deadlines if d.status == DeadlineStatus.RUNNING and clock.is_late(d, now)]
    return sorted(late, key=lambda d: as_utc(d.due_at))


def span_text(seconds: float) -> str:
    """A natural span of time for people: 2天3小时, or 3小时20分钟 under a day."""
    minutes = max(int(seconds // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    if days:
        return _("%(days)s days %(hours)s hours", days=days, hours=rest // 60)
    return _("%(hours)s hours %(minutes)s minutes", hours=rest // 60, minutes=rest % 60)


def overdue_text(deadline: CaseDeadline, now: datetime) -> str:
    """How long ``deadline`` is overdue, as its clock counts: 超期 2个工作日3小时, or 超期 2天3小时."""
    due = as_utc(deadline.due_at)
    if deadline.clock == Unit.WORKING_DAYS:
        days, hours = divmod(int(working_hours(due, now)), 24)
        if days:
            span = _("%(days)s working days %(hours)s hours", days=days, hours=hours)
        else:
            span = _("%(hours)s hours", hours=hours)  # within a working day, an hour is an hour
    else:
        span = span_text((now - due).total_seconds())
    return _("Overdue by %(span)s", span=span)


def _first_late(model):
    late = late_stages(model, utcnow())
    return late[0] if late else None


def _overdue_for(view, context, model, name):
    deadline = _first_late(model)
    if deadline is None:
        return ""
    return fmt.badge(overdue_text(deadline, utcnow()), "badge-danger")


def _late_stage(view, context, model, name):
    return "、".join(str(d.stage.label) for d in late_stages(model, utcnow()))


def _due(view, context, model, name):
    deadline = _first_late(model)
    return format_local(deadline.due_at) if deadline is not None else ""


def _department(view, context, model, name):
    parts = [model.lead_department.name] if model.lead_department else []
    if model.handed_down_to is not None:
        parts.append(model.handed_down_to.name)
    return Markup(" → ").join(parts)


class OverdueCaseView(SecuredModelView):
    """超期件: cases with a step open past its time limit, how long, the longest first; 催办 from the case."""

    read_roles = STAFF_ROLES
    export_roles = STAFF_ROLES
    create_roles = edit_roles = delete_roles = frozenset()  # a list of what others wrote: read only
    can_view_details = False
    column_display_actions = False
    free_text_columns = ("title",)
    list_template = "admin/case/list.html"  # rows as cards on a phone
    column_list = ("number", "title", "department", "status", "late_stage", "due", "overdue_for", "urge_count",
                   "flags")  # fmt: skip
    column_export_list = column_list
    column_labels = {
        **cols.LABELS,
        "department": _l("Department handling"),
        "late_stage": _l("Overdue step"),
        "due": _l("Due"),
        "overdue_for": _l("Overdue by"),
        "urge_count": _l("Times urged"),
    }
    column_formatters = {
        "number": fmt.number_link,
        "status": fmt.status_badge,
        "flags": fmt.flags_badges,
        "department": _department,
        "late_stage": _late_stage,
        "due": _due,
        "overdue_for": _overdue_for,
    }
    column_formatters_export = {
        **column_formatters,
        "number": lambda v, c, m, n: m.number,
        "status": fmt.label,
        "flags": fmt.flags_text,
        "overdue_for": lambda v, c, m, n: overdue_text(d, utcnow()) if (d := _first_late(m)) else "",
        "department": lambda v, c, m, n: str(_department(v, c, m, n)),
    }
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_type_formatters_export = fmt.EXPORT_TYPE_FORMATTERS
    # the earliest running due time is the most overdue one: ascending is the longest overdue first
    column_sortable_list = (("overdue_for", Case.next_due_at.label("overdue_for")), "number", "urge_count")
    column_default_sort = ("next_due_at", False)
    column_searchable_list = ("number", "title")
    column_filters = (
        sqla_filters.FilterEqual(
            Case.lead_department_id, _l("Lead department"), options=LazyOptions(department_choices)
        ),
        sqla_filters.FilterEqual(Case.grade, _l("Grade"), options=Grade.choices()),
        sqla_filters.BooleanEqualFilter(Case.is_repeat, _l("Repeat")),
        sqla_filters.BooleanEqualFilter(Case.is_sensitive, _l("Sensitive")),
        sqla_filters.BooleanEqualFilter(Case.is_key, _l("Key")),
    )

    def get_query(self):
        """The scoped cases with a step overdue now."""
        return super().get_query().filter(late_open(utcnow()))

    def get_count_query(self):
        """The same rows, counted up to the cap."""
        query = CappedCountQuery([Case.id], session=db.session()).filter(late_open(utcnow()))
        return self.scope(query)
