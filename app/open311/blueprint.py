"""The Open311 API's URL map: every route of ``/open311/v2/`` and its error handlers, in one place."""

from flask import Blueprint
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException

from app.extensions import csrf
from app.open311 import fallback
from app.open311 import queries
from app.open311 import services
from app.open311.output import ALL_METHODS
from app.open311.output import Open311Error
from app.open311.output import formatted
from app.open311.output import open311_error

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

# rule, view, the methods it answers (others get a 405 in the Open311 format)
ROUTES = [
    ("/discovery.<fmt>", services.discovery, ("GET",)),
    ("/services.<fmt>", services.services, ("GET",)),
    ("/services/<service_code>.<fmt>", services.service_definition, ("GET",)),
    ("/requests.<fmt>", queries.requests_collection, ("GET", "POST")),
    ("/requests/<service_request_id>.<fmt>", queries.single_request, ("GET",)),
    ("/tokens/<token>.<fmt>", queries.token, ("GET",)),
]
for rule, view, methods in ROUTES:
    bp.add_url_rule(rule, view.__name__, formatted(view, methods), methods=ALL_METHODS)
bp.add_url_rule("/", "unknown", fallback.unknown, methods=ALL_METHODS)
bp.add_url_rule("/<path:anything>", "unknown", fallback.unknown, methods=ALL_METHODS)

bp.register_error_handler(Open311Error, open311_error)
bp.register_error_handler(DBAPIError, fallback.database_unavailable)  # 503 + Retry-After, in the API's format
# By code as well: the app's HTML handlers for these codes would otherwise be found first.
for code in (400, 403, 404, 405, 413, 429):
    bp.register_error_handler(code, fallback.http_error)
bp.register_error_handler(HTTPException, fallback.http_error)
bp.register_error_handler(Exception, fallback.server_error)


def register(app) -> None:
    """Mount the API (exempt from CSRF: every POST carries an API key instead)."""
    csrf.exempt(bp)
    app.register_blueprint(bp)
