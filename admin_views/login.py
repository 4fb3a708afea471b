"""Login, logout and lock-out after repeated failures; ``next`` redirects stay on this site."""

from urllib.parse import urlsplit

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

from app.extensions import db
from app.extensions import login_manager
from app.timeutil import utcnow
from models.user import User

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(message=_l("Enter your username."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password."))])


@login_manager.user_loader
def load_user(user_id: str):
    """Reload the session's user; deactivated accounts are logged out."""
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.active else None


def safe_next(target: str | None) -> str | None:
    """Return a same-site path to go to after login, or None for anything else."""
    if not target:
        return None
    target = target.replace("\\", "/").strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        if parts.scheme not in ("http", "https") or parts.netloc != request.host:
            return None
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//"):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


@bp.route("/login", methods=("GET", "POST"))
def login():
    """Show the login form; count failures and lock the account after too many."""
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("admin.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        now = utcnow()
        user = db.session.query(User).filter_by(username=form.username.data.strip()).one_or_none()
        if user is not None and user.is_locked(now):
            flash(_("This account is locked after too many failed logins. Try again later."), "error")
            status = 403
        elif user is not None and user.active and user.check_password(form.password.data):
            user.record_login(now)
            db.session.commit()
            lang = session.get("lang")
            session.clear()
            if lang:
                session["lang"] = lang
            login_user(user)
            return redirect(safe_next(request.args.get("next")) or url_for("admin.index"))
        else:
            if user is not None:
                cfg = current_app.config
                user.record_failed_login(now, cfg["LOGIN_MAX_FAILURES"], cfg["LOGIN_LOCKOUT_MINUTES"])
                db.session.commit()
            flash(_("Wrong username or password."), "error")
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """End the session (POST with CSRF token, so no other site can log you out)."""
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"))


@bp.get("/")
def home():
    """The site root opens the panel."""
    return redirect(url_for("admin.index"))
