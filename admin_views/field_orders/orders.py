"""The 令 itself (endpoint ``field_order``): 我发出的令 (the list), the order page with its steps, the issue
form, and the check-in photos, served only to those who may see the order.

Every route fetches the order through the scope of :mod:`app.auth.access` (a street sees the orders its
unit or a unit below issued; a bureau those addressed to it); the list narrows that to the orders issued
by the user's unit or below. Steps are taken by :mod:`app.command.field_orders`; this view commits.
"""

from datetime import datetime

from flask import abort
from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from flask_admin import expose
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_admin.helpers import get_redirect_target
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from admin_views import formatters as fmt
from admin_views.base import LazyOptions
from admin_views.base import SecuredModelView
from admin_views.base import acting_user
from admin_views.cases.case import attachment_response
from admin_views.field_orders import steps
from admin_views.field_orders.forms import IssueForm
from admin_views.field_orders.forms import class_choices
from admin_views.scoping import parse_pk
from app.auth.access import can_see_case
from app.auth.access import is_department_scoped
from app.auth.access import subtree_department_ids
from app.command import field_orders
from app.deadlines.field_clocks import part_is_overdue
from app.extensions import db
from app.timeutil import format_local
from app.timeutil import utcnow
from models.case import Attachment
from models.enums import DepartmentKind
from models.enums import Role
from models.field_order import AttendeeLevel
from models.field_order import FieldOrder
from models.field_order import FieldOrderClass
from models.field_order import FieldOrderStatus
from models.field_order import FieldOrderTarget
from models.org import Department


def number_link(order: FieldOrder) -> Markup:
    """The order's number, linking to its page."""
    return Markup('<a href="{}">{}</a>').format(
        url_for("field_order.details_view", id=order.id), order.number
    )


def progress(view, context, model, name):
    """How many parts are rated or withdrawn, of all."""
    done = sum(1 for t in model.targets if t.status in ("rated", "withdrawn"))
    return f"{done}/{len(model.targets)}"


class FieldOrderView(SecuredModelView):
    """我发出的令 and the order page; streets and communities issue here."""

    can_view_details = True
    edit_roles = delete_roles = frozenset()
    details_template = "admin/field_order/details.html"
    column_list = ("number", "order_class", "matter", "place", "issuing_department", "issued_at", "status",
                   "progress")  # fmt: skip
    column_labels = {
        "number": _l("Order number"),
        "order_class": _l("Class of order"),
        "matter": _l("Matter"),
        "place": _l("Place"),
        "issuing_department": _l("Issued by"),
        "issued_at": _l("Time issued"),
        "status": _l("Status"),
        "progress": _l("Parts done"),
    }
    column_formatters = {
        "number": lambda v, c, m, n: number_link(m),
        "status": fmt.label,
        "progress": progress,
    }
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_sortable_list = ("number", "issued_at")
    column_default_sort = ("issued_at", True)
    column_filters = (
        sqla_filters.FilterEqual(FieldOrder.status, _l("Status"), options=FieldOrderStatus.choices()),
        sqla_filters.FilterEqual(
            FieldOrder.class_id, _l("Class of order"), options=LazyOptions(class_choices)
        ),
    )

    def is_visible(self):
        """In the menu for the streets and communities that issue orders."""
        return field_orders.may_issue(current_user)

    @property
    def can_create(self):
        return bool(current_user.is_authenticated and field_orders.may_issue(current_user))

    # --- scoping: the list is the orders issued here; every other route sees the whole scope ---------
    def _issued_here(self, query):
        if is_department_scoped(current_user):
            query = query.filter(
                FieldOrder.issuing_department_id.in_(subtree_department_ids(current_user) or [-1])
            )
        return query

    def get_query(self):
        """我发出的令: the orders the user's unit or a unit below it issued (all, for other roles)."""
        return self._issued_here(super().get_query())

    def get_count_query(self):
        """The same rows, counted."""
        return self._issued_here(super().get_count_query())

    def get_one(self, id):
        """Any order the user may see (issued here, or addressed to the user's bureau); else 404."""
        pk = parse_pk(id)
        query = self.scope(db.session.query(FieldOrder))
        order = None if pk is None else query.filter(FieldOrder.id == pk).one_or_none()
        if order is None:
            abort(404)
        return order

    def home_url(self):
        """Where "List" leads: the user's own list of orders."""
        department = current_user.department
        if (
            current_user.role == Role.HANDLER
            and department is not None
            and department.kind == DepartmentKind.BUREAU
        ):
            return url_for("field_todo.index_view")
        if current_user.role != Role.HANDLER:
            return url_for("field_order_all.index_view")
        return url_for(".index_view")

    # --- the order page and its steps -------------------------------------------------------------
    def render_order(self, order, open_form=None):
        """The order page: its fields, each part with clocks, attendees, photos and outcome, and the forms
        of the steps the viewer may take now (``open_form``: (step, part id, form) shown again, open)."""
        photos = {}
        ids = [t.id for t in order.targets]
        for photo in db.session.scalars(
            select(Attachment).where(Attachment.field_target_id.in_(ids or [-1]))
        ):
            photos.setdefault(photo.field_target_id, []).append(photo)
        now = utcnow()
        return self.render(
            self.details_template,
            model=order,
            return_url=get_redirect_target() or self.home_url(),
            cases=[c for c in order.cases if can_see_case(current_user, c)],
            rules=steps.rules_lines(order.rules),
            steps=steps.forms_for(order, current_user, open_form),
            open_form=open_form,
            photos=photos,
            overdue={t.id: part_is_overdue(t, now) for t in order.targets},
            now=now,
            level_label=AttendeeLevel.label_of,
            arrived=lambda text: format_local(datetime.fromisoformat(text)),
        )

    @expose("/details/")
    def details_view(self):
        """The order page."""
        return self.render_order(self.get_one(request.args.get("id")))

    @expose("/<int(min=1, max=9223372036854775807):order_id>/<step>/<int(max=9223372036854775807):target_id>/",
            methods=("POST",))  # fmt: skip
    def step_view(self, order_id, step, target_id):
        """Take one step on one part (part 0: withdraw the whole order); a refusal shows the page again."""
        if step not in field_orders.STEPS:
            abort(404)
        return steps.take(self, self.get_one(order_id), step, target_id)

    @expose("/photo/<int(min=1, max=9223372036854775807):attachment_id>")
    def photo_view(self, attachment_id):
        """A check-in photo, for those who may see its order."""
        photo = db.session.get(Attachment, attachment_id)
        if photo is None or photo.field_target_id is None:
            abort(404)
        self.get_one(
            db.session.get(FieldOrderTarget, photo.field_target_id).order_id
        )  # 404 outside the scope
        return attachment_response(photo)

    # --- issuing ----------------------------------------------------------------------------------
    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        """发令: the form; on POST the order is issued and its page shown."""
        form = IssueForm(cases=request.args.get("case", ""))
        if request.method == "POST" and form.validate():
            ids = [i for i in form.bureaus.data or [] if i is not None]
            bureaus = list(db.session.scalars(select(Department).where(Department.id.in_(ids or [-1]))))
            try:
                cases = field_orders.cases_by_number(current_user, form.cases.data)
                order = field_orders.issue(
                    acting_user(),
                    order_class=db.session.get(FieldOrderClass, form.order_class.data or -1),
                    matter=form.matter.data,
                    place=form.place.data,
                    bureaus=bureaus,
                    cases=cases,
                    now=utcnow(),
                )
            except field_orders.FieldOrderRefusal as refusal:
                db.session.rollback()
                flash(refusal.message, "error")
                return self.render("admin/field_order/issue.html", form=form, return_url=self.home_url()), 409
            db.session.commit()
            flash(_("Order %(number)s issued.", number=order.number), "success")
            return redirect(url_for(".details_view", id=order.id))
        return self.render("admin/field_order/issue.html", form=form, return_url=self.home_url())
