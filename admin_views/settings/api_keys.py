"""API keys of the systems that post cases through Open311 (endpoint ``api_key``, administrators only).

A key's plaintext is shown once, on the page that answers its creation or rotation (not in a flash
message, which would travel in the session cookie); only its prefix and hash are stored.
"""

from flask import g
from flask import make_response
from flask_admin import expose
from flask_admin.actions import action
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired
from wtforms.validators import Length

from admin_views import formatters as fmt
from admin_views.base import SecuredModelView
from admin_views.base import acting_user
from app import audit
from app.auth.access import ADMIN_ROLES
from app.auth.api_keys import SCHEME
from app.auth.api_keys import issue_key
from app.extensions import db
from models.audit import AuditAction
from models.audit import AuditEntity
from models.enums import Channel

AUDITED = ("name", "system", "mailbox", "channel", "active", "note")  # never the key or its hash


def _prefix(view, context, model, name):
    return f"{SCHEME}_{model.prefix}_…" if model.prefix else ""


class ApiKeyView(SecuredModelView):
    """Create, rotate and switch off the keys other systems use for ``POST /open311/v2/requests``."""

    read_roles = ADMIN_ROLES
    action_roles = {"rotate": ADMIN_ROLES}
    column_list = ("name", "system", "mailbox", "channel", "prefix", "active", "created_at", "last_used_at")
    column_details_list = column_list + ("note",)
    column_labels = {
        "name": _l("Name"),
        "system": _l("Owning system"),
        "mailbox": _l("Mailbox"),
        "channel": _l("Channel"),
        "prefix": _l("Key prefix"),
        "active": _l("Active"),
        "created_at": _l("Created"),
        "last_used_at": _l("Last used"),
        "note": _l("Note"),
    }
    column_formatters = {"channel": fmt.label, "prefix": _prefix}
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_searchable_list = ("name", "system")
    column_default_sort = ("created_at", True)
    form_columns = ("name", "system", "mailbox", "channel", "active", "note")
    form_choices = {"channel": Channel.choices()}
    form_args = {
        "name": {"validators": [DataRequired(), Length(max=100)]},
        "system": {"validators": [DataRequired(), Length(max=100)]},
    }

    def on_model_change(self, form, model, is_created):
        """A new row gets its key here; the plaintext waits on the row until the save has committed."""
        if is_created:
            model._plaintext = issue_key(model)
            db.session.flush()  # the audit row names the key by its id
            after = {name: audit.plain(getattr(model, name)) for name in AUDITED}
            audit.record(AuditEntity.API_KEY, model.id, AuditAction.KEY_ISSUED, acting_user(), None, after)
        else:
            audit.record_edit(AuditEntity.API_KEY, model.id, audit.changes(model, AUDITED), acting_user())
        super().on_model_change(form, model, is_created)

    def after_model_change(self, form, model, is_created):
        """Saved: the plaintext may now be shown (once)."""
        plaintext = getattr(model, "_plaintext", None)
        if is_created and plaintext:
            g.issued_api_keys = [(model.name, plaintext)]
            del model._plaintext
        super().after_model_change(form, model, is_created)

    @expose("/new/", methods=("GET", "POST"))
    def create_view(self):
        """Flask-Admin's create form; after a successful save, the one-time page with the new key."""
        response = super().create_view()
        issued = g.pop("issued_api_keys", None)
        return self._issued(issued) if issued else response

    @action(
        "rotate",
        _l("Rotate key"),
        _l("Issue new keys for the selected systems? Their current keys stop working at once."),
    )
    def action_rotate(self, ids):
        """Replace the selected rows' keys and show the new ones once."""
        rows = self.scoped_ids(ids).order_by(self.model.id).all()
        issued = [(row.name, issue_key(row)) for row in rows]
        for row in rows:
            audit.record(AuditEntity.API_KEY, row.id, AuditAction.KEY_ISSUED, acting_user(), None, None)
        db.session.commit()
        return self._issued(issued)

    def _issued(self, issued):
        response = make_response(self.render("admin/api_key/issued.html", issued=issued))
        response.headers["Cache-Control"] = "no-store"
        return response
