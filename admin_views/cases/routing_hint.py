"""The intake form's suggested categories and lead department as the clerk types (endpoint ``routing_hint``,
asked by app/static/routing_suggest.js).

A POST carrying the form's CSRF token in ``X-CSRFToken`` (Flask-WTF checks it); it changes nothing. Intake
roles only. The answer is JSON of category ids, labels and scores; the script writes it as text.
"""

from flask import jsonify
from flask import request
from flask_admin import expose
from sqlalchemy import select

from admin_views.cases.intake_lookup import IntakeLookupView
from app import suggest
from app.extensions import db
from app.validators import visible_text
from models.org import Category

MAX_TITLE = 200
MAX_CONTENT = 4000  # the opening of a long letter says what it is about


class RoutingHintView(IntakeLookupView):
    """The look-up behind the intake form's suggestion box; not in the menu."""

    limit_bucket = "routing_hint"

    @expose("/", methods=("POST",))
    def index(self):
        """``{"categories": [{"id", "code", "label", "score"}], "department": {"name"} | null}`` for the text."""
        if refused := self.refused():
            return refused
        title = visible_text(request.form.get("title") or "")[:MAX_TITLE]
        content = visible_text(request.form.get("content") or "")[:MAX_CONTENT]
        result = suggest.suggest(title, content) if len(title + content) >= 4 else None
        if result is None:
            return jsonify(categories=[], department=None)
        ids = [c["id"] for c in result["categories"]]
        labels = {c.id: str(c) for c in db.session.scalars(select(Category).where(Category.id.in_(ids)))}
        department = result["department"]
        return jsonify(
            categories=[
                {
                    "id": c["id"],
                    "code": c["code"],
                    "label": labels.get(c["id"], c["name"]),
                    "score": c["score"],
                }
                for c in result["categories"]
            ],
            department={"name": department["name"]} if department else None,
        )
