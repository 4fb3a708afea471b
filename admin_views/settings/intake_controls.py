"""Settings for the public front door: the ban list and the sensitive-word list (administrators only)."""

from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired
from wtforms.validators import Length

from admin_views import formatters as fmt
from admin_views.base import SecuredModelView
from app.auth.access import ADMIN_ROLES
from app.validators import normalise_phone
from models.intake_control import BanEntry
from models.intake_control import BanKind
from models.intake_control import SensitiveWord


class BanEntryView(SecuredModelView):
    """Phones and IP addresses whose letters and API posts are refused."""

    read_roles = ADMIN_ROLES
    column_list = ("kind", "value", "reason", "active", "created_at")
    column_labels = {
        "kind": _l("Kind"),
        "value": _l("Phone or IP"),
        "reason": _l("Reason"),
        "active": _l("Active"),
        "created_at": _l("Added"),
    }
    column_formatters = {"kind": fmt.label}
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_searchable_list = ("value",)
    form_columns = ("kind", "value", "reason", "active")
    form_choices = {"kind": BanKind.choices()}
    form_args = {"value": {"validators": [DataRequired(), Length(max=64)]}}

    def on_model_change(self, form, model, is_created):
        """Store phones the way submissions are compared (digits only)."""
        model.value = (model.value or "").strip()
        if model.kind == BanKind.PHONE:
            model.value = normalise_phone(model.value)
        super().on_model_change(form, model, is_created)


class SensitiveWordView(SecuredModelView):
    """Words that mark a letter 敏感件 for careful handling (the letter is still accepted)."""

    read_roles = ADMIN_ROLES
    column_list = ("word", "active")
    column_labels = {"word": _l("Word"), "active": _l("Active")}
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_searchable_list = ("word",)
    form_columns = ("word", "active")
    form_args = {"word": {"validators": [DataRequired(), Length(max=50)]}}


def add_views(admin, db) -> None:
    """Register the front-door settings under Settings."""
    admin.add_view(
        BanEntryView(BanEntry, db, name=_l("Ban list"), endpoint="ban_entry", category=_l("Settings"))
    )
    admin.add_view(
        SensitiveWordView(
            SensitiveWord, db, name=_l("Sensitive words"), endpoint="sensitive_word", category=_l("Settings")
        )
    )
