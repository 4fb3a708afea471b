"""社区发令 · 部门报到: the pages of orders (令) from streets and communities to bureaus."""

from flask_babel import lazy_gettext as _l
from flask_login import current_user

from admin_views.field_orders.orders import FieldOrderView
from admin_views.field_orders.parts import AllOrdersView
from admin_views.field_orders.parts import TodoView
from admin_views.settings.field_order_classes import FieldOrderClassView
from app.auth.access import scope_query
from app.command.field_orders import may_issue
from app.extensions import db
from models.case import Case
from models.field_order import FieldOrder
from models.field_order import FieldOrderClass
from models.field_order import FieldOrderTarget


def case_field_orders(case) -> list[FieldOrder]:
    """The 令 linked to ``case`` that the current user may see, oldest first (for the case page)."""
    query = (
        db.session.query(FieldOrder).filter(FieldOrder.cases.any(Case.id == case.id)).order_by(FieldOrder.id)
    )
    return scope_query(FieldOrder, query, current_user).all()


def register(admin) -> None:
    """Add the order pages and the class settings to the panel (menu 社区发令), and the case page's helpers."""
    category = _l("Orders from the grass roots")
    admin.add_view(FieldOrderView(FieldOrder, db, name=_l("Orders I issued"), endpoint="field_order",
                                  category=category))  # fmt: skip
    admin.add_view(TodoView(FieldOrderTarget, db, name=_l("Awaiting check-in"), endpoint="field_todo",
                            category=category))  # fmt: skip
    admin.add_view(AllOrdersView(FieldOrderTarget, db, name=_l("All orders"), endpoint="field_order_all",
                                 category=category))  # fmt: skip
    admin.add_view(FieldOrderClassView(FieldOrderClass, db, name=_l("Classes of order"),
                                       endpoint="field_order_class", category=category))  # fmt: skip
    admin.app.add_template_global(case_field_orders, "case_field_orders")
    admin.app.add_template_global(may_issue, "may_issue_field_orders")
