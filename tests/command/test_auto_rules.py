"""Automatic 督办 rules: each fires once per case and level, through the state machine, even with two schedulers."""

import threading

import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.cases import lifecycle
from app.command import auto_rules
from app.extensions import db
from jobs.tasks import auto_supervision
from models.case import CaseEvent
from models.command import CaseOrder
from models.command import SupervisionRule
from models.deadline import Unit
from tests.support.deadlines import MINUTE
from tests.support.deadlines import T0
from tests.support.deadlines import drive
from tests.support.deadlines import new_case
from tests.support.deadlines import seed_calendar_2026
from tests.support.deadlines import stage_policies
from tests.support.factories import user
from tests.support.pg_server import pg_app_fixture  # noqa: F401  (fixture: the app on a fresh PostgreSQL copy)
from tests.support.pg_server import pg_template_fixture  # noqa: F401
from tests.support.pg_server import pg_url_fixture  # noqa: F401  (provides the pg_url fixture)

DAY = 24 * 60 * MINUTE


@pytest.fixture
def policies(app):
    seed_calendar_2026()
    return stage_policies(sign=(10, Unit.MINUTES), resolve=(2, Unit.WORKING_DAYS))


def rule(trigger, level="general", threshold=None, **fields) -> SupervisionRule:
    row = SupervisionRule(
        name=fields.pop("name", f"{trigger} {level}"),
        trigger=trigger,
        threshold=threshold,
        level=level,
        requirement=fields.pop("requirement", "请立即办理并反馈"),
        due_working_days=2,
        **fields,
    )
    db.session.add(row)
    db.session.commit()
    return row


def orders_of(case) -> list[tuple]:
    db.session.expire_all()
    return [
        (o.level, o.rule.name if o.rule else None, [t.department.code for t in o.targets])
        for o in db.session.scalars(
            select(CaseOrder).where(CaseOrder.case_id == case.id).order_by(CaseOrder.id)
        )
    ]


def test_a_red_case_not_signed_in_time_is_supervised_once(policies):
    red = drive(new_case(T0, grade="red"), T0, "register", "dispatch")
    green = drive(new_case(T0), T0, "register", "dispatch")
    rule("red_not_signed")
    assert auto_supervision(T0 + 5 * MINUTE) == {"red_not_signed general": 0}
    assert auto_supervision(T0 + 11 * MINUTE) == {"red_not_signed general": 1}
    assert auto_supervision(T0 + 20 * MINUTE) == {"red_not_signed general": 0}  # once per case and level
    assert orders_of(red) == [("general", "red_not_signed general", ["SA"])] and orders_of(green) == []
    event = db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == red.id, CaseEvent.action == "supervise")
    ).one()
    assert event.actor_id is None and event.data["by"] == "rule" and event.note == "请立即办理并反馈"
    # a second rule at a higher level on the same trigger fires once more
    rule("red_not_signed", level="key", name="红色件超时 重点督办")
    assert auto_supervision(T0 + 30 * MINUTE)["红色件超时 重点督办"] == 1
    assert [level for level, *_ in orders_of(red)] == ["general", "key"]


def test_sensitive_cases_and_the_third_repeat(policies):
    sensitive = drive(new_case(T0, is_sensitive=True), T0, "register", "dispatch")
    original = drive(new_case(T0), T0, "register", "dispatch")
    repeats = [drive(new_case(T0 + (i + 1) * MINUTE, repeat_of_id=original.id, is_repeat=True), T0, "register",
                     "dispatch") for i in range(3)]  # fmt: skip
    rule("sensitive", name="敏感件")
    rule("repeat", threshold=3, name="第三次重复")
    assert auto_supervision(T0 + DAY) == {"敏感件": 1, "第三次重复": 2}  # the 3rd and 4th time received
    assert orders_of(sensitive) == [("general", "敏感件", ["SA"])]
    assert [orders_of(r) != [] for r in repeats] == [False, True, True] and orders_of(original) == []


def test_a_case_overdue_by_more_than_n_working_days(policies):
    overdue = drive(
        new_case(T0), T0, "register", "dispatch", "sign", "contact"
    )  # resolve due 24:00 Wed 03-04
    rule("overdue_days", threshold=2, name="超期2日")
    assert auto_supervision(T0 + 4 * DAY)["超期2日"] == 0  # Friday: overdue Thursday and Friday only
    assert auto_supervision(T0 + 7 * DAY)["超期2日"] == 1  # Monday 03-09
    assert orders_of(overdue) == [("general", "超期2日", ["SA"])]


def test_closed_cases_and_inactive_rules_are_left_alone(policies):
    case = drive(new_case(T0, is_sensitive=True), T0, "register")
    lifecycle.perform(case, "reject", user("clerk"), now=T0, reason="不属于受理范围")
    db.session.commit()
    rule("sensitive", name="敏感件")
    rule("sensitive", name="停用", active=False)
    assert auto_supervision(T0 + DAY) == {"敏感件": 0}


def test_an_order_another_scheduler_wrote_first_is_skipped_not_duplicated(policies, monkeypatch):
    first, second = (drive(new_case(T0, is_sensitive=True), T0, "register", "dispatch") for _ in range(2))
    sensitive = rule("sensitive", name="敏感件")
    assert auto_supervision(T0 + DAY) == {"敏感件": 2}
    # a scheduler that read the cases before the other one's commit still tries both: the index refuses
    monkeypatch.setattr(auto_rules, "caught", lambda rule, now, limit=200: [first.id, second.id])
    assert auto_supervision(T0 + DAY) == {"敏感件": 0}
    assert db.session.scalar(select(func.count()).select_from(CaseOrder)) == 2
    assert db.session.scalar(select(func.count()).where(CaseEvent.action == "supervise")) == 2
    assert sensitive.id


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
def test_two_schedulers_at_once_fire_each_case_once_on_postgres(pg_app):
    stage_policies()
    cases = [drive(new_case(T0, is_sensitive=True), T0, "register", "dispatch") for _ in range(6)]
    rule("sensitive", name="敏感件")
    barrier, results, errors = threading.Barrier(2, timeout=30), [], []

    def scheduler():
        try:
            with pg_app.app_context():
                barrier.wait()
                results.append(auto_supervision(T0 + DAY))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sum(r["敏感件"] for r in results) == len(cases)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(CaseOrder)) == len(cases)
    assert db.session.scalar(select(func.count()).where(CaseEvent.action == "supervise")) == len(cases)
