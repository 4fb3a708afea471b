"""Staff accounts: administrators only. Passwords are set here, never shown; every change is audited."""

from flask import flash
from flask_admin.actions import action
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms import ValidationError
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import Regexp

from admin_views import formatters as fmt
from admin_views.base import SecuredModelView
from admin_views.base import acting_user
from app import audit
from app.auth.access import ADMIN_ROLES
from app.auth.login import unlock
from app.auth.passwords import set_password
from app.extensions import db
from app.validators import Phone
from models.audit import AuditAction
from models.audit import AuditEntity
from models.enums import LeaderRank
from models.enums import Role
from models.user import User

MIN_PASSWORD = 8


# What the trail keeps of an account: never the password or its hash (a reset is recorded as a step).
AUDITED = ("username", "display_name", "role", "leader_rank", "department", "phone", "email", "active")


def _audit(user: User, is_created: bool, password_set: bool) -> None:
    """The audit rows of an account's creation or edit (old → new), and of a password reset."""
    actor = acting_user()
    if is_created:
        db.session.flush()  # the row names the account by its id
        after = {name: audit.plain(getattr(user, name)) for name in AUDITED}
        audit.record(AuditEntity.USER, user.id, AuditAction.CREATE, actor, None, after)
        return
    audit.record_edit(AuditEntity.USER, user.id, audit.changes(user, AUDITED), actor)
    if password_set:
        audit.record(AuditEntity.USER, user.id, AuditAction.PASSWORD_RESET, actor, None, None)


class UserView(SecuredModelView):
    """Users, roles and departments; unlock accounts locked out after failed logins."""

    read_roles = ADMIN_ROLES
    action_roles = {"unlock": ADMIN_ROLES}
    delete_roles = frozenset()  # deactivate instead: events keep pointing at their actors

    column_list = (
        "username",
        "display_name",
        "role",
        "leader_rank",
        "department",
        "active",
        "last_login_at",
        "locked_until",
    )
    column_details_list = column_list + ("phone", "email", "failed_logins", "created_at")
    column_labels = {
        "username": _l("Username"),
        "display_name": _l("Display name"),
        "role": _l("Role"),
        "leader_rank": _l("Leader rank"),
        "department": _l("Department"),
        "active": _l("Active"),
        "last_login_at": _l("Last login"),
        "locked_until": _l("Locked until"),
        "phone": _l("Phone"),
        "email": _l("E-mail"),
        "failed_logins": _l("Failed logins"),
        "created_at": _l("Created"),
        "new_password": _l("New password"),
    }
    column_formatters = {"role": fmt.label, "leader_rank": fmt.label}
    column_formatters_detail = column_formatters
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_type_formatters_detail = fmt.LIST_TYPE_FORMATTERS
    column_searchable_list = ("username", "display_name")
    column_filters = (
        sqla_filters.FilterEqual(User.role, _l("Role"), options=Role.choices()),
        sqla_filters.BooleanEqualFilter(User.active, _l("Active")),
    )
    form_columns = (
        "username",
        "display_name",
        "role",
        "leader_rank",
        "department",
        "phone",
        "email",
        "active",
        "new_password",
    )
    form_extra_fields = {
        "new_password": PasswordField(
            _l("New password"),
            validators=[Optional(), Length(min=MIN_PASSWORD, message=_l("At least 8 characters."))],
        )
    }
    form_choices = {"role": Role.choices(), "leader_rank": LeaderRank.choices()}
    form_args = {
        "username": {
            "validators": [
                DataRequired(),
                Regexp(r"^[A-Za-z0-9_.-]{3,64}$", message=_l("Use 3-64 letters, digits, '.', '-' or '_'.")),
            ]
        },
        "display_name": {"validators": [DataRequired()]},
        "phone": {"validators": [Optional(), Phone()]},
        "email": {"validators": [Optional(), Email()]},
    }

    def on_model_change(self, form, model, is_created):
        """Handlers need a department; new accounts need a password."""
        if model.role == Role.HANDLER and model.department is None:
            raise ValidationError(_("A handler must belong to a department."))
        if model.role == Role.LEADER and not model.leader_rank:
            raise ValidationError(_("Give a leader a rank: it decides which 包案 he may hold."))
        if model.role != Role.LEADER:
            model.leader_rank = None
        if form.new_password.data:
            set_password(model, form.new_password.data)
        elif is_created:
            raise ValidationError(_("Set a password for the new account."))
        _audit(model, is_created, bool(form.new_password.data))

    @action("unlock", _l("Unlock"), _l("Unlock the selected accounts?"))
    def action_unlock(self, ids):
        """Clear lock-outs and failure counts."""
        users = self.scoped_ids(ids).all()
        for user in users:
            unlock(user)
            audit.record(AuditEntity.USER, user.id, AuditAction.UNLOCK, acting_user(), None, None)
        db.session.commit()
        flash(_("%(num)d accounts unlocked.", num=len(users)), "success")
