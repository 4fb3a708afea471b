"""The case page's 建议类别 panel: the categories and lead department suggested when the case came in, and
whether the category it was given is among them (intake roles only: it is their aid and their measure)."""

from flask_login import current_user
from sqlalchemy import select

from app.auth.access import INTAKE_ROLES
from app.extensions import db
from models.org import Category
from models.suggest import RoutingSuggestion


def context(case) -> dict:
    """The template values of the panel for ``case`` (empty: the panel is not shown)."""
    if case is None or case.id is None or current_user.role not in INTAKE_ROLES:
        return {}
    row = db.session.scalar(select(RoutingSuggestion).where(RoutingSuggestion.case_id == case.id))
    if row is None or not row.categories:
        return {}
    codes = [c["code"] for c in row.categories]
    by_code = {c.code: c for c in db.session.scalars(select(Category).where(Category.code.in_(codes)))}
    suggested = [
        {"label": str(by_code[c["code"]]) if c["code"] in by_code else c["code"], "score": c["score"],
         "chosen": row.chosen_category is not None and row.chosen_category.code == c["code"]}
        for c in row.categories
    ]  # fmt: skip
    return {"routing_suggestion": {"row": row, "categories": suggested}}
