"""督办: supervisors mark cases for close follow-up; the mark is a flag on the case and a note on its timeline."""

from flask_babel import gettext as _

from app.cases import lifecycle
from models.case import Case


def mark_supervised(cases: list[Case], actor) -> list[Case]:
    """Flag the cases not yet supervised, each with a note on its timeline (flushed); return those flagged."""
    marked = [case for case in cases if not case.is_supervised]
    for case in marked:
        case.is_supervised = True
        lifecycle.perform(case, "comment", actor, note=_("Marked as supervised."))
    return marked
