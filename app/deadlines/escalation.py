"""Who hears of which rung of a deadline's ladder, and what the message says: the escalation rule.

A warning and a breach go to whoever must act: the lead department for its own stages, the intake clerks
for intake stages (or a case without a lead). A breach and the first escalation also go to the
supervisors; the second escalation goes to the leader who owns the case (包案), else to every leader.
An order's deadline (批示, 督办单: ``target`` set) is the addressed department's to meet: its warning and
breach go to that department, and its second escalation to the order's leader (else as for a case).
A co-department's part (协办: ``part`` set) is that department's to meet, not the lead's. A 令's clocks
(接令, 报到, 反馈: ``field_target`` set, no case) tell the addressed bureau, then the issuing street or
community with the supervisors, then every leader.
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


def _missed_line(missed: list[str]) -> list[str]:
    if not missed:
        return []
    skipped = ", ".join(str(LadderStep.label_of(s)) for s in missed)
    return [_("Reminders missed while the system was down: %(steps)s.", steps=skipped)]


def field_message(deadline: CaseDeadline, step: str, missed: list[str]) -> tuple[str, str]:
    """Subject and body of a ladder notification on a bureau's part of a 令."""
    target = deadline.field_target
    order = target.order
    stage = Stage.label_of(deadline.stage)
    subject = _(
        "[%(step)s] Order %(number)s %(stage)s, due %(due)s",
        step=LadderStep.label_of(step),
        number=order.number,
        stage=stage,
        due=format_local(deadline.due_at),
    )
    lines = [
        _(
            "Order %(number)s from %(issuer)s: %(matter)s",
            number=order.number,
            issuer=order.issuing_department.name,
            matter=order.matter,
        ),
        _("Place: %(place)s", place=order.place),
        _("Step: %(stage)s, for %(department)s", stage=stage, department=target.department.name),
        _("Due: %(due)s", due=format_local(deadline.due_at)),
        *_missed_line(missed),
        public_url(f"/admin/field_order/details/?id={order.id}"),
    ]
    return subject, "\n".join(lines)


def message(deadline: CaseDeadline, step: str, missed: list[str]) -> tuple[str, str]:
    """Subject and body of a ladder notification, in the default language."""
    if deadline.field_target is not None:
        return field_message(deadline, step, missed)
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
    if deadline.part is not None:
        lines.append(_("Co-handled part of %(department)s", department=deadline.part.department.name))
    lines += [_("Due: %(due)s", due=format_local(deadline.due_at)), *_missed_line(missed)]
    lines.append(public_url(f"/admin/case/details/?id={case.id}"))
    return subject, "\n".join(lines)


def notify_field(deadline: CaseDeadline, step: str, missed: list[str], now: datetime, outbox: Outbox) -> None:
    """A 令's rung: the bureau hears first; a breach also goes to the issuer and the supervisors; then leaders."""
    target = deadline.field_target
    subject, body = field_message(deadline, step, missed)
    kwargs = {
        "kind": f"deadline_{step}",
        "now": now,
        "data": {"stage": deadline.stage, "field_order_id": target.order_id},
        "outbox": outbox,
    }
    steps = {step, *missed}
    if steps & {LadderStep.WARN, LadderStep.BREACH}:
        notify_department(target.department, subject, body, **kwargs)
    if steps & {LadderStep.BREACH, LadderStep.ESCALATE_SUPERVISOR}:
        notify_department(target.order.issuing_department, subject, body, **kwargs)
        notify_role(Role.SUPERVISOR, subject, body, **kwargs)
    if LadderStep.ESCALATE_LEADER in steps:
        notify_role(Role.LEADER, subject, body, **kwargs)


def notify(deadline: CaseDeadline, step: str, missed: list[str], now: datetime, outbox: Outbox) -> None:
    """Send the rung's message to everyone it, or a rung it stands in for after downtime, would tell."""
    if deadline.field_target is not None:
        notify_field(deadline, step, missed, now, outbox)
        return
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
        elif deadline.part is not None:
            notify_department(deadline.part.department, subject, body, **kwargs)
        elif deadline.stage in INTAKE_STAGES or case.lead_department is None:
            notify_role(Role.CLERK, subject, body, **kwargs)
        else:
            notify_department(case.handed_down_to or case.lead_department, subject, body, **kwargs)
    if steps & {LadderStep.BREACH, LadderStep.ESCALATE_SUPERVISOR}:
        notify_role(Role.SUPERVISOR, subject, body, **kwargs)
        if target is None and deadline.part is None and raised(case) and case.owner_leader is not None:
            notify_users([case.owner_leader], subject, body, **kwargs)  # 提级: the 包案 leader answers for it
    if LadderStep.ESCALATE_LEADER in steps:
        if target is not None and target.order.leader is not None:
            notify_users([target.order.leader], subject, body, **kwargs)
        elif case.owner_leader is not None:
            notify_users([case.owner_leader], subject, body, **kwargs)
        else:
            notify_role(Role.LEADER, subject, body, **kwargs)
