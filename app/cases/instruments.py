"""The command and accountability steps as state-machine actions: 批示, 督办单, answers and their checks,
包案, 销案, leaders' visits, 提级 and 降级.

They register into the same table as the lifecycle actions (:mod:`app.cases.actions`), so the same refusal
rules, version check, buttons and timeline apply; none changes the case's status. What each step does to
its records is :mod:`app.command`'s; a refusal there becomes a :class:`TransitionError` here.
"""

from datetime import date
from datetime import datetime
from datetime import timedelta

from flask_babel import gettext as _

from app import audit
from app.audit import plain
from app.auth.access import SUPERVISOR_ROLES
from app.cases.actions import TransitionError
from app.cases.actions import action
from app.cases.actions import optional_text
from app.cases.actions import refused_as_transition
from app.command import authority
from app.command import levels
from app.command import orders
from app.command import packages
from app.extensions import db
from app.timeutil import local_day
from app.timeutil import local_day_start
from app.validators import parse_id
from models.audit import AuditAction
from models.audit import AuditEntity
from models.case import CaseAction
from models.command import OrderKind
from models.command import SupervisionRule
from models.command import TargetStatus
from models.enums import OPEN_STATUSES
from models.enums import Role
from models.enums import Status
from models.org import Department
from models.user import User

ORDERABLE = frozenset({*OPEN_STATUSES, Status.CLOSED})
LEADING_ROLES = frozenset({Role.LEADER, Role.SUPERVISOR, Role.ADMIN})


def _record(model, value):
    """The row ``value`` names (an id as posted, or the row itself), or None."""
    if value is None or value == "" or isinstance(value, model):
        return value or None
    row_id = parse_id(value)
    return db.session.get(model, row_id) if row_id is not None else None


def _due(value, now: datetime) -> datetime | None:
    """The end (24:00 Beijing time) of a posted due date, or None for the policy's default."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return local_day_start(value + timedelta(days=1))
    raise TransitionError(_("Give the due date as a date."))


def _departments(values) -> list:
    found = [_record(Department, v) for v in values or []]
    if any(d is None for d in found):
        raise TransitionError(_("An addressed department is unknown."))
    return found


def _order_data(order) -> dict:
    return {
        "order_id": order.id,
        "kind": str(order.kind),
        "level": str(order.level) if order.level else None,
        "department_ids": [t.department_id for t in order.targets],
        "due_at": order.due_at.isoformat(),
        "leader_id": order.leader_id,
    }


def _may_instruct(case, user):
    if user.role == Role.LEADER:
        return authority.instruction_refusal(user, None)
    return None  # a supervisor names the leader in the form; checked when the instruction is written


@action(CaseAction.INSTRUCT, ORDERABLE, {Role.LEADER, Role.SUPERVISOR}, who=_may_instruct)
def _instruct(case, actor, now, params):
    on_behalf = _record(User, params.get("on_behalf_of")) if actor.role != Role.LEADER else None
    with refused_as_transition():
        order = orders.issue(
            case,
            OrderKind.INSTRUCTION,
            actor,
            content=params.get("content"),
            departments=_departments(params.get("departments")),
            due_at=_due(params.get("due_date"), now),
            on_behalf_of=on_behalf,
            now=now,
        )
    return case.status, order.content, _order_data(order)


@action(CaseAction.SUPERVISE, OPEN_STATUSES, SUPERVISOR_ROLES)
def _supervise(case, actor, now, params):
    with refused_as_transition():
        order = orders.issue(
            case,
            OrderKind.SUPERVISION,
            actor,
            content=params.get("content"),
            departments=_departments(params.get("departments")),
            due_at=_due(params.get("due_date"), now),
            level=params.get("level"),
            rule=rule if isinstance(rule := params.get("rule"), SupervisionRule) else None,
            now=now,
        )
    departments = "、".join(t.department.name for t in order.targets)
    after = {"order": order.id, "content": order.content, "departments": departments}
    after["due_at"] = plain(order.due_at)
    audit.record(AuditEntity.CASE, case.id, AuditAction.SUPERVISE, actor, None, after, at=now)
    return case.status, order.content, _order_data(order) | {"rule_id": order.rule_id}


def _has_open_part(case, user):
    if orders.part_for(case, user.department_id, orders.OPEN_PARTS) is None:
        return _("No order on this case awaits your department's answer.")
    return None


@action(CaseAction.ANSWER_ORDER, ORDERABLE, {Role.HANDLER}, who=_has_open_part)
def _answer_order(case, actor, now, params):
    target = orders.part_for(case, actor.department_id, orders.OPEN_PARTS)
    with refused_as_transition():
        orders.answer(target, actor, params.get("text"), now)
    return case.status, target.answer, {"order_id": target.order_id, "target_id": target.id}


def _awaiting_check(case):
    return None if orders.parts_awaiting_check(case) else _("No answer awaits a check.")


@action(CaseAction.ACCEPT_ORDER, ORDERABLE, SUPERVISOR_ROLES, guard=_awaiting_check)
def _accept_order(case, actor, now, params):
    with refused_as_transition():
        target = orders.find_part(case, parse_id(params.get("target")), (TargetStatus.ANSWERED,))
        closed = orders.accept(target, actor, optional_text(params, "note"), now)
    data = {"order_id": target.order_id, "target_id": target.id, "order_closed": closed}
    return case.status, optional_text(params, "note"), data


@action(CaseAction.RETURN_ORDER, ORDERABLE, SUPERVISOR_ROLES, guard=_awaiting_check)
def _return_order(case, actor, now, params):
    with refused_as_transition():
        target = orders.find_part(case, parse_id(params.get("target")), (TargetStatus.ANSWERED,))
        orders.send_back(target, actor, params.get("reason"), now)
    return case.status, target.check_note, {"order_id": target.order_id, "target_id": target.id}


@action(CaseAction.PACKAGE, ORDERABLE, LEADING_ROLES)
def _package(case, actor, now, params):
    with refused_as_transition():
        package = packages.assign(case, actor, _record(User, params.get("leader")), params.get("level"), now)
    data = {"package_id": package.id, "leader_id": package.leader_id, "level": str(package.level)}
    return case.status, optional_text(params, "note"), data


def _has_package(case):
    return (
        None if authority.active_package(case) is not None else _("The case is in no leader's hands (包案).")
    )


def _holder(case, user):
    return authority.package_holder_refusal(user, case)


@action(CaseAction.SETTLE, ORDERABLE, LEADING_ROLES, guard=_has_package, who=_holder)
def _settle(case, actor, now, params):
    with refused_as_transition():
        package = packages.settle(
            case, actor, params.get("settlement"), params.get("revisit"), params.get("agreement"), now
        )
    return case.status, package.settlement, {"package_id": package.id, **(package.evidence or {})}


@action(CaseAction.VISIT, ORDERABLE, LEADING_ROLES, guard=_has_package, who=_holder)
def _visit(case, actor, now, params):
    with refused_as_transition():
        visit = packages.record_visit(
            case,
            actor,
            params.get("kind"),
            params.get("visited_on"),
            params.get("place"),
            params.get("met_with"),
            params.get("outcome"),
            local_day(now),
        )
    data = {"visit_id": visit.id, "kind": str(visit.kind), "visited_on": visit.visited_on.isoformat()}
    return case.status, f"{visit.kind.label} · {visit.place} · {visit.met_with}: {visit.outcome}", data


@action(CaseAction.RAISE_LEVEL, OPEN_STATUSES, SUPERVISOR_ROLES, guard=levels.can_raise)
def _raise_level(case, actor, now, params):
    with refused_as_transition():
        data = levels.change(
            case,
            actor,
            params.get("level"),
            params.get("reason"),
            _record(User, params.get("leader")),
            now,
            up=True,
        )
    return case.status, optional_text(params, "reason"), data


@action(CaseAction.LOWER_LEVEL, OPEN_STATUSES, SUPERVISOR_ROLES, guard=levels.can_lower)
def _lower_level(case, actor, now, params):
    with refused_as_transition():
        data = levels.change(case, actor, params.get("level"), params.get("reason"), None, now, up=False)
    return case.status, optional_text(params, "reason"), data
