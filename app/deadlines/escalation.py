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
After downtime, the people of the rungs a sweep skipped still hear once, each of the highest rung that is
theirs (a clerk hears of a breach, never of an escalation to the leaders).
Supervisors and leaders hear of escalations gathered: one message per person per sweep batch listing the
cases (:meth:`app.notifications.outbox.Outbox.gather`), not one per case. Messages name the case or 令 as
a link (``data["links"]``), never as a raw address.
"""

from datetime import datetime

from flask_babel import gettext as _

from app.notifications.links import case_link
from app.notifications.links import link
from app.notifications.outbox import Gathered
from app.notifications.outbox import Outbox
from app.notifications.outbox import notify_department
from app.notifications.outbox import notify_role
from app.timeutil import format_local
from models.deadline import CaseDeadline
from models.deadline import LadderStep
from models.deadline import Stage
from models.enums import HandlingLevel
from models.enums import Role
from models.user import User

INTAKE_STAGES = {Stage.REGISTER, Stage.DISPATCH, Stage.REVISIT}
RUNG_ORDER = [LadderStep.WARN, LadderStep.BREACH, LadderStep.ESCALATE_SUPERVISOR, LadderStep.ESCALATE_LEADER]
ACTING = {LadderStep.WARN, LadderStep.BREACH}  # the rungs the unit that must act hears
SUPERVISING = {LadderStep.BREACH, LadderStep.ESCALATE_SUPERVISOR}  # the rungs the supervisors hear


def highest(steps: set, audience: set) -> str | None:
    """The highest of ``steps`` that ``audience`` hears, or None when it hears none of them."""
    mine = [s for s in RUNG_ORDER if s in steps and s in audience]
    return mine[-1] if mine else None


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
    return subject, "\n".join(lines)


def _links(deadline: CaseDeadline) -> list[dict]:
    if deadline.field_target is not None:
        order = deadline.field_target.order
        return [link(f"/admin/field_order/details/?id={order.id}", order.number)]
    return [case_link(deadline.case)]


def _line(deadline: CaseDeadline) -> str:
    """One line naming the deadline in a gathered message."""
    stage = Stage.label_of(deadline.stage)
    due = format_local(deadline.due_at)
    if deadline.field_target is not None:
        order = deadline.field_target.order
        return _("%(number)s %(stage)s, due %(due)s: %(matter)s", number=order.number, stage=stage, due=due,
                 matter=order.matter)  # fmt: skip
    case = deadline.case
    return _("%(number)s %(stage)s, due %(due)s: %(matter)s", number=case.number, stage=stage, due=due,
             matter=case.title)  # fmt: skip


class Announcer:
    """The messages of one fired rung: each audience hears its own highest rung, acting units at once,
    supervisors and leaders gathered per person on the run's outbox."""

    def __init__(self, deadline: CaseDeadline, steps: set, missed: list[str], now: datetime, outbox: Outbox):
        self.deadline, self.steps, self.missed, self.now, self.outbox = deadline, steps, missed, now, outbox
        self.data = {"stage": deadline.stage, "links": _links(deadline)}
        if deadline.field_target is not None:
            self.data["field_order_id"] = deadline.field_target.order_id
        self.case = deadline.case

    def _text(self, step: str) -> tuple[str, str]:
        return message(self.deadline, step, self.missed)

    def acting(self, department=None, role=None) -> None:
        """The unit (or the intake clerks) that must act: its highest acting rung, per case."""
        step = highest(self.steps, ACTING)
        if step is None:
            return
        subject, body = self._text(step)
        kwargs = {"kind": f"deadline_{step}", "case": self.case, "now": self.now, "data": self.data}
        if department is not None:
            notify_department(department, subject, body, outbox=self.outbox, **kwargs)
        else:
            notify_role(role, subject, body, outbox=self.outbox, **kwargs)

    def gathered(self, users: list[User], audience: set) -> None:
        """Supervisors or leaders: their highest rung, held to be sent with the other cases of the run."""
        step = highest(self.steps, audience)
        if step is None or not users:
            return
        subject, body = self._text(step)
        item = Gathered(subject, body, _line(self.deadline), self.data["links"], self.case, self.data)
        self.outbox.gather(users, f"deadline_{step}", LadderStep.label_of(step), item, self.now)

    def role_members(self, role) -> list[User]:
        """The active users holding ``role`` (looked up once per run)."""
        return self.outbox.members(("role", role))


def notify_field(deadline: CaseDeadline, step: str, missed: list[str], now: datetime, outbox: Outbox) -> None:
    """A 令's rung: the bureau hears first; a breach also goes to the issuer and the supervisors; then leaders."""
    target = deadline.field_target
    steps = {step, *missed}
    announce = Announcer(deadline, steps, missed, now, outbox)
    announce.acting(department=target.department)
    if steps & SUPERVISING:
        supervising = highest(steps, SUPERVISING)
        subject, body = field_message(deadline, supervising, missed)
        notify_department(target.order.issuing_department, subject, body, kind=f"deadline_{supervising}",
                          now=now, data=announce.data, outbox=outbox)  # fmt: skip
    announce.gathered(announce.role_members(Role.SUPERVISOR), SUPERVISING)
    announce.gathered(announce.role_members(Role.LEADER), {LadderStep.ESCALATE_LEADER})


def _leaders(deadline: CaseDeadline, announce: Announcer) -> list[User]:
    target, case = deadline.target, deadline.case
    if target is not None and target.order.leader is not None:
        return [target.order.leader]
    if case.owner_leader is not None:
        return [case.owner_leader]
    return announce.role_members(Role.LEADER)


def notify(deadline: CaseDeadline, step: str, missed: list[str], now: datetime, outbox: Outbox) -> None:
    """Send the rung's message to everyone it, or a rung it stands in for after downtime, would tell."""
    if deadline.field_target is not None:
        notify_field(deadline, step, missed, now, outbox)
        return
    case = deadline.case
    steps = {step, *missed}  # after downtime the skipped rungs' recipients still hear, once, of the highest
    announce = Announcer(deadline, steps, missed, now, outbox)
    target = deadline.target
    if target is not None:
        announce.acting(department=target.department)
    elif deadline.part is not None:
        announce.acting(department=deadline.part.department)
    elif deadline.stage in INTAKE_STAGES or case.lead_department is None:
        announce.acting(role=Role.CLERK)
    else:
        announce.acting(department=case.handed_down_to or case.lead_department)
    supervisors = announce.role_members(Role.SUPERVISOR)
    if target is None and deadline.part is None and raised(case) and case.owner_leader is not None:
        supervisors = [*supervisors, case.owner_leader]  # 提级: the 包案 leader answers for it
    announce.gathered(supervisors, SUPERVISING)
    announce.gathered(_leaders(deadline, announce), {LadderStep.ESCALATE_LEADER})
