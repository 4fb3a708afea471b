"""The job table, ``flask jobs tick``, the morning digest, the scheduler lease and the scheduler wiring."""

import threading
from datetime import timedelta

import pytest
from flask_babel import gettext
from sqlalchemy import func
from sqlalchemy import select

from app.deadlines import digest
from app.extensions import db
from jobs import lease
from jobs import runner
from jobs.scheduler import JOB_DEFAULTS
from jobs.scheduler import LEASE
from jobs.scheduler import build
from models.deadline import DeadlineFire
from models.deadline import Unit
from models.jobstate import JobLock
from models.jobstate import JobRun
from models.jobstate import OnceKey
from models.notification import Notification
from tests.support.deadlines import T0
from tests.support.deadlines import at
from tests.support.deadlines import drive
from tests.support.deadlines import end_of
from tests.support.deadlines import new_case
from tests.support.deadlines import stage_policies
from tests.support.deadlines import user
from tests.support.pg_server import pg_app_fixture  # noqa: F401  (fixture: the app on a fresh PostgreSQL copy)
from tests.support.pg_server import pg_template_fixture  # noqa: F401
from tests.support.pg_server import pg_url_fixture  # noqa: F401  (provides the pg_url fixture)

SECOND = timedelta(seconds=1)


def tick_cli(app, *args):
    """``flask --app app jobs tick ...`` through Click, as an operator or cron runs it."""
    db.session.commit()  # the command runs in its own app context and session
    return app.test_cli_runner().invoke(args=["jobs", "tick", *args])


def digests() -> list[Notification]:
    db.session.expire_all()
    return db.session.scalars(
        select(Notification).where(Notification.kind == "digest").order_by(Notification.id)
    ).all()


@pytest.fixture
def digest_cases(app):
    """SA: one case overdue and one due at the end of 2026-03-03; SB: one due the day after; one undispatched."""
    stage_policies(sign=(10, Unit.MINUTES), resolve=(1, Unit.WORKING_DAYS))
    monday = at("2026-03-02 10:00")
    overdue = drive(new_case(monday, title="占道经营"), monday, "register", "dispatch")  # sign due 10:10
    today = drive(new_case(monday, title="噪音扰民"), monday, "register", "dispatch", "sign")  # resolve: 3/3
    tuesday = at("2026-03-03 00:30")
    tomorrow = drive(new_case(tuesday, title="路灯不亮"), tuesday, "register", "dispatch", "sign", lead="SB")
    unassigned = drive(new_case(monday, title="井盖缺失"), monday, "register")
    assert overdue.next_due_at == at("2026-03-02 10:10")
    assert today.next_due_at == end_of("2026-03-03")
    assert tomorrow.next_due_at == end_of("2026-03-04")
    return {"overdue": overdue, "today": today, "tomorrow": tomorrow, "unassigned": unassigned}


# --- 10. jobs tick on the command line, and the digest -----------------------------------------------


def test_tick_runs_every_job_and_prints_its_result(app, digest_cases):
    result = tick_cli(app, "--now", "2026-03-03T08:29:00+08:00")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "recompute",
        "sweep",
        "deliver",
        "digest",
        "auto_supervision",
        "figures",
        "daily_report",
        "periodic_reports",
        "deliver_sms",
    ]
    assert lines[0] == "recompute: 0"
    assert lines[1] == "sweep: {'fired': 1, 'missed': 3, 'taken': 0}"  # the overdue sign, after a night
    assert lines[2].startswith("deliver: {'sent': 0")
    assert lines[3] == "digest: not yet"
    assert lines[4] == "auto_supervision: {}"  # no rule set
    lines.pop(4)
    assert lines[4] == "figures: {'corrected': 0, 'built': 1}"  # 2026-03-02, the day before: built
    assert lines[5] == "daily_report: built, sent"  # after 07:30 and 08:00: the 民情日报 of 2026-03-02
    assert lines[6].startswith("periodic_reports: weekly built, monthly built, quarterly built")
    # no texts: the cases' steps are dated long before today (app.cases.citizen_texts.NEWS_WINDOW)
    assert lines[7] == "deliver_sms: {'sent': 0, 'retried': 0, 'failed': 0}"
    runs = {run.name: run for run in db.session.scalars(select(JobRun))}
    assert set(runs) == {
        "recompute",
        "sweep",
        "deliver",
        "digest",
        "auto_supervision",
        "figures",
        "daily_report",
        "periodic_reports",
        "deliver_sms",
    }
    assert runs["digest"].result == "not yet" and runs["sweep"].error is None


def test_tick_refuses_a_bad_now(app):
    result = tick_cli(app, "--now", "yesterday morning")
    assert result.exit_code == 2
    assert "--now" in result.output and "ISO-8601" in result.output
    assert db.session.scalars(select(JobRun)).all() == []


def test_digest_once_a_day_after_half_past_eight_beijing_time(app, digest_cases):
    assert tick_cli(app, "--now", "2026-03-03T08:29:00+08:00").output.count("digest: not yet\n") == 1
    assert digests() == []

    result = tick_cli(app, "--now", "2026-03-03T00:31:00")  # naive means UTC: 08:31 in Beijing
    assert result.exit_code == 0 and "digest: 1\n" in result.output, result.output
    [message] = digests()
    assert (message.user, message.department.code) == (user("handler", "SA"), "SA")
    assert message.subject == gettext(
        "Daily reminder %(day)s: %(overdue)d overdue, %(today)d due today",
        day="2026-03-03",
        overdue=1,
        today=1,
    )
    overdue, today = digest_cases["overdue"], digest_cases["today"]
    lines = message.body.splitlines()
    assert lines[0].startswith(f"{overdue.number} 占道经营") and lines[0].endswith(gettext("overdue"))
    assert lines[1].startswith(f"{today.number} 噪音扰民") and not lines[1].endswith(gettext("overdue"))
    assert len(lines) == 2  # SB's case is due tomorrow; the undispatched one has no department yet

    assert tick_cli(app, "--now", "2026-03-03T09:00:00+08:00").output.count("digest: 0\n") == 1
    assert tick_cli(app, "--now", "2026-03-03T23:59:00+08:00").output.count("digest: 0\n") == 1
    assert len(digests()) == 1
    assert [key.key for key in db.session.scalars(select(OnceKey).where(OnceKey.job == "digest"))] == [
        "2026-03-03"
    ]

    assert tick_cli(app, "--now", "2026-03-04T08:31:00+08:00").output.count("digest: 2\n") == 1
    new = digests()[1:]
    assert sorted(m.department.code for m in new) == ["SA", "SB"]


# --- the job table ------------------------------------------------------------------------------------


def test_a_failing_job_is_recorded_and_does_not_stop_the_others(app, monkeypatch):
    def broken(now):
        raise RuntimeError("sweep exploded")

    monkeypatch.setitem(runner.JOBS, "sweep", (broken, 60))
    results = runner.tick(T0)
    assert "sweep exploded" in results["sweep"]
    assert results["recompute"] == 0 and results["digest"] == 0  # 10:00: sent, with nothing to list
    run = db.session.get(JobRun, "sweep")
    assert "RuntimeError: sweep exploded" in run.error and run.result is None
    monkeypatch.undo()
    assert runner.run_job("sweep", T0) == {"fired": 0, "missed": 0, "taken": 0}
    assert db.session.get(JobRun, "sweep").error is None


# --- 11. the scheduler lease --------------------------------------------------------------------------


def test_only_one_holder_and_takeover_after_expiry(app):
    assert lease.acquire("scheduler", "A", ttl_seconds=90, now=T0)
    assert not lease.acquire("scheduler", "B", ttl_seconds=90, now=T0 + 30 * SECOND)
    assert lease.acquire("scheduler", "A", ttl_seconds=90, now=T0 + 60 * SECOND)  # renewed to +150 s
    assert not lease.acquire("scheduler", "B", ttl_seconds=90, now=T0 + 149 * SECOND)
    assert lease.acquire("scheduler", "B", ttl_seconds=90, now=T0 + 151 * SECOND)  # A stopped renewing
    assert not lease.acquire("scheduler", "A", ttl_seconds=90, now=T0 + 152 * SECOND)
    row = db.session.get(JobLock, "scheduler")
    assert (row.holder, row.acquired_at, row.expires_at) == ("B", T0 + 151 * SECOND, T0 + 241 * SECOND)
    assert lease.acquire("other", "A", now=T0 + 152 * SECOND)  # leases are per name


def test_release_lets_the_other_in_at_once(app):
    assert lease.acquire("scheduler", "A", ttl_seconds=90, now=T0)
    lease.release("scheduler", "B", now=T0 + SECOND)  # not B's to release
    assert not lease.acquire("scheduler", "B", now=T0 + 2 * SECOND)
    lease.release("scheduler", "A", now=T0 + 3 * SECOND)
    assert lease.acquire("scheduler", "B", now=T0 + 3 * SECOND)
    assert not lease.acquire("scheduler", "A", now=T0 + 4 * SECOND)


def test_a_long_job_renews_the_lease_between_batches(app):
    assert lease.acquire(LEASE, "A", ttl_seconds=90, now=T0)
    with lease.holding(LEASE, "A", 90):
        lease.renew_held(now=T0 + 80 * SECOND)  # a third of the lease has not passed on the clock: no query
        assert db.session.get(JobLock, LEASE).expires_at == T0 + 90 * SECOND
        lease.renew_held(now=T0 + 80 * SECOND, force=True)
    assert db.session.get(JobLock, LEASE, populate_existing=True).expires_at == T0 + 170 * SECOND
    assert not lease.acquire(LEASE, "B", ttl_seconds=90, now=T0 + 100 * SECOND)  # A is alive: no takeover
    lease.renew_held(now=T0 + 200 * SECOND, force=True)  # outside a scheduler job: does nothing


def test_a_sweep_stops_between_batches_when_another_scheduler_took_the_lease(app, monkeypatch):
    stage_policies()
    for _ in range(3):
        new_case(T0)
    late = T0 + timedelta(days=31)
    assert lease.acquire(LEASE, "B", ttl_seconds=600)  # B took over while A was mid-sweep
    monkeypatch.setitem(runner.JOBS, "sweep", (lambda now: runner.tasks.sweep(now, batch=1), 60))
    with lease.holding(LEASE, "A", 0):  # a zero lease renews after every batch
        result = runner.run_job("sweep", late)
    assert result == "stopped: another scheduler holds the lease"
    assert db.session.get(JobRun, "sweep").error is None
    after_a = db.session.scalar(select(func.count()).select_from(DeadlineFire))
    assert after_a == 1  # A's first batch is kept; it fired nothing after it lost the lease
    with lease.holding(LEASE, "B", 600):
        runner.run_job("sweep", late)
    assert db.session.scalar(select(func.count()).select_from(DeadlineFire)) == 3  # B did the rest, once


def test_two_processes_race_for_the_lease(app):
    won, errors, start = [], [], threading.Barrier(4)

    def contender(name):
        try:
            with app.app_context():
                start.wait(timeout=30)
                if lease.acquire("scheduler", name, now=T0):
                    won.append(name)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=contender, args=(f"host:{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and len(won) == 1
    assert db.session.get(JobLock, "scheduler").holder == won[0]


def test_scheduler_runs_jobs_only_while_it_holds_the_lease(app):
    scheduler = build(app)
    assert {job.id for job in scheduler.get_jobs()} == {*runner.JOBS, *runner.DAILY}
    assert scheduler._job_defaults["coalesce"] is JOB_DEFAULTS["coalesce"] is True
    assert scheduler._job_defaults["max_instances"] == 1
    run_recompute = scheduler.get_job("recompute").func

    assert lease.acquire(LEASE, "another host", ttl_seconds=3600)  # real time: the scheduler uses it
    run_recompute()
    assert db.session.get(JobRun, "recompute") is None  # skipped: someone else holds the lease
    lease.release(LEASE, "another host")
    run_recompute()
    db.session.expire_all()
    assert db.session.get(JobRun, "recompute").result == "0"
    assert db.session.get(JobLock, LEASE).holder == scheduler.holder


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
@pytest.mark.usefixtures("pg_app")
def test_digest_once_and_lease_on_postgres():
    stage_policies(sign=(10, Unit.MINUTES))
    monday = at("2026-03-02 10:00")
    drive(new_case(monday), monday, "register", "dispatch")
    assert digest.send_digest(at("2026-03-03 08:31")) == 1
    assert digest.send_digest(at("2026-03-03 09:00")) == 0
    assert len(digests()) == 1

    assert lease.acquire("scheduler", "A", ttl_seconds=90, now=T0)
    assert not lease.acquire("scheduler", "B", ttl_seconds=90, now=T0 + 30 * SECOND)
    assert lease.acquire("scheduler", "B", ttl_seconds=90, now=T0 + 91 * SECOND)
    lease.release("scheduler", "B", now=T0 + 92 * SECOND)
    assert lease.acquire("scheduler", "A", ttl_seconds=90, now=T0 + 92 * SECOND)
