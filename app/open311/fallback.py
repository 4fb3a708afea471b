"""Everything under /open311/v2/ that is not an endpoint, and HTTP errors, answer in the Open311 format."""

from flask import current_app
from werkzeug.exceptions import HTTPException

from app.open311 import bp
from app.open311.output import ALL_METHODS
from app.open311.output import Open311Error
from app.open311.output import respond


@bp.route("/", methods=ALL_METHODS)
@bp.route("/<path:anything>", methods=ALL_METHODS)
def unknown(anything: str = ""):
    """Paths that are no Open311 resource: 404 in the format of their extension (XML by default)."""
    raise Open311Error(404, "No such resource. See discovery.xml or discovery.json for the endpoints")


def _http_error(error: HTTPException):
    """HTTP errors raised while handling an Open311 request (e.g. a body over the size limit)."""
    status = error.code or 400
    description = {413: "Request too large"}.get(status, error.name)
    return respond("errors", [{"code": status, "description": description}], status)


# By code as well: the app's HTML handlers for these codes would otherwise be found first.
for _code in (400, 403, 404, 405, 413, 429):
    bp.register_error_handler(_code, _http_error)
bp.register_error_handler(HTTPException, _http_error)


@bp.errorhandler(Exception)
def _server_error(error: Exception):
    """Unexpected failures: logged, and answered as a 500 in the Open311 format (never the HTML page)."""
    current_app.logger.exception("Open311 request failed")
    return respond("errors", [{"code": 500, "description": "Internal error; please try again later"}], 500)
