"""Red cases: a progress update (动态更新) is due every hour from receipt until the citizen is contacted, a
missed one fires through the sweep and the escalation ladder, and the supervisors hear at once when a red
case comes in from any channel."""

import pytest
from sqlalchemy import select

from app.cases import lifecycle
from app.cases.actions import TransitionError
from app.deadlines.policies import seed_default_policies
from app.extensions import db
from app.intake import grading
from app.intake.submission import CitizenRequest
from app.intake.submission import submit
from jobs import tasks
from models.case import CaseEvent
from models.deadline import DeadlineFire
from models.deadline import Urgency
from models.enums import Channel
from models.notification import NoticeKind
from models.notification import Notification
from models.org import Mailbox
from models.user import User
from tests.support.deadlines import MINUTE
from tests.support.deadlines import T0
from tests.support.deadlines import act
from tests.support.deadlines import deadline
from tests.support.deadlines import drive
from tests.support.deadlines import new_case
from tests.support.deadlines import states
from tests.support.factories import make_user
from tests.support.factories import user

HOUR = 60 * MINUTE


@pytest.fixture
def defaults(app):
    seed_default_policies()
    for role, code in (("supervisor", None), ("handler", "SA"), ("leader", None)):
        make_user(role, code)
    db.session.commit()


def update(case, now, actor=None, note="已安排人员赶赴现场核实"):
    return act(case, "progress_update", now, actor=actor or user("clerk"), note=note)


def fired(case) -> list[tuple]:
    """(step, version) of the fired rungs of the case's 动态更新 clock, in firing order."""
    query = (
        select(DeadlineFire.step, DeadlineFire.deadline_version)
        .where(DeadlineFire.deadline_id == deadline(case, "progress_update").id)
        .order_by(DeadlineFire.id)
    )
    return [tuple(row) for row in db.session.execute(query)]


def test_an_update_is_due_every_hour_until_the_citizen_is_contacted(app, defaults):
    green = new_case(T0)
    assert "progress_update" not in states(green)
    with pytest.raises(TransitionError):
        update(green, T0 + MINUTE)

    case = new_case(T0, grade="red")
    first = deadline(case, "progress_update")
    assert (first.started_at, first.due_at, str(first.status)) == (T0, T0 + HOUR, "running")
    assert first.policy.name == "红色件 每小时动态更新"

    event = update(case, T0 + 40 * MINUTE)  # the intake desk reports before dispatch
    assert event.data == {"due_at": (T0 + HOUR).isoformat(), "late": False}
    second = deadline(case, "progress_update")
    assert (second.version, second.started_at, second.due_at) == (2, T0 + 40 * MINUTE, T0 + 100 * MINUTE)

    drive(case, T0 + 50 * MINUTE, "register", "dispatch")
    act(case, "sign", T0 + 55 * MINUTE)
    late = update(case, T0 + 2 * HOUR, actor=user("handler", "SA"))  # 20 minutes late, by the handler
    assert late.data["late"] is True and late.note == "已安排人员赶赴现场核实"
    assert deadline(case, "progress_update").due_at == T0 + 3 * HOUR

    names = {a.name for a in lifecycle.available_actions(case, user("handler", "SA"))}
    assert "progress_update" in names
    act(case, "contact", T0 + 150 * MINUTE)
    stopped = deadline(case, "progress_update")
    assert (str(stopped.status), stopped.met_at, stopped.next_fire_at) == ("met", T0 + 150 * MINUTE, None)
    assert "progress_update" not in {a.name for a in lifecycle.available_actions(case, user("handler", "SA"))}
    with pytest.raises(TransitionError):
        update(case, T0 + 3 * HOUR, actor=user("handler", "SA"))
    updates = db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action == "progress_update")
    ).all()
    assert len(updates) == 2  # on the timeline, both


def test_an_unreached_call_does_not_stop_the_updates_and_a_reply_does(app, defaults):
    case = drive(new_case(T0, grade="red"), T0 + MINUTE, "register", "dispatch")
    act(case, "sign", T0 + 2 * MINUTE)
    act(case, "contact", T0 + 3 * MINUTE, method="not_reached", note="未接通")
    assert str(deadline(case, "progress_update").status) == "running"
    merged = new_case(T0, grade="red")
    act(merged, "merge", T0 + 5 * MINUTE, target=case.number)
    assert str(deadline(merged, "progress_update").status) == "cancelled"


def test_a_missed_update_fires_through_the_sweep_and_climbs_the_ladder(app, defaults):
    case = drive(new_case(T0, grade="red"), T0 + MINUTE, "register", "dispatch")
    tasks.sweep(T0 + 51 * MINUTE)
    assert fired(case) == [("warn", 1)]
    tasks.sweep(T0 + 61 * MINUTE)
    assert fired(case)[-1] == ("breach", 1)
    db.session.expire_all()
    assert case.urgency == Urgency.RED
    supervisor = user("supervisor")
    heard = db.session.scalars(
        select(Notification).where(
            Notification.user_id == supervisor.id, Notification.kind == "deadline_breach"
        )
    ).all()
    assert heard and any(case.number in (n.body + n.subject) for n in heard)
    handler = db.session.scalars(
        select(Notification).where(Notification.user_id == user("handler", "SA").id)
    ).all()
    assert any(n.kind == "deadline_breach" for n in handler)  # the handling department must act
    tasks.sweep(T0 + 2 * HOUR + MINUTE)
    assert fired(case)[-1] == ("escalate_supervisor", 1)
    # a late update meets it and the next one is due an hour after it, on a fresh ladder
    act(case, "progress_update", T0 + 2 * HOUR + 5 * MINUTE, actor=user("handler", "SA"), note="现场已处置")
    again = deadline(case, "progress_update")
    assert (again.version, again.due_at, again.next_step) == (2, T0 + 3 * HOUR + 5 * MINUTE, 0)
    tasks.sweep(T0 + 3 * HOUR + 6 * MINUTE)
    assert fired(case)[-1] == ("breach", 2)


# --- the supervisors hear at once -----------------------------------------------------------------


def red_notices() -> list[Notification]:
    return db.session.scalars(
        select(Notification)
        .where(Notification.kind == NoticeKind.RED_RECEIVED.value)
        .order_by(Notification.id)
    ).all()


def submitted(grade: str, monkeypatch):
    """A letter through the public intake path, graded ``grade`` by the office's rules."""
    monkeypatch.setattr(grading, "suggest", lambda case, **kw: grading.Verdict(grade=grade, reasons=["测试"]))
    mailbox = db.session.scalars(select(Mailbox).where(Mailbox.slug == "jzxx")).one()
    case, created = submit(
        CitizenRequest(
            channel=Channel.MAILBOX,
            mailbox=mailbox,
            request_type="help",
            title="工地围墙倒塌压住行人",
            content="工地围墙刚刚倒塌，有人被压在下面，请马上派人！",
            citizen_name="李先生",
            citizen_phone="13900139000",
            ip="127.0.0.1",
        ),
        now=T0,
    )
    assert created
    return case


def test_supervisors_are_alerted_when_a_red_case_comes_in(app, defaults, monkeypatch):
    submitted("green", monkeypatch)
    assert red_notices() == []

    case = submitted("red", monkeypatch)
    assert case.grade == "red"
    notices = red_notices()
    supervisors = db.session.scalars(
        select(User).where(User.role == "supervisor", User.active.is_(True))
    ).all()
    inbox = [n for n in notices if n.channel == "inbox"]
    assert {n.user_id for n in inbox} == {s.id for s in supervisors} and supervisors
    assert all(n.user_id in {s.id for s in supervisors} for n in notices if n.user_id is not None)
    notice = inbox[0]
    assert notice.case_id == case.id and notice.subject.startswith("【红色件】" + case.number)
    assert "动态更新" in notice.body or "进展" in notice.body
    assert (
        notice.data["links"][0]["text"] == case.number
        and notice.data["links"][0]["path"] == f"/admin/case/details/?id={case.id}"
    )
    assert "http" not in notice.body  # the case is named by a link, not a raw address
    # the red clocks run from receipt
    assert deadline(case, "progress_update").started_at == T0
