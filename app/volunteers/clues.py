"""Clue (线索) triage and visibility: the one place these rules live (entry: :mod:`app.volunteers.clue_intake`).

A clue is triaged once: converted into a case (channel ``volunteer``, through :func:`app.intake.submission.receive`),
merged with an existing case the actor may see, or dismissed with a reason. Each triage step claims the
clue with one conditional UPDATE (``status = 'new'``), so when two staff triage the same clue at the
same moment exactly one of them wins and the other is told; nothing of the loser's step remains.

Every step writes in the caller's transaction (the caller commits once; a conversion's case, the clue's
claim and its link are one transaction) and leaves an audit row (entity ``clue``, through
:func:`app.audit.record`). A refusal raises :class:`ClueError`; the caller rolls back.
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy import update

from app import audit
from app.auth.access import STAFF_ROLES
from app.auth.access import can_see_case
from app.auth.access import clue_clause
from app.cases import lifecycle
from app.extensions import db
from app.intake.submission import CitizenRequest
from app.intake.submission import existing_case
from app.intake.submission import receive
from app.refusal import Refusal
from app.timeutil import utcnow
from models.audit import AuditAction
from models.audit import AuditEntity
from models.case import Case
from models.enums import Channel
from models.enums import ClueStatus
from models.enums import DepartmentKind
from models.enums import RequestType
from models.enums import Role
from models.enums import Status
from models.volunteer import Clue

TRIAGE_ROLES = STAFF_ROLES - {Role.LEADER}  # leaders read; every desk role may enter and triage
PLACE_MAX, REASON_MAX, TITLE_MAX = 200, 1000, 100
CLUES = Clue.__table__
AUDITED = ("status", "case_id", "dismiss_reason", "triaged_by_id")


class ClueError(Refusal):
    """A clue step was refused (see app.refusal)."""


# --- who may see and do what --------------------------------------------------------------------


def clue_visible(actor, clue: Clue) -> bool:
    """Whether ``actor`` may see ``clue`` (handlers: their unit's clues, and clues of their cases)."""
    clause = clue_clause(actor)
    if clause is None:
        return True
    return db.session.scalar(select(Clue.id).where(Clue.id == clue.id, clause)) is not None


def may_triage(actor, clue: Clue) -> bool:
    """Whether ``actor`` may triage ``clue`` now (role, scope, still awaiting triage)."""
    return _triage_refusal(actor, clue) is None


def _triage_refusal(actor, clue: Clue) -> str | None:
    if actor is None or getattr(actor, "role", None) not in TRIAGE_ROLES:
        return _("Your role may not triage clues.")
    if not clue_visible(actor, clue):
        return _("This clue is not in your area.")
    if clue.status != ClueStatus.NEW:
        return _("This clue has already been triaged.")
    return None


# --- triage ---------------------------------------------------------------------------------------


def _claim(clue: Clue, actor, now: datetime, status: str, **values) -> None:
    """Move the clue out of ``new`` with one conditional UPDATE; refuse if someone else moved it first."""
    statement = (
        update(CLUES)
        .where(CLUES.c.id == clue.id, CLUES.c.status == ClueStatus.NEW)
        .values(status=status, triaged_by_id=actor.id, triaged_at=now, **values)
    )
    if db.session.execute(statement).rowcount != 1:
        raise ClueError(_("This clue has already been triaged."))
    db.session.expire(clue)


def _check(actor, clue: Clue) -> None:
    if (reason := _triage_refusal(actor, clue)) is not None:
        raise ClueError(reason)


def default_title(clue: Clue) -> str:
    """A case title from the clue: where, and the start of what happened."""
    text = " ".join(clue.description.split())
    title = f"{clue.place}：{text}"
    return title if len(title) <= TITLE_MAX else title[: TITLE_MAX - 1] + "…"


def _street_id(clue: Clue) -> int | None:
    parent = clue.community.parent if clue.community is not None else None
    return parent.id if parent is not None and parent.kind == DepartmentKind.STREET else None


def _conversion_key(clue: Clue) -> str:
    return f"clue-{clue.id}"


def convert_to_case(
    clue: Clue, actor, *, request_type=RequestType.REPORT, category_id=None, title=None, now=None
) -> Case:
    """Turn the clue into a new case (channel volunteer) carrying its text, place, figures and files."""
    _check(actor, clue)
    title = " ".join((title or "").split()) or default_title(clue)
    if len(title) > TITLE_MAX:
        raise ClueError(_("The title is too long."))
    if request_type not in set(RequestType):
        raise ClueError(_("Choose the type of request."))
    now = now or utcnow()
    volunteer = clue.volunteer
    note = _(
        "Converted from clue #%(id)s of volunteer %(name)s by %(actor)s.",
        id=clue.id,
        name=volunteer.name,
        actor=actor.display_name,
    )
    request = CitizenRequest(
        channel=Channel.VOLUNTEER,
        request_type=str(request_type),
        title=title,
        content=clue.description,
        category_id=category_id,
        street_id=_street_id(clue),
        community_id=clue.community_id,
        address=clue.place,
        people_involved=clue.people_involved,
        money_involved=clue.money_involved,
        citizen_name=volunteer.name,
        citizen_phone=volunteer.phone,
        submission_key=_conversion_key(clue),
        note=note,
    )
    _claim(clue, actor, now, ClueStatus.CONVERTED)
    case = receive(request, now=now)
    _link(clue, case)
    audit_step(clue, AuditAction.CONVERT, actor, now, {"status": str(ClueStatus.NEW)})
    return case


def finish_conversion(clue: Clue) -> Case | None:
    """Link a converted clue to its case if the step stopped between the two commits; the case or None."""
    if clue.status != ClueStatus.CONVERTED or clue.case_id is not None:
        return clue.case
    case = existing_case(_conversion_key(clue))
    if case is not None:
        _link(clue, case)
    return case


def _link(clue: Clue, case: Case) -> None:
    """The clue points at the case; its files show on the case page too."""
    clue.case = case
    for attachment in clue.attachments:
        if attachment.case_id is None:
            attachment.case = case
    db.session.flush()


def find_case(number: str | None, actor) -> Case | None:
    """The case with this number if ``actor`` may see it (an invisible case is as good as none)."""
    number = (number or "").strip().upper()
    if not number:
        return None
    case = db.session.scalar(select(Case).where(Case.number == number))
    return case if case is not None and can_see_case(actor, case) else None


def merge_into_case(clue: Clue, number, actor, *, now=None) -> Case:
    """Join the clue to an existing case the actor may see (by case number); a note on the case's timeline."""
    _check(actor, clue)
    case = number if isinstance(number, Case) else find_case(number, actor)
    if case is None or not can_see_case(actor, case):
        raise ClueError(_("No case you may see has that number."))
    if case.status in (Status.MERGED, Status.REJECTED):
        raise ClueError(_("That case is itself merged or not accepted; use the case it was merged into."))
    now = now or utcnow()
    _claim(clue, actor, now, ClueStatus.MERGED, case_id=case.id)
    _link(clue, case)
    note = _(
        "Clue #%(id)s of volunteer %(name)s merged into this case.", id=clue.id, name=clue.volunteer.name
    )
    try:
        lifecycle.perform(case, "comment", actor, now=now, note=note)
    except lifecycle.TransitionError as exc:
        raise ClueError(exc.message) from exc
    audit_step(clue, AuditAction.MERGE, actor, now, {"status": str(ClueStatus.NEW)})
    return case


def dismiss(clue: Clue, reason, actor, *, now=None) -> Clue:
    """Dismiss the clue with the reason (required); a dismissed clue cannot be rewarded."""
    _check(actor, clue)
    reason = (reason or "").strip()
    if not reason:
        raise ClueError(_("Give the reason for dismissing the clue."))
    if len(reason) > REASON_MAX:
        raise ClueError(_("The reason is too long."))
    now = now or utcnow()
    _claim(clue, actor, now, ClueStatus.DISMISSED, dismiss_reason=reason)
    audit_step(clue, AuditAction.DISMISS, actor, now, {"status": str(ClueStatus.NEW)})
    return clue


def audit_step(clue: Clue, action: str, actor, now: datetime, before: dict | None) -> None:
    """Add the audit row of a clue step (its status, case and reason after the step)."""
    audit.record(AuditEntity.CLUE, clue.id, action, actor, before, audit.snapshot(clue, AUDITED), at=now)


def source_clues(case: Case) -> list[Clue]:
    """The clues that became or joined ``case`` (shown on its page to whoever may see the case)."""
    return list(db.session.scalars(select(Clue).where(Clue.case_id == case.id).order_by(Clue.id)))
