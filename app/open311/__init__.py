"""Open311 GeoReport v2 at ``/open311/v2/`` (JSON and XML)."""

from flask import Blueprint

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")


def register(app) -> None:
    """Mount the API (exempt from CSRF: every POST carries an API key instead)."""
    from app.extensions import csrf
    from app.open311 import fallback  # noqa: F401  (routes and error handlers register on import)
    from app.open311 import queries  # noqa: F401
    from app.open311 import services  # noqa: F401

    csrf.exempt(bp)
    app.register_blueprint(bp)
