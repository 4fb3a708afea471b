"""Bureaus' parts of 令 as lists: 待报到 (what the user's bureau still owes) and 全部令 (every part, for
supervisors, administrators and leaders, with filters and an xlsx export). Each row links to its order."""

from io import BytesIO

from flask import abort
from flask import send_file
from flask_admin import expose
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm import selectinload

from admin_views import formatters as fmt
from admin_views.base import LazyOptions
from admin_views.base import SecuredModelView
from admin_views.field_orders.forms import bureau_choices
from admin_views.field_orders.forms import class_choices
from admin_views.field_orders.orders import number_link
from admin_views.overdue import OverdueFilter
from admin_views.overdue import overdue_badge
from app.deadlines.field_clocks import part_is_overdue
from app.deadlines.field_clocks import part_overdue
from app.extensions import db
from app.timeutil import format_local
from app.timeutil import utcnow
from app.xlsx import XLSX_MIMETYPE
from app.xlsx import write_sheet
from models.deadline import DeadlineStatus
from models.enums import DepartmentKind
from models.enums import Role
from models.enums import Satisfaction
from models.field_order import FieldOrder
from models.field_order import FieldOrderStatus
from models.field_order import FieldOrderTarget
from models.field_order import FieldTargetStatus as S
from models.org import Department

OWED = (S.ISSUED, S.ACKNOWLEDGED, S.CHECKED_IN)
OVERSEERS = frozenset({Role.SUPERVISOR, Role.ADMIN, Role.LEADER})


def issuer_choices() -> list:
    """Active streets and communities, in tree order."""
    kinds = (DepartmentKind.STREET, DepartmentKind.COMMUNITY)
    query = select(Department).where(Department.active.is_(True), Department.kind.in_(kinds))
    return [(d.id, d.name) for d in db.session.scalars(query.order_by(Department.path))]


def _order(attribute):
    def formatter(view, context, model, name):
        value = getattr(model.order, attribute)
        return "" if value is None else str(getattr(value, "label", value))

    return formatter


def next_due(view, context, model, name):
    """The earliest running clock's due time."""
    running = [d.due_at for d in model.deadlines if d.status == DeadlineStatus.RUNNING]
    return format_local(min(running)) if running else ""


class PartListView(SecuredModelView):
    """Base of the two lists: one row per bureau's part, read-only, linked to its order."""

    can_view_details = False
    create_roles = edit_roles = delete_roles = frozenset()
    column_display_actions = False
    column_labels = {
        "number": _l("Order number"),
        "order_class": _l("Class of order"),
        "issuer": _l("Issued by"),
        "matter": _l("Matter"),
        "place": _l("Place"),
        "issued_at": _l("Time issued"),
        "department": _l("Bureau"),
        "status": _l("Where it stands"),
        "next_due": _l("Next due"),
        "acknowledged_at": _l("Acknowledged"),
        "checked_in_at": _l("Checked in"),
        "headcount": _l("Headcount"),
        "staffed": _l("Attendance up to standard"),
        "reported_at": _l("Outcome reported"),
        "rating": _l("Issuer's rating"),
        "overdue": _l("Overdue"),
        "order_status": _l("Order status"),
    }
    column_formatters = {
        "number": lambda v, c, m, n: number_link(m.order),
        "order_class": _order("order_class"),
        "issuer": _order("issuing_department"),
        "matter": _order("matter"),
        "place": _order("place"),
        "issued_at": lambda v, c, m, n: format_local(m.order.issued_at),
        "order_status": _order("status"),
        "status": fmt.label,
        "rating": fmt.label,
        "next_due": next_due,
        "overdue": overdue_badge(part_is_overdue),
    }
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_sortable_list = ()
    column_default_sort = ("id", True)

    def get_query(self):
        """The scoped parts, with their order, class, units and clocks loaded at once."""
        return (
            super()
            .get_query()
            .options(
                joinedload(FieldOrderTarget.order).joinedload(FieldOrder.order_class),
                joinedload(FieldOrderTarget.order).joinedload(FieldOrder.issuing_department),
                joinedload(FieldOrderTarget.department),
                selectinload(FieldOrderTarget.deadlines),
            )
        )


class TodoView(PartListView):
    """待报到: the parts addressed to the user's bureau that await its 接令, 报到 or 反馈 (or a supplementary
    check-in)."""

    column_list = ("number", "order_class", "issuer", "matter", "place", "issued_at", "status", "next_due",
                   "overdue")  # fmt: skip

    def is_accessible(self):
        """Handlers of a bureau."""
        department = getattr(current_user, "department", None)
        return bool(super().is_accessible() and current_user.role == Role.HANDLER and department is not None
                    and department.kind == DepartmentKind.BUREAU)  # fmt: skip

    def _owed(self, query):
        return query.filter(
            FieldOrderTarget.department_id == current_user.department_id,
            or_(FieldOrderTarget.status.in_(OWED),
                and_(FieldOrderTarget.status == S.REPORTED, FieldOrderTarget.staffed.is_(False))),
        )  # fmt: skip

    def get_query(self):
        """Only what the bureau still owes."""
        return self._owed(super().get_query())

    def get_count_query(self):
        """The same rows, counted."""
        return self._owed(super().get_count_query())


class AllOrdersView(PartListView):
    """全部令: every bureau's part of every order, filtered, and exported as xlsx."""

    read_roles = export_roles = OVERSEERS
    column_list = ("number", "order_class", "issuer", "matter", "place", "issued_at", "department", "status",
                   "acknowledged_at", "checked_in_at", "headcount", "staffed", "reported_at", "rating", "overdue",
                   "order_status")  # fmt: skip
    column_filters = (
        sqla_filters.FilterEqual(
            FieldOrder.class_id, _l("Class of order"), options=LazyOptions(class_choices)
        ),
        sqla_filters.FilterEqual(FieldOrder.status, _l("Order status"), options=FieldOrderStatus.choices()),
        sqla_filters.FilterEqual(FieldOrderTarget.status, _l("Where it stands"), options=S.choices()),
        sqla_filters.FilterEqual(
            FieldOrder.issuing_department_id, _l("Issued by"), options=LazyOptions(issuer_choices)
        ),
        sqla_filters.FilterEqual(
            FieldOrderTarget.department_id, _l("Bureau"), options=LazyOptions(bureau_choices)
        ),
        OverdueFilter(FieldOrderTarget.id, part_overdue),
    )

    @expose("/export/<export_type>/")
    def export(self, export_type):
        """The filtered parts as an xlsx of text cells (user text never becomes a formula)."""
        if export_type not in self.export_types:
            abort(404)
        _count, parts = self._export_data()
        now = utcnow()
        header = [str(self.column_labels[name]) for name in self.column_list]
        rows = [export_row(part, now) for part in parts]
        data = write_sheet(
            _("All orders"), header, rows, [16, 8, 12, 40, 24, 17, 12, 14, 17, 17, 6, 6, 17, 10, 6, 8]
        )
        return send_file(BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=self.get_export_name("xlsx"), max_age=0)  # fmt: skip


def export_row(part: FieldOrderTarget, now) -> list:
    """One part as the export's cells, in the order of the list's columns."""
    order = part.order
    yes_no = {True: _("Yes"), False: _("No"), None: ""}
    return [
        order.number, order.order_class.name, order.issuing_department.name, order.matter, order.place,
        format_local(order.issued_at), part.department.name, str(S.label_of(part.status)),
        format_local(part.acknowledged_at), format_local(part.checked_in_at), part.headcount,
        yes_no[part.staffed], format_local(part.reported_at),
        str(Satisfaction.label_of(part.rating)) if part.rating else "",
        yes_no[part_is_overdue(part, now)], str(FieldOrderStatus.label_of(order.status)),
    ]  # fmt: skip
