"""Working across levels as state-machine actions: 下派 to a community and 收回, and each co-department's
part (签收, 联系, 答复) with a supervisor's waiver. None changes the case's status.

They register into the same table as the lifecycle actions (:mod:`app.cases.actions`), so the same refusal
rules, version check, buttons and timeline apply. The rules are :mod:`app.cases.handdown` and
:mod:`app.cases.parts`; a refusal there becomes a :class:`TransitionError` here.
"""

from flask_babel import gettext as _

from app.auth.access import SUPERVISOR_ROLES
from app.cases import contact_record
from app.cases import handdown
from app.cases import parts
from app.cases.actions import action
from app.cases.actions import department_param
from app.cases.actions import optional_text
from app.cases.actions import refused_as_transition
from models.case import CaseAction
from models.case_part import PartStatus
from models.enums import Role
from models.enums import Status

WORKING = frozenset({Status.DISPATCHED, Status.IN_PROGRESS})


def _part_data(part) -> dict:
    return {"part_id": part.id, "department_id": part.department_id}


@action(
    CaseAction.HAND_DOWN,
    WORKING,
    {Role.HANDLER},
    lead_only=True,
    who=handdown.may_hand_down_refusal,
)
def _hand_down(case, actor, now, params):
    with refused_as_transition():
        handdown.hand_down(case, department_param(params.get("community")), now)
    community = case.handed_down_to
    return case.status, optional_text(params, "note"), {"community_id": community.id}


@action(
    CaseAction.TAKE_BACK,
    WORKING,
    {Role.HANDLER, *SUPERVISOR_ROLES},
    guard=lambda case: None if case.handed_down_to_id else _("The case is not handed down."),
    who=handdown.take_back_refusal,
)
def _take_back(case, actor, now, params):
    reason = optional_text(params, "reason")
    with refused_as_transition():
        data = handdown.take_back(case, actor, reason, now)
    return case.status, reason, data


def _part_step(status: PartStatus):
    return lambda case, user: parts.step_refusal(case, user, status)


@action(CaseAction.SIGN_PART, WORKING, {Role.HANDLER}, who=_part_step(PartStatus.PENDING))
def _sign_part(case, actor, now, params):
    part = parts.part_of(case, actor.department_id)
    parts.sign(case, part, actor, now)
    return case.status, optional_text(params, "note"), _part_data(part)


@action(CaseAction.CONTACT_PART, WORKING, {Role.HANDLER}, who=_part_step(PartStatus.SIGNED))
def _contact_part(case, actor, now, params):
    with refused_as_transition():
        note, data = contact_record.read(params, case, now)
    part = parts.part_of(case, actor.department_id)
    if data.get("reached", True):  # 未接通 is not a contact made: the part's contact clock keeps running
        parts.contact(part, now)
    return case.status, note, {**_part_data(part), **data}


@action(CaseAction.ANSWER_PART, WORKING, {Role.HANDLER}, who=_part_step(PartStatus.SIGNED))
def _answer_part(case, actor, now, params):
    part = parts.part_of(case, actor.department_id)
    with refused_as_transition():
        parts.answer(part, actor, params.get("text"), now)
    return case.status, part.answer, _part_data(part)


@action(
    CaseAction.WAIVE_PART,
    WORKING,
    SUPERVISOR_ROLES,
    guard=lambda case: None if parts.open_parts(case) else _("No co-handled part is open."),
)
def _waive_part(case, actor, now, params):
    with refused_as_transition():
        part = parts.waive(case, params.get("part"), actor, params.get("reason"), now)
    return case.status, part.waive_reason, _part_data(part)
