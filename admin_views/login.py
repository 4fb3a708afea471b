"""The door to the panel (blueprint ``auth``): login, logout and the site root.

The check itself (throttles, password) is :func:`app.auth.login.authenticate`; this page commits its
outcome once and hands out the device cookie. ``next`` redirects stay on this site
(:func:`app.validators.safe_next`). Logging out ends every session of the account.
"""

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_login import login_user
from flask_login import logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from app import audit
from app.auth import devices
from app.auth.login import USERNAME_MAX
from app.auth.login import Outcome
from app.auth.login import authenticate
from app.auth.sessions import end_sessions
from app.extensions import db
from app.timeutil import utcnow
from app.validators import safe_next
from models.audit import AuditAction
from models.audit import AuditEntity

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(message=_l("Enter your username.")), Length(max=USERNAME_MAX * 4)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(message=_l("Enter your password.")), Length(max=1024)],
    )


def _fresh_session() -> None:
    """Start a new session (no fixation), keeping only the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _signed_in(user):
    """Start the user's session and remember this browser for the account (its own login count)."""
    _fresh_session()
    login_user(user)
    response = redirect(safe_next(request.args.get("next")) or url_for("admin.index"))
    response.set_cookie(
        devices.COOKIE,
        devices.issue(user.username),
        max_age=devices.max_age(),
        path=url_for("auth.login"),
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Strict",
    )
    return response


@bp.route("/login", methods=("GET", "POST"))
def login():
    """Show the login form; check the attempt within the login throttles."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("admin.index"))
    form = LoginForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        attempt = authenticate(
            form.username.data,
            form.password.data,
            request.remote_addr or "",
            request.cookies.get(devices.COOKIE),
            utcnow(),
        )
        audit.sign_in(attempt, request.remote_addr or "")
        db.session.commit()
        if attempt.outcome is Outcome.OK:
            return _signed_in(attempt.user)
        if attempt.outcome is Outcome.THROTTLED:
            minutes = -(-attempt.wait_seconds // 60)
            flash(_("Too many login attempts. Try again in %(num)d minutes.", num=minutes), "error")
            status, headers = 429, {"Retry-After": str(attempt.wait_seconds)}
        elif attempt.outcome is Outcome.BUSY:
            flash(_("The server is busy. Try again in a moment."), "error")
            status = 503
        else:
            flash(_("Wrong username or password."), "error")
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status, headers


@bp.post("/logout")
def logout():
    """End every session of the account (POST with CSRF token, so no other site can log you out)."""
    if current_user.is_authenticated:
        end_sessions(current_user)
        user = current_user._get_current_object()
        audit.record(AuditEntity.SIGN_IN, user.username, AuditAction.SIGN_OUT, user, None, None)
        db.session.commit()
    logout_user()
    _fresh_session()
    return redirect(url_for("auth.login"))


@bp.get("/")
def home():
    """The site root opens the panel."""
    return redirect(url_for("admin.index"))
