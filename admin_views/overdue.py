"""The overdue filter and badge of the lists of parts (批示 / 督办 answers, 协办 parts, 令 parts): one
definition of "overdue" (:func:`app.deadlines.clock.late_condition`), applied to each list's rows."""

from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from admin_views import formatters as fmt
from app.timeutil import utcnow


class OverdueFilter(sqla_filters.BaseSQLAFilter):
    """Rows with a step done late or still owed past its time (yes), or neither (no)."""

    def __init__(self, column, condition):
        """``condition(now)`` is the SQL test of one row being overdue."""
        super().__init__(column, _l("Overdue"), options=(("1", _l("Yes")), ("0", _l("No"))))
        self.condition = condition

    def apply(self, query, value, alias=None):
        """Keep the overdue rows, or the others."""
        condition = self.condition(utcnow())
        return query.filter(condition if value == "1" else ~condition)

    def operation(self):
        """Shown beside the filter's name."""
        return _l("equals")


def overdue_badge(is_overdue):
    """A list formatter: 已超期 as a red badge when ``is_overdue(row, now)``."""

    def formatter(view, context, model, name):
        return fmt.badge(_("Overdue"), "badge-danger") if is_overdue(model, utcnow()) else ""

    return formatter


def overdue_word(is_overdue):
    """An export formatter: 是 when ``is_overdue(row, now)``."""
    return lambda view, context, model, name: _("Yes") if is_overdue(model, utcnow()) else ""
