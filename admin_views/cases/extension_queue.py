"""延期申请待审: the supervisor's queue of extension requests awaiting a decision, oldest first, each decided
from its row (批准 / 驳回) through the same state-machine actions as the case page (``approve_extension`` /
``reject_extension`` in :mod:`app.cases.extensions`, taken by :func:`app.cases.lifecycle.perform`)."""

from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm.exc import StaleDataError

from admin_views import formatters as fmt
from admin_views.base import CappedCountQuery
from admin_views.base import SecuredModelView
from admin_views.base import acting_user
from admin_views.cases.overdue_list import span_text
from admin_views.free_text import masked_text
from admin_views.scoping import parse_pk
from app.auth.access import SUPERVISOR_ROLES
from app.auth.access import scope_query
from app.cases import lifecycle
from app.deadlines import clock
from app.extensions import db
from app.timeutil import as_utc
from app.timeutil import format_local
from app.timeutil import utcnow
from models.case import Case
from models.case import CaseAction
from models.deadline import DeadlineExtension
from models.deadline import ExtensionStatus
from models.deadline import Unit

DECISIONS = {"approve": CaseAction.APPROVE_EXTENSION, "reject": CaseAction.REJECT_EXTENSION}


def _case(view, context, model, name):
    return fmt.case_link(model.deadline.case)


def _department(view, context, model, name):
    case = model.deadline.case
    return case.lead_department.name if case.lead_department else ""


def requested_due(extension: DeadlineExtension):
    """The due time the request asks for: the deadline's current one plus the time asked (as approval would)."""
    return clock.extension_due(extension.deadline, extension.amount, extension.unit)


def _asked(view, context, model, name):
    asked = f"{model.deadline.stage.label} +{model.amount} {Unit.label_of(model.unit)}"
    until = _("Until %(due)s", due=format_local(requested_due(model)))
    return Markup("{}<div class='small text-muted'>{}</div>").format(until, asked)


def _requested(view, context, model, name):
    who = model.requested_by.display_name if model.requested_by else ""
    return Markup("{}<div class='small text-muted'>{}</div>").format(who, format_local(model.requested_at))


def _waiting(view, context, model, name):
    return _("Waiting %(span)s", span=span_text((utcnow() - as_utc(model.requested_at)).total_seconds()))


def _decide(view, context, model, name):
    return Markup(
        render_template("admin/case/_extension_decide.html", extension=model, case=model.deadline.case)
    )


class ExtensionQueueView(SecuredModelView):
    """延期申请待审: pending extension requests in the supervisor's scope, decided from the row."""

    read_roles = SUPERVISOR_ROLES
    export_roles = SUPERVISOR_ROLES
    create_roles = edit_roles = delete_roles = frozenset()  # a list of what others wrote: read only
    can_view_details = False
    column_display_actions = False
    free_text_columns = ("reason",)
    list_template = "admin/case/list.html"  # rows as cards on a phone
    column_list = ("case", "title", "department", "new_due", "reason", "requested", "waiting", "decide")
    column_export_list = ("case", "title", "department", "new_due", "reason", "requested", "waiting")
    column_labels = {
        "case": _l("Case number"),
        "title": _l("Title"),
        "department": _l("Lead department"),
        "new_due": _l("New due time asked for"),
        "reason": _l("Reason"),
        "requested": _l("Requested by"),
        "waiting": _l("Time waiting"),
        "decide": _l("Decision"),
    }
    column_formatters = {
        "case": _case,
        "title": lambda v, c, m, n: masked_text(m.deadline.case.title),
        "department": _department,
        "new_due": _asked,
        "requested": _requested,
        "waiting": _waiting,
        "decide": _decide,
    }
    column_formatters_export = {
        **column_formatters,
        "case": lambda v, c, m, n: m.deadline.case.number,
        "new_due": lambda v, c, m, n: format_local(requested_due(m)),
        "requested": lambda v, c, m, n: m.requested_by.display_name if m.requested_by else "",
    }
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_sortable_list = (("waiting", DeadlineExtension.requested_at),)
    column_default_sort = ("requested_at", False)  # the longest waiting first

    def _in_scope(self, query):
        """Requests on the cases the user may see (the case's scope, app.auth.access)."""
        return scope_query(Case, query.join(Case, Case.id == DeadlineExtension.case_id), current_user)

    def scope(self, query):
        """Pending requests on the cases the user may see."""
        return self._in_scope(query).filter(DeadlineExtension.status == ExtensionStatus.REQUESTED)

    def get_count_query(self):
        """The same rows, counted up to the cap."""
        return self.scope(CappedCountQuery([DeadlineExtension.id], session=db.session()))

    @expose("/decide/<int:extension_id>/", methods=("POST",))
    def decide_view(self, extension_id):
        """批准 or 驳回 one request from its row: the case's approve/reject action, then back to the queue."""
        query = db.session.query(DeadlineExtension).filter(DeadlineExtension.id == extension_id)
        extension = self._in_scope(query).one_or_none()
        if extension is None:
            abort(404)
        if extension.status != ExtensionStatus.REQUESTED:
            flash(_("This request has already been decided."), "error")
            return redirect(url_for(".index_view"))
        case = extension.deadline.case
        decision = DECISIONS.get(request.form.get("decision", ""))
        if decision is None:
            abort(400)
        text = request.form.get("note", "")
        params = {"reason": text} if decision == CaseAction.REJECT_EXTENSION else {"note": text}
        version = parse_pk(request.form.get("version"))
        try:
            lifecycle.perform(case, decision, acting_user(), expected_version=version, **params)
            db.session.commit()
        except lifecycle.TransitionError as refusal:
            db.session.rollback()
            flash(refusal.message, "error")
            return redirect(url_for(".index_view"))
        except StaleDataError:
            db.session.rollback()
            flash(_("Someone else has changed this case. Reload the page and try again."), "error")
            return redirect(url_for(".index_view"))
        flash(_("%(action)s: done.", action=decision.label) + f" {case.number}", "success")
        return redirect(url_for(".index_view"))
