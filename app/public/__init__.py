"""The public pages: mailbox forms (``/m/<slug>``), tracking and rating (``/track``), volunteers' clues (``/v/<token>``)."""

from flask import Blueprint

bp = Blueprint("public", __name__)


def register(app) -> None:
    """Mount the public pages."""
    from app.public import mailbox_views  # noqa: F401  (routes)
    from app.public import track_views  # noqa: F401  (routes)
    from app.public import volunteer_views  # noqa: F401  (routes)

    app.register_blueprint(bp)
