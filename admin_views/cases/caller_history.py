"""来电历史 look-up for the intake form (endpoint ``caller_history``): the caller's earlier cases as the clerk
types the phone or ID number (app/static/caller_history.js).

A POST, not a GET, so the numbers stay out of addresses, browser history and access logs; it carries the
form's CSRF token in ``X-CSRFToken`` (Flask-WTF checks it) and changes nothing. Intake roles only, the cases
scoped and the numbers checked against what the role sees (:mod:`app.cases.caller_history`), counted per
user so the register cannot be read off by scripted guessing. The answer is the same HTML fragment the case
page shows: case numbers, dates, statuses and titles the clerk may open anyway, no phone or ID number.
"""

from flask import jsonify
from flask import render_template
from flask import request
from flask_admin import expose
from flask_login import current_user

from admin_views.cases.intake_lookup import IntakeLookupView
from app.cases import caller_history

MAX_INPUT = 40  # longer than any phone or ID number, with room for spaces and a +86


class CallerHistoryView(IntakeLookupView):
    """The look-up behind the intake form's 来电历史 box; not in the menu."""

    limit_bucket = "caller_history"

    @expose("/", methods=("POST",))
    def index(self):
        """The caller's earlier cases for the posted ``phone`` and ``id_no``, as {"html", "total", "recent"}."""
        if refused := self.refused():
            return refused
        phone = (request.form.get("phone") or "")[:MAX_INPUT]
        id_no = (request.form.get("id_no") or "")[:MAX_INPUT]
        history = caller_history.find(current_user, phone, id_no)
        html = render_template("admin/case/_caller_history.html", history=history)
        return jsonify(html=html, total=history.total, recent=history.recent)
