"""Reward payouts (平安奖励金) for volunteers' clues."""

from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import ValidationError
from wtforms.validators import DataRequired
from wtforms.validators import NumberRange

from admin_views import formatters as fmt
from admin_views.base import SecuredModelView
from admin_views.base import acting_user
from app.access import STAFF_ROLES
from app.access import SUPERVISOR_ROLES
from app.timeutil import utcnow
from models.enums import REWARD_STATUS_LABELS
from models.enums import RewardStatus
from models.enums import choices
from models.volunteer import RewardPayout


class RewardView(SecuredModelView):
    """Reward payouts. Anyone on the desk proposes; supervisors set the status."""

    create_roles = STAFF_ROLES - {"leader"}
    edit_roles = SUPERVISOR_ROLES
    export_roles = SUPERVISOR_ROLES

    column_list = (
        "volunteer",
        "case",
        "amount",
        "status",
        "proposed_by",
        "proposed_at",
        "approved_by",
        "paid_at",
    )
    column_details_list = column_list + ("reason", "approved_at")
    column_export_list = column_details_list
    column_labels = {
        "volunteer": _l("Volunteer"),
        "case": _l("Related case"),
        "amount": _l("Amount (yuan)"),
        "reason": _l("Reason"),
        "status": _l("Status"),
        "proposed_by": _l("Proposed by"),
        "proposed_at": _l("Time proposed"),
        "approved_by": _l("Approved by"),
        "approved_at": _l("Time approved"),
        "paid_at": _l("Time paid"),
    }
    column_formatters = {"status": fmt.labelled(REWARD_STATUS_LABELS), "case": fmt.link_to_case}
    column_formatters_detail = column_formatters
    column_formatters_export = {
        "status": fmt.labelled(REWARD_STATUS_LABELS),
        "case": lambda v, c, m, n: m.case.number if m.case else "",
    }
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_type_formatters_detail = fmt.LIST_TYPE_FORMATTERS
    column_type_formatters_export = fmt.EXPORT_TYPE_FORMATTERS
    column_default_sort = ("proposed_at", True)
    column_filters = (
        sqla_filters.FilterEqual(RewardPayout.status, _l("Status"), options=choices(REWARD_STATUS_LABELS)),
    )
    form_columns = ("volunteer", "case", "amount", "reason", "status")
    form_choices = {"status": choices(REWARD_STATUS_LABELS)}
    form_args = {
        "amount": {"validators": [DataRequired(), NumberRange(min=1, max=1000000)]},
        "reason": {"validators": [DataRequired()]},
        "volunteer": {"validators": [DataRequired()]},
    }
    form_ajax_refs = {
        "volunteer": {"fields": ["name", "phone"], "page_size": 10, "minimum_input_length": 1},
        "case": {"fields": ["number", "title"], "page_size": 10, "minimum_input_length": 2},
    }

    def create_form(self, obj=None):
        """New proposals always start as proposed."""
        form = super().create_form(obj)
        del form.status
        return form

    def on_model_change(self, form, model, is_created):
        """Record who proposed and who approved, and when."""
        now = utcnow()
        if is_created:
            model.status = RewardStatus.PROPOSED
            model.proposed_by = acting_user()
            model.proposed_at = now
            return
        if model.status in (RewardStatus.APPROVED, RewardStatus.PAID) and model.approved_by is None:
            model.approved_by = acting_user()
            model.approved_at = now
        if model.status == RewardStatus.PAID and model.paid_at is None:
            model.paid_at = now
        if model.status == RewardStatus.PROPOSED and model.approved_by is not None:
            raise ValidationError(_("An approved reward cannot go back to proposed."))
