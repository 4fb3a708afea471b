"""即接即办 scopes and 标准用语 (reply templates): the settings pages an administrator keeps.

Scopes (endpoint ``direct_answer_scope``) are the administrators'; templates (endpoint ``reply_template``)
are kept by administrators and supervisors. The rules and the audit rows live in
:mod:`app.cases.direct_answer` and :mod:`app.cases.wording`; these views only call them.
"""

from flask import g
from flask_babel import lazy_gettext as _l
from wtforms import ValidationError
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from admin_views import formatters as fmt
from admin_views.base import SecuredModelView
from admin_views.base import acting_user
from app.auth.access import ADMIN_ROLES
from app.auth.access import SUPERVISOR_ROLES
from app.cases import direct_answer
from app.cases import wording
from app.extensions import db
from models.org import Category
from models.wording import DirectAnswerScope
from models.wording import ReplyTemplate

SETTINGS = _l("Settings")


def _categories():
    """Active categories, level-1 ones first, in their sort order."""
    return (
        db.session.query(Category)
        .filter(Category.active.is_(True))
        .order_by(Category.parent_id.is_not(None), Category.sort_order, Category.id)
    )


def _known_placeholders(form, field):
    """Refuse a text with a placeholder that is not one of :data:`app.cases.wording.PLACEHOLDERS`."""
    if reason := wording.placeholder_refusal(field.data):
        raise ValidationError(reason)


class DirectAnswerScopeView(SecuredModelView):
    """Which requests an intake clerk may answer on the spot: a request type, a category, or both."""

    read_roles = create_roles = edit_roles = delete_roles = ADMIN_ROLES
    column_list = ("request_type", "category", "active", "note", "updated_at")
    column_details_list = column_list
    column_labels = {
        "request_type": _l("Request type"),
        "category": _l("Category"),
        "active": _l("Active"),
        "note": _l("Note"),
        "updated_at": _l("Last changed"),
    }
    column_descriptions = {
        "category": _l("A level-1 category covers its sub-categories. Leave blank for any category."),
        "request_type": _l("Leave blank for any request type."),
    }
    column_formatters = {"request_type": fmt.label}
    column_formatters_detail = column_formatters
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    form_columns = ("request_type", "category", "active", "note")
    form_args = {
        "category": {"query_factory": _categories},
        "note": {"validators": [Optional(), Length(max=200)]},
    }

    def on_model_change(self, form, model, is_created):
        """Checked and audited in the same commit."""
        model.request_type = model.request_type or None
        if reason := direct_answer.check_scope(model):
            raise ValidationError(reason)
        direct_answer.record_scope_change(model, acting_user(), g.get("wording_before"), is_created)

    def edit_form(self, obj=None):
        """Keep the scope's image as it was (per request), for the audit row of the edit."""
        if obj is not None:
            g.wording_before = direct_answer.scope_snapshot(obj)
        return super().edit_form(obj)

    def on_model_delete(self, model):
        """The deletion is audited in the same commit."""
        direct_answer.record_scope_deletion(model, acting_user())


class ReplyTemplateView(SecuredModelView):
    """标准用语: reply texts with placeholders, per category or general, offered beside every reply."""

    read_roles = create_roles = edit_roles = delete_roles = SUPERVISOR_ROLES
    column_list = ("title", "category", "active", "sort_order", "updated_at")
    column_details_list = ("title", "category", "body", "active", "sort_order", "updated_at")
    column_default_sort = ("sort_order", False)
    column_searchable_list = ("title",)
    column_labels = {
        "title": _l("Title"),
        "category": _l("Category"),
        "body": _l("Template text"),
        "active": _l("Active"),
        "sort_order": _l("Sort order"),
        "updated_at": _l("Last changed"),
    }
    column_descriptions = {
        "category": _l("Offered for cases of this category and its sub-categories; blank: for every case."),
        "body": _l(
            "Placeholders, filled in for each case: %(placeholders)s",
            placeholders=" ".join(f"{{{name}}}" for name in wording.PLACEHOLDERS),
        ),
    }
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    form_columns = ("title", "category", "body", "active", "sort_order")
    form_args = {
        "title": {"validators": [InputRequired(), Length(max=100)]},
        "body": {"validators": [InputRequired(), _known_placeholders]},
        "category": {"query_factory": _categories},
        "sort_order": {"validators": [Optional(), NumberRange(min=0, max=9999)]},
    }
    form_widget_args = {"body": {"rows": 8}}

    def on_model_change(self, form, model, is_created):
        """Checked and audited in the same commit."""
        model.sort_order = model.sort_order or 0
        if reason := wording.check_template(model):
            raise ValidationError(reason)
        wording.record_template_change(model, acting_user(), g.get("wording_before"), is_created)

    def edit_form(self, obj=None):
        """Keep the template's image as it was (per request), for the audit row of the edit."""
        if obj is not None:
            g.wording_before = wording.template_snapshot(obj)
        return super().edit_form(obj)

    def on_model_delete(self, model):
        """The deletion is audited in the same commit."""
        wording.record_template_deletion(model, acting_user())


def register(admin) -> None:
    """Add the wording settings pages to the panel."""
    admin.add_view(
        DirectAnswerScopeView(
            DirectAnswerScope,
            db,
            name=_l("Answer on the spot: scope"),
            endpoint="direct_answer_scope",
            category=SETTINGS,
        )
    )
    admin.add_view(
        ReplyTemplateView(
            ReplyTemplate, db, name=_l("Standard wording"), endpoint="reply_template", category=SETTINGS
        )
    )
