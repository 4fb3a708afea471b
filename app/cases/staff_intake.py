"""Cases a clerk registers by hand (hotline, walk-in hall, WeChat), and edits of a registered case.

A hand-registered case is opened (number, tracking code, first clocks) and registered in one step by the
clerk, and may be answered on the spot in the same step (即接即办, :mod:`app.cases.direct_answer`). The
place is checked by the same rule as the public form (:func:`app.org.tree.place_refusal`); a refusal names
the form field it is about, so the form shows it there and keeps what was typed.
"""

from flask_babel import gettext as _
from sqlalchemy import inspect

from app.auth.access import SUPERVISOR_ROLES
from app.cases import direct_answer
from app.cases import lifecycle
from app.org.tree import place_refusal
from app.refusal import Refusal
from models.case import Case
from models.enums import STAFF_INTAKE_CHANNELS
from models.enums import Status

FINISHED = frozenset({Status.CLOSED, Status.REJECTED, Status.MERGED})
SUPERVISOR_FIELDS = frozenset({"is_supervised"})  # 督办 is a supervisor's step
# The registered details a clerk may edit after intake (the case form's fields; links by their relationship).
# The 包案 leader is not among them: it is assigned by the ``package`` action, under its rules (app.command).
REGISTERED = (
    "mailbox", "request_type", "category", "title", "content", "citizen_name", "citizen_phone", "citizen_id_no",
    "address", "street", "community", "people_involved", "money_involved", "grade", "grade_reason", "is_repeat",
    "repeat_of", "is_sensitive", "is_key", "is_supervised", "publication_consent",
)  # fmt: skip


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


ANSWER_FIELDS = ("text", "outcome", "source")  # the 直接答复 input: answer text, ReplyOutcome code, knowledge


def register_by_hand(case: Case, actor, answer: dict | None = None) -> Case:
    """Open and register a case a clerk typed in from the hotline, the hall or WeChat (flushed); when
    ``answer`` has any of text, outcome or source, answer it on the spot through the state machine too."""
    if case.channel not in STAFF_INTAKE_CHANNELS:
        raise IntakeRefusal(_("Choose the channel the case came in by."), "channel")
    _check(case)
    answer = {k: v for k, v in (answer or {}).items() if k in ANSWER_FIELDS and str(v or "").strip()}
    if answer and (message := direct_answer.scope_refusal(case)) is not None:
        raise IntakeRefusal(message, "direct_text")  # before the case is opened: nothing is written
    lifecycle.open_case(case, actor)
    lifecycle.perform(case, "register", actor)
    if answer:
        lifecycle.perform(case, "direct_answer", actor, **answer)
    return case


def may_edit(case: Case) -> bool:
    """Whether a case's registered details may still be edited: not once it is closed, not accepted or merged
    (then only the state machine changes it, e.g. a supervisor's reopen)."""
    return case.status not in FINISHED


def fields_for(user) -> frozenset[str]:
    """The fields of the case form ``user``'s role may not change (left out of the form, refused on POST)."""
    return frozenset() if getattr(user, "role", None) in SUPERVISOR_ROLES else SUPERVISOR_FIELDS


def update_registered(case: Case, seen_version, actor) -> Case:
    """Accept an edit of a case's registered details and put it on the timeline, unless the case is finished,
    a field is one the actor's role may not change, or someone changed the case since it was shown."""
    if not may_edit(case):
        raise IntakeRefusal(_("A closed case cannot be edited; a supervisor may reopen it."))
    if str(seen_version or "") != str(case.version):
        raise IntakeRefusal(_("Someone else has changed this case. Reload the page and try again."))
    changed = _changed_fields(case)
    if forbidden := changed & fields_for(actor):
        raise IntakeRefusal(_("Your role may not change this."), sorted(forbidden)[0])
    _check(case)
    if changed:
        lifecycle.record_edit(case, actor, list(changed))
    return case


def _changed_fields(case: Case) -> set[str]:
    """The columns and links of ``case`` the pending edit changes."""
    attrs = inspect(case).attrs
    return {name for name in REGISTERED if attrs[name].history.has_changes()}
