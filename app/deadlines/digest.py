"""The morning digest (每日一提醒): each department's overdue and due-today cases, once a day."""

from collections import defaultdict
from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.extensions import insert_unless_exists
from app.notifications.outbox import notify_department
from app.timeutil import LOCAL_TZ
from app.timeutil import format_local
from app.timeutil import local_day
from app.timeutil import local_day_start
from models.case import Case
from models.jobstate import OnceKey
from models.org import Department

LISTED = 20  # cases named in one message; the rest are counted


def digest_time() -> tuple[int, int]:
    """The configured local send time, ``DIGEST_TIME`` as "HH:MM" (default 08:30)."""
    hour, minute = current_app.config.get("DIGEST_TIME", "08:30").split(":")
    return int(hour), int(minute)


def is_due(now: datetime) -> bool:
    """True when today's digest time has passed in Asia/Shanghai."""
    local = now.astimezone(LOCAL_TZ)
    hour, minute = digest_time()
    return (local.hour, local.minute) >= (hour, minute)


def _claim(day, now: datetime) -> bool:
    return insert_unless_exists(OnceKey, job="digest", key=day.isoformat(), created_at=now)


def send_digest(now: datetime) -> int:
    """Queue today's digest unless already sent (the job commits); return how many departments got one."""
    day = local_day(now)
    if not _claim(day, now):
        return 0
    end_of_day = local_day_start(day + timedelta(days=1))
    rows = db.session.execute(
        select(Case.lead_department_id, Case.id, Case.number, Case.title, Case.next_due_at)
        .where(
            # <=: a day-based time limit falls due at 24:00 that ends its last day, which is today's
            Case.next_due_at.is_not(None),
            Case.next_due_at <= end_of_day,
            Case.lead_department_id.is_not(None),
        )
        .order_by(Case.next_due_at)
    ).all()
    by_department = defaultdict(list)
    for row in rows:
        by_department[row.lead_department_id].append(row)
    for department_id, cases in by_department.items():
        department = db.session.get(Department, department_id)
        overdue = [c for c in cases if c.next_due_at <= now]
        subject = _(
            "Daily reminder %(day)s: %(overdue)d overdue, %(today)d due today",
            day=day.isoformat(),
            overdue=len(overdue),
            today=len(cases) - len(overdue),
        )
        lines = [
            f"{c.number} {c.title} · {format_local(c.next_due_at)}"
            + (f" · {_('overdue')}" if c.next_due_at <= now else "")
            for c in cases[:LISTED]
        ]
        if len(cases) > LISTED:
            lines.append(_("… and %(num)d more.", num=len(cases) - LISTED))
        notify_department(department, subject, "\n".join(lines), kind="digest", now=now)
    db.session.flush()
    return len(by_department)
