"""Everything under /open311/v2/ that is not an endpoint, and HTTP errors, answer in the Open311 format
(the routes and handlers are bound in :mod:`app.open311.blueprint`)."""

from flask import current_app
from werkzeug.exceptions import HTTPException

from app.open311.output import Open311Error
from app.open311.output import respond


def unknown(anything: str = ""):
    """Paths that are no Open311 resource: 404 in the format of their extension (XML by default)."""
    raise Open311Error(404, "No such resource. See discovery.xml or discovery.json for the endpoints")


def http_error(error: HTTPException):
    """HTTP errors raised while handling an Open311 request (e.g. a body over the size limit)."""
    status = error.code or 400
    description = {413: "Request too large"}.get(status, error.name)
    return respond("errors", [{"code": status, "description": description}], status)


def server_error(error: Exception):
    """Unexpected failures: logged, and answered as a 500 in the Open311 format (never the HTML page)."""
    current_app.logger.exception("Open311 request failed")
    return respond("errors", [{"code": 500, "description": "Internal error; please try again later"}], 500)


def database_unavailable(error: Exception):
    """The database out of reach: 503 with Retry-After in the Open311 format (the client retries with the
    same Idempotency-Key, so a retry never makes a second case); other database errors are a 500."""
    from app import unavailable

    if not unavailable.is_unavailable(error):
        return server_error(error)
    unavailable.forget_transaction()
    retry = {"Retry-After": str(unavailable.RETRY_AFTER)}
    return respond(
        "errors", [{"code": 503, "description": "Service briefly unavailable; retry later"}], 503, retry
    )
