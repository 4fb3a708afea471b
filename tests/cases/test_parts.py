"""协办同责: each co-department's own part, on its own clocks; the lead replies only when every part is
answered or waived; a late part escalates to its co-department, not the lead."""

import pytest
from sqlalchemy import select

from app.cases import lifecycle
from app.extensions import db
from jobs import tasks
from jobs.tasks import sweep
from models.case_part import PartStatus
from models.deadline import CaseDeadline
from models.deadline import DeadlineStatus
from models.deadline import Unit
from models.enums import Status
from models.jobstate import RecomputeRequest
from models.notification import Notification
from models.user import User
from tests.support.deadlines import MINUTE
from tests.support.deadlines import T0
from tests.support.deadlines import act
from tests.support.deadlines import end_of
from tests.support.deadlines import new_case
from tests.support.deadlines import stage_policies
from tests.support.factories import dept
from tests.support.factories import user
from tests.support.field_orders import clock as field_clock
from tests.support.field_orders import issue_order
from tests.support.field_orders import part as field_part


@pytest.fixture
def policies(app):
    return stage_policies(sign=(10, Unit.MINUTES), contact=(60, Unit.MINUTES), resolve=(2, Unit.NATURAL_DAYS))


def co_handled(now=T0, co=("BA", "BB")):
    """A case registered and dispatched at ``now`` to street SA, with co-departments ``co``."""
    case = new_case(now)
    act(case, "register", now)
    act(case, "dispatch", now, co_departments=[dept(c) for c in co])
    return case


def part_clocks(part) -> dict:
    """{stage: status} of a part's deadline rows."""
    db.session.expire_all()
    rows = db.session.scalars(select(CaseDeadline).where(CaseDeadline.part_id == part.id)).all()
    return {str(d.stage): str(d.status) for d in rows}


def inbox(case, kind) -> list[str]:
    query = (
        select(User.username)
        .join(Notification, Notification.user_id == User.id)
        .where(Notification.case_id == case.id, Notification.kind == kind)
    )
    return sorted(db.session.scalars(query))


def test_dispatch_gives_each_co_department_its_part_on_its_own_clocks(app, policies):
    case = co_handled()
    assert [(p.department.code, p.status) for p in case.parts] == [("BA", "pending"), ("BB", "pending")]
    ba = case.parts[0]
    assert part_clocks(ba) == {"sign": "running", "resolve": "running"}
    sign = next(d for d in ba.deadlines if d.stage == "sign")
    assert sign.case_id == case.id and sign.due_at == T0 + 10 * MINUTE
    # the lead's own clocks are untouched by the parts
    assert {str(d.stage) for d in case.deadlines} >= {"sign", "resolve"}
    assert all(d.part_id is None for d in case.deadlines)

    handler = user("handler", "BA")
    lifecycle.perform(case, "sign_part", handler, now=T0 + MINUTE)
    assert ba.status == PartStatus.SIGNED and ba.handler_id == handler.id
    assert part_clocks(ba) == {"sign": "met", "resolve": "running", "contact": "running"}
    lifecycle.perform(case, "contact_part", handler, now=T0 + 2 * MINUTE, note="已电话联系")
    lifecycle.perform(case, "answer_part", handler, now=T0 + 3 * MINUTE, text="已对占道摊点依法处置")
    db.session.commit()
    assert ba.status == PartStatus.ANSWERED and ba.answer == "已对占道摊点依法处置"
    assert part_clocks(ba) == {"sign": "met", "resolve": "met", "contact": "met"}
    assert [e.action for e in case.events][-3:] == ["sign_part", "contact_part", "answer_part"]
    # the case itself did not move
    assert case.status == Status.DISPATCHED and case.signed_at is None


def test_a_co_department_cannot_take_the_leads_steps_nor_another_part(app, policies):
    case = co_handled()
    ba = user("handler", "BA")
    assert lifecycle.refusal(case, "sign", ba) is not None
    assert lifecycle.refusal(case, "contact_part", ba) is not None  # not signed yet
    with pytest.raises(lifecycle.TransitionError, match="协办"):
        lifecycle.perform(case, "sign_part", user("handler", "SA"))
    with pytest.raises(lifecycle.TransitionError):
        lifecycle.perform(case, "answer_part", ba, text="x")
    lifecycle.perform(case, "sign_part", ba)
    with pytest.raises(lifecycle.TransitionError, match="答复"):
        lifecycle.perform(case, "answer_part", ba, text="  ")
    assert case.parts[0].status == PartStatus.SIGNED and case.parts[0].answer is None


def test_the_reply_waits_for_every_part_or_a_waiver(app, policies):
    case = co_handled()
    lead = user("handler", "SA")
    act(case, "sign", T0)
    act(case, "contact", T0)
    with pytest.raises(lifecycle.TransitionError, match="区城管局、区住建局"):
        lifecycle.perform(case, "reply", lead, outcome="supported", text="已处理")
    assert "reply" not in {a.name for a in lifecycle.available_actions(case, lead)}

    ba = user("handler", "BA")
    lifecycle.perform(case, "sign_part", ba)
    lifecycle.perform(case, "answer_part", ba, text="城管已清理")
    with pytest.raises(lifecycle.TransitionError, match="区住建局"):
        lifecycle.perform(case, "reply", lead, outcome="supported", text="已处理")

    # only a supervisor waives, with a reason
    bb_part = case.parts[1]
    assert lifecycle.refusal(case, "waive_part", lead) is not None
    with pytest.raises(lifecycle.TransitionError, match="理由"):
        lifecycle.perform(case, "waive_part", user("supervisor"), part=bb_part.id, reason="")
    lifecycle.perform(case, "waive_part", user("supervisor"), part=bb_part.id, reason="住建局职责不涉及")
    assert bb_part.status == PartStatus.WAIVED and part_clocks(bb_part) == {
        "sign": "cancelled",
        "resolve": "cancelled",
    }
    event = lifecycle.perform(case, "reply", lead, outcome="supported", text="已处理完毕")
    db.session.commit()
    assert case.status == Status.REPLIED
    assert event.data["parts"] == [
        {"department": "区城管局", "status": "answered", "answer": "城管已清理"},
        {"department": "区住建局", "status": "waived", "answer": "住建局职责不涉及"},
    ]


def test_a_late_part_escalates_to_its_co_department_once(app, policies):
    case = co_handled(co=("BA",))
    act(case, "sign", T0)  # the lead signs in time: only the part is late
    assert sweep(T0 + 8 * MINUTE)["fired"] == 1  # the part's warning at 80 %
    assert inbox(case, "deadline_warn") == ["handler_BA"]
    assert sweep(T0 + 10 * MINUTE)["fired"] == 1
    assert inbox(case, "deadline_breach") == ["handler_BA", "supervisor"]
    assert sweep(T0 + 10 * MINUTE)["fired"] == 0  # exactly once
    assert "handler_SA" not in inbox(case, "deadline_warn") + inbox(case, "deadline_breach")
    db.session.expire_all()
    part = case.parts[0]
    assert case.urgency != "red"  # the case's colour is its own stages'
    late = next(d for d in part.deadlines if d.stage == "sign")
    assert late.breached_at == T0 + 10 * MINUTE and late.status == DeadlineStatus.RUNNING
    lifecycle.perform(case, "sign_part", user("handler", "BA"), now=T0 + 15 * MINUTE)
    db.session.commit()
    assert late.status == DeadlineStatus.MET and late.breached_at is not None


def test_return_removes_the_parts_and_merge_stops_their_clocks(app, policies):
    case = co_handled()
    lifecycle.perform(case, "return", user("handler", "SA"), reason="不属于本街道")
    db.session.commit()
    assert (
        case.parts == []
        and db.session.scalar(select(CaseDeadline.id).where(CaseDeadline.part_id.is_not(None))) is None
    )
    act(case, "dispatch", T0, co_departments=[dept("BA")])
    other = new_case(T0)
    act(case, "merge", T0, target=other.number)
    assert case.status == Status.MERGED and part_clocks(case.parts[0]) == {
        "sign": "cancelled",
        "resolve": "cancelled",
    }


def test_a_calendar_change_recomputes_part_clocks_but_leaves_order_clocks_alone(app, policies):
    case = co_handled(co=("BA",))
    order = issue_order(T0)
    order_ack = field_clock(field_part(order, "BA"), "order_ack")
    ack_due = order_ack.due_at
    part_resolve = next(d for d in case.parts[0].deadlines if d.stage == "resolve")
    policies["resolve"].amount = 5
    db.session.add(RecomputeRequest(reason="calendar change", scope={}))  # every stage
    db.session.commit()
    assert tasks.recompute(T0 + MINUTE) >= 1  # before the fix, the 令's clock crashed this job
    db.session.expire_all()
    assert part_resolve.due_at == end_of("2026-03-07") and part_resolve.status == DeadlineStatus.RUNNING
    assert (order_ack.due_at, order_ack.status) == (ack_due, DeadlineStatus.RUNNING)
