"""`make bench` at a tiny size: what it generates, and one measurement of both case list pages."""

import pytest
from sqlalchemy import func
from sqlalchemy import select

from app import create_app
from app.extensions import db
from bench import bench_config
from bench import database_url
from bench.case_list import measure
from bench.case_list import visible_numbers
from bench.deadlines import measure_sweep
from bench.generate import generate
from models.case import Case
from models.case import case_co_department
from models.enums import OPEN_STATUSES

SIZE = 2000


@pytest.fixture(scope="module")
def bench_url(tmp_path_factory):
    """A bench database of SIZE cases in a temporary directory (never DATABASE_URL)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("DATABASE_URL", raising=False)
        url = database_url(SIZE, tmp_path_factory.mktemp("bench"))
    info = generate(url, SIZE, log=lambda message: None)
    assert info["added"] == SIZE and info["count"] == SIZE
    return url


def _scalar(url, query):
    app = create_app(bench_config(url))
    with app.app_context():
        value = db.session.execute(query).scalar()
        db.engine.dispose()
    return value


def test_generated_cases_are_unique_and_mostly_closed(bench_url):
    assert _scalar(bench_url, select(func.count(func.distinct(Case.number)))) == SIZE
    assert _scalar(bench_url, select(func.count(func.distinct(Case.tracking_code)))) == SIZE
    open_count = _scalar(bench_url, select(func.count()).where(Case.status.in_(OPEN_STATUSES)))
    assert 0.06 * SIZE <= open_count <= 0.14 * SIZE
    co_rows = _scalar(bench_url, select(func.count()).select_from(case_co_department))
    assert 0.05 * SIZE <= co_rows <= 0.15 * SIZE
    departments = _scalar(bench_url, select(func.count(func.distinct(Case.lead_department_id))))
    assert departments >= 40


def test_step_timestamps_follow_the_status(bench_url):
    def bad(*conditions):
        return _scalar(bench_url, select(func.count()).where(*conditions))

    assert bad(Case.status == "new", Case.registered_at.is_not(None)) == 0
    assert bad(Case.status == "dispatched", Case.dispatched_at.is_(None)) == 0
    assert bad(Case.status == "in_progress", Case.signed_at.is_(None)) == 0
    assert bad(Case.status == "closed", Case.closed_at.is_(None) | Case.replied_at.is_(None)) == 0
    assert bad(Case.dispatched_at < Case.registered_at) == 0
    assert bad(Case.closed_at < Case.received_at) == 0
    assert bad(Case.status == "merged", Case.merged_into_id.is_(None)) == 0
    assert bad(Case.status.in_(["dispatched", "in_progress"]), Case.lead_department_id.is_(None)) == 0


def test_an_existing_database_is_reused_or_grown(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = database_url(300, tmp_path)
    generate(url, 200, log=lambda message: None)
    assert generate(url, 200, log=lambda message: None)["reused"] is True
    grown = generate(url, 300, log=lambda message: None)
    assert grown["existing"] == 200 and grown["added"] == 100
    assert _scalar(url, select(func.count(func.distinct(Case.number)))) == 300


def test_measurement_of_both_pages(bench_url):
    result = measure(bench_url, runs=2, warmup=1)
    clerk, handler, handler_all = result["pages"]
    assert clerk["status_code"] == handler["status_code"] == handler_all["status_code"] == 200
    assert "flt0_status_equals=in_progress" in handler["url"]

    newest = select(Case.number).order_by(Case.received_at.desc()).limit(20)
    app = create_app(bench_config(bench_url))
    with app.app_context():
        assert clerk["numbers"] == list(db.session.execute(newest).scalars())
        dept_id = result["handler_department"]["id"]
        mine = visible_numbers(dept_id, "in_progress")
        all_mine = visible_numbers(dept_id)
        db.engine.dispose()
    assert handler["numbers"], "the handler page lists no cases"
    assert set(handler["numbers"]) <= mine
    assert len(handler_all["numbers"]) == 20 and set(handler_all["numbers"]) <= all_mine

    for page in (clerk, handler):
        assert page["median_ms"] > 0 and page["floor_ms"] > 0
        case_selects = [
            s for s in page["statements"] if s["full_sql"].startswith("SELECT") and "case_item" in s["sql"]
        ]
        assert case_selects and all(s["plan"] for s in case_selects)


def test_sweep_measurement_fires_exactly_the_due_stages_and_restores_them(bench_url):
    first = measure_sweep(bench_url, runs=3, due=50)
    assert first["seeded"]["added"] == first["running"] > 0
    assert first["idle"]["fired"] == 0 and first["idle"]["median_ms"] > 0 and first["idle"]["floor_ms"] > 0
    due = first["due"]
    assert due["made_due"] == due["found_by_floor"] == due["stats"]["fired"] == due["fires"] == 50
    assert due["notifications"] >= 50 and due["seconds"] > 0
    assert due["restored"] == 50 and due["still_due_after_restore"] == 0
    again = measure_sweep(bench_url, runs=1, due=50)  # repeatable: nothing added, the same stages fire
    assert again["seeded"]["added"] == 0 and again["due"]["stats"]["fired"] == 50
    assert again["restored_leftovers"] == 0


def test_history_agrees_with_the_case_rows(bench_url):
    """The generated deadlines and events tell the same story as the case row's step times (the rollup reads
    them), stored in the format the app's range queries compare against."""
    from models.case import CaseEvent
    from models.deadline import CaseDeadline

    def bad(query):
        return _scalar(bench_url, query)

    closed = select(func.count()).select_from(Case).where(Case.status == "closed")
    assert bad(closed) > 0.8 * SIZE
    revisited = (
        select(func.count())
        .select_from(Case)
        .join(CaseEvent, CaseEvent.case_id == Case.id)
        .where(Case.status == "closed", CaseEvent.action == "revisit", CaseEvent.to_status == "closed")
        .where(CaseEvent.at == Case.closed_at)
    )
    assert bad(revisited) == bad(closed)
    last_reply = (
        select(func.max(CaseEvent.at))
        .where(CaseEvent.case_id == Case.id, CaseEvent.action == "reply")
        .scalar_subquery()
    )
    replied = Case.status.in_(["replied", "closed"])
    assert bad(select(func.count()).where(replied, last_reply != Case.replied_at)) == 0
    signed = (
        select(func.count())
        .select_from(Case)
        .join(CaseDeadline, CaseDeadline.case_id == Case.id)
        .where(CaseDeadline.stage == "sign", CaseDeadline.status == "met")
    )
    assert bad(signed) > 0.8 * SIZE
    assert bad(signed.where(CaseDeadline.met_at != Case.signed_at)) == 0
    late = signed.where(CaseDeadline.met_at > CaseDeadline.due_at)
    assert 0 < bad(late) < 0.2 * bad(signed)


def test_rollup_of_a_bench_day_counts_what_the_rows_hold(bench_url):
    """One generated day rolled up: intake and closures equal plain counts of the case rows."""
    from datetime import timedelta

    from app.reports.rollup import day_rows
    from app.timeutil import local_day
    from app.timeutil import local_day_start

    app = create_app(bench_config(bench_url))
    with app.app_context():
        now = db.session.scalar(select(func.max(Case.received_at))) + timedelta(minutes=1)
        recent = db.session.scalars(select(Case.closed_at).where(Case.closed_at >= now - timedelta(days=60)))
        days = [local_day(at) for at in recent]
        day = max(set(days) - {local_day(now)}, key=days.count)  # the busiest past day for closures
        start, end = local_day_start(day), local_day_start(day + timedelta(days=1))
        rows = day_rows(day, now)
        lead = [sums for key, sums in rows.items() if key[1] == "lead"]
        received = db.session.scalar(
            select(func.count()).where(Case.received_at >= start, Case.received_at < end)
        )
        closed = db.session.scalar(
            select(func.count()).where(Case.status == "closed", Case.closed_at >= start, Case.closed_at < end)
        )
        db.engine.dispose()
    assert received > 0 and closed > 0
    assert sum(s.get("received", 0) for s in lead) == received
    assert sum(s.get("closed", 0) for s in lead) == closed
    assert sum(s.get("rated", 0) for s in lead) >= closed
