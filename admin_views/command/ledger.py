"""The 督办台账: every addressed department's part of every 批示 and 督办单, with filters and an xlsx export.

A department sees only the parts addressed to it (the scoping rule of :mod:`app.auth.access`); leaders,
supervisors and clerks see all. Each row links to its case, where the answer and the check are taken.
"""

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
from app.command.ledger import is_overdue
from app.command.ledger import part_overdue
from app.timeutil import format_local
from models.command import CaseOrder
from models.command import OrderKind
from models.command import OrderTarget
from models.command import SupervisionLevel
from models.command import TargetStatus


def _order(attribute):
    def formatter(view, context, model, name):
        value = getattr(model.order, attribute)
        return "" if value is None else str(getattr(value, "label", value))

    return formatter


def _case(view, context, model, name):
    return fmt.case_link(model.order.case)


def _leader(view, context, model, name):
    order = model.order
    return str(order.leader or (order.rule.name if order.rule else "") or order.issued_by or "")


class OrderLedgerView(SecuredModelView):
    """批示 and 督办 by addressed department: what was asked, by when, where the answer stands."""

    read_roles = STAFF_ROLES
    export_roles = STAFF_ROLES
    create_roles = edit_roles = delete_roles = frozenset()  # a list of what others wrote: read only
    can_view_details = False
    column_display_actions = False  # rows are read here and acted on from their case page
    column_list = ("case", "kind", "level", "content", "department", "status", "issued_at", "due_at",
                   "answered_at", "overdue", "leader")  # fmt: skip
    column_labels = {
        "case": _l("Case"),
        "kind": _l("Kind"),
        "level": _l("Supervision level"),
        "content": _l("Instruction or requirement"),
        "department": _l("Department"),
        "status": _l("Answer"),
        "issued_at": _l("Issued"),
        "due_at": _l("Answer by"),
        "answered_at": _l("Answered"),
        "overdue": _l("Overdue"),
        "leader": _l("Leader or rule"),
    }
    column_formatters = {
        "case": _case,
        "kind": _order("kind"),
        "level": _order("level"),
        "content": _order("content"),
        "issued_at": lambda v, c, m, n: format_local(m.order.issued_at),
        "due_at": lambda v, c, m, n: format_local(m.order.due_at),
        "status": fmt.label,
        "overdue": overdue_badge(is_overdue),
        "leader": _leader,
    }
    column_formatters_export = {
        **column_formatters,
        "case": lambda v, c, m, n: m.order.case.number,
        "overdue": overdue_word(is_overdue),
    }
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_default_sort = ("id", True)
    column_filters = (
        sqla_filters.FilterEqual(CaseOrder.kind, _l("Kind"), options=OrderKind.choices()),
        sqla_filters.FilterEqual(
            CaseOrder.level, _l("Supervision level"), options=SupervisionLevel.choices()
        ),
        sqla_filters.FilterEqual(
            CaseOrder.status, _l("Order"), options=(("open", _l("Open")), ("closed", _l("Closed")))
        ),
        sqla_filters.FilterEqual(OrderTarget.status, _l("Answer"), options=TargetStatus.choices()),
        sqla_filters.FilterEqual(
            OrderTarget.department_id, _l("Department"), options=LazyOptions(department_choices)
        ),
        OverdueFilter(OrderTarget.id, part_overdue),
    )
