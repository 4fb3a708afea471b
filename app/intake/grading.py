"""Grading rules (分级): the grade an office's rules suggest for a new case, with the reasons.

STUB written by the lead; the grading helper replaces the bodies and keeps the names and signatures.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import datetime

from models.case import Case
from models.enums import Grade


@dataclass
class Verdict:
    """A suggested grade, the reasons (in the office's language) and the rules that gave them."""

    grade: str = Grade.GREEN
    reasons: list[str] = field(default_factory=list)
    rule_ids: list[int] = field(default_factory=list)


def suggest(case: Case, repeat_count: int = 0) -> Verdict:
    """The grade the active rules suggest for ``case`` (nothing written)."""
    return Verdict()


def check_choice(case: Case, verdict: Verdict) -> None:
    """Refuse (``IntakeRefusal``) a clerk's grade that differs from the suggestion without a reason."""


def record(case: Case, verdict: Verdict, now: datetime) -> None:
    """Keep the suggestion, and the clerk's different choice with its reason, for the opened case."""
