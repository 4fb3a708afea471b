"""Column formatters shared by the views: local times, translated codes, badges, masked PII."""

from datetime import date
from datetime import datetime
from decimal import Decimal

from flask_admin.model import typefmt
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from markupsafe import escape

from app.auth.pii import reveal
from app.timeutil import format_local


def _local_datetime(view, value, name=None):
    return format_local(value)


def _yes_no(view, value, name=None):
    return _("Yes") if value else _("No")


def _plain(view, value, name=None):
    return "" if value is None else str(value)


def _tick(view, value, name=None):
    """Flask-Admin's tick or dash, titled 是 / 否 (its own title reads "active: true")."""
    word = _("Yes") if value else _("No")
    icon = "fa-check-circle" if value else "fa-minus-circle"
    tick = Markup('<span class="fa {}" title="{}" aria-label="{}" role="img"></span>')
    return tick.format(icon, word, word)


LIST_TYPE_FORMATTERS = dict(typefmt.BASE_FORMATTERS)
LIST_TYPE_FORMATTERS.update({datetime: _local_datetime, date: lambda v, d, n=None: d.isoformat()})
LIST_TYPE_FORMATTERS[bool] = _tick

EXPORT_TYPE_FORMATTERS = dict(typefmt.EXPORT_FORMATTERS)
EXPORT_TYPE_FORMATTERS.update(
    {datetime: _local_datetime, bool: _yes_no, Decimal: _plain, date: lambda v, d, n=None: d.isoformat()}
)


def label(view, context, model, name):
    """The translated label of a code column (a labelled enum member; an unknown code as it is)."""
    value = getattr(model, name)
    return "" if value is None else str(getattr(value, "label", value))


def masked(field: str, attribute: str | None = None):
    """Formatter showing personal data only as far as the current role may see it."""

    def fmt(view, context, model, name):
        return reveal(field, getattr(model, attribute or name), current_user)

    return fmt


GRADE_CLASSES = {"red": "badge-danger", "yellow": "badge-warning", "green": "badge-success"}
STATUS_CLASSES = {
    "new": "badge-info",
    "registered": "badge-primary",
    "dispatched": "badge-warning",
    "in_progress": "badge-primary",
    "replied": "badge-secondary",
    "closed": "badge-success",
    "rejected": "badge-dark",
    "merged": "badge-light",
}


def badge(text, css_class: str) -> Markup:
    """A Bootstrap badge with escaped text."""
    return Markup('<span class="badge {}">{}</span>').format(css_class, text)


def grade_badge(view, context, model, name):
    """Grade as a coloured badge."""
    grade = getattr(model, name)
    return badge(getattr(grade, "label", grade), GRADE_CLASSES.get(grade, "badge-light"))


URGENCY_CLASSES = {"red": "badge-danger", "yellow": "badge-warning", "green": "badge-success"}


def due_badge(view, context, model, name):
    """The next due time, coloured by the case's urgency; blank when no clock runs."""
    due = getattr(model, name)
    if due is None:
        return ""
    return badge(format_local(due, "%m-%d %H:%M"), URGENCY_CLASSES.get(model.urgency, "badge-light"))


def status_badge(view, context, model, name):
    """Status as a badge."""
    status = getattr(model, name)
    return badge(getattr(status, "label", status), STATUS_CLASSES.get(status, "badge-light"))


def case_flags(model) -> list:
    """Translated names of the flags set on a case."""
    names = []
    if model.is_repeat:
        names.append(_("Repeat"))
    if model.is_sensitive:
        names.append(_("Sensitive"))
    if model.is_key:
        names.append(_("Key"))
    if model.is_supervised:
        names.append(_("Supervised"))
    return names


def flags_badges(view, context, model, name):
    """The case flags as small badges."""
    return Markup(" ").join(badge(flag, "badge-outline badge-secondary") for flag in case_flags(model))


def flags_text(view, context, model, name):
    """The case flags as text, for export."""
    return "、".join(case_flags(model))


def case_link(case) -> Markup | str:
    """A case number linking to its page."""
    from flask import url_for

    if case is None:
        return ""
    return Markup('<a href="{}">{}</a>').format(url_for("case.details_view", id=case.id), escape(case.number))


def number_link(view, context, model, name):
    """The row's own case number as a link."""
    return case_link(model)


def link_to_case(view, context, model, name):
    """A related case (repeat of, merged into) as a link."""
    return case_link(getattr(model, name))
