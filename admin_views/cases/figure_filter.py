"""The case list behind a figure: a filter whose value names a measure and a cut (app.reports.drilldown).

Rates, scorecards and reports link every figure to ``/admin/case/?flt0_figure_is=<value>``; being a list
filter, it stays on every page, sort and export link, and shows as the list's active filter.
"""

from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import lazy_gettext as _l

from app.reports import drilldown
from app.timeutil import utcnow
from models.case import Case


class FigureFilter(sqla_filters.BaseSQLAFilter):
    """Exactly the cases counted in one figure."""

    checks_own_value = True  # the value is drilldown's structure, checked by validate

    def __init__(self):
        super().__init__(Case.id, _l("Figure"))

    def validate(self, value):
        """A value written by :func:`app.reports.drilldown.encode`."""
        try:
            drilldown.decode(value)
        except (ValueError, TypeError):
            return False
        return True

    def apply(self, query, value, alias=None):
        """The cases behind the figure (the scope of the list still applies on top)."""
        measure, cut = drilldown.decode(value)
        return query.filter(drilldown.case_condition(measure, cut, utcnow()))

    def operation(self):
        return _l("is")
