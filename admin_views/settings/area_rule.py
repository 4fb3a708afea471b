"""The area board's colour rule: administrators edit the one row; every edit is audited."""

from flask_babel import lazy_gettext as _l
from wtforms import FloatField
from wtforms.validators import InputRequired
from wtforms.validators import NumberRange

from admin_views.base import SecuredModelView
from admin_views.base import acting_user
from app.auth.access import ADMIN_ROLES
from app.auth.access import SUPERVISOR_ROLES
from app.reports.dashboard import record_rule_change

SHARE = [InputRequired(), NumberRange(min=0, max=1)]
COUNT = [InputRequired(), NumberRange(min=1, max=100000)]


class AreaColourRuleView(SecuredModelView):
    """When a street or community shows red, yellow or green on the dashboard."""

    read_roles = SUPERVISOR_ROLES
    create_roles = frozenset()
    edit_roles = ADMIN_ROLES
    delete_roles = frozenset()
    column_list = (
        "red_open_red_cases",
        "red_overdue_share",
        "yellow_overdue_share",
        "yellow_open_cases",
        "updated_at",
    )
    column_labels = {
        "red_open_red_cases": _l("Red: open red-grade cases at least"),
        "red_overdue_share": _l("Red: share of open cases overdue above (0–1)"),
        "yellow_overdue_share": _l("Yellow: share of open cases overdue above (0–1)"),
        "yellow_open_cases": _l("Yellow: open cases at least"),
        "updated_at": _l("Last changed"),
    }
    form_columns = ("red_open_red_cases", "red_overdue_share", "yellow_overdue_share", "yellow_open_cases")
    # Flask-Admin has no converter for Float columns: without these the share fields would silently be left out
    form_overrides = {"red_overdue_share": FloatField, "yellow_overdue_share": FloatField}
    form_args = {
        "red_open_red_cases": {"validators": COUNT},
        "red_overdue_share": {"validators": SHARE},
        "yellow_overdue_share": {"validators": SHARE},
        "yellow_open_cases": {"validators": COUNT},
    }

    def on_model_change(self, form, model, is_created):
        """Audited in the same commit."""
        record_rule_change(model, acting_user())
