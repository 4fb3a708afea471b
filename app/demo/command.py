"""The demo's command and accountability instruments (issue 14), all taken through the state machine.

:func:`plan_command` adds the steps of 批示, 督办单 and their answers (:mod:`app.demo.command_orders`) and of
包案, visits, 销案, 提级 and 降级 (:mod:`app.demo.command_packages`) to the planned cases, at instants in each
case's own history; the runner (:mod:`app.demo.cases`) takes them with the case's other steps, in time
order. The draws come from a generator of their own, so the rest of the demo is what it was.
:func:`seed_rules` adds the default automatic 督办 rules (settings, not fired here: the scheduler does).
"""

import random
from datetime import datetime
from datetime import timedelta

from sqlalchemy import func
from sqlalchemy import select

from app.demo import command_texts as texts
from app.demo.command_orders import OrderPlanner
from app.demo.command_packages import PackagePlanner
from app.notifications import inbox
from models.command import CaseOrder
from models.command import CasePackage
from models.command import LeaderVisit
from models.command import SupervisionRule
from models.notification import Notification
from models.user import User

UNREAD_DAYS = 3  # the orders' notifications of the last days are unread; the older ones were read


def plan_command(plans: list, org, seed: int, now: datetime) -> dict:
    """Add the instruments' steps to ``plans``; how many of each were planned."""
    rng = random.Random(seed)
    planned = OrderPlanner(rng, org, now).plan(plans)
    planned |= PackagePlanner(rng, org, now).plan(plans)
    return planned


def seed_rules(session, now: datetime) -> int:
    """Add the default automatic 督办 rules whose names are missing; return how many were added."""
    existing = set(session.scalars(select(SupervisionRule.name)))
    added = 0
    for name, trigger, threshold, level, requirement, days in texts.RULES:
        if name in existing:
            continue
        session.add(
            SupervisionRule(
                name=name,
                trigger=trigger,
                threshold=threshold,
                level=level,
                requirement=requirement,
                due_working_days=days,
                active=True,
                updated_at=now,
            )
        )
        added += 1
    session.flush()
    return added


def count_rows(session) -> dict:
    """How many orders, 包案 and visits the database holds."""
    models = {"case_orders": CaseOrder, "case_packages": CasePackage, "leader_visits": LeaderVisit}
    return {kind: session.scalar(select(func.count(model.id))) for kind, model in models.items()}


def read_old_notifications(session, now: datetime) -> int:
    """Mark the inbox rows older than ``UNREAD_DAYS`` (the orders' steps notified people) read a few hours
    after they came: people read their mail, the bell shows the last days'. Returns how many."""
    cutoff = now - timedelta(days=UNREAD_DAYS)
    rows = session.execute(
        select(Notification.id, Notification.user_id, Notification.created_at)
        .where(
            Notification.read_at.is_(None),
            Notification.created_at < cutoff,
            Notification.user_id.is_not(None),
        )
        .order_by(Notification.id)
    ).all()
    users = {}
    for row_id, user_id, created in rows:
        user = users.get(user_id) or users.setdefault(user_id, session.get(User, user_id))
        inbox.mark_read(user, row_id, min(created + timedelta(hours=1 + row_id % 20), cutoff))
    return len(rows)
