"""催办: a supervisor's recorded reminder to the department handling a case (adds the urge action to ACTIONS).

It registers into the same table as the lifecycle actions (:mod:`app.cases.actions`), so the refusal rules,
version check, button and timeline are the ones every action has. The case's status does not change; the
event names the department reminded (``data["department_id"]``), which is who hears of it, and the case
counts its reminders (``Case.urge_count``, raised in SQL so two supervisors at once both count).
"""

from flask_babel import gettext as _

from app.auth.access import SUPERVISOR_ROLES
from app.auth.access import acting_department_id
from app.cases.actions import action
from app.cases.actions import required_text
from models.case import Case
from models.case import CaseAction
from models.enums import Status

URGEABLE = frozenset({Status.DISPATCHED, Status.IN_PROGRESS})


def _has_department(case):
    return None if acting_department_id(case) is not None else _("No department handles the case yet.")


@action(CaseAction.URGE, URGEABLE, SUPERVISOR_ROLES, guard=_has_department)
def _urge(case, actor, now, params):
    note = required_text(params, "note", _("Write what the department is reminded of."))
    department_id = acting_department_id(case)
    case.urge_count = Case.urge_count + 1  # one UPDATE ... SET urge_count = urge_count + 1
    return case.status, note, {"department_id": department_id}
