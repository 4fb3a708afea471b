"""Classes of 令 (e.g. 紧急, 一般): administrators set the 接令, 报到 and 反馈 limits and who must turn up;
supervisors read them; every change is audited. An issued order keeps the rules it was issued with."""

from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired
from wtforms.validators import NumberRange

from admin_views import formatters as fmt
from admin_views.base import SecuredModelView
from admin_views.base import acting_user
from app.auth.access import ADMIN_ROLES
from app.auth.access import SUPERVISOR_ROLES
from app.command import field_order_classes
from app.command import field_orders
from models.deadline import Unit
from models.field_order import AttendeeLevel

AMOUNT = {"validators": [InputRequired(), NumberRange(min=1, max=1000)]}


def _limit(prefix):
    def formatter(view, context, model, name):
        return f"{getattr(model, f'{prefix}_amount')} {Unit.label_of(getattr(model, f'{prefix}_unit'))}"

    return formatter


class FieldOrderClassView(SecuredModelView):
    """The classes of order and their rules."""

    read_roles = SUPERVISOR_ROLES
    create_roles = ADMIN_ROLES
    edit_roles = ADMIN_ROLES
    delete_roles = frozenset()  # switch a class off instead: its orders keep pointing at it
    column_list = ("name", "ack", "check_in", "feedback", "min_level", "min_headcount", "active", "sort_order",
                   "updated_at")  # fmt: skip
    column_labels = {
        "name": _l("Name"),
        "ack": _l("Acknowledge within"),
        "check_in": _l("Check in within"),
        "feedback": _l("Report within (from the check-in)"),
        "ack_amount": _l("Acknowledge within"),
        "ack_unit": _l("Time unit"),
        "check_in_amount": _l("Check in within"),
        "check_in_unit": _l("Time unit"),
        "feedback_amount": _l("Report within (from the check-in)"),
        "feedback_unit": _l("Time unit"),
        "min_level": _l("Lowest level that must turn up"),
        "min_headcount": _l("Headcount"),
        "active": _l("Active"),
        "sort_order": _l("Sort order"),
        "updated_at": _l("Last changed"),
    }
    column_formatters = {
        "ack": _limit("ack"),
        "check_in": _limit("check_in"),
        "feedback": _limit("feedback"),
        "min_level": fmt.label,
    }
    column_details_list = ("name", "ack", "check_in", "feedback", "min_level", "min_headcount", "active",
                           "sort_order", "updated_at")  # fmt: skip
    column_formatters_detail = column_formatters
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_default_sort = "sort_order"
    form_columns = ("name", "ack_amount", "ack_unit", "check_in_amount", "check_in_unit", "feedback_amount",
                    "feedback_unit", "min_level", "min_headcount", "active", "sort_order")  # fmt: skip
    form_choices = {
        "ack_unit": Unit.choices(),
        "check_in_unit": Unit.choices(),
        "feedback_unit": Unit.choices(),
        "min_level": AttendeeLevel.choices(),
    }
    form_args = {
        "name": {"validators": [InputRequired()]},
        "ack_amount": AMOUNT,
        "check_in_amount": AMOUNT,
        "feedback_amount": AMOUNT,
        "min_headcount": {
            "validators": [InputRequired(), NumberRange(min=1, max=field_orders.MAX_ATTENDEES)]
        },
    }

    def on_model_change(self, form, model, is_created):
        """Audited in the same commit (the form's validators check the limits and the headcount)."""
        field_order_classes.record_class_change(model, acting_user(), is_created)
