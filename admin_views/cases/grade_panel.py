"""The case page's 分级建议 panel: the grade the rules suggested at intake, why, and the clerk's choice."""

from app.intake import grading


def context(case) -> dict:
    """The template values of the panel for ``case`` (empty: the panel is not shown)."""
    suggestion = grading.suggestion_of(case.id) if case.id is not None else None
    if suggestion is None:
        return {}
    return {"grade_suggestion": suggestion}
