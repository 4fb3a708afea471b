"""The answer while the database cannot be reached (restarting, failing over, out of connections): a 503
with Retry-After instead of a 500, and on a form post the text the user typed, ready to send again.

Nothing here touches the database. The session's transaction is rolled back (and the broken connection
dropped by SQLAlchemy, which invalidates the pool on a disconnect), so the next request reconnects without
a restart of the app.
"""

import logging

from flask import render_template
from flask import request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError

from app.extensions import db

log = logging.getLogger(__name__)
RETRY_AFTER = 15
SECRET_FIELDS = ("password", "api_key", "token")  # never echoed into a page


def is_unavailable(error: Exception) -> bool:
    """Whether ``error`` says the database is out of reach (not that a statement was wrong)."""
    return isinstance(error, OperationalError | InterfaceError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


def forget_transaction() -> None:
    """Roll the session back, even when the connection is already gone."""
    try:
        db.session.rollback()
    except Exception:  # the connection died with the database: nothing to roll back
        db.session.remove()


def kept_fields() -> list[tuple[str, str]]:
    """The posted text fields to send again, without secrets."""
    if request.method != "POST":
        return []
    return [
        (name, value)
        for name, values in request.form.lists()
        for value in values
        if name == "csrf_token" or not any(secret in name.lower() for secret in SECRET_FIELDS)
    ]


def page(error: Exception):
    """The 503 page (with what was typed) for an unreachable database; other database errors go on up."""
    if not is_unavailable(error):
        raise error
    forget_transaction()
    log.warning(
        "database unreachable during %s %s: %s", request.method, request.endpoint, type(error).__name__
    )
    form = request.form if request.method == "POST" else {}
    body = render_template(
        "errors/unavailable.html",
        retry_after=RETRY_AFTER,
        kept=kept_fields(),
        action=request.path,
        title=form.get("title", ""),
        content=form.get("content", ""),
        had_files=any(f.filename for f in request.files.values()) if request.method == "POST" else False,
    )
    return body, 503, {"Retry-After": str(RETRY_AFTER)}
