"""Orders on a case: 领导批示 and 督办单, each addressed to departments that answer on their own clocks.

Life of one addressed department's part (:class:`~models.command.OrderTarget`): pending → answered (its
clock stops) → accepted by a supervisor, or returned (its clock runs again to the same due time, as a new
version) → answered again … An order closes when every part is accepted. Accepting and returning are
compare-and-set updates on the part's status: of two supervisors deciding at once, one wins and the other
is refused. A repeated 督办 on a case is one level higher than the last (up to 挂牌督办).

Nothing here writes the timeline or commits: the state machine's actions (:mod:`app.cases.instruments`)
call these and record the event; the request commits.
"""

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy import update

from app.command import authority
from app.deadlines import order_clocks
from app.extensions import db
from app.i18n import office_language
from app.notifications.links import case_link
from app.notifications.outbox import notify_department
from app.notifications.outbox import notify_role
from app.notifications.outbox import notify_users
from app.refusal import Refusal
from app.timeutil import format_local
from models.command import CaseOrder
from models.command import OrderKind
from models.command import OrderStatus
from models.command import OrderTarget
from models.command import SupervisionLevel
from models.command import TargetStatus
from models.deadline import Stage
from models.enums import Role
from models.org import Department

STAGE_OF = {OrderKind.INSTRUCTION: Stage.INSTRUCTION, OrderKind.SUPERVISION: Stage.SUPERVISION}
LEVELS = tuple(SupervisionLevel)
OPEN_PARTS = (TargetStatus.PENDING, TargetStatus.RETURNED)


class OrderRefusal(Refusal):
    """An order step was refused (see app.refusal)."""


def next_level(case, asked) -> SupervisionLevel:
    """The level of a new 督办 on ``case``: as asked, but at least one above the highest before it."""
    level = SupervisionLevel.from_code(str(asked)) if asked else SupervisionLevel.GENERAL
    if level is None:
        raise OrderRefusal(_("Choose the level of supervision."))
    before = [LEVELS.index(o.level) for o in case.orders if o.kind == OrderKind.SUPERVISION and o.level]
    if before:
        level = LEVELS[max(LEVELS.index(level), min(max(before) + 1, len(LEVELS) - 1))]
    return level


def issue(
    case,
    kind: OrderKind,
    actor,
    *,
    content: str,
    departments: list,
    now: datetime,
    due_at: datetime | None = None,
    level=None,
    on_behalf_of=None,
    rule=None,
) -> CaseOrder:
    """A new 批示 or 督办单 on ``case`` to ``departments``, each part on its own running clock (flushed)."""
    content = (content or "").strip()
    if not content:
        raise OrderRefusal(
            _("Write the instruction.") if kind == OrderKind.INSTRUCTION else _("Write the requirement.")
        )
    unique = list({d.id: d for d in departments if d is not None}.values())
    if not unique:
        raise OrderRefusal(_("Choose at least one department to address."))
    if any(not d.active for d in unique):
        raise OrderRefusal(_("An addressed department is inactive."))
    stage = STAGE_OF[kind]
    due_at = due_at or order_clocks.default_due(case, stage, now)
    if due_at <= now:
        raise OrderRefusal(_("The due time must be in the future."))
    leader = None
    if kind == OrderKind.INSTRUCTION:
        if actor is not None and (reason := authority.instruction_refusal(actor, on_behalf_of)):
            raise OrderRefusal(reason)
        leader = on_behalf_of or actor
        level = None
    elif rule is not None:
        level = SupervisionLevel(str(rule.level))  # a rule fires at its own level, once per case and level
    else:
        level = next_level(case, level)
    order = CaseOrder(
        case=case,
        kind=kind,
        level=level,
        content=content,
        issued_by=actor,
        on_behalf_of=on_behalf_of if on_behalf_of is not None and on_behalf_of is not actor else None,
        leader=leader,
        rule=rule,
        issued_at=now,
        due_at=due_at,
        status=OrderStatus.OPEN,
    )
    db.session.add(order)
    for department in unique:
        order.targets.append(OrderTarget(department=department, status=TargetStatus.PENDING))
    db.session.flush()
    for target in order.targets:
        order_clocks.start(case, target, stage, due_at, now)
    if kind == OrderKind.SUPERVISION:
        case.is_supervised = True
    db.session.flush()
    for target in order.targets:
        _tell(
            order,
            [target.department],
            _l("%(kind)s on case %(number)s, due %(due)s"),
            now,
            due=format_local(due_at),
        )
    return order


def part_for(case, department_id: int | None, statuses) -> OrderTarget | None:
    """The oldest part of an open order on ``case`` addressed to ``department_id`` in one of ``statuses``."""
    for order in case.orders:
        if order.status != OrderStatus.OPEN:
            continue
        for target in order.targets:
            if target.department_id == department_id and target.status in statuses:
                return target
    return None


def parts_awaiting_check(case) -> list[OrderTarget]:
    """The answered parts of the case's open orders, oldest first."""
    return [
        t
        for o in case.orders
        if o.status == OrderStatus.OPEN
        for t in o.targets
        if t.status == TargetStatus.ANSWERED
    ]


def find_part(case, target_id, statuses) -> OrderTarget:
    """The part ``target_id`` of an order on ``case`` in one of ``statuses``; refuse otherwise."""
    for order in case.orders:
        for target in order.targets:
            if target_id is not None and target.id == target_id:
                if target.status not in statuses:
                    raise OrderRefusal(_("This answer has already been dealt with. Reload the page."))
                return target
    raise OrderRefusal(_("Choose the answer to check."))


def answer(target: OrderTarget, actor, text: str, now: datetime) -> None:
    """The addressed department's answer (落实情况): its clock stops; a supervisor checks it next."""
    if reason := authority.answer_refusal(actor, target):
        raise OrderRefusal(reason)
    text = (text or "").strip()
    if not text:
        raise OrderRefusal(_("Write what has been done."))
    first = func.coalesce(OrderTarget.first_answered_at, now)
    _move(target, OPEN_PARTS, TargetStatus.ANSWERED, answer=text, answered_at=now, answered_by_id=actor.id,
          first_answered_at=first)  # fmt: skip
    order_clocks.answered(target.deadline, now)
    _tell(target.order, Role.SUPERVISOR, _l("%(department)s answered the %(kind)s on case %(number)s"), now,
          department=target.department.name)  # fmt: skip


def accept(target: OrderTarget, actor, note: str | None, now: datetime) -> bool:
    """A supervisor accepts the answer; True when that closed the whole order."""
    _move(target, (TargetStatus.ANSWERED,), TargetStatus.ACCEPTED, checked_at=now, checked_by_id=actor.id,
          check_note=note)  # fmt: skip
    order = target.order
    if all(t.status == TargetStatus.ACCEPTED for t in order.targets):
        order.status = OrderStatus.CLOSED
        order.closed_at = now
        if order.leader is not None:
            _tell(order, [order.leader], _l("The %(kind)s on case %(number)s is closed"), now)
        return True
    return False


def send_back(target: OrderTarget, actor, reason: str, now: datetime) -> None:
    """A supervisor returns the answer: the department answers again, its clock runs to the same due time."""
    reason = (reason or "").strip()
    if not reason:
        raise OrderRefusal(_("Give the reason for sending the answer back."))
    _move(target, (TargetStatus.ANSWERED,), TargetStatus.RETURNED, checked_at=now, checked_by_id=actor.id,
          check_note=reason, returns=(target.returns or 0) + 1)  # fmt: skip
    order_clocks.reopened(target.deadline, now)
    _tell(
        target.order,
        [target.department],
        _l("The answer to the %(kind)s on case %(number)s was sent back"),
        now,
    )


def stop_all(case) -> None:
    """The case was merged away or not accepted: its open orders stop asking (their clocks cancelled)."""
    for order in case.orders:
        if order.status == OrderStatus.OPEN:
            for target in order.targets:
                order_clocks.stopped(target.deadline)


def _tell(order: CaseOrder, to, subject, now: datetime, **values) -> None:
    """Tell of a step of ``order`` in the office's language, whatever the page's language."""
    with office_language():
        _tell_now(order, to, subject, now, **values)


def _tell_now(order: CaseOrder, to, subject: str, now: datetime, **values) -> None:
    """Notify departments (a list of them), users (a list) or a role of a step of ``order``."""
    case = order.case
    subject = subject % {"kind": order.kind.label, "number": case.number, **values}
    body = "\n".join([
        _("Case %(number)s: %(title)s", number=case.number, title=case.title),
        f"{order.kind.label}: {order.content}",
        _("Due: %(due)s", due=format_local(order.due_at)),
    ])  # fmt: skip
    data = {"order_id": order.id, "links": [case_link(case)]}
    kwargs = {"kind": f"order_{order.kind}", "case": case, "now": now, "data": data}
    if isinstance(to, str):
        notify_role(to, subject, body, **kwargs)
        return
    for each in to:
        if isinstance(each, Department):
            notify_department(each, subject, body, **kwargs)
        else:
            notify_users([each], subject, body, **kwargs)


def _move(target: OrderTarget, sources, to_status, **values) -> None:
    """Compare-and-set the part from one of ``sources`` to ``to_status``; refuse when someone was first."""
    moved = db.session.execute(
        update(OrderTarget)
        .where(OrderTarget.id == target.id, OrderTarget.status.in_([str(s) for s in sources]))
        .values(status=to_status, version=OrderTarget.version + 1, **values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        db.session.expire(target)
        raise OrderRefusal(_("Someone else has just dealt with this answer. Reload the page."))
    db.session.expire(target)  # read back the new status and version
