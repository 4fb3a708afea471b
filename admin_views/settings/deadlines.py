"""Deadline policies in the panel (endpoint ``deadline_policy``): administrators edit, staff read."""

from flask import g
from flask import url_for
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from admin_views import formatters as fmt
from admin_views.base import SecuredModelView
from admin_views.base import acting_user
from admin_views.settings.ladder_form import LadderField
from admin_views.settings.ladder_form import ladder_summary
from app.deadlines.policies import ladder
from app.deadlines.policies import policy_snapshot
from app.deadlines.policies import record_policy_change
from app.extensions import db
from models.audit import AuditAction
from models.deadline import ClockAnchor
from models.deadline import Stage
from models.deadline import Unit
from models.enums import Grade
from models.enums import RequestType

STEP_START = _l("The start of the step")


def _ladder_text(view, context, model, name):
    return ladder_summary(model.ladder)


def _starts_from_text(view, context, model, name):
    return ClockAnchor.label_of(str(model.starts_from)) if model.starts_from else STEP_START


class DeadlinePolicyView(SecuredModelView):
    """Policies: which cases, which stage, how long, and the warning and escalation ladder."""

    column_list = ("name", "policy_set", "stage", "grade", "request_type", "category", "mailbox",
                   "amount", "unit", "starts_from", "ladder", "priority", "active")  # fmt: skip
    column_details_list = column_list + ("max_extensions", "max_extension_amount", "note", "updated_at")
    column_default_sort = ("stage", False)
    column_filters = ("stage", "policy_set", "active", "grade", "request_type")
    column_searchable_list = ("name", "policy_set")
    column_labels = {
        "name": _l("Name"),
        "policy_set": _l("Policy set"),
        "stage": _l("Stage"),
        "grade": _l("Grade"),
        "request_type": _l("Request type"),
        "category": _l("Category"),
        "mailbox": _l("Mailbox"),
        "amount": _l("Time limit"),
        "unit": _l("Unit"),
        "starts_from": _l("Clock starts from"),
        "ladder": _l("Warning and escalation ladder"),
        "max_extensions": _l("Extensions allowed"),
        "max_extension_amount": _l("Longest extension"),
        "priority": _l("Priority"),
        "active": _l("Active"),
        "note": _l("Note"),
        "updated_at": _l("Updated"),
    }
    column_descriptions = {
        "ladder": _l(
            "One row per reminder: a level may appear once; a warning comes before the due time. Times "
            "before or after the due time are clock time. Blank rows are ignored."
        ),
        "priority": _l("Breaks ties between equally specific policies: higher wins."),
        "starts_from": _l(
            "The event the time limit counts from when it has already happened as the step starts (e.g. "
            "signing counted from receipt). Blank: from the start of the step. A step restarted after a "
            "return or re-dispatch counts from the restart."
        ),
    }
    column_formatters = {
        "stage": fmt.label,
        "unit": fmt.label,
        "starts_from": _starts_from_text,
        "grade": fmt.label,
        "request_type": fmt.label,
        "ladder": _ladder_text,
    }
    column_formatters_detail = column_formatters
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    form_columns = ("name", "policy_set", "stage", "grade", "request_type", "category", "mailbox", "amount",
                    "unit", "starts_from", "ladder", "max_extensions", "max_extension_amount", "priority", "active", "note")  # fmt: skip
    form_overrides = {"ladder": LadderField}
    form_choices = {
        "stage": Stage.choices(),
        "unit": Unit.choices(),
        "starts_from": [("", STEP_START)] + ClockAnchor.choices(),
        "grade": [("", "")] + Grade.choices(),
        "request_type": [("", "")] + RequestType.choices(),
    }
    form_args = {
        "name": {"validators": [DataRequired()]},
        "amount": {"validators": [DataRequired(), NumberRange(min=1, max=100000)]},
        "max_extensions": {"validators": [Optional(), NumberRange(min=0, max=10)]},
        "max_extension_amount": {"validators": [Optional(), NumberRange(min=1, max=100000)]},
    }

    @property
    def extra_css(self):
        """The ladder rows' styles (a card per row on a phone)."""
        return [url_for("static", filename="ladder.css")]

    @property
    def extra_js(self):
        """The ladder rows' script (adds rows, shows who hears each level)."""
        return [url_for("static", filename="ladder.js")]

    def on_model_change(self, form, model, is_created):
        """Blank criteria mean "any"; the change is audited and its recompute queued in the same commit."""
        model.grade = model.grade or None
        model.request_type = model.request_type or None
        model.starts_from = model.starts_from or None
        db.session.flush()  # a new policy's id, for the audit row
        before = None if is_created else g.get("policy_before")
        action = AuditAction.CREATE if is_created else AuditAction.UPDATE
        record_policy_change(model, action, before, policy_snapshot(model), acting_user())

    def create_form(self, obj=None):
        """A new policy starts from the standard ladder (warning at 80 %, then overdue)."""
        form = super().create_form(obj)
        if not form.ladder.posted:
            form.ladder.show(ladder())
        return form

    def edit_form(self, obj=None):
        """Capture the before-image (per request) when the edit form is built for a policy."""
        if obj is not None:
            g.policy_before = policy_snapshot(obj)
        return super().edit_form(obj)

    def on_model_delete(self, model):
        """The deletion is audited and its recompute queued in the same commit."""
        record_policy_change(model, AuditAction.DELETE, policy_snapshot(model), None, acting_user())
