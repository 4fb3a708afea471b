"""The public pages' URL map: every route of the citizens' and volunteers' pages, in one place."""

from flask import Blueprint

from app.extensions import csrf
from app.public import mailbox_views
from app.public import too_large
from app.public import track_views
from app.public import volunteer_views

bp = Blueprint("public", __name__)

bp.add_url_rule("/m/<slug>", "mailbox", mailbox_views.mailbox, methods=["GET", "POST"])
bp.add_url_rule("/m/<slug>/done", "done", mailbox_views.done)
bp.add_url_rule("/track", "track", track_views.track, methods=["GET", "POST"])
bp.add_url_rule("/track/case", "tracked", track_views.tracked, methods=["GET", "POST"])
bp.add_url_rule("/track/leave", "leave", track_views.leave, methods=["POST"])
bp.add_url_rule("/v/<token>", "volunteer_clue", volunteer_views.volunteer_clue, methods=["GET", "POST"])
bp.add_url_rule("/v/<token>/done", "volunteer_done", volunteer_views.volunteer_done)

# A body over MAX_CONTENT_LENGTH: a page for citizens that says nothing was sent (not the panel's error page).
bp.register_error_handler(413, too_large.too_large)

# These forms check their own CSRF token, so an expired page shows the citizen's text again with a
# message instead of a bare 400 (see each view).
for view in (mailbox_views.mailbox, track_views.track, track_views.tracked, volunteer_views.volunteer_clue):
    csrf.exempt(view)


def register(app) -> None:
    """Mount the public pages."""
    app.register_blueprint(bp)
