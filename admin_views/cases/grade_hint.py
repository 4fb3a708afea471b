"""The intake form's suggested grade (endpoint ``grade_hint``): the grade the rules suggest, with the reasons,
as the clerk types people, money, title and content (app/static/grade_suggest.js).

A POST with the form's CSRF token in ``X-CSRFToken`` (like the 来电历史 look-up): the title, content and
numbers stay out of addresses and logs. Intake roles only; nothing is written. The case it grades is built
in memory and never added to the session. Counted per user, as the caller history is, because the repeat
count it includes reads the caller's earlier cases.
"""

from decimal import Decimal
from decimal import InvalidOperation

from flask import jsonify
from flask import request
from flask_admin import expose

from admin_views.cases.intake_lookup import IntakeLookupView
from app.intake import grading
from app.intake import repeats
from app.validators import ascii_text
from app.validators import parse_id
from models.case import Case

MAX_TEXT = 5000
MAX_NUMBER = 20


def _number(name: str, kind):
    """A posted number (full-width digits read as ASCII), or None when blank or not a number."""
    text = ascii_text((request.form.get(name) or "")[:MAX_NUMBER]).strip().replace(",", "")
    try:
        value = kind(text) if text else None
    except (ValueError, InvalidOperation):
        return None
    return value if value is not None and value >= 0 else None


def posted_case() -> Case:
    """The case being typed, as far as grading reads it (in memory only)."""
    form = request.form
    return Case(
        title=(form.get("title") or "")[:MAX_TEXT],
        content=(form.get("content") or "")[:MAX_TEXT],
        people_involved=_number("people_involved", int),
        money_involved=_number("money_involved", Decimal),
        category_id=parse_id(form.get("category")),
        street_id=parse_id(form.get("street")),
        community_id=parse_id(form.get("community")),
        citizen_phone=(form.get("citizen_phone") or "")[:40] or None,
        citizen_id_no=(form.get("citizen_id_no") or "")[:40] or None,
    )


class GradeHintView(IntakeLookupView):
    """The look-up behind the intake form's suggested grade; not in the menu."""

    limit_bucket = "grade_hint"

    @expose("/", methods=("POST",))
    def index(self):
        """The suggested grade of the posted fields, as {"grade", "label", "reasons"}."""
        if refused := self.refused():
            return refused
        case = posted_case()
        verdict = grading.suggest(case, repeat_count=repeats.prior_count(case))
        return jsonify(
            grade=str(verdict.grade), label=grading.grade_label(verdict.grade), reasons=verdict.reasons
        )
