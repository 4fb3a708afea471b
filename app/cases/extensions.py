"""Lifecycle actions for extensions (延期): a handler asks, a supervisor approves or rejects.

They register into the same table as the lifecycle actions (:mod:`app.cases.actions`), so the same refusal
rules, buttons and timeline apply. They never change the case's status; the clocks move through
:mod:`app.deadlines.clock`.
"""

from flask_babel import gettext as _

from app.auth.access import SUPERVISOR_ROLES
from app.cases.actions import TransitionError
from app.cases.actions import action
from app.cases.actions import optional_text
from app.cases.actions import required_text
from app.deadlines import clock
from app.timeutil import format_local
from models.case import CaseAction
from models.deadline import DeadlineExtension
from models.deadline import DeadlineStatus
from models.deadline import ExtensionStatus
from models.deadline import Stage
from models.deadline import Unit
from models.enums import Role
from models.enums import Status

HANDLING = {Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED}


def _pending(case) -> DeadlineExtension | None:
    for deadline in case.deadlines:
        for extension in deadline.extensions:
            if extension.status == ExtensionStatus.REQUESTED:
                return extension
    return None


def extendable(case) -> list:
    """Running deadlines of ``case`` whose policy still allows an extension."""
    return [
        d
        for d in case.deadlines
        if d.status == DeadlineStatus.RUNNING
        and (d.extended_count or 0) < (d.policy_snapshot.get("max_extensions") or 0)
    ]


def _can_request(case):
    if _pending(case) is not None:
        return _("An extension request is already waiting for a decision.")
    if not extendable(case):
        return _("No running deadline of this case may be extended.")
    return None


def _has_pending(case):
    return None if _pending(case) is not None else _("There is no extension request to decide.")


def _can_approve(case):
    """A request may only be approved while its deadline still runs the run it was made for."""
    extension = _pending(case)
    if extension is None:
        return _("There is no extension request to decide.")
    deadline = extension.deadline
    if deadline.status != DeadlineStatus.RUNNING or extension.requested_at < deadline.started_at:
        return _("The deadline of this request has stopped or restarted; reject the request instead.")
    return None


@action(
    CaseAction.REQUEST_EXTENSION,
    {Status.DISPATCHED, Status.IN_PROGRESS},
    {Role.HANDLER},
    lead_only=True,
    guard=_can_request,
)
def _request_extension(case, actor, now, params):
    stage = params.get("stage")
    deadline = next((d for d in extendable(case) if d.stage == stage), None)
    if deadline is None:
        raise TransitionError(_("Choose a running deadline that may be extended."))
    try:
        amount = int(params.get("amount") or 0)
    except (TypeError, ValueError):
        amount = 0
    limit = deadline.policy_snapshot.get("max_extension_amount")
    if amount < 1 or (limit and amount > limit):
        raise TransitionError(_("The extension must be between 1 and %(limit)s.", limit=limit or "…"))
    reason = required_text(params, "reason", _("Give the reason for the extension."))
    deadline.extensions.append(
        DeadlineExtension(
            case_id=case.id,
            amount=amount,
            unit=deadline.clock,
            reason=reason,
            status=ExtensionStatus.REQUESTED,
            requested_by=actor,
            requested_at=now,
            old_due_at=deadline.due_at,
        )
    )
    data = {"stage": stage, "amount": amount, "unit": deadline.clock}
    return case.status, f"{Stage.label_of(stage)} +{amount} {Unit.label_of(deadline.clock)}: {reason}", data


@action(CaseAction.APPROVE_EXTENSION, HANDLING, SUPERVISOR_ROLES, guard=_can_approve)
def _approve_extension(case, actor, now, params):
    extension = _pending(case)
    deadline = extension.deadline
    new_due = clock.extension_due(deadline, extension.amount, extension.unit)
    extension.status = ExtensionStatus.APPROVED
    extension.decided_by, extension.decided_at = actor, now
    extension.decision_note = optional_text(params, "note")
    extension.old_due_at, extension.new_due_at = deadline.due_at, new_due
    clock.extend(deadline, new_due, now)
    note = _(
        "%(stage)s extended to %(due)s; the citizen has been told the new time limit and the reason.",
        stage=Stage.label_of(deadline.stage),
        due=format_local(new_due),
    )
    public_note = _(
        "%(stage)s: the time limit is extended to %(due)s. Reason: %(reason)s",
        stage=Stage.label_of(deadline.stage),
        due=format_local(new_due),
        reason=extension.reason,
    )
    data = {
        "public": True,
        "public_note": public_note,  # what the citizen sees on /track
        "stage": deadline.stage,
        "new_due_at": new_due.isoformat(),
    }
    return case.status, note, data


@action(CaseAction.REJECT_EXTENSION, HANDLING, SUPERVISOR_ROLES, guard=_has_pending)
def _reject_extension(case, actor, now, params):
    extension = _pending(case)
    reason = required_text(params, "reason", _("Give the reason for rejecting the extension."))
    extension.status = ExtensionStatus.REJECTED
    extension.decided_by, extension.decided_at = actor, now
    extension.decision_note = reason
    return case.status, reason, {"stage": extension.deadline.stage}
