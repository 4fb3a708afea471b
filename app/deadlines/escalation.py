"""Who hears of which rung of a deadline's ladder, and what the message says: the escalation rule.

A warning and a breach go to whoever must act: the lead department for its own stages, the intake clerks
for intake stages (or a case without a lead). A breach and the first escalation also go to the
supervisors; the second escalation goes to the leader who owns the case (包案), else to every leader.
An order's deadline (批示, 督办单: ``target`` set) is the addressed department's to meet: its warning and
breach go to that department, and its second escalation to the order's leader (else as for a case).
A case raised above its department (提级) also tells its 包案 leader of every breach and first escalation.
After downtime, the people of the rungs a sweep skipped still hear once, from the highest rung reached.
"""

from datetime import datetime

from flask_babel import gettext as _

from app.config import public_url
from app.notifications.outbox import Outbox
from app.notifications.outbox import notify_department
from app.notifications.outbox import notify_role
from app.notifications.outbox import notify_users
from app.timeutil import format_local
from models.deadline import CaseDeadline
from models.deadline import LadderStep
from models.deadline import Stage
from models.enums import HandlingLevel
from models.enums import Role

INTAKE_STAGES = {Stage.REGISTER, Stage.DISPATCH, Stage.REVISIT}


def raised(case) -> bool:
    """Whether the case is handled above its department (提级), so its 包案 leader hears of its breaches."""
    return (case.handling_level or HandlingLevel.DEPARTMENT) != HandlingLevel.DEPARTMENT


def message(deadline: CaseDeadline, step: str, missed: list[str]) -> tuple[str, str]:
    """Subject and body of a ladder notification, in the default language."""
    case = deadline.case
    stage = Stage.label_of(deadline.stage)
    subject = _(
        "[%(step)s] %(number)s %(stage)s, due %(due)s",
        step=LadderStep.label_of(step),
        number=case.number,
        stage=stage,
        due=format_local(deadline.due_at),
    )
    lines = [
        _("Case %(number)s: %(title)s", number=case.number, title=case.title),
        _("Step: %(stage)s (%(policy)s)", stage=stage, policy=deadline.policy_snapshot.get("name", "")),
    ]
    if deadline.target is not None:
        lines.append(
            _(
                "%(kind)s to %(department)s: %(text)s",
                kind=deadline.target.order.kind.label,
                department=deadline.target.department.name,
                text=deadline.target.order.content,
            )
        )
    lines += [
        _("Due: %(due)s", due=format_local(deadline.due_at)),
    ]
    if missed:
        skipped = ", ".join(str(LadderStep.label_of(s)) for s in missed)
        lines.append(_("Reminders missed while the system was down: %(steps)s.", steps=skipped))
    lines.append(public_url(f"/admin/case/details/?id={case.id}"))
    return subject, "\n".join(lines)


def notify(deadline: CaseDeadline, step: str, missed: list[str], now: datetime, outbox: Outbox) -> None:
    """Send the rung's message to everyone it, or a rung it stands in for after downtime, would tell."""
    case = deadline.case
    subject, body = message(deadline, step, missed)
    kwargs = {
        "kind": f"deadline_{step}",
        "case": case,
        "now": now,
        "data": {"stage": deadline.stage},
        "outbox": outbox,
    }
    steps = {step, *missed}  # after downtime the skipped rungs' recipients still hear, once, of the highest
    target = deadline.target
    if steps & {LadderStep.WARN, LadderStep.BREACH}:
        if target is not None:
            notify_department(target.department, subject, body, **kwargs)
        elif deadline.stage in INTAKE_STAGES or case.lead_department is None:
            notify_role(Role.CLERK, subject, body, **kwargs)
        else:
            notify_department(case.lead_department, subject, body, **kwargs)
    if steps & {LadderStep.BREACH, LadderStep.ESCALATE_SUPERVISOR}:
        notify_role(Role.SUPERVISOR, subject, body, **kwargs)
        if target is None and raised(case) and case.owner_leader is not None:
            notify_users([case.owner_leader], subject, body, **kwargs)  # 提级: the 包案 leader answers for it
    if LadderStep.ESCALATE_LEADER in steps:
        if target is not None and target.order.leader is not None:
            notify_users([target.order.leader], subject, body, **kwargs)
        elif case.owner_leader is not None:
            notify_users([case.owner_leader], subject, body, **kwargs)
        else:
            notify_role(Role.LEADER, subject, body, **kwargs)
