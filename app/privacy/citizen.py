"""One citizen's requests under the personal-information law: everything held about them as a workbook, and
the erasing of all their cases at once (the domain only flushes; the caller commits with the audit row)."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import or_
from sqlalchemy import select

from app import audit
from app.auth.pii import mask
from app.extensions import db
from app.privacy.retention import anonymise
from app.validators import normalise_id_number
from app.validators import normalise_phone
from app.xlsx import write_sheets
from models.audit import AuditAction
from models.audit import AuditEntity
from models.case import Case
from models.case import CaseAction
from models.case import CaseEvent
from models.enums import Status

MAX_CASES = 2000  # one person's letters; more means the number is a switchboard, not a citizen


def lookup_key(value: str | None) -> str:
    """The typed phone or ID number as stored (digits, an upper-case X); empty when nothing usable."""
    value = normalise_id_number(normalise_phone(value)).replace("-", "")
    return value if len(value) >= 7 and value[:-1].isdigit() else ""


def cases_of(key: str) -> list[Case]:
    """The not yet erased cases whose citizen phone or ID number is ``key``, oldest first."""
    if not key:
        return []
    return list(
        db.session.scalars(
            select(Case)
            .where(
                or_(Case.citizen_phone == key, Case.citizen_id_no == key),
                Case.anonymised_at.is_(None),
            )
            .order_by(Case.received_at, Case.id)
            .limit(MAX_CASES)
        )
    )


def _label(enum, code) -> str:
    return str(enum.label_of(code, code or ""))


def _case_row(case: Case) -> list:
    return [
        case.number,
        case.received_at,
        _label(Status, case.status),
        case.category.name if case.category else "",
        case.title,
        case.content,
        case.citizen_name or "",
        case.citizen_phone or "",
        case.citizen_id_no or "",
        case.address or "",
        case.reply_text or "",
        case.satisfaction_note or "",
        case.citizen_rating_note or "",
        case.closed_at,
    ]


def workbook(cases: list[Case]) -> bytes:
    """The cases and their timelines as an xlsx (every user text a text cell, never a formula)."""
    case_header = [
        _("Case number"),
        _("Received"),
        _("Status"),
        _("Category"),
        _("Title"),
        _("Content"),
        _("Citizen name"),
        _("Citizen phone"),
        _("ID number"),
        _("Address"),
        _("Reply"),
        _("Revisit note"),
        _("Citizen's rating note"),
        _("Finished at"),
    ]
    numbers = {case.id: case.number for case in cases}
    events = db.session.scalars(
        select(CaseEvent)
        .where(CaseEvent.case_id.in_(list(numbers)))
        .order_by(CaseEvent.case_id, CaseEvent.id)
    )
    event_rows = [[numbers[e.case_id], e.at, _label(CaseAction, e.action), e.note or ""] for e in events]
    return write_sheets(
        [
            (_("Cases"), case_header, [_case_row(case) for case in cases], None),
            (_("Handling record"), [_("Case number"), _("Time"), _("Step"), _("Note")], event_rows, None),
        ]
    )


def anonymise_all(key: str, reason: str, actor, now: datetime) -> list[str]:
    """Erase the personal data of every case of the citizen at ``key`` now, whatever its status or age,
    audited with ``reason``; the numbers of the cases erased (flushed, the caller commits)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("a reason is required")
    cases = cases_of(key)
    for case in cases:
        anonymise(case, now)
    numbers = [case.number for case in cases]
    after = {"citizen": mask(key), "reason": reason[:500], "cases": numbers}
    audit.record(AuditEntity.PERSONAL_DATA, mask(key), AuditAction.ANONYMISE, actor, None, after, at=now)
    db.session.flush()
    return numbers
