"""协办件: the co-handled parts a department owes (its own) or awaits (on the cases it leads), with filters and
an xlsx export; supervisors see every part, to chase or waive them. Each row links to its case, where the
part's steps are taken."""

from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import lazy_gettext as _l

from admin_views import formatters as fmt
from admin_views.base import LazyOptions
from admin_views.base import SecuredModelView
from admin_views.cases.forms import department_choices
from admin_views.overdue import OverdueFilter
from admin_views.overdue import overdue_badge
from admin_views.overdue import overdue_word
from app.auth.access import STAFF_ROLES
from app.cases.parts import is_overdue
from app.cases.parts import next_due
from app.cases.parts import part_overdue
from app.timeutil import format_local
from models.case_part import CasePart
from models.case_part import PartStatus


class CasePartView(SecuredModelView):
    """Co-handled parts by department: what the lead asked, where each part stands, by when."""

    read_roles = STAFF_ROLES
    export_roles = STAFF_ROLES
    create_roles = edit_roles = delete_roles = frozenset()  # a list of what others wrote: read only
    can_view_details = False
    column_display_actions = False  # rows are read here and acted on from their case page
    column_list = ("case", "title", "department", "status", "next_due", "overdue")
    column_export_list = ("case", "title", "lead", "department", "status", "assigned_at", "next_due",
                          "answered_at", "overdue")  # fmt: skip
    column_labels = {
        "case": _l("Case"),
        "title": _l("Title"),
        "lead": _l("Lead department"),
        "department": _l("Co-department"),
        "status": _l("Part"),
        "assigned_at": _l("Assigned"),
        "next_due": _l("Next due"),
        "answered_at": _l("Answered"),
        "overdue": _l("Overdue"),
    }
    column_formatters = {
        "case": lambda v, c, m, n: fmt.case_link(m.case),
        "title": lambda v, c, m, n: m.case.title,
        "lead": lambda v, c, m, n: str(m.case.lead_department or ""),
        "status": fmt.label,
        "next_due": lambda v, c, m, n: format_local(next_due(m)) if next_due(m) else "",
        "overdue": overdue_badge(is_overdue),
    }
    column_formatters_export = {
        **column_formatters,
        "case": lambda v, c, m, n: m.case.number,
        "overdue": overdue_word(is_overdue),
    }
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_default_sort = ("id", True)
    column_filters = (
        sqla_filters.FilterEqual(CasePart.status, _l("Part"), options=PartStatus.choices()),
        sqla_filters.FilterEqual(
            CasePart.department_id, _l("Co-department"), options=LazyOptions(department_choices)
        ),
        OverdueFilter(CasePart.id, part_overdue),
    )
