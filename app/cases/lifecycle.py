"""The case state machine: the only code that changes ``Case.status`` or its step timestamps (a new case's
first status, ``new``, is given by :func:`app.cases.opening.open_case`, re-exported here).

Every action checks who may do it and from which status, validates its input before touching the
case, stamps the time and writes one :class:`CaseEvent`. A refused action raises
:class:`TransitionError` and leaves the case as it was.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.auth.access import INTAKE_ROLES
from app.auth.access import STAFF_ROLES
from app.auth.access import SUPERVISOR_ROLES
from app.auth.access import can_see_case
from app.auth.access import is_department_scoped
from app.cases.opening import open_case  # noqa: F401  (the first step of the lifecycle)
from app.deadlines import clock
from app.extensions import db
from app.refusal import Refusal
from app.timeutil import utcnow
from models.case import Case
from models.case import CaseEvent
from models.enums import ReplyOutcome
from models.enums import Role
from models.enums import Satisfaction
from models.enums import Status
from models.org import Department


class TransitionError(Refusal):
    """An action was refused (see app.refusal)."""


@dataclass(frozen=True)
class Action:
    """One lifecycle action: where it may start, who may take it, and what it does."""

    name: str
    label: object
    sources: frozenset
    roles: frozenset
    lead_only: bool
    apply: Callable
    guard: Callable | None = None  # (case) -> refusal message or None, for conditions beyond status


ACTIONS: dict[str, Action] = {}
ALL_STATUSES = frozenset(Status)


def _action(name, label, sources, roles, lead_only=False, guard=None):
    def register(fn):
        ACTIONS[name] = Action(name, label, frozenset(sources), frozenset(roles), lead_only, fn, guard)
        return fn

    return register


def _required_text(params: dict, key: str, message: str) -> str:
    value = (params.get(key) or "").strip()
    if not value:
        raise TransitionError(message)
    return value


def _optional_text(params: dict, key: str) -> str | None:
    return (params.get(key) or "").strip() or None


def _department(value) -> Department | None:
    if value is None or value == "":
        return None
    if isinstance(value, Department):
        return value
    try:
        return db.session.get(Department, int(value))
    except (TypeError, ValueError):
        return None


# Each action validates first, then mutates, and returns (to_status, note, data).


@_action("register", _l("Register"), {Status.NEW}, INTAKE_ROLES)
def _register(case, actor, now, params):
    case.registered_at = now
    return Status.REGISTERED, _optional_text(params, "note"), None


@_action("reject", _l("Reject"), {Status.NEW, Status.REGISTERED}, INTAKE_ROLES)
def _reject(case, actor, now, params):
    reason = _required_text(params, "reason", _("Give the reason for not accepting the case."))
    case.closed_at = now
    return Status.REJECTED, reason, None


@_action("dispatch", _l("Dispatch"), {Status.REGISTERED}, INTAKE_ROLES)
def _dispatch(case, actor, now, params):
    lead = _department(params.get("lead_department"))
    if lead is None or not lead.active:
        raise TransitionError(_("Choose an active lead department."))
    co = []
    for value in params.get("co_departments") or []:
        dept = _department(value)
        if dept is None or not dept.active:
            raise TransitionError(_("A co-department is unknown or inactive."))
        if dept.id != lead.id and dept not in co:
            co.append(dept)
    case.lead_department = lead
    case.co_departments = co
    case.dispatched_at = now
    case.signed_at = case.contacted_at = None
    case.handler = None
    data = {"lead_department_id": lead.id, "co_department_ids": [d.id for d in co]}
    return Status.DISPATCHED, _optional_text(params, "note"), data


@_action("return", _l("Return"), {Status.DISPATCHED, Status.IN_PROGRESS}, {Role.HANDLER}, lead_only=True)
def _return(case, actor, now, params):
    reason = _required_text(params, "reason", _("Give the reason for returning the case."))
    data = {"lead_department_id": case.lead_department_id}
    case.lead_department = None
    case.co_departments = []
    case.handler = None
    case.signed_at = case.contacted_at = None
    case.return_count = (case.return_count or 0) + 1
    return Status.REGISTERED, reason, data


@_action("sign", _l("Sign for"), {Status.DISPATCHED}, {Role.HANDLER}, lead_only=True)
def _sign(case, actor, now, params):
    case.signed_at = now
    case.handler = actor
    return Status.IN_PROGRESS, _optional_text(params, "note"), None


@_action("contact", _l("Record contact"), {Status.IN_PROGRESS}, {Role.HANDLER}, lead_only=True)
def _contact(case, actor, now, params):
    note = _required_text(params, "note", _("Record what was said to the citizen."))
    if case.contacted_at is None:
        case.contacted_at = now
    return Status.IN_PROGRESS, note, None


@_action("reply", _l("Reply"), {Status.IN_PROGRESS}, {Role.HANDLER}, lead_only=True)
def _reply(case, actor, now, params):
    try:
        outcome = ReplyOutcome(params.get("outcome"))
    except ValueError:
        raise TransitionError(_("Choose the outcome of the reply.")) from None
    text = _required_text(params, "text", _("Write the reply to the citizen."))
    case.reply_outcome = outcome
    case.reply_text = text
    case.replied_at = now
    return Status.REPLIED, text, {"outcome": str(outcome)}


@_action("revisit", _l("Revisit"), {Status.REPLIED}, INTAKE_ROLES)
def _revisit(case, actor, now, params):
    try:
        satisfaction = Satisfaction(params.get("satisfaction"))
    except ValueError:
        raise TransitionError(_("Choose the citizen's satisfaction.")) from None
    note = _optional_text(params, "note")
    case.satisfaction = satisfaction
    case.satisfaction_note = note
    data = {"satisfaction": str(satisfaction)}
    if satisfaction == Satisfaction.UNSATISFIED:
        case.redo_count = (case.redo_count or 0) + 1
        case.replied_at = None
        data["redo"] = True
        return Status.IN_PROGRESS, note, data
    case.closed_at = now
    return Status.CLOSED, note, data


@_action("reopen", _l("Reopen"), {Status.CLOSED}, SUPERVISOR_ROLES)
def _reopen(case, actor, now, params):
    reason = _required_text(params, "reason", _("Give the reason for reopening the case."))
    if case.lead_department_id is None:
        raise TransitionError(_("The case has no lead department to reopen it with."))
    case.closed_at = case.replied_at = None
    case.satisfaction = case.satisfaction_note = None
    case.redo_count = (case.redo_count or 0) + 1
    return Status.IN_PROGRESS, reason, None


@_action(
    "merge",
    _l("Merge into another case"),
    {Status.NEW, Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS},
    INTAKE_ROLES,
)
def _merge(case, actor, now, params):
    target = params.get("target")
    if isinstance(target, str):
        target = db.session.query(Case).filter_by(number=target.strip().upper()).one_or_none()
    if target is None:
        raise TransitionError(_("No case has that number."))
    if target.id == case.id:
        raise TransitionError(_("A case cannot be merged into itself."))
    if target.status in (Status.MERGED, Status.REJECTED):
        raise TransitionError(_("The target case is itself merged or not accepted."))
    note = _optional_text(params, "note")
    case.merged_into = target
    case.closed_at = now
    target.events.append(
        CaseEvent(at=now, actor=actor, action="merge_in", note=note, data={"merged_case": case.number})
    )
    return Status.MERGED, note, {"target": target.number}


@_action("comment", _l("Add a note"), ALL_STATUSES, STAFF_ROLES)
def _comment(case, actor, now, params):
    note = _required_text(params, "note", _("Write the note."))
    return case.status, note, None


def refusal(case: Case, name: str, user) -> str | None:
    """Why ``user`` may not take action ``name`` on ``case`` now, or None when they may."""
    action = ACTIONS.get(name)
    if action is None:
        return _("Unknown action.")
    if user is None or user.role not in action.roles:
        return _("Your role may not do this.")
    if not can_see_case(user, case):
        return _("This case is not assigned to your department.")
    if action.lead_only and is_department_scoped(user) and case.lead_department_id != user.department_id:
        return _("Only the lead department may do this.")
    if case.status not in action.sources:
        return _("This cannot be done while the case is in its current status.")
    return action.guard(case) if action.guard is not None else None


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
    return event


def citizen_may_rate(case: Case) -> bool:
    """Whether the citizen may rate now: the case is replied and not yet rated since that reply."""
    if case.status != Status.REPLIED or case.replied_at is None:
        return False
    return case.citizen_rated_at is None or case.citizen_rated_at < case.replied_at


def rate_by_citizen(
    case: Case, satisfaction: str, comment: str | None, *, now: datetime | None = None
) -> CaseEvent:
    """The citizen's own revisit: satisfied closes the case, unsatisfied sends it back (重办); once per reply."""
    if not citizen_may_rate(case):
        rated = case.citizen_rated_at is not None and (
            case.replied_at is None or case.citizen_rated_at >= case.replied_at
        )
        if rated:
            raise TransitionError(_("This reply has already been rated."))
        raise TransitionError(_("There is no reply to rate yet."))
    now = now or utcnow()
    event = _apply(
        case, "revisit", None, now, {"satisfaction": satisfaction, "note": comment}, extra={"by": "citizen"}
    )
    case.citizen_rated_at = now
    return event


from app.cases import extensions  # noqa: E402, F401  (registers the extension actions)

ACTION_LABELS = {name: action.label for name, action in ACTIONS.items()}
ACTION_LABELS.update({"receive": _l("Case received"), "merge_in": _l("Duplicate merged in")})
