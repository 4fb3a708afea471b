"""The audit trail (endpoint ``audit_log``): every audited change, read-only, for supervisors and admins."""

import json

from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from admin_views import formatters as fmt
from admin_views.base import SecuredModelView
from app.auth.access import SUPERVISOR_ROLES
from models.audit import AuditAction
from models.audit import AuditEntity
from models.audit import ConfigChange


def _json(view, context, model, name):
    """A before/after record as compact, escaped JSON (Chinese kept readable)."""
    value = getattr(model, name)
    if value is None:
        return ""
    return Markup("<code class='small text-break'>{}</code>").format(json.dumps(value, ensure_ascii=False))


class AuditLogView(SecuredModelView):
    """Who changed what and when: policies, calendar, roster, personal links, clues, rewards, funds."""

    read_roles = SUPERVISOR_ROLES
    create_roles = edit_roles = delete_roles = frozenset()
    export_roles = SUPERVISOR_ROLES

    column_list = ("at", "actor", "entity", "entity_key", "action", "before", "after")
    column_details_list = column_list
    column_export_list = column_list
    column_labels = {
        "at": _l("Time"),
        "actor": _l("By"),
        "entity": _l("What"),
        "entity_key": _l("Record"),
        "action": _l("Action"),
        "before": _l("Before"),
        "after": _l("After"),
    }
    column_formatters = {
        "entity": fmt.label,
        "action": fmt.label,
        "before": _json,
        "after": _json,
    }
    column_formatters_detail = column_formatters
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_type_formatters_export = fmt.EXPORT_TYPE_FORMATTERS
    column_default_sort = ("at", True)
    column_sortable_list = ("at",)
    column_filters = (
        sqla_filters.FilterEqual(ConfigChange.entity, _l("What"), options=AuditEntity.choices()),
        sqla_filters.FilterEqual(ConfigChange.action, _l("Action"), options=AuditAction.choices()),
        sqla_filters.DateTimeBetweenFilter(ConfigChange.at, _l("Time")),
        sqla_filters.FilterEqual(ConfigChange.entity_key, _l("Record")),
    )
