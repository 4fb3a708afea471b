"""Deadline test helpers: 2026 calendar rows, policies, and driving a case through its steps at chosen instants."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from sqlalchemy import select

from app.cases import lifecycle
from app.deadlines.policies import ladder
from app.deadlines.workcalendar import invalidate_cache
from app.extensions import db
from models.case import Case
from models.deadline import CaseDeadline
from models.deadline import DeadlinePolicy
from models.deadline import Stage
from models.deadline import Unit
from models.deadline import WorkCalendarDay
from tests.support.factories import dept
from tests.support.factories import user

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 2026-03-02 10:00 Beijing time
MINUTE = timedelta(minutes=1)
FAST = ladder(80, 30, 240)  # warn at 80 %, breach at due, supervisors +30 min, leader +4 h
LONG = (30, Unit.NATURAL_DAYS)

# 2026 holidays and make-up working days (State Council notice), for the weeks the tests use.
HOLIDAYS_2026 = {
    **{date(2026, 2, 15) + timedelta(days=i): (False, "春节") for i in range(9)},  # 2/15 … 2/23
    date(2026, 2, 14): (True, "春节调休上班"),
    date(2026, 2, 28): (True, "春节调休上班"),
    **{date(2026, 10, 1) + timedelta(days=i): (False, "国庆节") for i in range(7)},  # 10/1 … 10/7
    date(2026, 9, 20): (True, "国庆节调休上班"),
    date(2026, 10, 10): (True, "国庆节调休上班"),
}
CALENDAR_WEEKS = ((date(2026, 2, 2), date(2026, 3, 15)), (date(2026, 9, 7), date(2026, 10, 25)))


def seed_calendar_2026() -> None:
    """Calendar rows for the Spring Festival and National Day weeks of 2026 (weekdays elsewhere)."""
    for first, last in CALENDAR_WEEKS:
        day = first
        while day <= last:
            working, name = HOLIDAYS_2026.get(day, (day.weekday() < 5, None))
            db.session.merge(WorkCalendarDay(day=day, is_workday=working, name=name, source="admin"))
            day += timedelta(days=1)
    db.session.commit()
    invalidate_cache()


def at(text: str) -> datetime:
    """An instant given in Beijing time, e.g. ``at("2026-02-12 10:00")``, as aware UTC."""
    return datetime.fromisoformat(f"{text}+08:00").astimezone(UTC)


def end_of(day: str) -> datetime:
    """24:00 Beijing time at the end of ``day`` (how day-based due times are stored)."""
    return at(f"{day} 00:00") + timedelta(days=1)


def make_policy(stage, amount, unit, rungs=None, **fields) -> DeadlinePolicy:
    """One active policy row (flushed, not committed)."""
    policy = DeadlinePolicy(
        name=fields.pop("name", f"{stage} {amount} {unit}"),
        stage=stage,
        amount=amount,
        unit=unit,
        ladder=FAST if rungs is None else rungs,
        **fields,
    )
    db.session.add(policy)
    db.session.flush()
    return policy


def stage_policies(**stages) -> dict:
    """A general policy for every stage: 30 natural days unless ``stage=(amount, unit)`` says otherwise."""
    policies = {}
    for stage in Stage:
        spec = stages.get(stage.value, LONG)
        amount, unit = spec[0], spec[1]
        extra = {"max_extensions": 0, **(spec[2] if len(spec) > 2 else {})}
        policies[stage.value] = make_policy(stage, amount, unit, **extra)
    db.session.commit()
    return policies


HANDLER_ACTIONS = {"sign", "contact", "reply", "return", "request_extension"}
SUPERVISOR_ACTIONS = {"approve_extension", "reject_extension", "reopen"}
DEFAULT_PARAMS = {
    "return": {"reason": "不属于本单位职责"},
    "contact": {"note": "已电话联系群众"},
    "reply": {"outcome": "supported", "text": "已处理完毕"},
    "reject": {"reason": "不属于受理范围"},
    "revisit": {"satisfaction": "satisfied"},
    "reopen": {"reason": "群众再次反映"},
    "reject_extension": {"reason": "理由不充分"},
}


def new_case(now: datetime, **fields) -> Case:
    """A case received and opened at ``now`` (its register clock starts), committed."""
    case = Case(
        channel=fields.pop("channel", "hotline"),
        request_type=fields.pop("request_type", "complaint"),
        title=fields.pop("title", "路边占道经营影响通行"),
        content=fields.pop("content", "小区门口每天晚上有摊贩占道经营。"),
        grade=fields.pop("grade", "green"),
        citizen_name="张三",
        citizen_phone="13800138000",
        **fields,
    )
    lifecycle.open_case(case, user("clerk"), now=now)
    db.session.commit()
    return case


def act(case: Case, action: str, now: datetime, actor=None, lead: str | None = None, **params):
    """Take ``action`` at ``now`` as the usual actor (lead handler, supervisor or clerk); commit."""
    if action == "dispatch":
        params.setdefault("lead_department", dept(lead or "SA"))
    for key, value in DEFAULT_PARAMS.get(action, {}).items():
        params.setdefault(key, value)
    if actor is None:
        if action in HANDLER_ACTIONS:
            actor = user("handler", case.lead_department.code)
        elif action in SUPERVISOR_ACTIONS:
            actor = user("supervisor")
        else:
            actor = user("clerk")
    event = lifecycle.perform(case, action, actor, now=now, **params)
    db.session.commit()
    return event


def drive(case: Case, now: datetime, *actions: str, lead: str = "SA") -> Case:
    """Take several actions in a row at the same instant."""
    for action in actions:
        act(case, action, now, lead=lead)
    return case


def deadline(case: Case, stage: str) -> CaseDeadline:
    """The case's deadline row for ``stage``."""
    return db.session.scalars(
        select(CaseDeadline).where(CaseDeadline.case_id == case.id, CaseDeadline.stage == stage)
    ).one()


def states(case: Case) -> dict:
    """{stage: (status, version)} of the case's deadline rows."""
    db.session.expire_all()
    rows = db.session.scalars(select(CaseDeadline).where(CaseDeadline.case_id == case.id)).all()
    return {str(d.stage): (str(d.status), d.version) for d in rows}
