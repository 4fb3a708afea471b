"""Language choice: Chinese by default, English on request; times shown in Asia/Shanghai."""

from flask import Blueprint
from flask import current_app
from flask import has_request_context
from flask import redirect
from flask import request
from flask import session
from flask import url_for
from flask_babel import force_locale

from app.validators import safe_next

bp = Blueprint("i18n", __name__)


def get_locale() -> str:
    """The session's validated choice, else Chinese (also outside requests: jobs, CLI)."""
    choice = session.get("lang") if has_request_context() else None
    if choice in current_app.config["LANGUAGES"]:
        return choice
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def office_language():
    """A context in the office's language (Chinese): for messages to staff and citizens, whatever the
    language of the page that caused them."""
    return force_locale(current_app.config["BABEL_DEFAULT_LOCALE"])


def get_timezone() -> str:
    """Every page shows Beijing time."""
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _safe_return(target: str | None) -> str:
    return safe_next(target) or url_for("admin.index")


@bp.get("/lang/<code>")
def set_language(code: str):
    """Switch language (only the supported ones) and go back where the user was."""
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(_safe_return(request.args.get("next") or request.referrer))
