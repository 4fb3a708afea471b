"""The automatic 督办 rules an administrator sets: which open cases each rule catches now.

A rule fires once per case and level: a case that already has an order from the rule at the rule's level
is not caught again (and a unique index on ``case_order`` holds if two schedulers race). The firing itself
is the state machine's ``supervise`` action (:mod:`app.cases.auto_supervision`), addressed to the case's
lead department.
"""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import aliased

from app import audit
from app.deadlines.workcalendar import add_working_days
from app.extensions import db
from app.timeutil import local_day
from app.timeutil import local_day_start
from models.audit import AuditEntity
from models.case import Case
from models.command import CaseOrder
from models.command import RuleTrigger
from models.command import SupervisionRule
from models.deadline import CASE_STAGES
from models.deadline import CaseDeadline
from models.deadline import DeadlineStatus
from models.deadline import Stage
from models.enums import OPEN_STATUSES
from models.enums import Grade

BATCH = 200
RULE_AUDITED = ("name", "trigger", "threshold", "level", "requirement", "due_working_days", "active")


def check_rule(rule: SupervisionRule) -> str | None:
    """Why the rule cannot be saved as it is, or None: counting triggers need their N."""
    if rule.trigger in (RuleTrigger.REPEAT, RuleTrigger.OVERDUE_DAYS) and not (rule.threshold or 0) >= 1:
        return _("This trigger needs its number N (1 or more).")
    if rule.trigger == RuleTrigger.REPEAT and rule.threshold < 2:
        return _("A repeat is received the second time at the earliest: N is 2 or more.")
    if not (rule.requirement or "").strip():
        return _("Write the requirement the order will carry.")
    return None


def record_rule_change(rule: SupervisionRule, actor, created: bool) -> None:
    """Audit a rule's creation or edit (the caller commits it with the change)."""
    audit.record_change(AuditEntity.SUPERVISION_RULE, rule, RULE_AUDITED, actor, created)


def active_rules() -> list[SupervisionRule]:
    """The rules in force, in id order."""
    return list(
        db.session.scalars(
            select(SupervisionRule).where(SupervisionRule.active.is_(True)).order_by(SupervisionRule.id)
        )
    )


def _overdue(stages, before: datetime, *, inclusive: bool = False):
    """The case has a running deadline of one of ``stages`` due before ``before`` (or at it)."""
    return exists().where(
        CaseDeadline.case_id == Case.id,
        CaseDeadline.target_id.is_(None),
        CaseDeadline.part_id.is_(None),
        CaseDeadline.stage.in_([str(s) for s in stages]),
        CaseDeadline.status == DeadlineStatus.RUNNING,
        CaseDeadline.due_at <= before if inclusive else CaseDeadline.due_at < before,
    )


def _condition(rule: SupervisionRule, now: datetime):
    trigger, n = rule.trigger, max(rule.threshold or 0, 0)
    if trigger == RuleTrigger.RED_NOT_SIGNED:
        return and_(Case.grade == Grade.RED, _overdue([Stage.SIGN], now))
    if trigger == RuleTrigger.SENSITIVE:
        return Case.is_sensitive.is_(True)
    if trigger == RuleTrigger.OVERDUE_DAYS:
        # due by the start of the n-th working day back: overdue all of that day and the n-1 after it
        cutoff = local_day_start(add_working_days(local_day(now), -n))
        return _overdue(CASE_STAGES, cutoff, inclusive=True)
    if trigger == RuleTrigger.REPEAT:
        earlier = aliased(Case)
        # this case is at least the n-th time: the original plus the repeats received before it
        count = (
            select(func.count())
            .where(earlier.repeat_of_id == Case.repeat_of_id, earlier.received_at <= Case.received_at)
            .scalar_subquery()
        )
        return and_(Case.repeat_of_id.is_not(None), count + 1 >= max(n, 2))
    raise ValueError(f"unknown rule trigger {trigger!r}")


def caught(rule: SupervisionRule, now: datetime, limit: int = BATCH) -> list[int]:
    """Ids of the open cases ``rule`` catches at ``now`` that it has not fired on at its level yet."""
    fired = exists().where(
        CaseOrder.case_id == Case.id, CaseOrder.rule_id == rule.id, CaseOrder.level == rule.level
    )
    query = (
        select(Case.id)
        .where(Case.status.in_([str(s) for s in OPEN_STATUSES]), Case.lead_department_id.is_not(None))
        .where(_condition(rule, now), ~fired)
        .order_by(Case.id)
        .limit(limit)
    )
    return list(db.session.scalars(query))
