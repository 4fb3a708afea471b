"""Suggested category and lead department from a case's title and content, learnt from the office's own
closed cases (scikit-learn, no network), with admin-editable keyword hints for a cold start.

STUB written by the lead; the suggestion helper replaces the bodies and keeps the names and signatures.
"""

from datetime import datetime

from models.case import Case


def suggest(title: str, content: str) -> dict | None:
    """``{"categories": [{"code", "name", "score"}, ...3], "department": {"code", "name"}}``, or None."""
    return None


def record(case: Case, suggestion: dict | None, now: datetime) -> None:
    """Keep what was suggested for the opened case, so the clerk's choice can be measured against it."""
