"""Edits of the roster through the panel's form: one volunteer per ID number, and every edit audited.

The audit trail keeps phone and ID numbers masked (it must not spread personal numbers).
"""

from flask_babel import gettext as _
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.refusal import Refusal
from models.audit import AuditAction
from models.audit import AuditEntity
from models.volunteer import Volunteer

AUDITED = (
    "name",
    "phone",
    "id_number",
    "group",
    "community_id",
    "joined_on",
    "status",
    "patrol_area",
    "notes",
)
MASKED = ("phone", "id_number")


class RosterRefusal(Refusal):
    """A roster edit was refused (see app.refusal)."""


def save(volunteer: Volunteer, is_created: bool, actor) -> None:
    """Check a new or edited volunteer and audit the change (flushed); the form's caller commits."""
    if volunteer.id_number:
        with db.session.no_autoflush:
            clash = db.session.scalar(
                select(Volunteer.id).where(
                    Volunteer.id_number == volunteer.id_number, Volunteer.id != volunteer.id
                )
            )
        if clash is not None:
            raise RosterRefusal(_("This ID number is already on the roster."))
    before = None if is_created else audit.snapshot(volunteer, AUDITED, old=True, masked=MASKED)
    db.session.flush()  # the new volunteer's id, for the audit row (same transaction)
    after = audit.snapshot(volunteer, AUDITED, masked=MASKED)
    if before != after:
        action = AuditAction.CREATE if is_created else AuditAction.UPDATE
        audit.record(AuditEntity.VOLUNTEER, volunteer.id, action, actor, before, after)


def remove(volunteer: Volunteer, actor) -> None:
    """Audit the removal of a volunteer (the caller deletes and commits)."""
    before = audit.snapshot(volunteer, AUDITED, masked=MASKED)
    audit.record(AuditEntity.VOLUNTEER, volunteer.id, AuditAction.DELETE, actor, before, None)
