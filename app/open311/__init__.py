"""Open311 GeoReport v2 at ``/open311/v2/`` (JSON and XML)."""

from flask import Blueprint

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")


def register(app) -> None:
    """Mount the API (exempt from CSRF: every POST carries an API key instead)."""
    from app.extensions import csrf

    csrf.exempt(bp)
    app.register_blueprint(bp)
