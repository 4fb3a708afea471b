"""The actions table of the case state machine: each action, where it may start, who may take it, what it does.

:data:`ACTIONS` drives both the buttons on the case page and the enforcement (:mod:`app.cases.lifecycle`
asks it through ``refusal()``). The actions here are the lifecycle proper; :mod:`app.cases.extensions`
adds the extension (延期) actions to the same table. An action validates its input before it changes the
case, and raises :class:`TransitionError` to refuse.
"""

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from flask_babel import gettext as _

from app.auth.access import INTAKE_ROLES
from app.auth.access import STAFF_ROLES
from app.auth.access import SUPERVISOR_ROLES
from app.cases import contact_record
from app.cases import handdown
from app.cases import parts
from app.cases import revisit
from app.command import authority
from app.command import orders
from app.extensions import db
from app.refusal import Refusal
from app.validators import parse_id
from models.case import Case
from models.case import CaseAction
from models.case import CaseEvent
from models.enums import HandlingLevel
from models.enums import ReplyOutcome
from models.enums import Role
from models.enums import Status
from models.org import Department


class TransitionError(Refusal):
    """An action was refused (see app.refusal)."""


@contextmanager
def refused_as_transition():
    """A domain's refusal (any :class:`~app.refusal.Refusal`) inside becomes a :class:`TransitionError`."""
    try:
        yield
    except Refusal as refusal:
        raise TransitionError(refusal.message) from None


@dataclass(frozen=True)
class Action:
    """One lifecycle action: where it may start, who may take it, and what it does."""

    name: CaseAction
    sources: frozenset
    roles: frozenset
    lead_only: bool
    apply: Callable
    guard: Callable | None = None  # (case) -> refusal message or None, for conditions beyond status
    who: Callable | None = None  # (case, user) -> refusal message or None, for rules about this user

    @property
    def label(self):
        """The action's name for people (the label of its :class:`CaseAction`)."""
        return self.name.label


ACTIONS: dict[str, Action] = {}
ALL_STATUSES = frozenset(Status)


def action(name: CaseAction, sources, roles, lead_only=False, guard=None, who=None):
    """Register the decorated function as action ``name`` in :data:`ACTIONS`.

    The function validates its input first, then changes the case, and returns ``(to_status, note, data)``.
    """

    def register(fn):
        ACTIONS[name] = Action(name, frozenset(sources), frozenset(roles), lead_only, fn, guard, who)
        return fn

    return register


def required_text(params: dict, key: str, message: str) -> str:
    """The stripped text posted as ``key``; refuse with ``message`` when it is empty."""
    value = (params.get(key) or "").strip()
    if not value:
        raise TransitionError(message)
    return value


def optional_text(params: dict, key: str) -> str | None:
    """The stripped text posted as ``key``, or None."""
    return (params.get(key) or "").strip() or None


def department_param(value) -> Department | None:
    """The department a posted value names (an id, or the row itself), or None."""
    if value is None or value == "":
        return None
    if isinstance(value, Department):
        return value
    department_id = parse_id(value)
    return db.session.get(Department, department_id) if department_id is not None else None


@action(CaseAction.REGISTER, {Status.NEW}, INTAKE_ROLES)
def _register(case, actor, now, params):
    case.registered_at = now
    return Status.REGISTERED, optional_text(params, "note"), None


@action(CaseAction.REJECT, {Status.NEW, Status.REGISTERED}, INTAKE_ROLES)
def _reject(case, actor, now, params):
    reason = required_text(params, "reason", _("Give the reason for not accepting the case."))
    case.closed_at = now
    orders.stop_all(case)
    parts.stop_all(case)
    return Status.REJECTED, reason, None


def lead_and_co(params: dict) -> tuple[Department, list[Department]]:
    """The posted lead department and co-departments (without the lead, each once); refuse inactive ones."""
    lead = department_param(params.get("lead_department"))
    if lead is None or not lead.active:
        raise TransitionError(_("Choose an active lead department."))
    co = []
    for value in params.get("co_departments") or []:
        dept = department_param(value)
        if dept is None or not dept.active:
            raise TransitionError(_("A co-department is unknown or inactive."))
        if dept.id != lead.id and dept not in co:
            co.append(dept)
    return lead, co


@action(CaseAction.DISPATCH, {Status.REGISTERED}, INTAKE_ROLES)
def _dispatch(case, actor, now, params):
    lead, co = lead_and_co(params)
    case.lead_department = lead
    case.co_departments = co
    case.answered_at_intake = False  # a department handles it now: no longer 专班办结
    parts.assign(case, co, now)
    case.handed_down_to = case.handed_down_at = None
    case.dispatched_at = now
    case.signed_at = case.contacted_at = None
    case.handler = None
    data = {"lead_department_id": lead.id, "co_department_ids": [d.id for d in co]}
    return Status.DISPATCHED, optional_text(params, "note"), data


@action(CaseAction.RETURN, {Status.DISPATCHED, Status.IN_PROGRESS}, {Role.HANDLER}, lead_only=True)
def _return(case, actor, now, params):
    reason = required_text(params, "reason", _("Give the reason for returning the case."))
    data = {"lead_department_id": case.lead_department_id}
    case.lead_department = None
    case.co_departments = []
    parts.remove_all(case)
    case.handed_down_to = case.handed_down_at = None
    case.handler = None
    case.signed_at = case.contacted_at = None
    case.return_count = (case.return_count or 0) + 1
    return Status.REGISTERED, reason, data


@action(CaseAction.SIGN, {Status.DISPATCHED}, {Role.HANDLER}, lead_only=True)
def _sign(case, actor, now, params):
    case.signed_at = now
    case.handler = actor
    return Status.IN_PROGRESS, optional_text(params, "note"), None


@action(CaseAction.CONTACT, {Status.IN_PROGRESS}, {Role.HANDLER}, lead_only=True)
def _contact(case, actor, now, params):
    with refused_as_transition():
        note, data = contact_record.read(params, case, now)
    if case.contacted_at is None and data.get("reached", True):  # 未接通 is not a contact made
        case.contacted_at = now
    return Status.IN_PROGRESS, note, data or None


def _reply_signer(case, user):
    return authority.reply_signer_refusal(case, user)


def _reply_signed_above(case):
    raised = authority.LEVEL_RANK.get(case.handling_level or HandlingLevel.DEPARTMENT) is not None
    if not raised and not handdown.street_reviews(case):
        return _("The department replies itself at department level.")
    return None


@action(
    CaseAction.DRAFT_REPLY, {Status.IN_PROGRESS}, {Role.HANDLER}, lead_only=True, guard=_reply_signed_above
)
def _draft_reply(case, actor, now, params):
    """At a raised level the handler drafts the reply and the 包案 leader signs (sends) it; a community
    drafts the reply of a case handed down by a street that reviews it, and the street sends it."""
    outcome = ReplyOutcome.from_code(params.get("outcome"))
    if outcome is None:
        raise TransitionError(_("Choose the outcome of the reply."))
    text = required_text(params, "text", _("Write the reply to the citizen."))
    case.reply_outcome, case.reply_text = outcome, text
    return case.status, text, {"outcome": str(outcome), "draft": True}


@action(
    CaseAction.REPLY,
    {Status.IN_PROGRESS},
    {Role.HANDLER, Role.LEADER},
    lead_only=True,
    guard=parts.reply_refusal,
    who=_reply_signer,
)
def _reply(case, actor, now, params):
    try:
        outcome = ReplyOutcome(params.get("outcome"))
    except ValueError:
        raise TransitionError(_("Choose the outcome of the reply.")) from None
    text = required_text(params, "text", _("Write the reply to the citizen."))
    case.reply_outcome = outcome
    case.reply_text = text
    case.replied_at = now
    data = {"outcome": str(outcome)}
    if case.parts:
        data["parts"] = parts.reply_summary(case)
    return Status.REPLIED, text, data


@action(CaseAction.REVISIT, {Status.REPLIED}, INTAKE_ROLES)
def _revisit(case, actor, now, params):
    with refused_as_transition():  # the rule (未接通, 是否解决, 满意度, 重办): app.cases.revisit
        return revisit.outcome(case, now, params)


@action(CaseAction.REOPEN, {Status.CLOSED}, SUPERVISOR_ROLES)
def _reopen(case, actor, now, params):
    reason = required_text(params, "reason", _("Give the reason for reopening the case."))
    if case.lead_department_id is None:
        raise TransitionError(_("The case has no lead department to reopen it with."))
    case.closed_at = case.replied_at = None
    case.satisfaction = case.satisfaction_note = case.revisit_resolved = None
    case.redo_count = (case.redo_count or 0) + 1
    return Status.IN_PROGRESS, reason, None


@action(
    CaseAction.MERGE,
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
    note = optional_text(params, "note")
    case.merged_into = target
    case.closed_at = now
    orders.stop_all(case)
    parts.stop_all(case)
    target.events.append(
        CaseEvent(at=now, actor=actor, action="merge_in", note=note, data={"merged_case": case.number})
    )
    return Status.MERGED, note, {"target": target.number}


@action(CaseAction.COMMENT, ALL_STATUSES, STAFF_ROLES)
def _comment(case, actor, now, params):
    note = required_text(params, "note", _("Write the note."))
    return case.status, note, None
