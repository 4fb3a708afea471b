"""What a citizen may see of their case: found by tracking code (+ phone tail), the public timeline only."""

import hmac
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.validators import ascii_text
from models.case import Case
from models.case import CaseAction
from models.deadline import DeadlineStatus
from models.deadline import Stage
from models.enums import Satisfaction
from models.enums import Status

# Timeline events a citizen sees, and whether their note is for the citizen (reasons and replies are).
PUBLIC_EVENTS = {
    "receive": False,
    "register": False,
    "reject": True,
    "dispatch": False,
    "sign": False,
    "contact": False,
    "reply": True,
    "revisit": False,
    "reopen": False,
    "merge": False,
}
CITIZEN_STAGES = (Stage.SIGN, Stage.CONTACT, Stage.FIRST_REPLY, Stage.RESOLVE)


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


def public_timeline(case: Case) -> list[PublicEvent]:
    """The case's events a citizen may see, oldest first; staff-only notes never appear."""
    events = []
    for event in case.events:
        data = event.data or {}
        if event.action in PUBLIC_EVENTS:
            label = str(CaseAction.label_of(event.action))
            if event.action == "dispatch" and case.lead_department is not None:
                label = _("Sent to %(department)s", department=case.lead_department.name)
            if event.action == "revisit" and data.get("satisfaction"):
                label = _(
                    "Rated: %(satisfaction)s",
                    satisfaction=Satisfaction.label_of(data["satisfaction"]),
                )
            events.append(PublicEvent(event.at, label, event.note if PUBLIC_EVENTS[event.action] else None))
        elif data.get("public"):  # e.g. an approved extension: the citizen is told the new date and why
            label = str(CaseAction.label_of(event.action))
            events.append(PublicEvent(event.at, label, data.get("public_note")))
    return events


def status_label(case: Case) -> str:
    """The case's status in the citizen's words."""
    return str(Status.label_of(case.status))


def promised_deadlines(case: Case) -> list[tuple[str, datetime, bool]]:
    """(step, due time, done) of the steps the citizen was promised, running or met."""
    shown = []
    for deadline in getattr(case, "deadlines", []):
        if deadline.stage in CITIZEN_STAGES and deadline.status != DeadlineStatus.CANCELLED:
            shown.append(
                (str(Stage.label_of(deadline.stage)), deadline.due_at, deadline.status == DeadlineStatus.MET)
            )
    return shown
