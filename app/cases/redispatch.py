"""改派 and 撤回: re-dispatch a dispatched case to another department, or recall it to intake (adds them to ACTIONS).

Both are intake steps (clerk, supervisor, administrator) on a case a department holds and has not replied
to yet: awaiting sign-off (派错了, the department has not signed) or in progress (the clerk or supervisor
moves it after all). After a reply the citizen's answer is out; a wrong answer goes back through the revisit
(重办) or a reopen, not here. A case handed down (下派) to a community is first taken back by its street,
so no community is left working a case its street no longer leads.

改派 is a dispatch to a new lead: the co-departments are chosen again and their parts start afresh, as at
dispatch (:func:`app.cases.parts.assign`), and the new lead signs on a fresh clock. 撤回 sends the case back
to intake as a 退单 does, without counting as the department's 退单. The clocks of both are in
:data:`app.deadlines.clock.CLOCKS`. The event's data names the department the case left
(``from_department_id``) and, for 改派, the one it went to (``to_department_id``).
"""

from flask_babel import gettext as _

from app.auth.access import INTAKE_ROLES
from app.cases import parts
from app.cases.actions import TransitionError
from app.cases.actions import action
from app.cases.actions import lead_and_co
from app.cases.actions import optional_text
from app.cases.actions import required_text
from models.case import CaseAction
from models.enums import Status

HELD = frozenset({Status.DISPATCHED, Status.IN_PROGRESS})  # a department holds the case, no reply yet


def _not_handed_down(case) -> str | None:
    """Refuse while a community works the case on its street's behalf (下派): the street takes it back first."""
    if case.handed_down_to_id is not None:
        return _(
            "The case is handed down to %(unit)s: the street takes it back first.",
            unit=case.handed_down_to.name,
        )
    return None


def _leave(case) -> None:
    """The department lets the case go: nobody there signs or works it any more."""
    case.handed_down_to = case.handed_down_at = None
    case.handler = None
    case.signed_at = case.contacted_at = None


@action(CaseAction.REASSIGN, HELD, INTAKE_ROLES, guard=_not_handed_down)
def _reassign(case, actor, now, params):
    reason = required_text(params, "reason", _("Give the reason for the re-dispatch."))
    lead, co = lead_and_co(params)
    if lead.id == case.lead_department_id:
        raise TransitionError(_("Choose a department other than the one that leads the case now."))
    data = {
        "from_department_id": case.lead_department_id,
        "to_department_id": lead.id,
        "co_department_ids": [d.id for d in co],
    }
    _leave(case)
    case.lead_department = lead
    case.co_departments = co
    parts.assign(case, co, now)
    case.dispatched_at = now
    note = reason if not (extra := optional_text(params, "note")) else f"{reason}\n{extra}"
    return Status.DISPATCHED, note, data


@action(CaseAction.RECALL, HELD, INTAKE_ROLES, guard=_not_handed_down)
def _recall(case, actor, now, params):
    reason = required_text(params, "reason", _("Give the reason for recalling the case."))
    data = {"from_department_id": case.lead_department_id}
    _leave(case)
    case.lead_department = None
    case.co_departments = []
    parts.remove_all(case)
    return Status.REGISTERED, reason, data
