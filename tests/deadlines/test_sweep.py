"""The deadline sweep: each rung fires exactly once with its notifications, under concurrency, crashes and downtime."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select

from app.deadlines import escalation
from app.deadlines.sweep import Run
from app.extensions import db
from jobs.runner import run_job
from jobs.tasks import sweep
from models.case import Case
from models.deadline import CaseDeadline
from models.deadline import DeadlineFire
from models.deadline import LadderStep
from models.deadline import Unit
from models.deadline import Urgency
from models.jobstate import JobRun
from models.notification import Notification
from models.user import User
from tests.support import factories
from tests.support.deadlines import MINUTE
from tests.support.deadlines import T0
from tests.support.deadlines import act
from tests.support.deadlines import deadline
from tests.support.deadlines import drive
from tests.support.deadlines import new_case
from tests.support.deadlines import stage_policies
from tests.support.deadlines import user
from tests.support.pg_server import pg_app_fixture  # noqa: F401  (fixture: the app on a fresh PostgreSQL copy)
from tests.support.pg_server import pg_template_fixture  # noqa: F401
from tests.support.pg_server import pg_url_fixture  # noqa: F401  (provides the pg_url fixture)

# sign: 10 minutes, so warn at +8, breach at +10, supervisors at +40, the leader at +250 minutes
SIGN_LADDER = {"warn": 8, "breach": 10, "escalate_supervisor": 40, "escalate_leader": 250}


@pytest.fixture
def policies(app):
    return stage_policies(sign=(10, Unit.MINUTES), register=(10, Unit.MINUTES))


def dispatched(now=T0, lead="SA", **fields) -> Case:
    """A case registered and dispatched to ``lead`` at ``now``: its sign clock runs from ``now``."""
    return drive(new_case(now, **fields), now, "register", "dispatch", lead=lead)


def mentions(row: Notification, case: Case) -> int:
    """How many times a deadline message names ``case``: once alone, once per listed item when gathered."""
    named = sum(1 for link in (row.data or {}).get("links", []) if link["text"] == case.number)
    return max(named, 1) if row.case_id == case.id else named


def inbox(case=None, kind=None) -> list[str]:
    """Usernames of the deadline messages written (naming ``case`` / of ``kind``), sorted, one per mention."""
    query = select(User.username, Notification).join(Notification, Notification.user_id == User.id)
    query = query.where(Notification.kind.like("deadline_%"))
    if kind is not None:
        query = query.where(Notification.kind == kind)
    names = []
    for name, row in db.session.execute(query):
        names += [name] * (1 if case is None else mentions(row, case))
    return sorted(names)


def fires(case=None) -> list[tuple]:
    """(stage, step, version, missed) of every fire row (of ``case``), in firing order."""
    query = (
        select(CaseDeadline.stage, DeadlineFire.step, DeadlineFire.deadline_version, DeadlineFire.missed)
        .join(CaseDeadline, CaseDeadline.id == DeadlineFire.deadline_id)
        .order_by(DeadlineFire.id)
    )
    if case is not None:
        query = query.where(CaseDeadline.case_id == case.id)
    return [
        (str(stage), step, version, list(missed))
        for stage, step, version, missed in db.session.execute(query)
    ]


def count(model) -> int:
    """Rows of ``model``; of notifications, only the deadline messages (events have their own tests)."""
    query = select(func.count()).select_from(model)
    if model is Notification:
        query = query.where(Notification.kind.like("deadline_%"))
    return db.session.scalar(query)


# --- 4. each rung once, to the right people -------------------------------------------------------


def test_each_rung_fires_once_to_its_recipients(app, policies):
    factories.make_user("leader", "BA")  # a second leader, who does not own the case
    case = dispatched(owner_leader=user("leader"))
    sign = deadline(case, "sign")

    assert sweep(T0 + 7 * MINUTE)["fired"] == 0
    assert fires() == [] and inbox() == []

    expected = {
        "warn": ["handler_SA"],
        "breach": ["handler_SA", "supervisor"],
        "escalate_supervisor": ["supervisor"],
        "escalate_leader": ["leader"],
    }
    fired = []
    for step, minutes in SIGN_LADDER.items():
        now = T0 + minutes * MINUTE
        assert sweep(now - timedelta(seconds=1))["fired"] == 0  # not a second early
        assert sweep(now) == {"fired": 1, "missed": 0, "taken": 0}
        fired.append(("sign", step, 1, []))
        assert fires() == fired
        assert inbox(case, f"deadline_{step}") == expected[step]
        before = count(Notification)
        assert sweep(now)["fired"] == 0  # again at the same instant: nothing new
        assert sweep(now + MINUTE)["fired"] == 0
        assert count(Notification) == before
        db.session.expire_all()
        assert sign.last_fired == step
        if step == "warn":
            assert case.urgency == Urgency.YELLOW and sign.breached_at is None
        else:
            assert case.urgency == Urgency.RED and sign.breached_at == T0 + 10 * MINUTE

    assert sign.next_fire_at is None and sign.next_step == 4
    assert sweep(T0 + timedelta(days=3))["fired"] == 0
    assert count(DeadlineFire) == 4
    assert count(Notification) == 5
    [row] = db.session.scalars(
        select(Notification).where(
            Notification.kind == "deadline_breach", Notification.user_id == user("supervisor").id
        )
    ).all()
    assert row.data["stage"] == "sign" and case.number in row.subject
    assert row.data["links"] == [{"path": f"/admin/case/details/?id={case.id}", "text": case.number}]
    assert str(LadderStep.label_of("breach")) in row.subject
    assert (row.channel, row.status, row.created_at) == ("inbox", "sent", T0 + 10 * MINUTE)


def test_without_an_owner_every_leader_is_told(app, policies):
    factories.make_user("leader", "BA")
    case = dispatched(lead="SB")
    for minutes in SIGN_LADDER.values():
        sweep(T0 + minutes * MINUTE)
    assert inbox(case, "deadline_warn") == ["handler_SB"]
    assert inbox(case, "deadline_escalate_leader") == ["leader", "leader_BA"]


def test_intake_stages_warn_the_clerks(app, policies):
    case = new_case(T0)  # register: 10 minutes, no lead department yet
    sweep(T0 + 8 * MINUTE)
    assert inbox(case, "deadline_warn") == ["clerk"]
    sweep(T0 + 10 * MINUTE)
    assert inbox(case, "deadline_breach") == ["clerk", "supervisor"]
    assert fires(case) == [("register", "warn", 1, []), ("register", "breach", 1, [])]


def test_stopped_clocks_do_not_fire(app, policies):
    signed = drive(dispatched(), T0 + 5 * MINUTE, "sign")
    returned = act(dispatched(lead="SB"), "return", T0 + 5 * MINUTE).case
    assert deadline(returned, "sign").status == "cancelled"
    assert sweep(T0 + timedelta(days=1))["fired"] == 0
    assert fires(signed) == [] and fires(returned) == []


# --- 7. downtime: one message per recipient, for the highest rung only -----------------------------


def test_after_downtime_only_the_highest_rung_fires_naming_the_missed_ones(app, policies):
    everything = dispatched(owner_leader=user("leader"))  # all four rungs pass during the outage
    half = dispatched(T0 + 1430 * MINUTE, lead="SB")  # warn and breach pass during the outage
    later = T0 + timedelta(days=1)

    assert sweep(later) == {"fired": 2, "missed": 4, "taken": 0}
    assert fires(everything) == [("sign", "escalate_leader", 1, ["warn", "breach", "escalate_supervisor"])]
    assert fires(half) == [("sign", "breach", 1, ["warn"])]

    # each recipient set the ladder would have told hears once, about the highest rung that is theirs
    assert inbox(everything) == ["handler_SA", "leader", "supervisor"]
    kinds = db.session.execute(
        select(User.username, Notification.kind)
        .join(User, User.id == Notification.user_id)
        .where(Notification.case_id == everything.id, Notification.kind.like("deadline_%"))
    ).all()
    assert sorted(kinds) == [
        ("handler_SA", "deadline_breach"),  # the handler never hears of an escalation to the leaders
        ("leader", "deadline_escalate_leader"),
        ("supervisor", "deadline_escalate_supervisor"),
    ]
    assert inbox(half) == ["handler_SB", "supervisor"]
    [message] = db.session.scalars(
        select(Notification).where(
            Notification.case_id == everything.id, Notification.user_id == user("leader").id
        )
    ).all()
    assert str(LadderStep.label_of("escalate_leader")) in message.subject
    for step in ("warn", "breach", "escalate_supervisor"):
        assert str(LadderStep.label_of(step)) in message.body
    db.session.expire_all()
    assert (everything.urgency, half.urgency) == (Urgency.RED, Urgency.RED)
    assert deadline(everything, "sign").breached_at == T0 + 10 * MINUTE

    before = count(Notification)
    assert sweep(later)["fired"] == 0
    assert count(Notification) == before
    assert sweep(later + timedelta(hours=1)) == {"fired": 1, "missed": 0, "taken": 0}  # half: supervisors
    assert fires(half)[-1] == ("sign", "escalate_supervisor", 1, [])
    assert count(Notification) == before + 1


# --- 6. a crash between claim and commit ------------------------------------------------------------


def test_a_crash_inside_notify_leaves_nothing_and_the_next_sweep_fires_once(app, policies, monkeypatch):
    first, second = dispatched(lead="SA"), dispatched(lead="SB")
    real, calls = escalation.notify_department, []

    def flaky(department, *args, **kwargs):
        calls.append(department.code)
        if len(calls) == 2:  # the first deadline is claimed and notified, then the process dies
            raise RuntimeError("connection to the mail relay lost")
        return real(department, *args, **kwargs)

    monkeypatch.setattr(escalation, "notify_department", flaky)
    with pytest.raises(RuntimeError):
        sweep(T0 + 8 * MINUTE)
    db.session.rollback()  # what the dying process's connection does
    assert count(DeadlineFire) == 0 and count(Notification) == 0
    for case in (first, second):
        sign = deadline(case, "sign")
        assert (sign.next_step, sign.last_fired, sign.next_fire_at) == (0, None, T0 + 8 * MINUTE)
        assert db.session.get(Case, case.id).urgency == Urgency.GREEN

    assert sweep(T0 + 8 * MINUTE)["fired"] == 2
    assert sweep(T0 + 8 * MINUTE)["fired"] == 0
    assert fires() == [("sign", "warn", 1, []), ("sign", "warn", 1, [])]
    assert inbox(first) == ["handler_SA"] and inbox(second) == ["handler_SB"]


def test_a_crash_after_writing_before_commit_is_recorded_by_the_job_and_caught_up(app, policies, monkeypatch):
    first, second = dispatched(lead="SA"), dispatched(lead="SB")
    real, calls = escalation.notify, []

    def notify_then_die(deadline, *args):
        real(deadline, *args)
        db.session.flush()  # fire rows, claims and outbox rows are all written ...
        calls.append(deadline.id)
        if len(calls) == 2:
            raise RuntimeError("killed before commit")  # ... and the process dies before COMMIT

    monkeypatch.setattr(escalation, "notify", notify_then_die)
    result = run_job("sweep", T0 + 10 * MINUTE)
    assert "killed before commit" in result
    run = db.session.get(JobRun, "sweep")
    assert "killed before commit" in run.error and run.result is None
    assert count(DeadlineFire) == 0 and count(Notification) == 0
    assert deadline(first, "sign").next_step == deadline(second, "sign").next_step == 0

    assert run_job("sweep", T0 + 11 * MINUTE) == {"fired": 2, "missed": 2, "taken": 0}
    assert db.session.get(JobRun, "sweep").error is None
    assert run_job("sweep", T0 + 11 * MINUTE) == {"fired": 0, "missed": 0, "taken": 0}
    assert fires(first) == fires(second) == [("sign", "breach", 1, ["warn"])]
    assert inbox(first) == ["handler_SA", "supervisor"] and inbox(second) == ["handler_SB", "supervisor"]


# --- 5. two sweepers at once --------------------------------------------------------------------------


def sweep_concurrently(app, now, workers: int = 4, batch: int = 3) -> list[dict]:
    """Run ``sweep(now)`` in ``workers`` threads at once, each in its own app context (own session)."""
    results, errors, lock = [], [], threading.Lock()
    start = threading.Barrier(workers)

    def worker():
        try:
            with app.app_context():
                start.wait(timeout=30)
                result = sweep(now, batch=batch)
            with lock:
                results.append(result)
        except BaseException as exc:  # reported below
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(results) == workers
    return results


def assert_each_fired_once(cases, results):
    """Every case's sign deadline fired its breach once, with one inbox row per recipient."""
    db.session.expire_all()
    assert sum(r["fired"] for r in results) == len(cases)
    rows = db.session.execute(
        select(DeadlineFire.deadline_id, DeadlineFire.step, DeadlineFire.deadline_version)
    ).all()
    assert len(rows) == len(set(rows)) == len(cases)
    assert {step for _, step, _ in rows} == {"breach"}
    for case in cases:  # the lead handler alone; the supervisor in a message listing the batch
        assert inbox(case) == sorted([f"handler_{case.lead_department.code}", "supervisor"])
    assert inbox(kind="deadline_breach").count("supervisor") <= len(cases)


def test_two_sweepers_at_once_on_sqlite(app, policies):
    cases = [dispatched(lead=("SA", "SB", "BA")[i % 3]) for i in range(24)]
    results = sweep_concurrently(app, T0 + 10 * MINUTE)
    assert_each_fired_once(cases, results)
    assert sweep(T0 + 10 * MINUTE)["fired"] == 0


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
def test_two_sweepers_at_once_on_postgres(pg_app):
    stage_policies(sign=(10, Unit.MINUTES))
    cases = [dispatched(lead=("SA", "SB", "BA")[i % 3]) for i in range(24)]
    results = sweep_concurrently(pg_app, T0 + 10 * MINUTE, workers=4, batch=3)
    assert_each_fired_once(cases, results)
    assert sweep(T0 + 10 * MINUTE)["fired"] == 0


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
def test_sweepers_on_postgres_with_several_due_deadlines_per_case(pg_app):
    """After downtime a case has several due deadlines: sweepers sharing cases must not deadlock."""
    stage_policies(
        sign=(10, Unit.MINUTES),
        first_reply=(20, Unit.MINUTES),
        resolve=(30, Unit.MINUTES),
        contact=(10, Unit.MINUTES),
    )
    cases = [dispatched(lead=("SA", "SB")[i % 2]) for i in range(12)]
    results = sweep_concurrently(pg_app, T0 + timedelta(days=1), workers=4, batch=2)
    db.session.expire_all()
    assert sum(r["fired"] for r in results) == 3 * len(cases)  # sign, first reply, resolve
    rows = db.session.execute(select(DeadlineFire.deadline_id, DeadlineFire.step)).all()
    assert len(rows) == len(set(rows)) == 3 * len(cases)
    for case in cases:  # each stage once to the handler, the supervisor and the leader
        handler = f"handler_{case.lead_department.code}"
        assert inbox(case) == sorted([handler, "supervisor", "leader"] * 3)


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
def test_an_uncontested_batch_is_claimed_in_one_statement_on_postgres(pg_app, monkeypatch):
    """PostgreSQL reports no rowcount for a batched INSERT: the batch must not fall back to one rung at a
    time (that once made the sweep five times slower there)."""
    stage_policies(sign=(10, Unit.MINUTES))
    cases = [dispatched(lead=("SA", "SB")[i % 2]) for i in range(8)]
    one_at_a_time = []
    monkeypatch.setattr(Run, "claim_each", lambda self, rungs: one_at_a_time.append(rungs) or rungs)
    stats = sweep(T0 + 10 * MINUTE)
    assert (stats["fired"], stats["taken"]) == (len(cases), 0)
    assert one_at_a_time == []


# --- 7. a batch claimed in one statement, and a claim lost in between ---------------------------------


def test_a_rung_taken_between_read_and_claim_sends_the_rest_of_the_batch_once(app, policies):
    """Another writer bumps one deadline after the sweep read the batch: that rung is not fired, the rest are."""
    cases = [dispatched(lead=("SA", "SB")[i % 2]) for i in range(6)]
    victim = deadline(cases[2], "sign")
    victim_id, engine = victim.id, db.engine
    bumped = []

    @event.listens_for(engine, "before_cursor_execute")
    def bump_first(conn, cursor, statement, parameters, context, executemany):
        if executemany and statement.lstrip().upper().startswith("UPDATE CASE_DEADLINE") and not bumped:
            bumped.append(True)
            with engine.connect() as other:  # another process extends it: version 2, nothing due
                other.execute(
                    CaseDeadline.__table__.update()
                    .where(CaseDeadline.__table__.c.id == victim_id)
                    .values(version=2, next_fire_at=T0 + timedelta(days=9), due_at=T0 + timedelta(days=9))
                )
                other.commit()

    try:
        result = sweep(T0 + 10 * MINUTE)
    finally:
        event.remove(engine, "before_cursor_execute", bump_first)
    assert bumped, "the batch was never claimed in one statement"
    assert result == {"fired": 5, "missed": 1 * 5, "taken": 1}
    assert fires(cases[2]) == [] and inbox(cases[2]) == []
    for case in cases[:2] + cases[3:]:
        assert fires(case) == [("sign", "breach", 1, ["warn"])]
        assert inbox(case) == sorted([f"handler_{case.lead_department.code}", "supervisor"])
        assert db.session.get(Case, case.id).urgency == Urgency.RED
    assert db.session.get(Case, cases[2].id).urgency == Urgency.GREEN
    assert sweep(T0 + 10 * MINUTE) == {"fired": 0, "missed": 0, "taken": 0}


def test_one_sweep_fires_a_mixed_batch_with_one_insert_of_notifications(app, policies):
    """Warnings and breaches in one batch: yellow and red cases, and one INSERT for all their notifications."""
    early = [dispatched(now=T0, lead="SA") for _ in range(3)]  # breached at T0+10
    late = [dispatched(now=T0 + 2 * MINUTE, lead="SB") for _ in range(3)]  # warned at T0+10 (+8 from +2)

    inserts = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def count_inserts(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO NOTIFICATION"):
            inserts.append(len(parameters) if executemany else 1)

    try:
        assert sweep(T0 + 10 * MINUTE) == {"fired": 6, "missed": 3, "taken": 0}
    finally:
        event.remove(db.engine, "before_cursor_execute", count_inserts)
    assert len(inserts) == 1 and inserts[0] == count(Notification)
    assert {db.session.get(Case, c.id).urgency for c in early} == {Urgency.RED}
    assert {db.session.get(Case, c.id).urgency for c in late} == {Urgency.YELLOW}
    assert all(fires(c) == [("sign", "warn", 1, [])] for c in late)


def test_messages_name_the_case_as_a_link_never_a_raw_address(app, policies):
    app.config["PUBLIC_BASE_URL"] = "https://suqiu.example.gov.cn/"
    case = dispatched(lead="SA")
    sweep(T0 + 8 * MINUTE)
    rows = db.session.scalars(
        select(Notification).where(Notification.case_id == case.id, Notification.kind == "deadline_warn")
    ).all()
    assert rows
    for row in rows:
        assert row.data["links"] == [{"path": f"/admin/case/details/?id={case.id}", "text": case.number}]
        assert "http" not in row.body and "suqiu.example" not in row.body
