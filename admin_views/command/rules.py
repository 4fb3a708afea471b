"""The automatic 督办 rules: administrators set them, supervisors read them; every change is audited."""

from flask_babel import lazy_gettext as _l
from wtforms import ValidationError
from wtforms.validators import InputRequired
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from admin_views import formatters as fmt
from admin_views.base import SecuredModelView
from admin_views.base import acting_user
from app.auth.access import ADMIN_ROLES
from app.auth.access import SUPERVISOR_ROLES
from app.command import auto_rules
from models.command import RuleTrigger
from models.command import SupervisionLevel


class SupervisionRuleView(SecuredModelView):
    """When the system issues a 督办单 by itself: the trigger, its N, the level and the requirement."""

    read_roles = SUPERVISOR_ROLES
    create_roles = ADMIN_ROLES
    edit_roles = ADMIN_ROLES
    delete_roles = frozenset()  # switch a rule off instead: its orders keep pointing at it
    column_list = ("name", "trigger", "threshold", "level", "due_working_days", "active", "updated_at")
    column_labels = {
        "name": _l("Name"),
        "trigger": _l("Trigger"),
        "threshold": _l("N"),
        "level": _l("Supervision level"),
        "requirement": _l("Requirement"),
        "due_working_days": _l("Answer within (working days)"),
        "active": _l("Active"),
        "updated_at": _l("Last changed"),
    }
    column_formatters = {"trigger": fmt.label, "level": fmt.label}
    column_formatters_detail = column_formatters
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    form_columns = ("name", "trigger", "threshold", "level", "requirement", "due_working_days", "active")
    form_choices = {"trigger": RuleTrigger.choices(), "level": SupervisionLevel.choices()}
    form_args = {
        "name": {"validators": [InputRequired()]},
        "threshold": {"validators": [Optional(), NumberRange(min=1, max=365)]},
        "due_working_days": {"validators": [InputRequired(), NumberRange(min=1, max=60)]},
    }
    column_descriptions = {
        "threshold": _l(
            "For a repeat case: the time it is received (3 = the third); for overdue: working days."
        ),
    }

    def on_model_change(self, form, model, is_created):
        """Checked and audited in the same commit."""
        if reason := auto_rules.check_rule(model):
            raise ValidationError(reason)
        auto_rules.record_rule_change(model, acting_user(), is_created)
