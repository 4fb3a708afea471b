"""Deadline policies in the panel (endpoint ``deadline_policy``): administrators edit, staff read."""

import json

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms import ValidationError
from wtforms.validators import DataRequired
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from admin_views import formatters as fmt
from admin_views.base import SecuredModelView
from admin_views.base import acting_user
from app.deadlines.policies import validate_ladder
from app.extensions import db
from models.audit import ConfigChange
from models.deadline import LADDER_STEP_LABELS
from models.deadline import STAGE_LABELS
from models.deadline import UNIT_LABELS
from models.enums import GRADE_LABELS
from models.enums import REQUEST_TYPE_LABELS
from models.enums import choices
from models.jobstate import RecomputeRequest

AUDITED = (
    "name",
    "policy_set",
    "stage",
    "grade",
    "request_type",
    "category_id",
    "mailbox_id",
    "amount",
    "unit",
    "ladder",
    "max_extensions",
    "max_extension_amount",
    "priority",
    "active",
)


class JSONTextField(TextAreaField):
    """A text area holding JSON; the model gets the parsed value."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return json.dumps(self.data, ensure_ascii=False) if self.data is not None else ""

    def process_formdata(self, valuelist):
        if valuelist:
            try:
                self.data = json.loads(valuelist[0] or "[]")
            except ValueError:
                self.data = None
                raise ValueError(_("This is not valid JSON.")) from None


def _ladder_valid(form, field):
    try:
        field.data = validate_ladder(field.data)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None


def _ladder_text(view, context, model, name):
    parts = []
    for rung in model.ladder or []:
        label = str(LADDER_STEP_LABELS.get(rung.get("step"), rung.get("step")))
        if "percent" in rung:
            label += f" {rung['percent']}%"
        elif "minutes_before" in rung:
            label += " " + _("%(num)d min before", num=rung["minutes_before"])
        elif rung.get("minutes_after"):
            label += " " + _("+%(num)d min", num=rung["minutes_after"])
        parts.append(label)
    return " → ".join(parts)


def snapshot(policy) -> dict:
    """The audited fields of a policy as plain JSON values."""
    return {name: (str(v) if (v := getattr(policy, name)) is not None and name in ("stage", "unit") else v)
            for name in AUDITED}  # fmt: skip


class DeadlinePolicyView(SecuredModelView):
    """Policies: which cases, which stage, how long, and the warning and escalation ladder."""

    column_list = ("name", "policy_set", "stage", "grade", "request_type", "category", "mailbox",
                   "amount", "unit", "ladder", "priority", "active")  # fmt: skip
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
            'JSON list, e.g. [{"step": "warn", "percent": 80}, {"step": "breach"}, '
            '{"step": "escalate_supervisor", "minutes_after": 60}]'
        ),
        "priority": _l("Breaks ties between equally specific policies: higher wins."),
    }
    column_formatters = {
        "stage": fmt.labelled(STAGE_LABELS),
        "unit": fmt.labelled(UNIT_LABELS),
        "grade": fmt.labelled(GRADE_LABELS),
        "request_type": fmt.labelled(REQUEST_TYPE_LABELS),
        "ladder": _ladder_text,
    }
    column_formatters_detail = column_formatters
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    form_columns = ("name", "policy_set", "stage", "grade", "request_type", "category", "mailbox", "amount",
                    "unit", "ladder", "max_extensions", "max_extension_amount", "priority", "active", "note")  # fmt: skip
    form_overrides = {"ladder": JSONTextField}
    form_choices = {
        "stage": choices(STAGE_LABELS),
        "unit": choices(UNIT_LABELS),
        "grade": [("", "")] + choices(GRADE_LABELS),
        "request_type": [("", "")] + choices(REQUEST_TYPE_LABELS),
    }
    form_args = {
        "name": {"validators": [DataRequired()]},
        "amount": {"validators": [DataRequired(), NumberRange(min=1, max=100000)]},
        "ladder": {"validators": [_ladder_valid]},
        "max_extensions": {"validators": [Optional(), NumberRange(min=0, max=10)]},
        "max_extension_amount": {"validators": [Optional(), NumberRange(min=1, max=100000)]},
    }

    def on_model_change(self, form, model, is_created):
        """Blank criteria mean "any"; keep the before-image for the audit trail."""
        model.grade = model.grade or None
        model.request_type = model.request_type or None

    def edit_form(self, obj=None):
        """Capture the before-image (per request) when the edit form is built for a policy."""
        if obj is not None:
            g.policy_before = snapshot(obj)
        return super().edit_form(obj)

    def after_model_change(self, form, model, is_created):
        """Record the change and queue the recompute of the open deadlines it affects."""
        before = None if is_created else g.get("policy_before")
        self._record(model, "create" if is_created else "update", before, snapshot(model))

    def after_model_delete(self, model):
        """Record the deletion and queue a recompute."""
        self._record(model, "delete", snapshot(model), None)

    def _record(self, model, action, before, after):
        actor = acting_user()
        db.session.add(
            ConfigChange(
                actor_id=actor.id if actor else None,
                entity="deadline_policy",
                entity_key=str(model.id),
                action=action,
                before=before,
                after=after,
            )
        )
        stages = {s for s in ((before or {}).get("stage"), (after or {}).get("stage")) if s}
        db.session.add(
            RecomputeRequest(
                reason=f"deadline_policy {action} #{model.id}",
                scope={"stage": stages.pop()} if len(stages) == 1 else {},
                requested_by_id=actor.id if actor else None,
            )
        )
        db.session.commit()
