"""社区发令 · 部门报到: an order's life on time; late 接令, 报到 and 反馈 escalating exactly once through the real
sweep; under-staffed and supplementary check-ins; rating; withdrawal; two people acting at once."""

import threading

import pytest
from sqlalchemy import select

from app.command import field_order_classes
from app.command import field_orders
from app.extensions import db
from jobs.tasks import sweep
from models.deadline import CaseDeadline
from models.deadline import DeadlineStatus
from models.enums import Status
from models.field_order import FieldOrder
from models.field_order import FieldOrderStatus
from models.field_order import FieldOrderTarget
from models.field_order import FieldTargetStatus
from models.notification import Notification
from tests.support.deadlines import T0
from tests.support.deadlines import end_of
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.factories import user
from tests.support.field_orders import CHIEF
from tests.support.field_orders import HOUR
from tests.support.field_orders import MINUTE
from tests.support.field_orders import STAFF
from tests.support.field_orders import acknowledge
from tests.support.field_orders import check_in
from tests.support.field_orders import clock
from tests.support.field_orders import fires
from tests.support.field_orders import inbox
from tests.support.field_orders import issue_order
from tests.support.field_orders import order_class
from tests.support.field_orders import part
from tests.support.field_orders import rate
from tests.support.field_orders import report
from tests.support.pg_server import pg_app_fixture  # noqa: F401  (fixture: the app on a fresh PostgreSQL copy)
from tests.support.pg_server import pg_template_fixture  # noqa: F401
from tests.support.pg_server import pg_url_fixture  # noqa: F401  (provides the pg_url fixture)

Refusal = field_orders.FieldOrderRefusal


def test_an_order_from_issue_to_closed_on_time(app):
    order = issue_order(to=("BA", "BB"))
    assert order.number == "L20260302001" and order.status == FieldOrderStatus.OPEN
    assert order.rules["min_level"] == "section_chief" and order.rules["check_in"] == {
        "amount": 2,
        "unit": "hours",
    }
    ba = part(order, "BA")
    assert ba.status == FieldTargetStatus.ISSUED
    assert [(d.stage, d.due_at, d.case_id) for d in ba.deadlines] == [
        ("order_ack", T0 + 30 * MINUTE, None),
        ("check_in", T0 + 2 * HOUR, None),
    ]
    assert inbox("field_order") == ["handler_BA", "handler_BB"]

    acknowledge(order, "BA")
    assert check_in(order, "BA") is True
    assert ba.status == FieldTargetStatus.CHECKED_IN and ba.headcount == 2 and ba.staffed is True
    assert clock(ba, "order_ack").status == clock(ba, "check_in").status == DeadlineStatus.MET
    feedback = clock(ba, "feedback")
    assert feedback.started_at == T0 + HOUR and feedback.due_at == end_of("2026-03-03")  # 1 working day
    report(order, "BA")
    assert clock(ba, "feedback").status == DeadlineStatus.MET and ba.outcome.startswith("已清理")
    assert inbox("field_order").count("handler_CA") == 1  # asked to rate
    assert rate(order, "BA") is False  # 区住建局 still owes its part

    acknowledge(order, "BB", now=T0 + 20 * MINUTE)
    check_in(order, "BB", at=T0 + 90 * MINUTE)
    report(order, "BB", now=T0 + 5 * HOUR)
    assert rate(order, "BB", rating="basically_satisfied", now=T0 + 6 * HOUR) is True
    db.session.expire_all()
    order = db.session.get(FieldOrder, order.id)
    assert order.status == FieldOrderStatus.CLOSED and order.closed_at == T0 + 6 * HOUR
    assert [t.rating for t in order.targets] == ["satisfied", "basically_satisfied"]
    assert sweep(T0 + 7 * 24 * HOUR)["fired"] == 0  # every clock stopped in time: nothing escalates


def test_a_late_acknowledgement_escalates_exactly_once(app):
    order = issue_order()
    ba = part(order, "BA")
    assert sweep(T0 + 20 * MINUTE)["fired"] == 0
    assert sweep(T0 + 31 * MINUTE)["fired"] == 1  # the breach; the warning it passed is named, not repeated
    assert sweep(T0 + 31 * MINUTE)["fired"] == 0
    assert fires(ba, "order_ack") == ["breach"]
    assert inbox("deadline_breach") == ["handler_BA", "handler_CA", "supervisor"]
    assert sweep(T0 + 46 * MINUTE)["fired"] == 1  # the supervisors, 15 minutes after
    assert sweep(T0 + 46 * MINUTE)["fired"] == 0
    acknowledge(order, now=T0 + 50 * MINUTE)
    ack = clock(ba, "order_ack")
    assert ack.status == DeadlineStatus.MET and ack.breached_at == T0 + 30 * MINUTE
    check_in(order, at=T0 + HOUR)
    assert sweep(T0 + 5 * HOUR)["fired"] == 0  # the leaders' rung never comes: the clock stopped
    assert fires(ba, "order_ack") == ["breach", "escalate_supervisor"]


def test_a_late_check_in_escalates_exactly_once(app):
    order = issue_order()
    acknowledge(order)
    ba = part(order, "BA")
    assert sweep(T0 + 2 * HOUR + MINUTE)["fired"] == 1
    assert sweep(T0 + 2 * HOUR + MINUTE)["fired"] == 0
    assert fires(ba, "check_in") == ["breach"] and fires(ba, "order_ack") == []
    check_in(order, at=T0 + 150 * MINUTE)
    late = clock(ba, "check_in")
    assert late.status == DeadlineStatus.MET and late.breached_at == T0 + 2 * HOUR
    assert sweep(T0 + 5 * HOUR)["fired"] == 0


def test_an_under_staffed_check_in_tells_the_issuer_and_escalates_until_completed(app):
    order = issue_order()
    acknowledge(order)
    assert (
        check_in(order, people=[STAFF], at=T0 + HOUR) is False
    )  # one staff member: 紧急 asks 2, a 科室负责人
    ba = part(order, "BA")
    assert ba.staffed is False and ba.headcount == 1 and ba.status == FieldTargetStatus.CHECKED_IN
    assert inbox("field_order").count("handler_CA") == 1  # the issuer hears at once
    notice = db.session.scalars(
        select(Notification.subject).where(Notification.user_id == user("handler", "CA").id)
    ).one()
    assert "区城管局" in notice and "1" in notice
    assert clock(ba, "check_in").status == DeadlineStatus.RUNNING
    assert clock(ba, "feedback").started_at == T0 + HOUR  # the 反馈 clock runs from the first check-in

    assert sweep(T0 + 2 * HOUR + MINUTE)["fired"] == 1
    assert sweep(T0 + 2 * HOUR + MINUTE)["fired"] == 0
    assert fires(ba, "check_in") == ["breach"]
    assert "handler_CA" in inbox("deadline_breach") and "supervisor" in inbox("deadline_breach")

    assert check_in(order, people=[CHIEF], at=T0 + 150 * MINUTE) is True  # the supplementary check-in
    assert ba.headcount == 2 and [a["name"] for a in ba.attendees] == ["李干事", "王科长"]
    done = clock(ba, "check_in")
    assert done.status == DeadlineStatus.MET and done.breached_at == T0 + 2 * HOUR
    assert clock(ba, "feedback").started_at == T0 + HOUR  # not restarted
    assert sweep(T0 + 5 * HOUR)["fired"] == 0
    with pytest.raises(Refusal, match="不在这一步"):
        check_in(order, people=[STAFF], at=T0 + 3 * HOUR)  # staffed now: nothing to add


def test_a_supplementary_check_in_in_time_stops_the_clock_without_escalation(app):
    order = issue_order()
    acknowledge(order)
    assert check_in(order, people=[STAFF], at=T0 + HOUR) is False
    report(order, now=T0 + 80 * MINUTE)  # the outcome may come while the attendance is still short
    assert check_in(order, people=[CHIEF, {"name": "", "level": ""}], at=T0 + 90 * MINUTE) is True
    ba = part(order, "BA")
    assert ba.status == FieldTargetStatus.REPORTED and ba.headcount == 2
    checked = clock(ba, "check_in")
    assert checked.status == DeadlineStatus.MET and checked.met_at == T0 + 90 * MINUTE
    assert checked.breached_at is None
    assert sweep(T0 + 5 * HOUR)["fired"] == 0


def test_a_late_outcome_escalates_exactly_once(app):
    order = issue_order(name="一般")
    acknowledge(order)
    check_in(order, people=[STAFF], at=T0 + HOUR)  # 一般: one staff member is enough
    ba = part(order, "BA")
    due = clock(ba, "feedback").due_at
    assert due == end_of("2026-03-05")  # 3 working days from Monday
    assert sweep(due + MINUTE)["fired"] == 1
    assert sweep(due + MINUTE)["fired"] == 0
    assert fires(ba, "feedback") == ["breach"]
    report(order, now=due + HOUR)
    assert clock(ba, "feedback").breached_at == due


def test_rating_is_the_issuers_and_needs_a_reason_when_unsatisfied(app):
    order = issue_order()
    acknowledge(order)
    check_in(order)
    target = part(order, "BA")
    with pytest.raises(Refusal, match="发令"):
        field_orders.rate(target, user("handler", "BA"), "satisfied", None, T0 + 4 * HOUR)
    with pytest.raises(Refusal, match="发令"):
        field_orders.rate(
            target, user("handler", "SA"), "satisfied", None, T0 + 4 * HOUR
        )  # the parent street
    with pytest.raises(Refusal, match="不在这一步"):
        rate(order)  # nothing reported yet
    report(order)
    with pytest.raises(Refusal, match="理由"):
        rate(order, rating="unsatisfied", reason="  ")
    with pytest.raises(Refusal, match="评价"):
        rate(order, rating="excellent")
    assert rate(order, rating="unsatisfied", reason="到场迟缓，未带执法设备") is True
    target = part(db.session.get(FieldOrder, order.id), "BA")
    assert target.rating == "unsatisfied" and target.rating_reason == "到场迟缓，未带执法设备"
    assert "handler_BA" in inbox("field_order")


def test_withdrawing_before_any_check_in_cancels_the_clocks(app):
    order = issue_order(to=("BA", "BB"))
    acknowledge(order, "BA")
    with pytest.raises(Refusal, match="发令"):
        field_orders.withdraw(order, user("handler", "BA"), T0 + 15 * MINUTE)
    field_orders.withdraw(order, user("handler", "CA"), T0 + 15 * MINUTE)
    db.session.commit()
    db.session.expire_all()
    order = db.session.get(FieldOrder, order.id)
    assert order.status == FieldOrderStatus.WITHDRAWN
    assert {t.status for t in order.targets} == {FieldTargetStatus.WITHDRAWN}
    rows = db.session.scalars(select(CaseDeadline).where(CaseDeadline.field_target_id.is_not(None))).all()
    assert {str(d.status) for d in rows} == {"met", "cancelled"}
    assert sweep(T0 + 3 * 24 * HOUR)["fired"] == 0


def test_no_withdrawal_after_a_check_in_but_a_part_may_go(app):
    order = issue_order(to=("BA", "BB"))
    acknowledge(order, "BA")
    check_in(order, "BA")
    with pytest.raises(Refusal, match="已报到"):
        field_orders.withdraw(order, user("handler", "CA"), T0 + 2 * HOUR)
    db.session.rollback()
    field_orders.withdraw(order, user("handler", "CA"), T0 + 2 * HOUR, target=part(order, "BB"))
    db.session.commit()
    report(order, "BA")
    assert rate(order, "BA") is True  # the other part is withdrawn: rating this one closes the order
    assert db.session.get(FieldOrder, order.id).status == FieldOrderStatus.CLOSED


def test_issuing_is_for_streets_and_communities_to_active_bureaus(app):
    klass = order_class()
    args = {"order_class": klass, "matter": "联合检查", "place": "东门", "now": T0}
    for who, code in (("handler", "BA"), ("clerk", None), ("supervisor", None)):
        with pytest.raises(Refusal, match="街道或社区"):
            field_orders.issue(user(who, code), bureaus=[dept("BA")], **args)
    with pytest.raises(Refusal, match="区职能部门"):
        field_orders.issue(user("handler", "SA"), bureaus=[dept("CA")], **args)
    with pytest.raises(Refusal, match="至少"):
        field_orders.issue(user("handler", "SA"), bureaus=[], **args)
    hidden = make_case(Status.DISPATCHED, lead="SB")
    with pytest.raises(Refusal, match="能看到"):
        field_orders.issue(user("handler", "SA"), bureaus=[dept("BA")], cases=[hidden], **args)
    with pytest.raises(Refusal, match=hidden.number):
        field_orders.cases_by_number(user("handler", "SA"), hidden.number)
    klass.active = False
    with pytest.raises(Refusal, match="类别"):
        field_orders.issue(user("handler", "SA"), bureaus=[dept("BA")], **args)
    db.session.rollback()
    assert db.session.scalar(select(FieldOrder.id)) is None


def test_numbers_run_per_beijing_day_and_cases_are_linked(app):
    case = make_case(Status.DISPATCHED, lead="SA")
    assert field_orders.cases_by_number(user("handler", "SA"), f" {case.number}，{case.number} ") == [case]
    first = issue_order(by="SA", cases=[case])
    second = issue_order(now=T0 + HOUR)
    third = issue_order(now=T0 + 14 * HOUR)  # 00:00 Tuesday in Beijing
    assert [first.number, second.number, third.number] == ["L20260302001", "L20260302002", "L20260303001"]
    assert first.cases == [case] and case.field_orders == [first]


def test_the_class_rules_are_kept_as_issued_and_the_seed_runs_once(app):
    order = issue_order()
    klass = order_class()
    klass.check_in_amount = 4
    db.session.commit()
    assert order.rules["check_in"]["amount"] == 2
    assert field_order_classes.seed_default_classes() == 0


def test_two_handlers_acknowledging_at_once_one_wins(app):
    acknowledging_at_once(app, issue_order())


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
def test_two_handlers_acknowledging_at_once_on_postgres(pg_app):
    acknowledging_at_once(pg_app, issue_order())


def acknowledging_at_once(app, order):
    """Two handlers of the bureau press 接令 at the same moment: one wins, the other is told someone was first."""
    target_id = part(order, "BA").id
    barrier, outcomes, lock = threading.Barrier(2, timeout=30), [], threading.Lock()

    def press(name):
        with app.app_context():
            mine = db.session.get(FieldOrderTarget, target_id)
            _ = (mine.status, mine.version, mine.order.issuing_department_id)  # both read "issued" first
            barrier.wait()
            try:
                field_orders.acknowledge(mine, user("handler", "BA"), T0 + 5 * MINUTE)
                db.session.commit()
                result = "done"
            except Refusal as refusal:
                db.session.rollback()
                result = refusal.message
            with lock:
                outcomes.append((name, result))

    threads = [threading.Thread(target=press, args=(name,)) for name in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    results = sorted(r for _, r in outcomes)
    assert len(results) == 2 and results.count("done") == 1, outcomes
    assert "他人" in next(r for r in results if r != "done")
    db.session.expire_all()
    target = db.session.get(FieldOrderTarget, target_id)
    assert target.status == FieldTargetStatus.ACKNOWLEDGED and target.version == 2
