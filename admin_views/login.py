"""The door to the panel (blueprint ``auth``): login, logout and the site root.

The check itself (password, failure count, lock-out) is :func:`app.auth.login.authenticate`; this page
commits its outcome once. ``next`` redirects stay on this site (:func:`app.validators.safe_next`).
"""

from flask import Blueprint
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

from app.auth.login import Outcome
from app.auth.login import authenticate
from app.extensions import db
from app.timeutil import utcnow
from app.validators import safe_next

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(message=_l("Enter your username."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password."))])


def _fresh_session() -> None:
    """Start a new session (no fixation), keeping only the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.route("/login", methods=("GET", "POST"))
def login():
    """Show the login form; count failures and lock the account after too many."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("admin.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        outcome, user = authenticate(form.username.data, form.password.data, utcnow())
        db.session.commit()
        if outcome is Outcome.OK:
            _fresh_session()
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("admin.index"))
        if outcome is Outcome.LOCKED:
            flash(_("This account is locked after too many failed logins. Try again later."), "error")
            status = 403
        else:
            flash(_("Wrong username or password."), "error")
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """End the session (POST with CSRF token, so no other site can log you out)."""
    logout_user()
    _fresh_session()
    return redirect(url_for("auth.login"))


@bp.get("/")
def home():
    """The site root opens the panel."""
    return redirect(url_for("admin.index"))
