"""What a citizen may see of their case: found by tracking code (+ phone tail), the public timeline only."""

import hmac
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.cases.publication import public_status
from app.cases.revisit import is_unreached
from app.extensions import db
from app.validators import ascii_text
from models.case import Case
from models.case import CaseAction
from models.deadline import DeadlineStatus
from models.deadline import Stage
from models.enums import Satisfaction
from models.org import Department


@dataclass(frozen=True)
class PublicStep:
    """How a timeline action reads to the citizen, and whether its note is for them (reasons, replies)."""

    label: object
    shows_note: bool = False


# The one table of the public wording: each timeline action a citizen sees, in their words, never in staff
# terms (签收, 记录联系 …). An action not listed never appears, unless its event is marked public
# (``data["public"]``, with its own ``public_note`` for the citizen: an approved extension, a direct answer).
PUBLIC_STEPS = {
    CaseAction.RECEIVE: PublicStep(_l("Your request was received")),
    CaseAction.REGISTER: PublicStep(_l("Accepted for handling")),
    CaseAction.REJECT: PublicStep(_l("Not accepted"), shows_note=True),
    CaseAction.DISPATCH: PublicStep(_l("Sent to the department responsible")),
    "reassign": PublicStep(_l("Sent to the department responsible")),  # 改派 (app.cases.redispatch)
    CaseAction.SIGN: PublicStep(_l("The handling department has received your case")),
    CaseAction.CONTACT: PublicStep(_l("Staff have been in touch with you")),
    CaseAction.REPLY: PublicStep(_l("Your request was answered"), shows_note=True),
    CaseAction.DIRECT_ANSWER: PublicStep(_l("Answered on the spot")),
    CaseAction.REVISIT: PublicStep(_l("Follow-up call")),
    CaseAction.CITIZEN_RATING: PublicStep(_l("Your rating")),
    CaseAction.REOPEN: PublicStep(_l("Being handled again")),
    CaseAction.MERGE: PublicStep(_l("Handled together with the same request")),
    CaseAction.APPROVE_EXTENSION: PublicStep(_l("Time limit extended")),
}
# The steps the citizen was promised a time for, in their words.
PUBLIC_STAGES = {
    Stage.SIGN: _l("The handling department receives your case"),
    Stage.CONTACT: _l("Staff contact you"),
    Stage.FIRST_REPLY: Stage.FIRST_REPLY.label,
    Stage.RESOLVE: Stage.RESOLVE.label,
}


def find_case(code: str | None, phone_tail: str | None) -> Case | None:
    """The case with this tracking code whose phone ends in ``phone_tail`` (code alone for anonymous cases).

    "No such code" and "wrong phone" both give None, so a guesser learns nothing from the answer.
    """
    code = ascii_text(code).strip().upper().replace(" ", "")
    if not code or not code.isascii():
        return None
    case = db.session.scalar(select(Case).where(Case.tracking_code == code))
    if case is None:
        return None
    phone = case.citizen_phone or ""
    if not phone:
        return case
    tail = ascii_text(phone_tail).strip()
    # Bytes: compare_digest refuses non-ASCII text, and every input must end in the same answer.
    return case if len(tail) == 4 and hmac.compare_digest(phone[-4:].encode(), tail.encode()) else None


@dataclass(frozen=True)
class PublicEvent:
    at: datetime
    label: str
    note: str | None


def _rating_label(event) -> str:
    """A rating's line: the citizen's own (on /track), or the staff's revisit call -- never one as the other."""
    data = event.data or {}
    if is_unreached(data):
        return _("Follow-up call: could not get through")
    rating = Satisfaction.label_of(data.get("satisfaction"), "")
    if event.action == CaseAction.CITIZEN_RATING or data.get("by") == "citizen":
        return _("Your rating: %(satisfaction)s", satisfaction=rating)
    return _("Follow-up call: %(satisfaction)s", satisfaction=rating)


def _label(event) -> str:
    data = event.data or {}
    if event.action in (CaseAction.REVISIT, CaseAction.CITIZEN_RATING):
        return _rating_label(event)
    if event.action == CaseAction.CONTACT and is_unreached(data):  # 未接通 is a try, not a contact made
        return _("Staff tried to reach you but could not get through")
    if event.action in (CaseAction.DISPATCH, "reassign") and data.get("lead_department_id"):
        department = db.session.get(Department, data["lead_department_id"])
        if department is not None:
            return _("Sent to %(department)s", department=department.name)
    return str(PUBLIC_STEPS[event.action].label)


def public_timeline(case: Case) -> list[PublicEvent]:
    """The case's events a citizen may see, oldest first, in public wording; staff-only notes never appear."""
    events = []
    for event in case.events:
        data = event.data or {}
        step = PUBLIC_STEPS.get(event.action)
        if data.get("public"):  # e.g. an approved extension: the citizen is told the new date and why
            label = str(step.label) if step else str(CaseAction.label_of(event.action))
            events.append(PublicEvent(event.at, label, data.get("public_note")))
        elif step is not None:
            events.append(PublicEvent(event.at, _label(event), event.note if step.shows_note else None))
    return events


def status_label(case: Case) -> str:
    """The case's status in the citizen's words."""
    return public_status(case.status)


def promised_deadlines(case: Case) -> list[tuple[str, datetime, bool]]:
    """(step, due time, done) of the steps the citizen was promised, running or met, in lifecycle order."""
    order = list(PUBLIC_STAGES)
    promised = [
        d
        for d in getattr(case, "deadlines", [])
        if d.stage in PUBLIC_STAGES and d.part_id is None and d.status != DeadlineStatus.CANCELLED
    ]
    promised.sort(key=lambda d: (order.index(d.stage), d.due_at))
    return [(str(PUBLIC_STAGES[d.stage]), d.due_at, d.status == DeadlineStatus.MET) for d in promised]
