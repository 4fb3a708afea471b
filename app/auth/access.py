"""Who may see which rows: role groups and department scoping, the one place these rules live."""

from typing import NamedTuple

from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import false
from sqlalchemy import or_
from sqlalchemy import select

from app.extensions import db
from models.case import Case
from models.case import CaseEvent
from models.case import case_co_department
from models.case_part import CasePart
from models.command import CaseOrder
from models.command import OrderTarget
from models.enums import Role
from models.field_order import FieldOrder
from models.field_order import FieldOrderTarget
from models.field_order import field_order_case
from models.org import Department
from models.volunteer import Clue
from models.volunteer import RewardPayout
from models.volunteer import Volunteer

STAFF_ROLES = frozenset(Role)
INTAKE_ROLES = frozenset({Role.CLERK, Role.SUPERVISOR, Role.ADMIN})
SUPERVISOR_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
ADMIN_ROLES = frozenset({Role.ADMIN})


def is_department_scoped(user) -> bool:
    """Handlers see only their own department's rows; every other role sees all."""
    return user.role == Role.HANDLER


def figure_department(user) -> int | None:
    """The one department whose figures ``user`` may see (a handler's own; -1 for none), or None for all."""
    if not is_department_scoped(user):
        return None
    return user.department_id if user.department_id is not None else -1


class ScopeArm(NamedTuple):
    """One part of a scope: its condition; for the co-handled arm also the department and a per-row check.

    ``row_check`` is the same rule as ``clause`` written as a correlated test, for queries that are
    driven by a short list of ids found elsewhere (so the planner does not start from this arm's ids).
    """

    clause: object
    co_department_id: int | None = None
    row_check: object = None


def subtree_department_ids(user) -> list[int]:
    """Ids of the user's department and every unit below it (a street's communities and stations)."""
    if user.department is None:
        return []
    path = user.department.path or f"/{user.department_id}/"
    return list(
        db.session.scalars(select(Department.id).where(Department.path.startswith(path, autoescape=True)))
    )


def _one_of(column, ids: list[int]):
    return column == ids[0] if len(ids) == 1 else column.in_(ids)


def case_clause_arms(user):
    """The cases ``user`` may see as disjoint parts, each answerable from one index; None for all cases.

    A handler sees the cases led by their department or any unit below it (a street sees its communities'
    cases), the cases handed down (下派) to their department, the cases it co-handles that another unit
    leads, and the cases on which a 批示, 督办单 or 令 is addressed to it (to answer it). The OR of the arms
    defeats every index on a big table, so the case list queries each arm on its own.
    """
    if not is_department_scoped(user):
        return None
    if user.department_id is None:
        return [ScopeArm(false())]
    department_id = user.department_id
    subtree = subtree_department_ids(user) or [department_id]
    co_case_ids = select(case_co_department.c.case_id).where(
        case_co_department.c.department_id == department_id
    )
    lead_elsewhere = or_(Case.lead_department_id.is_(None), Case.lead_department_id.not_in(subtree))
    not_handed_here = Case.handed_down_to_id.is_distinct_from(department_id)
    co_handled = exists().where(
        case_co_department.c.case_id == Case.id, case_co_department.c.department_id == department_id
    )
    addressed_case_ids = (
        select(CaseOrder.case_id)
        .join(OrderTarget, OrderTarget.order_id == CaseOrder.id)
        .where(OrderTarget.department_id == department_id)
        .union(
            select(field_order_case.c.case_id)
            .join(FieldOrderTarget, FieldOrderTarget.order_id == field_order_case.c.order_id)
            .where(FieldOrderTarget.department_id == department_id)
        )
    )
    elsewhere = and_(lead_elsewhere, not_handed_here)
    return [
        ScopeArm(_one_of(Case.lead_department_id, subtree)),
        ScopeArm(and_(Case.handed_down_to_id == department_id, lead_elsewhere)),
        ScopeArm(
            and_(Case.id.in_(co_case_ids), elsewhere),
            co_department_id=department_id,
            row_check=and_(co_handled, elsewhere),
        ),
        ScopeArm(and_(Case.id.in_(addressed_case_ids), elsewhere, ~Case.id.in_(co_case_ids))),
    ]


def case_clause(user):
    """SQL condition for the cases ``user`` may see, or None for no restriction."""
    arms = case_clause_arms(user)
    return None if arms is None else or_(*(arm.clause for arm in arms))


def _subtree_department_ids(user):
    """The ids of the user's department and every unit below it, as a subquery."""
    if user.department is None:
        return select(Department.id).where(false())
    return select(Department.id).where(Department.path.startswith(user.department.path, autoescape=True))


def volunteer_clause(user):
    """SQL condition for the volunteers ``user`` may see, or None for no restriction."""
    if not is_department_scoped(user):
        return None
    return Volunteer.community_id.in_(_subtree_department_ids(user))


def reward_clause(user):
    """Rewards are visible with their volunteer, or with their case."""
    if not is_department_scoped(user):
        return None
    visible_cases = select(Case.id).where(case_clause(user))
    visible_volunteers = select(Volunteer.id).where(volunteer_clause(user))
    return or_(RewardPayout.volunteer_id.in_(visible_volunteers), RewardPayout.case_id.in_(visible_cases))


def clue_clause(user):
    """Clues are visible with their community (the user's unit and below), or with their case."""
    if not is_department_scoped(user):
        return None
    visible_cases = select(Case.id).where(case_clause(user))
    return or_(Clue.community_id.in_(_subtree_department_ids(user)), Clue.case_id.in_(visible_cases))


def event_clause(user):
    """Timeline events are visible with their case."""
    if not is_department_scoped(user):
        return None
    return CaseEvent.case_id.in_(select(Case.id).where(case_clause(user)))


def order_target_clause(user):
    """A department sees the parts of 批示 and 督办单 addressed to it, and nothing else."""
    if not is_department_scoped(user):
        return None
    return OrderTarget.department_id == (user.department_id if user.department_id is not None else -1)


def order_clause(user):
    """A department sees the orders with a part addressed to it."""
    if not is_department_scoped(user):
        return None
    return CaseOrder.id.in_(select(OrderTarget.order_id).where(order_target_clause(user)))


def field_target_clause(user):
    """A department sees the parts of 令 addressed to it, and every part of the 令 its unit or a unit below
    it issued."""
    if not is_department_scoped(user):
        return None
    department_id = user.department_id if user.department_id is not None else -1
    issued_here = select(FieldOrder.id).where(
        FieldOrder.issuing_department_id.in_(_subtree_department_ids(user))
    )
    return or_(FieldOrderTarget.department_id == department_id, FieldOrderTarget.order_id.in_(issued_here))


def field_order_clause(user):
    """A department sees the 令 its unit or a unit below it issued, and those with a part addressed to it."""
    if not is_department_scoped(user):
        return None
    department_id = user.department_id if user.department_id is not None else -1
    addressed = select(FieldOrderTarget.order_id).where(FieldOrderTarget.department_id == department_id)
    return or_(
        FieldOrder.issuing_department_id.in_(_subtree_department_ids(user)), FieldOrder.id.in_(addressed)
    )


def part_clause(user):
    """A department sees its own co-handled parts, and the parts of the cases its unit or a unit below leads."""
    if not is_department_scoped(user):
        return None
    department_id = user.department_id if user.department_id is not None else -1
    led_here = select(Case.id).where(Case.lead_department_id.in_(_subtree_department_ids(user)))
    return or_(CasePart.department_id == department_id, CasePart.case_id.in_(led_here))


def acting_department_id(case: Case) -> int | None:
    """The unit that works the case now: the community it is handed down to (下派), else its lead."""
    return case.handed_down_to_id or case.lead_department_id


_CLAUSES = {
    Case: case_clause,
    OrderTarget: order_target_clause,
    CaseOrder: order_clause,
    FieldOrder: field_order_clause,
    CasePart: part_clause,
    FieldOrderTarget: field_target_clause,
    Volunteer: volunteer_clause,
    RewardPayout: reward_clause,
    Clue: clue_clause,
    CaseEvent: event_clause,
}


def scope_clause(model, user):
    """SQL condition limiting ``model`` rows to what ``user`` may see, or None for all rows."""
    rule = _CLAUSES.get(model)
    return rule(user) if rule is not None else None


def scope_query(model, query, user):
    """Apply :func:`scope_clause` to an ORM query or select."""
    clause = scope_clause(model, user)
    return query if clause is None else query.filter(clause)


def can_see_case(user, case: Case) -> bool:
    """Python twin of :func:`case_clause` for one loaded case."""
    if not is_department_scoped(user):
        return True
    department_id = user.department_id
    if department_id is None or user.department is None:
        return False
    lead = case.lead_department
    if lead is not None and (lead.id == department_id or (lead.path or "").startswith(user.department.path)):
        return True
    if case.handed_down_to_id == department_id or any(d.id == department_id for d in case.co_departments):
        return True
    if any(t.department_id == department_id for order in case.orders for t in order.targets):
        return True
    return case.id is not None and bool(
        db.session.scalar(
            select(
                exists()
                .where(field_order_case.c.case_id == case.id)
                .where(FieldOrderTarget.order_id == field_order_case.c.order_id)
                .where(FieldOrderTarget.department_id == department_id)
            )
        )
    )
