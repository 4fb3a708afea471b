"""Time the deadline sweep (:mod:`app.deadlines.sweep`) against its bare due SELECT, idle and with 10,000 due stages.

The open cases of a bench database get running deadline rows in bulk (once). All their rungs lie after the
bench's fixed :data:`NOW`, so an idle sweep finds nothing. The busy run makes some deadlines' warning due,
sweeps once, then puts every row back (the due times are a function of the row), so it can be repeated.
"""

import statistics
import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from sqlalchemy import bindparam
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from app import create_app
from app.deadlines.sweep import due_query
from app.extensions import db
from app.maintenance import refresh_planner_statistics
from bench import bench_config
from bench.case_list import explain
from bench.case_list import floor
from bench.case_list import recording
from bench.case_list import summary
from jobs.tasks import sweep
from models.case import Case
from models.deadline import CaseDeadline
from models.deadline import DeadlineFire
from models.deadline import DeadlineStatus
from models.deadline import Stage
from models.enums import Status
from models.notification import Notification

NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)
BATCH = 10_000
DUE = 10_000
WARN_PERCENT = 80
SNAPSHOT = {
    "name": "bench",
    "amount": 15,
    "unit": "working_days",
    "ladder": [
        {"step": "warn", "percent": WARN_PERCENT},
        {"step": "breach"},
        {"step": "escalate_supervisor", "minutes_after": 1440},
    ],
}
# The clocks an open case has running in each status (see app.deadlines.clock.CLOCKS).
STAGES = {
    Status.REGISTERED: (Stage.DISPATCH, Stage.FIRST_REPLY, Stage.RESOLVE),
    Status.DISPATCHED: (Stage.SIGN, Stage.FIRST_REPLY, Stage.RESOLVE),
    Status.IN_PROGRESS: (Stage.CONTACT, Stage.FIRST_REPLY, Stage.RESOLVE),
    Status.REPLIED: (Stage.REVISIT, Stage.RESOLVE),
}
STAGE_INDEX = {stage: i for i, stage in enumerate(Stage)}


def planned_times(started_at: datetime, case_id: int, stage: str) -> tuple[datetime, datetime]:
    """Due and warning instants of a bench deadline: both after :data:`NOW`, a function of the row only.

    The warning (80 % of the way) lands 0.8–16 days after NOW however old the case is.
    """
    jitter = timedelta(minutes=1440 + (case_id * 7919 + STAGE_INDEX[Stage(stage)] * 104_729) % (19 * 1440))
    due = max(started_at + timedelta(days=15), NOW + (NOW - started_at) / 4 + jitter)
    return due, started_at + (due - started_at) * WARN_PERCENT / 100


def ensure_deadlines(log=print) -> dict:
    """Give the open cases their running deadlines; idempotent: only cases after the last one that has some.

    A reused database with deadlines adds nothing; a grown one (PostgreSQL) adds them for the new cases.
    The generator writes the met and cancelled deadlines of every case (:mod:`bench.data`), never a running
    one, so only running rows count here.
    """
    table = CaseDeadline.__table__
    running = table.c.status == DeadlineStatus.RUNNING.value
    existing = db.session.scalar(select(func.count()).select_from(table).where(running))
    after = db.session.scalar(select(func.max(table.c.case_id)).where(running)) or 0
    started = time.perf_counter()
    cases = db.session.execute(
        select(Case.id, Case.status, Case.received_at)
        .where(Case.status.in_(list(STAGES)), Case.id > after)
        .order_by(Case.id)
    ).all()
    db.session.commit()
    if not cases:
        return {"added": 0, "rows": existing, "seconds": 0.0}
    rows = []
    for case_id, status, received_at in cases:
        for stage in STAGES[Status(status)]:
            due, warn = planned_times(received_at, case_id, stage)
            rows.append(
                {
                    "case_id": case_id,
                    "stage": str(stage),
                    "policy_id": None,
                    "policy_snapshot": SNAPSHOT,
                    "clock": "working_days",
                    "started_at": received_at,
                    "due_at": due,
                    "warn_at": warn,
                    "next_fire_at": warn,
                    "next_step": 0,
                    "status": DeadlineStatus.RUNNING.value,
                    "extended_count": 0,
                    "version": 1,
                }
            )
    with db.engine.connect() as conn:
        for offset in range(0, len(rows), BATCH):
            conn.execute(table.insert(), rows[offset : offset + BATCH])
            conn.commit()
    refresh_planner_statistics()
    seconds = time.perf_counter() - started
    log(f"  {len(rows):,} running deadlines for {len(cases):,} open cases in {seconds:.1f} s")
    return {"added": len(rows), "rows": existing + len(rows), "seconds": round(seconds, 2)}


def restore(ids: list[int] | None = None) -> int:
    """Put deadlines back as :func:`ensure_deadlines` made them; drop the bench's fires and notifications.

    Without ``ids``: every deadline fired at NOW or due at NOW (what an interrupted run leaves).
    """
    if ids is None:
        fired = select(DeadlineFire.deadline_id).where(DeadlineFire.fired_at == NOW)
        ids = sorted(set(db.session.scalars(fired)) | set(db.session.scalars(due_query(NOW, 10**9))))
    table = CaseDeadline.__table__
    rows = db.session.execute(
        select(table.c.id, table.c.case_id, table.c.stage, table.c.started_at).where(table.c.id.in_(ids))
    ).all()
    values = []
    for deadline_id, case_id, stage, started_at in rows:
        due, warn = planned_times(started_at, case_id, stage)
        values.append({"b_id": deadline_id, "b_due": due, "b_warn": warn})
    if values:
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                due_at=bindparam("b_due"),
                warn_at=bindparam("b_warn"),
                next_fire_at=bindparam("b_warn"),
                next_step=0,
                last_fired=None,
                breached_at=None,
            ),
            values,
        )
        case_ids = sorted({case_id for _, case_id, _, _ in rows})
        for offset in range(0, len(case_ids), 900):  # bench cases have no urgency of their own
            chunk = case_ids[offset : offset + 900]
            db.session.execute(
                update(Case.__table__).where(Case.__table__.c.id.in_(chunk)).values(urgency=None)
            )
    db.session.execute(delete(DeadlineFire).where(DeadlineFire.fired_at == NOW))
    db.session.execute(
        delete(Notification).where(Notification.created_at == NOW, Notification.kind.like("deadline_%"))
    )
    db.session.commit()
    return len(values)


def make_due(count: int) -> list[int]:
    """Move the warning of ``count`` running deadlines (spread over the table) to one minute before NOW."""
    table = CaseDeadline.__table__
    candidates = db.session.execute(
        select(table.c.id, table.c.started_at)
        .where(table.c.status == DeadlineStatus.RUNNING.value, table.c.started_at < NOW - timedelta(days=1))
        .order_by(table.c.id)
    ).all()
    step = max(1, len(candidates) // count) if count else 1
    chosen = candidates[::step][:count]
    warn = NOW - timedelta(minutes=1)
    values = [
        {"b_id": i, "b_due": started + (warn - started) * 100 / WARN_PERCENT, "b_warn": warn}
        for i, started in chosen
    ]
    if values:
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(due_at=bindparam("b_due"), warn_at=bindparam("b_warn"), next_fire_at=bindparam("b_warn")),
            values,
        )
    db.session.commit()
    return [i for i, _ in chosen]


def _session_query_ms(limit: int) -> float:
    """One ``due_query(NOW, limit)`` through the session, alone (its commit untimed), in ms."""
    started = time.perf_counter()
    db.session.execute(due_query(NOW, limit)).all()
    elapsed = (time.perf_counter() - started) * 1000
    db.session.commit()
    return elapsed


def _due_floor(engine, limit: int, runs: int) -> dict:
    """The bare due SELECT: median through the session (the floor), and re-run raw on the DBAPI, with its plan."""
    with recording(engine) as statements:
        found = len(db.session.execute(due_query(NOW, limit)).all())
    db.session.commit()
    statements = [(sql, params) for sql, params in statements if sql.lstrip().upper().startswith("SELECT")]
    session_ms = [_session_query_ms(limit) for _ in range(runs + 1)][1:]
    return {
        "found": found,
        "floor_ms": statistics.median(session_ms),
        "raw_sql_ms": floor(engine, statements, runs)["total_ms"],
        "sql": " ".join(statements[0][0].split()),
        "plan": explain(engine, statements)[0],
    }


def _count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def measure_sweep(url: str, *, runs: int = 20, due: int = DUE, log=print) -> dict:
    """(a) idle sweep vs its floor (medians of ``runs``); (b) one sweep firing ``due`` stages, then restored."""
    app = create_app(bench_config(url))
    with app.app_context():
        engine = db.engine
        seeded = ensure_deadlines(log)
        leftovers = restore()
        running = _count(CaseDeadline, CaseDeadline.status == DeadlineStatus.RUNNING)
        result = {
            "now": NOW.isoformat(),
            "seeded": seeded,
            "restored_leftovers": leftovers,
            "running": running,
        }

        # (a) idle: nothing due at NOW
        idle_ms, floor_ms, idle_fired = [], [], 0
        for i in range(runs + 2):  # two warm-up rounds; the sweep and its floor in turn
            started = time.perf_counter()
            idle_fired += sweep(NOW)["fired"]
            elapsed = (time.perf_counter() - started) * 1000
            query_ms = _session_query_ms(500)
            if i >= 2:
                idle_ms.append(elapsed)
                floor_ms.append(query_ms)
        idle_floor = _due_floor(engine, 500, runs)
        floor_median = statistics.median(floor_ms)
        result["idle"] = {
            **{f"{k}_ms" if k != "runs" else k: v for k, v in summary(idle_ms).items()},
            "fired": idle_fired,
            "floor_ms": floor_median,
            "raw_sql_ms": idle_floor["raw_sql_ms"],
            "ratio": statistics.median(idle_ms) / floor_median if floor_median else None,
            "sql": idle_floor["sql"],
            "plan": idle_floor["plan"],
            "samples_ms": idle_ms,
            "floor_samples_ms": floor_ms,
        }

        # (b) `due` stages due at once: one sweep fires them all with their notifications
        ids = make_due(due)
        busy_floor = _due_floor(engine, max(due, 1), 5)
        before = _count(Notification)
        started = time.perf_counter()
        stats = sweep(NOW)
        seconds = time.perf_counter() - started
        notifications = _count(Notification) - before
        fires = _count(DeadlineFire, DeadlineFire.fired_at == NOW)
        restored = restore(ids)
        still_due = len(db.session.execute(due_query(NOW, 10)).all())
        db.session.commit()
        result["due"] = {
            "made_due": len(ids),
            "found_by_floor": busy_floor["found"],
            "floor_ms": busy_floor["floor_ms"],
            "raw_sql_ms": busy_floor["raw_sql_ms"],
            "seconds": seconds,
            "stages_per_s": stats["fired"] / seconds if seconds else None,
            "stats": stats,
            "fires": fires,
            "notifications": notifications,
            "notifications_per_fire": notifications / stats["fired"] if stats["fired"] else None,
            "restored": restored,
            "still_due_after_restore": still_due,
        }
        db.session.remove()
        engine.dispose()
    return result
