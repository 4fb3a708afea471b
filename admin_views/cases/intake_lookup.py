"""The base of the intake form's look-ups (来电历史, suggested grade, suggested category): POST-only views that
the form's scripts call with the CSRF token in ``X-CSRFToken``, for intake roles, never in the menu, each
counted per user so the register cannot be read off by scripted guessing."""

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from admin_views.base import SecuredView
from app import ratelimit
from app.auth.access import INTAKE_ROLES


class IntakeLookupView(SecuredView):
    """A look-up behind an intake form script; subclasses name their ``limit_bucket``."""

    read_roles = INTAKE_ROLES
    limit_bucket = "intake_lookup"

    def is_visible(self):
        """Reached from the intake form's scripts only."""
        return False

    def refused(self):
        """A 429 answer when this user is over the look-up limit, else None (counts one look-up)."""
        if ratelimit.hit("CALLER_HISTORY_LIMIT", self.limit_bucket, f"user{current_user.id}"):
            return None
        return jsonify(error=_("Too many look-ups. Wait a minute and try again.")), 429
