"""The case page's intake panels: the grade suggestion, the repeat candidates and the routing suggestion.
Each panel module gives the template values of its include (app/templates/admin/case/_*.html)."""

from admin_views.cases import grade_panel
from admin_views.cases import repeat_panel
from admin_views.cases import routing_panel


def case_panels(case) -> dict:
    """Every panel's template values for ``case``, for the current user."""
    return {**grade_panel.context(case), **repeat_panel.context(case), **routing_panel.context(case)}
