"""The audit trail (endpoint ``audit_log``): every audited change, read-only, for supervisors and admins.

Changes read as Chinese field labels and values: :func:`field_label` is the one place that names an audited
field, from the column labels of the views over the entity's model (a ``…_id`` column by its relationship's
label) and the labels of the trail's own details below; :func:`app.audit.describe` renders the values.
Personal numbers are shown as far as the reader's role may see them.
"""

from datetime import datetime

from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import Integer
from sqlalchemy import inspect

from admin_views import formatters as fmt
from admin_views.base import LazyOptions
from admin_views.base import SecuredModelView
from admin_views.cases.search import LocalDateBetweenFilter
from app import audit
from app.auth import pii
from app.auth.access import SUPERVISOR_ROLES
from app.extensions import db
from app.reports.rates import RATES
from app.reports.score_schemes import DEDUCTION_LABELS
from app.timeutil import format_local
from models.audit import AuditAction
from models.audit import AuditEntity
from models.audit import ConfigChange
from models.user import User

# The trail's own details (sign-ins, exports, supervision orders, views of full numbers, key use).
DETAILS = {
    "ip": _l("IP address"),
    "locked_until": _l("Locked until"),
    "view": _l("List"),
    "filters": _l("Filters"),
    "rows": _l("Rows"),
    "personal": _l("Personal data in full"),
    "where": _l("Viewed on"),
    "order": _l("Order no."),
    "departments": _l("Departments addressed"),
    "due_at": _l("Due"),
    "count": _l("Count"),
    "fund_id": _l("Reward fund"),
    "file": _l("File name"),
    "added": _l("Added (count)"),
    "updated": _l("Updated (count)"),
    "unchanged": _l("Unchanged (count)"),
    "created": _l("Filled in (count)"),
    "kept_admin": _l("Days kept as set by hand"),
    "unsupported": _l("Years the package lacks"),
    "days": _l("Days"),
    "status": _l("Status"),
    "scheme_id": _l("Scoring scheme"),
    "weights": _l("Weights of the rates"),
    "deductions": _l("Points off"),
    "max_deduction": _l("Most points off"),
    "effective_from": _l("Effective from"),
    "note": _l("Note"),
}
# Keys inside a stored mapping (a scoring scheme's weights and deductions)
INNER = {**{rate.key: rate.label for rate in RATES}, **DEDUCTION_LABELS}
WHERE = {"page": _l("Case page"), "edit": _l("Edit form")}
MAX_VALUE = 120  # longer text (a case's content) is cut on the list; the details page has it all


def _labels_by_model(admin) -> dict:
    """Model name -> field -> label, merged from every registered view's column labels."""
    found: dict[str, dict] = {}
    for view in admin._views:
        model = getattr(view, "model", None)
        if model is None:
            continue
        labels = found.setdefault(model.__name__, {})
        for name, label in (view.column_labels or {}).items():
            labels.setdefault(name, label)
        for rel in inspect(model).relationships:
            if rel.key in labels:
                for column in rel.local_columns:
                    labels.setdefault(column.key, labels[rel.key])
    return found


def field_label(view, entity: str, field: str) -> str:
    """The label of an audited field, never its code (an unknown one reads "other detail")."""
    if not hasattr(view, "_model_labels"):
        view._model_labels = _labels_by_model(view.admin)
    model = audit.model_of(entity)
    labels = view._model_labels.get(model.__name__, {}) if model is not None else {}
    label = labels.get(field) or DETAILS.get(field) or _("Other detail")
    return str(label)


def _value(entity: str, field: str, value) -> str:
    """One stored value as the reader may see it."""
    if isinstance(value, dict):
        return "；".join(f"{INNER.get(k, _('Other detail'))} {v}" for k, v in value.items()) or _("(nothing)")
    if isinstance(value, list):
        return "；".join(_value(entity, field, item) for item in value) if value else _("(nothing)")
    if field == "where" and value in WHERE:
        return str(WHERE[value])
    if isinstance(value, str) and field.endswith(("_at", "_until")):
        try:
            return format_local(datetime.fromisoformat(value))
        except ValueError:
            pass
    model = audit.model_of(entity)
    policy = pii.COLUMNS.get((model.__name__, field)) if model is not None else None
    if policy is not None and isinstance(value, str):
        return pii.reveal(policy, value, current_user)
    return audit.describe(entity, field, value)


def change_lines(view, row: ConfigChange) -> list[tuple[str, str]]:
    """The row's change as (label, text) pairs: old → new for an edit, the values otherwise."""
    before, after, lines = row.before or {}, row.after or {}, []
    if row.hits:
        lines.append((str(DETAILS["count"]), str(row.hits)))
    for field in list(dict.fromkeys([*before, *after])):
        if before and after and before.get(field) == after.get(field):
            continue  # an image of the whole record: only what changed is news
        label = field_label(view, row.entity, field)
        if before and after and field in before and field in after:
            text = f"{_value(row.entity, field, before[field])} → {_value(row.entity, field, after[field])}"
        else:
            text = _value(row.entity, field, after[field] if field in after else before[field])
        lines.append((label, text))
    return lines


def _changes(view, context, row, name, cut: int | None = MAX_VALUE):
    lines = change_lines(view, row)
    items = Markup("").join(
        Markup("<li><span class='text-muted'>{}：</span>{}</li>").format(
            label, text if cut is None or len(text) <= cut else text[:cut] + "…"
        )
        for label, text in lines
    )
    return Markup("<ul class='list-unstyled small mb-0 audit-changes'>{}</ul>").format(items) if lines else ""


def _changes_text(view, context, row, name):
    return "；".join(f"{label}：{text}" for label, text in change_lines(view, row))


def _actor(view, context, row, name):
    user = row.actor
    if user is None:
        return _("System") if row.action != AuditAction.SIGN_IN_FAILED else _("Unknown")
    return f"{user.display_name}（{user.department.name}）" if user.department else user.display_name


def _record(view, context, row, name):
    """The record a row is about: a case by its number, an export by its list, an account by its name."""
    if row.entity == AuditEntity.EXPORT:
        return (row.after or {}).get("view", "")
    if row.entity == AuditEntity.VOLUNTEER_IMPORT:  # keyed by an upload token: the file name says more
        return (row.after or {}).get("file", "")
    if row.entity_key == "bulk":
        return _("Several records")
    model = audit.model_of(row.entity)
    keys = inspect(model).primary_key if model is not None else ()
    if (
        len(keys) == 1
        and isinstance(keys[0].type, Integer)
        and row.entity_key.isdigit()
        and len(row.entity_key) < 19
    ):
        found = db.session.get(model, int(row.entity_key))
        if found is not None and row.entity == AuditEntity.CASE:
            return fmt.case_link(found)
        return audit.plain(found) if found is not None else f"#{row.entity_key}"
    return "" if row.entity_key in ("-", "") else row.entity_key


class RecordFilter(sqla_filters.FilterEqual):
    """The record an audit row is about: its id, or a case by its number."""

    def apply(self, query, value, alias=None):
        """Rows whose key is the value, or the id of the case numbered so."""
        keys = {value.strip()}
        case = audit.model_of(AuditEntity.CASE)
        if (found := db.session.query(case.id).filter(case.number == value.strip()).scalar()) is not None:
            keys.add(str(found))
        return query.filter(self.get_column(alias).in_(keys))


def _actor_options():
    rows = db.session.query(User).order_by(User.display_name).all()
    return [(u.id, f"{u.display_name}（{u.username}）") for u in rows]


class AuditLogView(SecuredModelView):
    """Who changed, viewed, exported or signed in to what and when; filtered by person, record and day."""

    read_roles = SUPERVISOR_ROLES
    create_roles = edit_roles = delete_roles = frozenset()
    export_roles = SUPERVISOR_ROLES
    list_template = "admin/audit_log/list.html"

    column_list = ("at", "actor", "entity", "entity_key", "action", "changes")
    column_details_list = column_list
    column_export_list = column_list
    column_labels = {
        "at": _l("Time"),
        "actor": _l("By"),
        "entity": _l("What"),
        "entity_key": _l("Record"),
        "action": _l("Action"),
        "changes": _l("Details"),
    }
    column_formatters = {
        "entity": fmt.label,
        "action": fmt.label,
        "actor": _actor,
        "entity_key": _record,
        "changes": _changes,
    }
    column_formatters_detail = {**column_formatters, "changes": lambda v, c, m, n: _changes(v, c, m, n, None)}
    column_formatters_export = {**column_formatters, "changes": _changes_text}
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_type_formatters_export = fmt.EXPORT_TYPE_FORMATTERS
    column_default_sort = ("at", True)
    column_sortable_list = ("at",)
    column_filters = (
        sqla_filters.FilterEqual(ConfigChange.actor_id, _l("By"), options=LazyOptions(_actor_options)),
        sqla_filters.FilterEqual(ConfigChange.entity, _l("What"), options=AuditEntity.choices()),
        RecordFilter(ConfigChange.entity_key, _l("Record")),
        sqla_filters.FilterEqual(ConfigChange.action, _l("Action"), options=AuditAction.choices()),
        LocalDateBetweenFilter(ConfigChange.at, _l("Day")),
    )
