"""The texts sent to citizens (endpoint ``sms``): for administrators and supervisors, phones masked per role."""

from flask import flash
from flask_admin.actions import action
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from admin_views import formatters as fmt
from admin_views.base import SecuredModelView
from admin_views.notifications import STATUS_CLASSES
from app.auth.access import SUPERVISOR_ROLES
from app.extensions import db
from app.notifications import sms
from app.timeutil import utcnow
from models.notification import DeliveryStatus
from models.sms import SmsKind
from models.sms import SmsMessage


def _status_badge(view, context, model, name):
    return fmt.badge(DeliveryStatus.label_of(model.status), STATUS_CLASSES.get(model.status, "badge-light"))


class SmsView(SecuredModelView):
    """Every text queued, sent or failed; a failed one can be sent again."""

    read_roles = SUPERVISOR_ROLES
    create_roles = frozenset()
    edit_roles = frozenset()
    delete_roles = frozenset()
    action_roles = {"retry": SUPERVISOR_ROLES}

    column_list = (
        "created_at",
        "status",
        "kind",
        "case",
        "phone",
        "text",
        "attempts",
        "sent_at",
        "last_error",
    )
    column_details_list = (*column_list, "next_attempt_at")
    column_default_sort = ("id", True)
    column_sortable_list = ("created_at", "status", "attempts", "sent_at")
    free_text_columns = ("text", "last_error")
    column_labels = {
        "created_at": _l("Created"),
        "status": _l("Status"),
        "kind": _l("Kind"),
        "case": _l("Case"),
        "phone": _l("Mobile phone"),
        "text": _l("Text message"),
        "attempts": _l("Attempts"),
        "next_attempt_at": _l("Next attempt"),
        "sent_at": _l("Sent at"),
        "last_error": _l("Last error"),
    }
    column_formatters = {
        "status": _status_badge,
        "kind": fmt.label,
        "case": fmt.link_to_case,
        "phone": fmt.masked("citizen_phone"),
    }
    column_formatters_detail = column_formatters
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_type_formatters_detail = fmt.LIST_TYPE_FORMATTERS
    column_filters = (
        sqla_filters.FilterEqual(SmsMessage.status, _l("Status"), options=DeliveryStatus.choices()),
        sqla_filters.FilterEqual(SmsMessage.kind, _l("Kind"), options=SmsKind.choices()),
    )

    @action("retry", _l("Retry"), _l("Send the selected failed text messages again?"))
    def action_retry(self, ids):
        """Put failed texts back in the queue, due now, with a fresh series of attempts."""
        queued = sms.requeue_failed(self.scoped_ids(ids).all(), utcnow())
        db.session.commit()
        flash(_("%(num)d text messages queued again.", num=queued), "success")
