"""动态更新: the hourly progress update a red case owes from receipt until the citizen is contacted.

The update is a clock like any other (stage ``progress_update`` of :mod:`app.deadlines.clock`, the 红色件
policy set's "每小时动态更新"): it starts when a red case is received, each update meets it and the next one
falls due an hour later, and recording the contact with the citizen (or the reply) stops it. An update
missed fires through the sweep and escalation ladder like any overdue step. The action registers into the
same table as the lifecycle actions (:mod:`app.cases.actions`): same refusal rules, button and timeline; the
case's status does not change.
"""

from flask_babel import gettext as _

from app.cases.actions import action
from app.cases.actions import required_text
from models.case import CaseAction
from models.deadline import CaseDeadline
from models.deadline import DeadlineStatus
from models.deadline import Stage
from models.enums import Role
from models.enums import Status

OPEN = frozenset({Status.NEW, Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS})
# whoever holds the case: the intake desk before dispatch, the handling department after it
UPDATERS = frozenset({Role.CLERK, Role.SUPERVISOR, Role.ADMIN, Role.HANDLER})


def due_update(case) -> CaseDeadline | None:
    """The running 动态更新 clock of ``case``, or None when no update is owed."""
    return next(
        (
            d
            for d in case.deadlines
            if d.stage == Stage.PROGRESS_UPDATE and d.status == DeadlineStatus.RUNNING
        ),
        None,
    )


def _owed(case):
    return None if due_update(case) is not None else _("No progress update is due on this case.")


@action(CaseAction.PROGRESS_UPDATE, OPEN, UPDATERS, lead_only=True, guard=_owed)
def _progress_update(case, actor, now, params):
    note = required_text(params, "note", _("Write the progress since the last update."))
    deadline = due_update(case)
    return case.status, note, {"due_at": deadline.due_at.isoformat(), "late": now > deadline.due_at}
