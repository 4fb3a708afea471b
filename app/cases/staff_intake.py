"""Cases a clerk registers by hand (hotline, walk-in hall, WeChat), and edits of a registered case.

A hand-registered case is opened (number, tracking code, first clocks) and registered in one step by the
clerk. The place is checked by the same rule as the public form (:func:`app.org.tree.place_refusal`);
a refusal names the form field it is about, so the form shows it there and keeps what was typed.
"""

from flask_babel import gettext as _

from app.cases import lifecycle
from app.org.tree import place_refusal
from app.refusal import Refusal
from models.case import Case
from models.enums import STAFF_INTAKE_CHANNELS


class IntakeRefusal(Refusal):
    """A hand-entered case was refused; ``field`` is the form field it is about (or None)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _check(case: Case) -> None:
    """The place and the repeat link, the same for a new case and an edit."""
    if (message := place_refusal(case.street, case.community)) is not None:
        raise IntakeRefusal(message, "community")
    if case.community is not None and case.street is None:
        case.street = case.community.parent
    if case.repeat_of is not None:
        if case.id is not None and case.repeat_of.id == case.id:
            raise IntakeRefusal(_("A case cannot be a repeat of itself."), "repeat_of")
        case.is_repeat = True


def register_by_hand(case: Case, actor) -> Case:
    """Open and register a case a clerk typed in from the hotline, the hall or WeChat (flushed)."""
    if case.channel not in STAFF_INTAKE_CHANNELS:
        raise IntakeRefusal(_("Choose the channel the case came in by."), "channel")
    _check(case)
    lifecycle.open_case(case, actor)
    lifecycle.perform(case, "register", actor)
    return case


def update_registered(case: Case, seen_version) -> Case:
    """Accept an edit of a case's registered fields, unless someone changed the case since it was shown."""
    if str(seen_version or "") != str(case.version):
        raise IntakeRefusal(_("Someone else has changed this case. Reload the page and try again."))
    _check(case)
    return case
