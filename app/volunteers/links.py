"""Volunteers' personal links (/v/<token>): made, replaced, handed out in bulk, and resolved.

A token is 256 random bits; it is a bearer credential, so it is never written to the audit trail, and
replacing it makes the old link stop working at once. Only active volunteers' links open the clue page.
"""

import re
import secrets
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app import audit
from app.auth.access import scope_query
from app.config import public_url
from app.extensions import db
from app.volunteers.clues import TRIAGE_ROLES
from app.volunteers.clues import ClueError
from app.volunteers.rewards import volunteer_visible
from models.audit import AuditAction
from models.audit import AuditEntity
from models.enums import VolunteerStatus
from models.volunteer import Volunteer

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
ENTITY = AuditEntity.VOLUNTEER_LINK


def new_link_token() -> str:
    """A fresh unguessable token for ``/v/<token>`` (256 bits, 43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def link_url(volunteer: Volunteer) -> str | None:
    """The absolute address of the volunteer's clue page, or None without a link."""
    return public_url(f"/v/{volunteer.link_token}") if volunteer.link_token else None


def _require(actor) -> None:
    if getattr(actor, "role", None) not in TRIAGE_ROLES:
        raise ClueError(_("Your role may not manage personal links."))


def regenerate_link(volunteer: Volunteer, actor, *, now: datetime | None = None) -> str:
    """Give the volunteer a new personal link (the old one stops working at once); returns the token."""
    _require(actor)
    if not volunteer_visible(actor, volunteer):
        raise ClueError(_("This volunteer is not in your area."))
    action = AuditAction.REPLACE if volunteer.link_token else AuditAction.CREATE
    volunteer.link_token = new_link_token()
    audit.record(ENTITY, volunteer.id, action, actor, None, None, at=now)
    db.session.flush()
    return volunteer.link_token


def create_missing_links(actor, *, now: datetime | None = None) -> int:
    """Give every active volunteer in the actor's area who has no link one; returns how many were made."""
    _require(actor)
    query = select(Volunteer).where(
        Volunteer.status == VolunteerStatus.ACTIVE, Volunteer.link_token.is_(None)
    )
    volunteers = db.session.scalars(scope_query(Volunteer, query, actor)).all()
    for volunteer in volunteers:
        volunteer.link_token = new_link_token()
    if volunteers:
        audit.record(ENTITY, "bulk", AuditAction.CREATE, actor, None, {"count": len(volunteers)}, at=now)
    db.session.flush()
    return len(volunteers)


def links_for_handing_out(actor) -> list[Volunteer]:
    """The active volunteers in the actor's area who have a link, by community and name (for the workbook)."""
    _require(actor)
    query = select(Volunteer).where(
        Volunteer.status == VolunteerStatus.ACTIVE, Volunteer.link_token.is_not(None)
    )
    query = scope_query(Volunteer, query, actor).order_by(
        Volunteer.community_id, Volunteer.name, Volunteer.id
    )
    volunteers = db.session.scalars(query).all()
    audit.record(ENTITY, "bulk", AuditAction.EXPORT, actor, None, {"count": len(volunteers)})
    db.session.flush()
    return volunteers


def volunteer_by_token(token: str | None) -> Volunteer | None:
    """The active volunteer whose personal link this is, or None (unknown, replaced, or not active)."""
    if not token or not TOKEN_PATTERN.fullmatch(token):
        return None
    volunteer = db.session.scalar(select(Volunteer).where(Volunteer.link_token == token))
    return volunteer if volunteer is not None and volunteer.active else None
