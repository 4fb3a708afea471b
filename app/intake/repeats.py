"""Repeats (重复件): the earlier cases a new case likely repeats, and how many times a matter came in.

STUB written by the lead; the repeats helper replaces the bodies and keeps the names and signatures.
"""

from models.case import Case


def prior_count(case: Case) -> int:
    """How many earlier cases the same matter has (same caller within the window, or the same text)."""
    return 0


def candidates(case: Case, limit: int = 5) -> list:
    """The likeliest earlier cases ``case`` repeats, best first, each with its similarity and reason."""
    return []
