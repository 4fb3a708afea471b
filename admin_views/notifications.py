"""The in-app inbox (endpoint ``inbox``) and the outbox of deliveries for administrators (``notification``)."""

from flask import abort
from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from flask_admin import expose
from flask_admin.actions import action
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

from admin_views import formatters as fmt
from admin_views.base import SecuredModelView
from admin_views.base import SecuredView
from app.auth.access import ADMIN_ROLES
from app.auth.access import can_see_case
from app.extensions import db
from app.notifications import delivery
from app.notifications import inbox
from app.notifications import preferences
from app.notifications.bell import unread_count
from app.timeutil import utcnow
from models.notification import Channel as NotifyChannel
from models.notification import DeliveryStatus
from models.notification import NoticeKind
from models.notification import Notification


def _page_arg(value) -> int:
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return 0


class InboxView(SecuredView):
    """The logged-in user's own notifications."""

    page_size = 20

    @expose("/")
    def index(self):
        """The user's notifications, newest first, a page at a time."""
        page = _page_arg(request.args.get("page"))
        total = inbox.count(current_user)
        pages = max((total + self.page_size - 1) // self.page_size, 1)
        page = min(page, pages - 1)
        rows = inbox.page(current_user, page, self.page_size)
        items = [
            {
                "row": row,
                "case": row.case if row.case and can_see_case(current_user, row.case) else None,
                "links": inbox.links(row),
            }
            for row in rows
        ]
        return self.render(
            "admin/inbox.html",
            items=items,
            page=page,
            pages=pages,
            total=total,
            unread=unread_count(current_user),
            pager_url=lambda p: url_for(".index", page=p),
        )

    @expose("/preferences/", methods=("GET", "POST"))
    def preferences(self):
        """The user's channels per kind of notification: the inbox is always on, e-mail is theirs to choose."""
        if request.method == "POST":
            chosen = {tuple(value.split(":", 1)) for value in request.form.getlist("on") if ":" in value}
            preferences.save(current_user, chosen)
            db.session.commit()
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for(".preferences"))
        return self.render(
            "admin/notification_preferences.html",
            kinds=list(NoticeKind),
            channels=preferences.CHOOSABLE,
            choices=preferences.choices(current_user),
            has_email=bool(current_user.email),
        )

    @expose("/read/<int(min=1, max=9223372036854775807):notification_id>/", methods=("POST",))
    def mark_read(self, notification_id):
        """Mark one of the user's own notifications read; anyone else's answers 404."""
        if inbox.mark_read(current_user, notification_id, utcnow()) is None:
            abort(404)
        db.session.commit()
        return redirect(url_for(".index", page=_page_arg(request.form.get("page")) or None))

    @expose("/read-all/", methods=("POST",))
    def mark_all_read(self):
        """Mark every unread notification of the user read."""
        marked = inbox.mark_all_read(current_user, utcnow())
        db.session.commit()
        flash(_("%(num)d notifications marked as read.", num=marked), "success")
        return redirect(url_for(".index"))


STATUS_CLASSES = {
    DeliveryStatus.PENDING: "badge-warning",
    DeliveryStatus.SENT: "badge-success",
    DeliveryStatus.FAILED: "badge-danger",
}


def _status_badge(view, context, model, name):
    text = DeliveryStatus.label_of(model.status)
    return fmt.badge(text, STATUS_CLASSES.get(model.status, "badge-light"))


def _recipient(view, context, model, name):
    """Who the row is for: the person or department, then the address."""
    parts = [str(who) for who in (model.user, model.department) if who is not None]
    if model.address:
        parts.append(model.address)
    return " · ".join(parts)


def _short_error(view, context, model, name):
    error = model.last_error or ""
    if len(error) <= 80:
        return error
    return Markup('<span title="{}">{}…</span>').format(error, error[:80])


class OutboxView(SecuredModelView):
    """Every queued, sent and failed delivery; administrators retry failures here."""

    read_roles = ADMIN_ROLES
    create_roles = frozenset()
    edit_roles = frozenset()
    delete_roles = frozenset()
    action_roles = {"retry": ADMIN_ROLES}

    column_list = (
        "created_at",
        "status",
        "channel",
        "kind",
        "address",
        "subject",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
    )
    column_details_list = column_list + ("case", "body", "read_at", "data")
    column_default_sort = ("id", True)
    column_sortable_list = ("created_at", "status", "attempts", "next_attempt_at", "sent_at")
    column_searchable_list = ("subject", "address")
    column_labels = {
        "created_at": _l("Created"),
        "status": _l("Status"),
        "channel": _l("Channel"),
        "kind": _l("Kind"),
        "address": _l("Recipient"),
        "subject": _l("Subject"),
        "body": _l("Message"),
        "attempts": _l("Attempts"),
        "next_attempt_at": _l("Next attempt"),
        "last_error": _l("Last error"),
        "sent_at": _l("Sent at"),
        "read_at": _l("Read at"),
        "case": _l("Case"),
        "data": _l("Data"),
    }
    column_formatters = {
        "status": _status_badge,
        "channel": fmt.label,
        "address": _recipient,
        "last_error": _short_error,
        "case": fmt.link_to_case,
    }
    column_formatters_detail = {**column_formatters, "last_error": lambda v, c, m, n: m.last_error or ""}
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_type_formatters_detail = fmt.LIST_TYPE_FORMATTERS
    column_filters = (
        sqla_filters.FilterEqual(Notification.status, _l("Status"), options=DeliveryStatus.choices()),
        sqla_filters.FilterEqual(Notification.channel, _l("Channel"), options=NotifyChannel.choices()),
        sqla_filters.FilterEqual(Notification.kind, _l("Kind")),
    )

    @action("retry", _l("Retry"), _l("Send the selected failed deliveries again?"))
    def action_retry(self, ids):
        """Put failed rows back in the queue, due now, with a fresh series of attempts."""
        queued = delivery.requeue_failed(self.scoped_ids(ids).all(), utcnow())
        db.session.commit()
        flash(_("%(num)d deliveries queued again.", num=queued), "success")
