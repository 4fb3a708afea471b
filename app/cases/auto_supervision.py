"""The automatic 督办: each active rule's caught cases get a supervision order to their lead department,
through the state machine (timeline event ``supervise`` marked ``by: rule``), once per case and level.

Each firing runs in a savepoint: if another scheduler fired the same rule on the same case first, the
unique index refuses the second order and only that savepoint is rolled back. The job commits.
"""

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from app.cases import lifecycle
from app.command import auto_rules
from app.deadlines.workcalendar import compute_due
from app.extensions import db
from models.case import Case


def fire(now: datetime) -> dict:
    """Fire every active rule on the cases it catches now; how many orders each rule issued."""
    issued = {}
    for rule in auto_rules.active_rules():
        count = 0
        due = compute_due(now, max(rule.due_working_days or 1, 1), "working_days")[0]
        for case_id in auto_rules.caught(rule, now):
            case = db.session.get(Case, case_id)
            try:
                with db.session.begin_nested():
                    event = lifecycle.perform_by_rule(
                        case,
                        "supervise",
                        now=now,
                        content=rule.requirement,
                        departments=[case.lead_department],
                        due_date=due,
                        rule=rule,
                    )
            except IntegrityError:
                continue  # another scheduler fired this rule on this case at this level first
            count += event is not None
        issued[rule.name] = count
    return issued
