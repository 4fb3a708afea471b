"""The retention period and the erasing of a finished case's personal data (the domain only flushes).

A case is finished when closed, not accepted or merged (each sets ``closed_at``). Once the period has run
from ``closed_at``, :func:`anonymise_due` clears the citizen's name, phone, ID number, address and the IP the
letter came from, and masks phone and ID numbers and the citizen's own name in the case's texts, its
timeline notes, its co-departments' parts, the staff messages about it and the texts sent to the citizen
(whose number is masked; a text not yet sent is withdrawn), through :func:`app.auth.redaction.redact_free_text`,
the one masker of free text. Figures (status, dates, department, category, satisfaction) stay for the statistics. ``anonymised_at`` marks the
case done, so each case is erased once and the job reads only the cases not yet done (indexed).
"""

import calendar
from datetime import datetime

from sqlalchemy import select

from app.auth.redaction import redact_free_text
from app.cases import lifecycle
from app.cases import parts
from app.extensions import db
from app.notifications import outbox
from app.notifications import sms
from models.case import Case
from models.enums import Status
from models.privacy import DEFAULT_MONTHS
from models.privacy import PrivacySetting

FINISHED = (Status.CLOSED, Status.REJECTED, Status.MERGED)
PERSONAL_FIELDS = ("citizen_name", "citizen_phone", "citizen_id_no", "address", "submitted_ip")
TEXT_FIELDS = ("title", "content", "reply_text", "satisfaction_note", "citizen_rating_note", "grade_reason")
MAX_MONTHS = 600  # fifty years


def setting() -> PrivacySetting:
    """The one settings row (created with the default period when missing; flushed, not committed)."""
    row = db.session.get(PrivacySetting, 1)
    if row is None:
        row = PrivacySetting(id=1, retention_months=DEFAULT_MONTHS)
        db.session.add(row)
        db.session.flush()
    return row


def retention_months() -> int:
    """The period in months (0: personal data is never erased by the job)."""
    row = db.session.get(PrivacySetting, 1)
    return DEFAULT_MONTHS if row is None else row.retention_months


def cutoff(now: datetime, months: int) -> datetime:
    """Cases finished before this moment are due for erasing."""
    total = now.year * 12 + now.month - 1 - months
    year, month = divmod(total, 12)
    day = min(now.day, calendar.monthrange(year, month + 1)[1])
    return now.replace(year=year, month=month + 1, day=day)


def anonymise(case: Case, now: datetime) -> None:
    """Erase ``case``'s personal data and mask it in its texts and timeline; marks the case done."""
    known = [case.citizen_name, case.citizen_phone, case.citizen_id_no, case.address]
    for name in TEXT_FIELDS:
        value = getattr(case, name)
        if value:
            setattr(case, name, redact_free_text(value, known)[: 200 if name == "title" else None])
    lifecycle.redact_timeline(case, known)
    parts.redact_all(case, known)
    outbox.redact_case_messages(case.id, known)
    sms.erase_case_texts(case.id, known, now)
    for name in PERSONAL_FIELDS:
        setattr(case, name, None)
    case.anonymised_at = now


def due_ids(now: datetime, batch: int) -> list[int]:
    """Up to ``batch`` ids of finished cases past the period and not yet erased, oldest first."""
    months = retention_months()
    if months <= 0:
        return []
    return list(
        db.session.scalars(
            select(Case.id)
            .where(
                Case.anonymised_at.is_(None),
                Case.closed_at < cutoff(now, months),
                Case.status.in_(FINISHED),
            )
            .order_by(Case.closed_at, Case.id)
            .limit(batch)
        )
    )


def anonymise_due(now: datetime, batch: int = 200) -> int:
    """Erase one batch of due cases (flushed; the caller commits); how many were erased."""
    ids = due_ids(now, batch)
    for case in db.session.scalars(select(Case).where(Case.id.in_(ids))) if ids else ():
        anonymise(case, now)
    db.session.flush()
    return len(ids)


def counts(now: datetime) -> dict:
    """How many cases are erased, and how many finished ones the next run would erase."""
    done = db.session.scalar(select(db.func.count(Case.id)).where(Case.anonymised_at.is_not(None)))
    months = retention_months()
    due = 0
    if months > 0:
        due = db.session.scalar(
            select(db.func.count(Case.id)).where(
                Case.anonymised_at.is_(None),
                Case.closed_at < cutoff(now, months),
                Case.status.in_(FINISHED),
            )
        )
    return {"done": done or 0, "due": due or 0}
