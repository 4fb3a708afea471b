"""How clues (线索) come in: staff entry or a volunteer's personal link (``/v/<token>``), files included.

A clue is saved with its files or not at all (files are written just before the commit and removed if
it fails), and a repeated submission key gives back the first clue, so a double submit makes one clue.
The personal link is an unguessable token on the volunteer; replacing it makes the old link unknown.
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.cases import event_notices
from app.extensions import db
from app.intake import uploads
from app.intake.submission import commit_once
from app.timeutil import LOCAL_TZ
from app.timeutil import utcnow
from app.volunteers.clues import PLACE_MAX
from app.volunteers.clues import TRIAGE_ROLES
from app.volunteers.clues import ClueError
from app.volunteers.clues import audit_step
from app.volunteers.rewards import volunteer_visible
from models.audit import AuditAction
from models.enums import ClueStatus
from models.volunteer import Clue
from models.volunteer import Volunteer

DESCRIPTION_MAX = 5000
FUTURE_SLACK = timedelta(minutes=10)  # phones' clocks run a little fast


@dataclass
class ClueReport:
    """What the volunteer reported, checked by the form: ready to become a clue."""

    place: str
    description: str
    occurred_at: datetime | None = None
    people_involved: int | None = None
    money_involved: Decimal | None = None
    files: list[uploads.CheckedFile] = field(default_factory=list)
    submission_key: str | None = None


# --- entering a clue ------------------------------------------------------------------------------


def from_local(value: datetime | None) -> datetime | None:
    """A wall-clock time typed in a form (Asia/Shanghai, no zone) as an aware UTC instant."""
    if value is None:
        return None
    return value.replace(tzinfo=LOCAL_TZ).astimezone(UTC) if value.tzinfo is None else value.astimezone(UTC)


def existing_clue(submission_key: str | None) -> Clue | None:
    """The clue an earlier submission with this key created, if any."""
    if not submission_key:
        return None
    return db.session.scalar(select(Clue).where(Clue.submission_key == submission_key))


def create_clue(volunteer: Volunteer, report: ClueReport, actor=None, *, now=None) -> tuple[Clue, bool]:
    """Save and commit a clue with its files; ``actor`` None means the volunteer's own link.

    Returns ``(clue, created)``: a repeated submission key gives back the first clue, unchanged.
    """
    earlier = existing_clue(report.submission_key)
    if earlier is not None and earlier.volunteer_id == volunteer.id:
        return earlier, False
    if actor is not None:
        if getattr(actor, "role", None) not in TRIAGE_ROLES:
            raise ClueError(_("Your role may not enter clues."))
        if not volunteer_visible(actor, volunteer):
            raise ClueError(_("This volunteer is not in your area."))
    if not volunteer.active:
        raise ClueError(_("This volunteer is not on active duty."))
    place, description = (report.place or "").strip(), (report.description or "").strip()
    if not place or not description:
        raise ClueError(_("Say where it happened and what happened."))
    if len(place) > PLACE_MAX or len(description) > DESCRIPTION_MAX:
        raise ClueError(_("The text is too long."))
    now = now or utcnow()
    if report.occurred_at is not None and report.occurred_at > now + FUTURE_SLACK:
        raise ClueError(_("The time it happened cannot be in the future."))
    clue = Clue(
        volunteer=volunteer,
        community_id=volunteer.community_id,
        occurred_at=report.occurred_at,
        place=place,
        description=description,
        people_involved=report.people_involved,
        money_involved=report.money_involved,
        status=ClueStatus.NEW,
        reported_at=now,
        entered_by=actor,
        submission_key=(report.submission_key if earlier is None else None) or None,
    )

    def write(stored: list[str]) -> Clue:
        db.session.add(clue)
        clue.attachments.extend(uploads.store_attachments(report.files, now, stored))
        db.session.flush()
        audit_step(clue, AuditAction.CREATE, actor, now, None)
        event_notices.clue_received(clue, now)
        db.session.commit()
        return clue

    return commit_once(write, lambda: existing_clue(report.submission_key))


def recent_clues(volunteer: Volunteer, limit: int = 5) -> list[Clue]:
    """The volunteer's latest clues, newest first."""
    query = select(Clue).where(Clue.volunteer_id == volunteer.id)
    return list(db.session.scalars(query.order_by(Clue.reported_at.desc(), Clue.id.desc()).limit(limit)))
