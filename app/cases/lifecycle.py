"""The case state machine: the only code that changes ``Case.status`` or its step timestamps, and the one
writer of timeline events (a new case's first status and event come from :mod:`app.cases.opening`).

Every action of :data:`app.cases.actions.ACTIONS` is checked here (who may take it, on which case, from
which status), then validates its input before touching the case; :func:`perform` stamps the time,
moves the clocks and writes one :class:`CaseEvent`. A refused action raises :class:`TransitionError`
and leaves the case as it was. Nothing here commits: the request, job or command that called commits.
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from app import audit
from app.auth import pii
from app.auth.access import can_see_case
from app.auth.access import is_department_scoped
from app.auth.redaction import redact_free_text
from app.auth.redaction import redact_json
from app.cases import citizen_rating  # (adds the citizen's rating after a revisit to ACTIONS)
from app.cases import citizen_texts
from app.cases import direct_answer  # noqa: F401  (adds 即接即办 to ACTIONS)
from app.cases import event_notices
from app.cases import extensions  # noqa: F401  (adds the extension actions to ACTIONS)
from app.cases import handdown
from app.cases import instruments  # noqa: F401  (adds the command and accountability actions to ACTIONS)
from app.cases import levels  # noqa: F401  (adds 下派 and the co-departments' part actions to ACTIONS)
from app.cases import progress_updates  # noqa: F401  (adds 动态更新 to ACTIONS)
from app.cases import redispatch  # noqa: F401  (adds 改派 and 撤回 to ACTIONS)
from app.cases import urging  # noqa: F401  (adds 催办 to ACTIONS)
from app.cases.actions import ACTIONS
from app.cases.actions import Action
from app.cases.actions import TransitionError
from app.cases.opening import open_case
from app.deadlines import clock
from app.extensions import db
from app.timeutil import utcnow
from models.audit import AuditEntity
from models.case import Case
from models.case import CaseAction
from models.case import CaseEvent

__all__ = [
    "ACTIONS",
    "TransitionError",
    "add_note",
    "record_edit",
    "available_actions",
    "open_case",
    "perform",
    "perform_by_rule",
    "rate_by_citizen",
    "refusal",
]


def refusal(case: Case, name: str, user) -> str | None:
    """Why ``user`` may not take action ``name`` on ``case`` now, or None when they may."""
    action = ACTIONS.get(name)
    if action is None:
        return _("Unknown action.")
    if user is None or user.role not in action.roles:
        return _("Your role may not do this.")
    if not can_see_case(user, case):
        return _("This case is not assigned to your department.")
    if (
        action.lead_only
        and is_department_scoped(user)
        and handdown.acting_department_for(case, name) != user.department_id
    ):
        return _("Only the department handling the case may do this.")
    if case.status not in action.sources:
        return _("This cannot be done while the case is in its current status.")
    if action.guard is not None and (reason := action.guard(case)):
        return reason
    return action.who(case, user) if action.who is not None else None


def available_actions(case: Case, user) -> list[Action]:
    """The actions ``user`` may take on ``case`` right now, in lifecycle order."""
    return [a for a in ACTIONS.values() if refusal(case, a.name, user) is None]


def perform(
    case: Case,
    name: str,
    actor,
    *,
    now: datetime | None = None,
    expected_version: int | None = None,
    **params,
) -> CaseEvent:
    """Take action ``name`` on ``case`` as ``actor``; raise :class:`TransitionError` if refused."""
    reason = refusal(case, name, actor)
    if reason:
        raise TransitionError(reason)
    if expected_version is not None and int(expected_version) != case.version:
        raise TransitionError(_("Someone else has changed this case. Reload the page and try again."))
    return _apply(case, name, actor, now or utcnow(), params)


def perform_by_rule(case: Case, name: str, *, now: datetime, **params) -> CaseEvent | None:
    """Take action ``name`` for an automatic rule (no actor): only the status and the action's own guard are
    checked; None when the case is not in a status the action starts from."""
    action = ACTIONS[name]
    if case.status not in action.sources or (action.guard is not None and action.guard(case)):
        return None
    return _apply(case, name, None, now, params, extra={"by": "rule"})


def _apply(case: Case, name: str, actor, now: datetime, params: dict, extra: dict | None = None) -> CaseEvent:
    from_status = case.status
    to_status, note, data = ACTIONS[name].apply(case, actor, now, params)
    if extra:
        data = {**(data or {}), **extra}
    case.status = to_status
    clock.on_action(case, name, now, data)
    event = CaseEvent(
        at=now,
        actor=actor,
        action=name,
        from_status=str(from_status),
        to_status=str(to_status),
        note=note,
        data=data,
    )
    case.events.append(event)
    db.session.flush()
    event_notices.after_action(case, event)
    citizen_texts.after_action(case, event)
    return event


def add_note(
    case: Case, actor, note: str, *, now: datetime | None = None, data: dict | None = None
) -> CaseEvent:
    """A note on the timeline from a step another domain has authorised (e.g. a reward decision by a
    community handler on a case another department leads); the status does not change."""
    status = str(case.status)
    event = CaseEvent(
        at=now or utcnow(),
        actor=actor,
        action=CaseAction.COMMENT,
        from_status=status,
        to_status=status,
        note=note,
        data=data,
    )
    case.events.append(event)
    db.session.flush()
    return event


def record_edit(case: Case, actor, fields: list[str], *, now: datetime | None = None) -> CaseEvent | None:
    """The timeline entry and audit row of an edit of the registered details, field by field old → new (None
    when no value really changed); the timeline keeps no values of personal fields or the content, the audit
    row all."""
    status, now = str(case.status), now or utcnow()
    changed = audit.changes(case, fields)
    if not changed:
        return None
    shown = {name: pair for name, pair in changed.items() if name not in pii.PERSONAL_CASE_FIELDS}
    event = CaseEvent(
        at=now,
        actor=actor,
        action=CaseAction.EDIT,
        from_status=status,
        to_status=status,
        data={"fields": sorted(changed), "changes": shown},
    )
    case.events.append(event)
    audit.record_edit(AuditEntity.CASE, case.id, changed, actor, at=now)
    return event


def citizen_may_rate(case: Case, now: datetime | None = None) -> bool:
    """Whether the citizen may rate the case's reply now (the rule: :mod:`app.cases.citizen_rating`)."""
    return citizen_rating.refusal(case, now or utcnow()) is None


def rate_by_citizen(
    case: Case, satisfaction: str, comment: str | None, *, now: datetime | None = None
) -> CaseEvent:
    """The citizen's own rating (群众评价), once per reply: before a staff revisit it is the revisit (satisfied
    closes, unsatisfied sends back); after one it is recorded apart (see :mod:`app.cases.citizen_rating`)."""
    now = now or utcnow()
    if reason := citizen_rating.refusal(case, now):
        raise TransitionError(reason)
    rating = citizen_rating.choice(satisfaction)
    name = CaseAction.REVISIT if citizen_rating.is_the_revisit(case) else CaseAction.CITIZEN_RATING
    citizen_rating.record(case, rating, comment, now)
    params = {"satisfaction": str(rating), "note": comment}
    return _apply(case, name, None, now, params, extra={"by": "citizen"})


def redact_timeline(case: Case, known) -> None:
    """Mask the citizen's personal data (``known`` values, phone and ID numbers) in every note and data of
    ``case``'s timeline, for the erasing of personal data; the steps themselves stay (flushed by the caller)."""
    for event in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)):
        if event.note:
            event.note = redact_free_text(event.note, known)
        if event.data:
            event.data = redact_json(event.data, known)
