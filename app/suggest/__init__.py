"""Suggested category and lead department from a case's title and content, learnt from the office's own
closed cases (scikit-learn, no network), with admin-editable keyword hints for a cold start.

The categories come from the newest stored model blended with the hints (:mod:`app.suggest.model`), or
from the hints alone before any training. The department is the top category's default lead department
(:func:`app.org.tree.default_lead_department`): the catalogue is the office's routing rule, and a second
classifier on past lead departments would only relearn it, with every 改派 and hand-down as noise.
"""

from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.org.tree import default_lead_department
from app.suggest import hints
from app.suggest import model
from app.suggest import tracking
from app.suggest import training
from app.suggest.text import normalise
from models.case import Case
from models.org import Category

TOP = 3


def suggest(title: str, content: str) -> dict | None:
    """``{"categories": [{"code", "name", "score"}, ...3], "department": {"code", "name"}}``, or None."""
    text = normalise(title, content)
    if not text:
        return None
    version, pipeline = training.current()
    ranked = model.rank(pipeline, text, hints.hint_map())
    if not ranked:
        return None
    wanted = [code for code, _score in ranked[: TOP * 3]]
    categories = {
        c.code: c
        for c in db.session.scalars(
            select(Category).where(Category.code.in_(wanted), Category.active.is_(True))
        )
    }
    top = [(categories[code], score) for code, score in ranked if code in categories][:TOP]
    if not top:
        return None
    lead = next((d for d in (default_lead_department(c) for c, _s in top) if d is not None), None)
    return {
        "categories": [{"id": c.id, "code": c.code, "name": c.name, "score": round(s, 3)} for c, s in top],
        "department": {"id": lead.id, "code": lead.code, "name": lead.name} if lead is not None else None,
        "version": version,
    }


def record(case: Case, suggestion: dict | None, now: datetime) -> None:
    """Keep what was suggested for the opened case, so the clerk's choice can be measured against it."""
    tracking.record(case, suggestion, now)
