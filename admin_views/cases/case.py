"""The case desk (endpoint ``case``): list, filters, search, intake form, case page with timeline and buttons."""

from flask import abort
from flask import flash
from flask import g
from flask import redirect
from flask import request
from flask import send_file
from flask import url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_admin.helpers import get_redirect_target
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from jinja2 import pass_context
from wtforms import HiddenField
from wtforms import ValidationError
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from admin_views.base import LazyOptions
from admin_views.base import SecuredModelView
from admin_views.base import acting_user
from admin_views.cases import columns as cols
from admin_views.cases import direct_forms
from admin_views.cases.action_forms import action_defaults
from admin_views.cases.action_forms import blank_form
from admin_views.cases.armed_list import ArmedCaseListMixin
from admin_views.cases.figure_filter import FigureFilter
from admin_views.cases.panels import case_panels
from admin_views.cases.search import AreaFilter
from admin_views.cases.search import DueFilter
from admin_views.cases.search import LocalDateBetweenFilter
from admin_views.cases.search import apply_case_search
from admin_views.cases.search import placeholder as search_placeholder
from admin_views.cases.transition import take_action
from app import audit
from app.auth import pii
from app.auth.access import INTAKE_ROLES
from app.auth.access import STAFF_ROLES
from app.auth.access import SUPERVISOR_ROLES
from app.cases import caller_history
from app.cases import lifecycle
from app.cases import staff_intake
from app.extensions import db
from app.intake import foresight
from app.intake import grading
from app.intake import storage
from app.intake import uploads
from app.timeutil import utcnow
from app.validators import IdNumber
from app.validators import Phone
from app.volunteers.clues import source_clues
from models.audit import AuditAction
from models.audit import AuditEntity
from models.case import Attachment
from models.case import AttachmentKind
from models.case import Case
from models.enums import STAFF_INTAKE_CHANNELS
from models.enums import Channel
from models.enums import DepartmentKind
from models.enums import Grade
from models.enums import RequestType
from models.enums import Status
from models.org import Category
from models.org import Department


def _active_departments(kind=None):
    def factory():
        query = db.session.query(Department).filter(Department.active.is_(True))
        if kind is not None:
            query = query.filter(Department.kind == kind)
        return query.order_by(Department.path)

    return factory


def _category_options():
    rows = db.session.query(Category).order_by(Category.parent_id.is_not(None), Category.sort_order).all()
    return [(c.id, str(c)) for c in rows]


def _department_options(kind=None):
    query = db.session.query(Department).order_by(Department.path)
    rows = (query if kind is None else query.filter(Department.kind == kind)).all()
    return [(d.id, d.name) for d in rows]


def attachment_response(attachment: Attachment):
    """The bytes of an attachment the caller has checked the user may see (inline, or ``?download=1``)."""
    try:
        stream = storage.current().open(attachment.stored_name)  # local file or database chunks, streamed
    except FileNotFoundError:
        abort(404)
    response = send_file(
        stream,
        mimetype=attachment.content_type,
        as_attachment=request.args.get("download") == "1" or attachment.kind == AttachmentKind.DOCUMENT,
        download_name=uploads.download_name(attachment.original_name, attachment.content_type),
        max_age=0,
        conditional=False,
    )
    response.content_length = attachment.size
    # byte ranges from the row's size (a stream has none of its own), so audio players can seek
    response.make_conditional(request.environ, accept_ranges=True, complete_length=attachment.size)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _without(form, names):
    """``form`` with the fields ``names`` removed."""
    for name in names:
        if name in form:
            delattr(form, name)
    return form


class CaseView(ArmedCaseListMixin, SecuredModelView):
    """Cases: every staff role reads (handlers only their department's), intake roles register."""

    create_roles = INTAKE_ROLES
    edit_roles = INTAKE_ROLES
    delete_roles = frozenset()
    export_roles = STAFF_ROLES
    action_roles = {"supervise": SUPERVISOR_ROLES}

    details_template = "admin/case/details.html"
    list_template = "admin/case/list.html"  # rows as cards on a phone (css/desk-phone.css)

    column_list = cols.LIST
    column_details_list = cols.DETAILS
    free_text_columns = cols.FREE_TEXT
    column_export_list = cols.EXPORT
    column_labels = cols.LABELS
    column_formatters = cols.LIST_FORMATTERS
    column_formatters_detail = cols.DETAIL_FORMATTERS
    column_formatters_export = cols.EXPORT_FORMATTERS
    column_type_formatters = cols.LIST_TYPE_FORMATTERS
    column_type_formatters_detail = cols.LIST_TYPE_FORMATTERS
    column_type_formatters_export = cols.EXPORT_TYPE_FORMATTERS
    column_sortable_list = ("number", "received_at", "grade", "status", "next_due_at")
    column_default_sort = ("received_at", True)
    column_searchable_list = ("number", "title", "citizen_phone")
    column_filters = (
        sqla_filters.FilterEqual(Case.status, _l("Status"), options=Status.choices()),
        sqla_filters.FilterEqual(Case.grade, _l("Grade"), options=Grade.choices()),
        sqla_filters.FilterEqual(Case.category_id, _l("Category"), options=LazyOptions(_category_options)),
        sqla_filters.FilterEqual(
            Case.lead_department_id, _l("Lead department"), options=LazyOptions(_department_options)
        ),
        AreaFilter(
            Case.street_id,
            _l("Street"),
            options=LazyOptions(lambda: _department_options(DepartmentKind.STREET)),
        ),
        AreaFilter(
            Case.community_id,
            _l("Community"),
            options=LazyOptions(lambda: _department_options(DepartmentKind.COMMUNITY)),
        ),
        sqla_filters.FilterInList(Case.status, _l("Status"), options=Status.choices()),
        sqla_filters.FilterEqual(Case.channel, _l("Channel"), options=Channel.choices()),
        sqla_filters.FilterEqual(Case.request_type, _l("Request type"), options=RequestType.choices()),
        sqla_filters.BooleanEqualFilter(Case.is_repeat, _l("Repeat")),
        sqla_filters.BooleanEqualFilter(Case.is_sensitive, _l("Sensitive")),
        sqla_filters.BooleanEqualFilter(Case.is_key, _l("Key")),
        sqla_filters.BooleanEqualFilter(Case.is_supervised, _l("Supervised")),
        LocalDateBetweenFilter(Case.received_at, _l("Time received")),
        DueFilter(Case.next_due_at, _l("Deadline")),
        FigureFilter(),
    )

    form_columns = (*cols.FORM, *direct_forms.INTAKE_FIELDS)
    form_choices = {
        "channel": Channel.choices(STAFF_INTAKE_CHANNELS),
        "request_type": RequestType.choices(),
        "grade": Grade.choices(),
    }
    form_args = {
        "title": {"validators": [DataRequired(), Length(max=200)]},
        "content": {"validators": [DataRequired()]},
        "citizen_phone": {"validators": [Optional(), Phone()]},
        "citizen_id_no": {"validators": [Optional(), IdNumber()]},
        "people_involved": {"validators": [Optional(), NumberRange(min=0, max=100000)]},
        "money_involved": {"validators": [Optional(), NumberRange(min=0)]},
        "street": {"query_factory": _active_departments(DepartmentKind.STREET)},
        "community": {"query_factory": _active_departments(DepartmentKind.COMMUNITY)},
        "category": {"query_factory": lambda: db.session.query(Category).filter(Category.active.is_(True))},
        "publication_consent": {
            "description": _l(
                "Tick only when the citizen agreed. Only cases of a mailbox marked public are published, "
                "without name, phone or address."
            )
        },
    }
    form_ajax_refs = {
        "repeat_of": {"fields": ["number", "title"], "page_size": 10, "minimum_input_length": 2}
    }
    form_extra_fields = {"row_version": HiddenField(), **direct_forms.INTAKE_FIELDS}
    create_template = "admin/case/create.html"  # the wording intake form with the 来电历史 box
    direct_answer_fields = tuple(direct_forms.INTAKE_FIELDS)
    form_widget_args = {"content": {"rows": 6}, "direct_text": {"rows": 5}}

    def _apply_search(self, query, count_query, joins, count_joins, search):
        """Numbers, codes and phones by index; other text in name, address and title (admin_views.cases.search)."""
        query, count_query = apply_case_search(query, count_query, search, current_user)
        return query, count_query, joins, count_joins

    def search_placeholder(self):
        """What the search box searches, for the user's role."""
        return search_placeholder(current_user)

    def create_form(self, obj=None):
        """The intake form, without the fields the role may not set; the 直接答复 section names what it allows."""
        form = _without(super().create_form(obj), staff_intake.fields_for(current_user))
        direct_forms.describe_intake_section(form)
        return form

    def edit_form(self, obj=None):
        """The channel is fixed at intake, fields the role may not change are left out; carry the version."""
        hidden = staff_intake.fields_for(current_user) | {"channel", *self.direct_answer_fields}
        form = _without(super().edit_form(obj), hidden)
        if request.method == "GET" and obj is not None:
            form.row_version.data = obj.version
            if obj.citizen_id_no and "citizen_id_no" in form:  # the form shows the full number: audited
                audit.record(
                    AuditEntity.CASE, obj.id, AuditAction.REVEAL, acting_user(), None, {"where": "edit"}
                )
                g.audit_pending = True
        return form

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        """A finished case is read-only here: back to its page with the reason."""
        case = self.get_one(request.args.get("id"))
        if not staff_intake.may_edit(case):
            flash(_("A closed case cannot be edited; a supervisor may reopen it."), "error")
            return redirect(url_for(".details_view", id=case.id))
        return super().edit_view()

    def on_model_change(self, form, model, is_created):
        """New cases are opened and registered by :mod:`app.cases.staff_intake`; edits are checked there."""
        try:
            with db.session.no_autoflush:  # a new case has no number until it is opened
                if is_created:
                    answer = direct_forms.intake_answer(form)
                    verdict = foresight.before_open(model)
                    staff_intake.register_by_hand(model, acting_user(), answer)
                    foresight.after_open(model, verdict, utcnow())
                else:
                    staff_intake.update_registered(model, form.row_version.data, acting_user())
                    grading.record_change(model, acting_user(), utcnow())
        except (staff_intake.IntakeRefusal, lifecycle.TransitionError) as refusal:
            raise ValidationError(refusal.message) from None

    def get_save_return_url(self, model, is_created=False):
        """After saving a new case or an edit the clerk stays on the case page (its next step is there)."""
        return self.get_url(".details_view", id=model.id)

    # --- the case page -----------------------------------------------------------------------
    def render_case(self, case, open_action=None, open_form=None):
        """The case page, with the form of ``open_action`` open (a refused form shown again)."""
        actions, rendered = [], {}
        for act in lifecycle.available_actions(case, current_user):
            if act.name == open_action and open_form is not None:
                form = open_form
            else:
                form = blank_form(act.name, case, **action_defaults(act.name, case))
            direct_forms.offer_reply_templates(form, case, rendered)  # the 标准用语 picker, if it has one
            actions.append((act.name, act.label, form))
        return self.render(
            self.details_template,
            model=case,
            details_columns=self._details_columns,
            get_value=self.get_detail_value,
            return_url=get_redirect_target() or self.get_url(".index_view"),
            actions=actions,
            open_action=open_action,
            events=case.events,
            field_labels=cols.LABELS,
            may_reveal=bool(case.citizen_id_no) and pii.sees_in_full("citizen_id_no", current_user),
            describe=audit.describe,
            deadlines=case.deadlines,
            attachments=case.attachments,
            clues=source_clues(case),
            caller_history=caller_history.for_case(current_user, case),
            **case_panels(case),
        )

    @expose("/details/")
    def details_view(self):
        """The case page: fields, lifecycle buttons and the timeline."""
        case = self.get_one(request.args.get("id"))
        return self.render_case(case)

    @pass_context
    def get_detail_value(self, context, model, name):
        """The ID number masked until the user asks to see it in full (:meth:`reveal_view`)."""
        if name == "citizen_id_no" and g.get("revealed") != model.id:
            return pii.mask(model.citizen_id_no)
        return super().get_detail_value(context, model, name)

    @expose("/reveal/", methods=("POST",))
    def reveal_view(self):
        """The case page with the full ID number, for a role that may see it; each showing is audited."""
        case = self.get_one(request.form.get("id"))
        if not case.citizen_id_no or not pii.sees_in_full("citizen_id_no", current_user):
            abort(403)
        audit.record(AuditEntity.CASE, case.id, AuditAction.REVEAL, acting_user(), None, {"where": "page"})
        db.session.commit()
        g.revealed = case.id
        return self.render_case(case)

    @expose("/attachment/<int(min=1, max=9223372036854775807):attachment_id>")
    def attachment_view(self, attachment_id):
        """One attachment's bytes, for staff who may see its case (inline, or ``?download=1``)."""
        attachment = db.session.get(Attachment, attachment_id)
        if attachment is None:
            abort(404)
        if attachment.case_id is None:
            abort(404)
        self.get_one(attachment.case_id)  # 404 unless the case is in the user's scope
        return attachment_response(attachment)

    @expose("/transition/<action_name>/", methods=("POST",))
    def transition_view(self, action_name):
        """Take one lifecycle action; on refusal show the page again with the input kept."""
        if action_name not in lifecycle.ACTIONS:
            abort(404)
        return take_action(self, action_name)

    @action(
        "supervise", _l("Issue a supervision order"), _l("Issue a supervision order on each selected case?")
    )
    def action_supervise(self, ids):
        """督办 on the chosen cases: the form of :mod:`admin_views.command.bulk` (which scopes them again)."""
        return redirect(url_for("supervise_many.index", ids=",".join(str(i) for i in ids[:500])))
