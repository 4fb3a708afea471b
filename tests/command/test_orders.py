"""领导批示 and 督办单: issue, answer, return, accept and close; the clocks, escalation exactly once, levels."""

import threading

import pytest
from sqlalchemy import select

from app.auth.access import can_see_case
from app.auth.access import case_clause
from app.cases import lifecycle
from app.extensions import db
from jobs.tasks import sweep
from models.case import Case
from models.case import CaseEvent
from models.command import CaseOrder
from models.command import OrderStatus
from models.command import TargetStatus
from models.deadline import CaseDeadline
from models.deadline import DeadlineFire
from models.deadline import DeadlineStatus
from models.deadline import Unit
from models.notification import Notification
from models.user import User
from tests.support.deadlines import MINUTE
from tests.support.deadlines import T0
from tests.support.deadlines import drive
from tests.support.deadlines import end_of
from tests.support.deadlines import new_case
from tests.support.deadlines import stage_policies
from tests.support.factories import dept
from tests.support.factories import user
from tests.support.pg_server import pg_app_fixture  # noqa: F401  (fixture: the app on a fresh PostgreSQL copy)
from tests.support.pg_server import pg_template_fixture  # noqa: F401
from tests.support.pg_server import pg_url_fixture  # noqa: F401  (provides the pg_url fixture)

DAY = 24 * 60 * MINUTE


@pytest.fixture
def policies(app):
    return stage_policies(instruction=(3, Unit.WORKING_DAYS), supervision=(2, Unit.WORKING_DAYS))


@pytest.fixture
def case(policies):
    """A case led by 甲街道 (SA), in progress since T0 (Monday 2026-03-02 10:00)."""
    return drive(new_case(T0), T0, "register", "dispatch", "sign")


def instruct(case, departments=("SA", "BA"), actor=None, now=T0, **params):
    event = lifecycle.perform(
        case,
        "instruct",
        actor or user("leader"),
        now=now,
        content=params.pop("content", "请城管局会同街道一周内清理占道摊点，结果报我。"),
        departments=[dept(code) for code in departments],
        **params,
    )
    db.session.commit()
    return db.session.get(CaseOrder, event.data["order_id"])


def part(order, code):
    return next(t for t in order.targets if t.department.code == code)


def inbox(kind=None) -> list[str]:
    query = select(User.username).join(Notification, Notification.user_id == User.id)
    if kind is not None:
        query = query.where(Notification.kind == kind)
    return sorted(db.session.scalars(query))


def test_an_instruction_runs_one_clock_per_addressed_department(case):
    order = instruct(case)
    assert order.leader == user("leader") and order.issued_by == user("leader") and order.on_behalf_of is None
    assert order.due_at == end_of("2026-03-05")  # 3 working days from Monday
    assert [t.department.code for t in order.targets] == ["SA", "BA"]
    for target in order.targets:
        deadline = target.deadline
        assert deadline.stage == "instruction" and deadline.status == DeadlineStatus.RUNNING
        assert deadline.case_id == case.id and deadline.due_at == order.due_at
    assert [d.stage for d in case.deadlines] == [
        "register",
        "dispatch",
        "first_reply",
        "resolve",
        "sign",
        "contact",
    ]
    assert inbox("order_instruction") == ["handler_BA", "handler_SA"]
    last = case.events[-1]
    assert last.action == "instruct" and last.note == order.content and last.data["department_ids"]


def test_the_addressed_department_sees_the_case_and_answers_its_own_part(case):
    order = instruct(case)
    bureau = user("handler", "BA")
    assert can_see_case(bureau, case)
    assert db.session.scalar(select(Case.id).where(case_clause(bureau), Case.id == case.id)) == case.id
    assert not can_see_case(user("handler", "SB"), case)
    assert db.session.scalar(select(Case.id).where(case_clause(user("handler", "SB")))) is None

    with pytest.raises(lifecycle.TransitionError, match="未派给您的单位"):
        lifecycle.perform(case, "answer_order", user("handler", "SB"), now=T0, text="已处理")
    lifecycle.perform(case, "answer_order", bureau, now=T0 + DAY, text="已联合街道清理摊点 6 处。")
    db.session.commit()
    ba, sa = part(order, "BA"), part(order, "SA")
    assert (
        ba.status == TargetStatus.ANSWERED and ba.answered_by == bureau and ba.first_answered_at == T0 + DAY
    )
    assert ba.deadline.status == DeadlineStatus.MET and ba.deadline.met_at == T0 + DAY
    assert sa.status == TargetStatus.PENDING and sa.deadline.status == DeadlineStatus.RUNNING
    with pytest.raises(lifecycle.TransitionError, match="没有待本单位答复"):
        lifecycle.perform(case, "answer_order", bureau, now=T0 + DAY, text="再次答复")
    assert "supervisor" in inbox("order_instruction")


def test_return_runs_the_clock_again_and_accepting_every_part_closes_the_order(case):
    order = instruct(case)
    supervisor = user("supervisor")
    for code in ("SA", "BA"):
        lifecycle.perform(case, "answer_order", user("handler", code), now=T0 + DAY, text=f"{code} 已落实")
    db.session.commit()
    ba = part(order, "BA")
    with pytest.raises(lifecycle.TransitionError, match="退回的理由"):
        lifecycle.perform(case, "return_order", supervisor, now=T0 + DAY, target=str(ba.id), reason=" ")
    lifecycle.perform(
        case, "return_order", supervisor, now=T0 + DAY, target=str(ba.id), reason="未附现场照片"
    )
    db.session.commit()
    assert ba.status == TargetStatus.RETURNED and ba.returns == 1 and ba.check_note == "未附现场照片"
    assert ba.deadline.status == DeadlineStatus.RUNNING and ba.deadline.version == 2
    assert ba.deadline.due_at == order.due_at  # the same due time as before

    lifecycle.perform(case, "accept_order", supervisor, now=T0 + DAY, target=str(part(order, "SA").id))
    db.session.commit()
    assert order.status == OrderStatus.OPEN  # BA still owes its answer
    lifecycle.perform(case, "answer_order", user("handler", "BA"), now=T0 + 2 * DAY, text="已补充照片")
    lifecycle.perform(case, "accept_order", supervisor, now=T0 + 2 * DAY, target=str(ba.id), note="同意")
    db.session.commit()
    assert order.status == OrderStatus.CLOSED and order.closed_at == T0 + 2 * DAY
    assert ba.first_answered_at == T0 + DAY and ba.answered_at == T0 + 2 * DAY
    assert case.events[-1].data["order_closed"] is True
    assert "leader" in inbox("order_instruction")  # the leader hears that his instruction is closed
    with pytest.raises(lifecycle.TransitionError, match="没有待审核"):
        lifecycle.perform(case, "accept_order", supervisor, now=T0 + 2 * DAY, target=str(ba.id))


def test_a_supervisor_writes_an_instruction_only_on_a_named_leaders_behalf(case):
    with pytest.raises(lifecycle.TransitionError, match="代哪位领导"):
        instruct(case, actor=user("supervisor"))
    db.session.rollback()
    assert db.session.scalar(select(CaseOrder.id)) is None
    chief = user("leader", "chief")
    order = instruct(case, actor=user("supervisor"), on_behalf_of=str(chief.id))
    assert order.leader == chief and order.on_behalf_of == chief and order.issued_by == user("supervisor")
    with pytest.raises(lifecycle.TransitionError, match="角色"):
        instruct(case, actor=user("clerk"))


def test_bad_instructions_are_refused_and_nothing_is_written(case):
    for params, message in (
        ({"content": "  "}, "批示内容"),
        ({"departments": ()}, "至少选择一个"),
        ({"due_date": T0 - DAY}, "截止时间"),
    ):
        with pytest.raises(lifecycle.TransitionError, match=message):
            instruct(case, **params)
        db.session.rollback()
    assert db.session.scalar(select(CaseOrder.id)) is None
    assert db.session.scalar(select(CaseDeadline.id).where(CaseDeadline.target_id.is_not(None))) is None


def test_a_late_answer_escalates_exactly_once_to_the_addressed_department(case):
    order = instruct(case, departments=("BA",))
    breach = order.due_at
    colour = case.urgency
    assert sweep(breach)["fired"] == 1
    assert sweep(breach)["fired"] == 0  # exactly once
    db.session.expire_all()
    fired = db.session.execute(
        select(DeadlineFire.step).join(CaseDeadline).where(CaseDeadline.stage == "instruction")
    )
    assert list(fired.scalars()) == ["breach"]
    assert inbox("deadline_breach") == [
        "handler_BA",
        "supervisor",
    ]  # the addressed department, not the lead (SA)
    assert db.session.get(Case, case.id).urgency == colour  # the case's colour is of its own stages
    # the leader rung goes to the instruction's leader
    assert sweep(breach + 4 * 60 * MINUTE + MINUTE)["fired"] == 1
    assert "leader" in inbox("deadline_escalate_leader")
    # answering late stops the clock with its breach kept
    lifecycle.perform(case, "answer_order", user("handler", "BA"), now=breach + DAY, text="已落实")
    db.session.commit()
    deadline = part(order, "BA").deadline
    assert deadline.status == DeadlineStatus.MET and deadline.breached_at == breach


def test_a_repeated_supervision_order_is_one_level_higher(case):
    levels = []
    for asked in ("general", "general", "general", "key"):
        event = lifecycle.perform(
            case,
            "supervise",
            user("supervisor"),
            now=T0,
            content="请加快办理",
            departments=[dept("SA")],
            level=asked,
        )
        levels.append(event.data["level"])
    db.session.commit()
    assert levels == ["general", "key", "listed", "listed"]
    assert case.is_supervised


def supervision_answered(case) -> CaseOrder:
    """A 督办单 to 区城管局 (BA), answered and waiting for the check."""
    event = lifecycle.perform(case, "supervise", user("supervisor"), now=T0, content="请三日内清理",
                              departments=[dept("BA")], level="key")  # fmt: skip
    lifecycle.perform(case, "answer_order", user("handler", "BA"), now=T0 + DAY, text="已落实")
    db.session.commit()
    return db.session.get(CaseOrder, event.data["order_id"])


def test_two_supervisors_closing_one_supervision_order_at_once(app, case):
    closing_at_once(app, case)


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
def test_two_supervisors_closing_one_supervision_order_at_once_on_postgres(pg_app):
    stage_policies(instruction=(3, Unit.WORKING_DAYS), supervision=(2, Unit.WORKING_DAYS))
    closing_at_once(pg_app, drive(new_case(T0), T0, "register", "dispatch", "sign"))


def closing_at_once(app, case):
    """Two supervisors decide the same answer at the same moment (accept and return): one wins, the other is
    told someone was first, and the timeline has the winner's step only."""
    order = supervision_answered(case)
    db.session.commit()
    target_id, case_id = part(order, "BA").id, case.id
    barrier, outcomes, lock = threading.Barrier(2, timeout=30), [], threading.Lock()

    def decide(action, params):
        with app.app_context():
            mine = db.session.get(Case, case_id)
            _ = [t.status for o in mine.orders for t in o.targets]  # both read "answered" first
            barrier.wait()
            try:
                lifecycle.perform(
                    mine, action, user("supervisor"), now=T0 + DAY, target=str(target_id), **params
                )
                db.session.commit()
                result = "done"
            except lifecycle.TransitionError as refusal:
                db.session.rollback()
                result = refusal.message
            with lock:
                outcomes.append((action, result))

    threads = [
        threading.Thread(target=decide, args=("accept_order", {})),
        threading.Thread(target=decide, args=("return_order", {"reason": "材料不全"})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    results = sorted(r for _, r in outcomes)
    assert len(results) == 2 and results.count("done") == 1, outcomes
    assert "已有他人" in next(r for r in results if r != "done") or "已处理" in next(
        r for r in results if r != "done"
    )
    db.session.expire_all()
    target = part(db.session.get(CaseOrder, order.id), "BA")
    winner = next(a for a, r in outcomes if r == "done")
    assert target.status == (TargetStatus.ACCEPTED if winner == "accept_order" else TargetStatus.RETURNED)
    events = db.session.scalars(
        select(CaseEvent.action).where(
            CaseEvent.case_id == case_id, CaseEvent.action.in_(["accept_order", "return_order"])
        )
    ).all()
    assert events == [winner]


def test_merging_a_case_stops_its_open_orders(case, policies):
    order = instruct(case, departments=("BA",))
    other = drive(new_case(T0), T0, "register")
    lifecycle.perform(case, "merge", user("clerk"), now=T0 + DAY, target=other.number)
    db.session.commit()
    assert part(order, "BA").deadline.status == DeadlineStatus.CANCELLED
    assert sweep(order.due_at + DAY)["fired"] == 0
