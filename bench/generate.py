"""Build or grow a benchmark database: the real migrations, a minimal district, then cases in bulk.

Each case comes with its met or cancelled deadlines and its timeline events (:mod:`bench.data`), written in
the same batches (Core executemany on SQLite, COPY on PostgreSQL). A database of an older data shape
(:data:`SHAPE`, kept in the ``counter`` table) is rebuilt rather than reused.
"""

import json
import random
import time
from pathlib import Path

import flask_migrate
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import make_url

from app import create_app
from app.auth.passwords import set_password
from app.deadlines.calendar_seed import seed_calendar
from app.extensions import db
from app.maintenance import refresh_planner_statistics
from app.reports.rollup import BUILT
from bench import CLERK
from bench import LEADER
from bench import PASSWORD
from bench import bench_config
from bench import data
from bench import db_kind
from bench import handler_username
from bench import history
from bench.deadlines import STAGES
from models.case import Case
from models.case import Counter
from models.case import case_co_department
from models.deadline import WorkCalendarDay
from models.jobstate import OnceKey
from models.org import Category
from models.org import Department
from models.org import Mailbox
from models.user import User

BATCH = 20_000
SEED = 20240601
# The data shape: 1 = case rows only (until 2026-12); 2 = two years, with deadlines, events, disputes, a leader.
SHAPE = 2
SHAPE_COUNTER = "bench:shape"
# The stages whose deadlines the sweep bench leaves running on an open case, by status.
TIME_COLUMNS = frozenset({"started_at", "due_at", "warn_at", "met_at", "breached_at", "at"})
RUNNING = {str(status): frozenset(str(stage) for stage in stages) for status, stages in STAGES.items()}


def meta_path(url: str) -> Path | None:
    """Where the generation time of a SQLite bench file is kept (``cases-N.json``), or None for PG."""
    if not url.startswith("sqlite:///"):
        return None
    return Path(url[len("sqlite:///") :]).with_suffix(".json")


def build_org(now: float | None = None) -> None:
    """District, 6 streets, 31 communities, 10 bureaus, categories (one a dispute subject), mailboxes, a
    clerk, a leader and handlers; the work calendar of the years the cases span."""
    year = time.gmtime(now or time.time()).tm_year
    seed_calendar(range(year - data.YEARS - 1, year + 2))  # idempotent
    if db.session.query(Department.id).filter_by(code="D").first() is not None:
        _add_leader()
        db.session.commit()
        return
    probe = User(username="probe", display_name="probe", role="clerk")
    set_password(probe, PASSWORD)
    password_hash = probe.password_hash
    district = Department(code="D", name="光明区", kind="district")
    departments = [district]
    for code, name, communities in data.STREETS:
        street = Department(code=code, name=name, kind="street", parent=district)
        departments.append(street)
        for n in range(1, communities + 1):
            departments.append(
                Department(code=f"{code}C{n}", name=f"{name[:2]}第{n}社区", kind="community", parent=street)
            )
    for code, name, _weight in data.BUREAUS:
        departments.append(Department(code=code, name=name, kind="bureau", parent=district))
    for dept in departments:
        db.session.add(dept)
        db.session.flush()  # the path listener needs the parent's id first
    by_code = {d.code: d for d in departments}
    for code, name, dept_code, children in data.CATEGORIES:
        parent = Category(
            code=code, name=name, default_department=by_code[dept_code], is_dispute=code in data.DISPUTES
        )
        db.session.add(parent)
        for n, child in enumerate(children, 1):
            db.session.add(Category(code=f"{code}-{n}", name=child, parent=parent, sort_order=n))
    for slug, name, kind, dept_code in data.MAILBOXES:
        db.session.add(Mailbox(slug=slug, name=name, kind=kind, department=by_code[dept_code]))
    users = [
        User(username=CLERK, display_name="受理员", role="clerk"),
        User(username=LEADER, display_name="区领导", role="leader", department=district),
    ]
    for dept in departments:
        users.append(
            User(
                username=handler_username(dept.code), display_name=dept.name, role="handler", department=dept
            )
        )
    for user in users:
        user.password_hash = password_hash
    db.session.add_all(users)
    db.session.commit()


def _add_leader() -> None:
    """The leader account (databases built before it existed get it too)."""
    if db.session.query(User.id).filter_by(username=LEADER).first() is None:
        clerk = db.session.query(User).filter_by(username=CLERK).one()
        district = db.session.query(Department).filter_by(code="D").one()
        leader = User(username=LEADER, display_name="区领导", role="leader", department=district)
        leader.password_hash = clerk.password_hash
        db.session.add(leader)


def load_org() -> dict:
    """Ids the row factory needs: departments and their lead weights, categories, mailboxes, users."""
    depts = db.session.query(Department).all()
    weights = {code: weight for code, _, weight in data.BUREAUS}
    weights.update({code: data.STREET_WEIGHT for code, _, _ in data.STREETS})
    leads = [(d.id, weights.get(d.code, data.COMMUNITY_WEIGHT)) for d in depts if d.kind != "district"]
    handlers = dict(
        db.session.query(User.department_id, User.id).filter(User.username.startswith("bench_handler_"))
    )
    return {
        "lead_weights": leads,
        "lead_ids": [d for d, _ in leads],
        "communities": [d.id for d in depts if d.kind == "community"],
        "street_of": {d.id: d.parent_id for d in depts},
        "handler_of": {None: None, **handlers},
        "categories": [c.id for c in db.session.query(Category).filter(Category.parent_id.is_not(None))],
        "mailboxes": [m.id for m in db.session.query(Mailbox)],
        "mailbox_kind": {m.id: str(m.kind) for m in db.session.query(Mailbox)},
        "clerk_id": db.session.query(User.id).filter_by(username=CLERK).scalar(),
    }


def calendar() -> history.Calendar:
    """The work calendar table, for due times."""
    rows = db.session.execute(db.select(WorkCalendarDay.day, WorkCalendarDay.is_workday)).all()
    return history.Calendar({day: bool(working) for day, working in rows})


def shape() -> int:
    """The data shape of the cases in the database (see :data:`SHAPE`); 1 when unmarked."""
    value = db.session.query(Counter.value).filter_by(name=SHAPE_COUNTER).scalar()
    return 1 if value is None else value


def case_count() -> int:
    """How many cases the database holds."""
    return db.session.query(func.count(Case.id)).scalar()


def delete_cases() -> None:
    """Empty the case tables of a PostgreSQL bench database (TRUNCATE: row-wise FK checks are slow)."""
    db.session.execute(
        text(
            "TRUNCATE case_item, case_co_department, case_event, counter, daily_rollup, rollup_dirty CASCADE"
        )
    )
    db.session.execute(db.delete(OnceKey).where(OnceKey.job == BUILT))
    db.session.commit()


def remove_sqlite_file(url: str) -> None:
    """Delete a SQLite bench file (and its WAL) so that it is rebuilt from scratch."""
    path = Path(url[len("sqlite:///") :])
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def day_sequences() -> dict:
    """The last case number used on each day, from the numbers and from the counters."""
    seq = {}
    for name, value in db.session.query(Counter.name, Counter.value):
        if name.startswith("case:"):
            seq[name[5:]] = value
    day = func.substr(Case.number, 3, 8)
    for key, number in db.session.execute(select(day, func.max(Case.number)).group_by(day)):
        seq[key] = max(seq.get(key, 0), int(number[11:]))
    return seq


def _save_counters(conn, seq: dict, kind: str) -> None:
    insert = (postgresql if kind == "postgresql" else sqlite).insert
    rows = [{"name": f"case:{day}", "value": value} for day, value in seq.items()]
    stmt = insert(Counter.__table__)
    stmt = stmt.on_conflict_do_update(index_elements=["name"], set_={"value": stmt.excluded.value})
    conn.execute(stmt, rows)


def _copy(conn, table: str, columns, rows) -> None:
    """PostgreSQL COPY FROM STDIN of tuples through psycopg."""
    raw = conn.connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _sqlite_times(rows, columns):
    """Datetimes as SQLAlchemy stores them on SQLite (``YYYY-MM-DD HH:MM:SS.ffffff``), for a raw executemany."""
    at = [i for i, name in enumerate(columns) if name in TIME_COLUMNS]
    for row in rows:
        row = list(row)
        for i in at:
            if row[i] is not None:
                row[i] = row[i].isoformat(" ", "microseconds")
        yield tuple(row)


def _write_history(conn, kind: str, table: str, columns, rows, pg_copy: bool) -> None:
    """Deadline or event tuples in bulk: COPY on PostgreSQL, one executemany on SQLite."""
    if not rows:
        return
    if kind == "postgresql" and pg_copy:
        _copy(conn, table, columns, rows)
        return
    if kind == "sqlite":
        rows = list(_sqlite_times(rows, columns))
    marks = ", ".join("?" if kind == "sqlite" else "%s" for _ in columns)
    conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def insert_cases(
    count: int, *, seed: int = SEED, batch: int = BATCH, pg_copy: bool = True, log=print
) -> dict:
    """Append ``count`` cases after the existing ones, with their deadlines and events, in batches, with
    SQLite pragmas tuned for loading; the rows written per table."""
    kind = db_kind(str(db.engine.url))
    first_id = (db.session.query(func.max(Case.id)).scalar() or 0) + 1
    seq = day_sequences()
    factory = data.CaseFactory(
        random.Random(seed * 1_000_003 + first_id),
        load_org(),
        time.time() // 60 * 60,
        calendar=calendar(),
        running=RUNNING,
    )
    times = factory.received_times(count)
    db.session.remove()
    db.engine.dispose()
    started, case_table = time.perf_counter(), Case.__table__
    written = {"cases": 0, "co_departments": 0, "deadlines": 0, "events": 0}
    with db.engine.connect() as conn:
        if kind == "sqlite":
            for pragma in (
                "synchronous=OFF",
                "journal_mode=MEMORY",
                "cache_size=-1048576",
                "temp_store=MEMORY",
            ):
                conn.exec_driver_sql(f"PRAGMA {pragma}")
        conn.commit()
        for offset in range(0, count, batch):
            rows, co_rows, deadlines, events = [], [], [], []
            for i, ts in enumerate(times[offset : offset + batch]):
                made = factory.row(first_id + offset + i, ts, seq)
                row = made.row
                rows.append(row)
                copies = {k: row[k] for k in ("status", "received_at", "lead_department_id")}
                co_rows.extend({"case_id": row["id"], "department_id": d, **copies} for d in made.co)
                deadlines.extend(made.deadlines)
                events.extend(made.events)
            if kind == "postgresql" and pg_copy:
                _copy(conn, "case_item", data.COLUMNS, ([r[c] for c in data.COLUMNS] for r in rows))
                _copy(
                    conn,
                    "case_co_department",
                    ("case_id", "department_id", "status", "received_at", "lead_department_id"),
                    (tuple(r.values()) for r in co_rows),
                )
            else:
                conn.execute(case_table.insert(), rows)
                if co_rows:
                    conn.execute(case_co_department.insert(), co_rows)
            _write_history(conn, kind, "case_deadline", history.DEADLINE_COLUMNS, deadlines, pg_copy)
            _write_history(conn, kind, "case_event", history.EVENT_COLUMNS, events, pg_copy)
            conn.commit()
            for name, part in (("cases", rows), ("co_departments", co_rows), ("deadlines", deadlines), ("events", events)):  # fmt: skip
                written[name] += len(part)
            done = offset + len(rows)
            if done % 100_000 < batch or done == count:
                rate = done / (time.perf_counter() - started)
                log(
                    f"  inserted {done:,}/{count:,} cases ({rate:,.0f} cases/s) with {written['deadlines']:,} "
                    f"deadlines and {written['events']:,} events"
                )
        _save_counters(conn, {**seq}, kind)
        _save_shape(conn, kind)
        if kind == "postgresql":
            for table in ("case_item", "case_deadline", "case_event"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
                )
        conn.commit()
        if kind == "sqlite":
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
            conn.commit()
    return written


def _save_shape(conn, kind: str) -> None:
    insert = (postgresql if kind == "postgresql" else sqlite).insert
    stmt = insert(Counter.__table__).values(name=SHAPE_COUNTER, value=SHAPE)
    conn.execute(stmt.on_conflict_do_update(index_elements=["name"], set_={"value": SHAPE}))


def finish(kind: str) -> None:
    """PostgreSQL: VACUUM ANALYZE (what autovacuum would soon do). SQLite: the app's own statistics upkeep."""
    if kind == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for table in ("case_item", "case_co_department", "case_deadline", "case_event"):
                conn.exec_driver_sql(f"VACUUM ANALYZE {table}")
    else:
        refresh_planner_statistics()


def generate(
    url: str,
    size: int,
    *,
    seed: int = SEED,
    fresh: bool = False,
    pg_copy: bool = True,
    log=print,
) -> dict:
    """Make the database at ``url`` hold exactly ``size`` cases: reuse, grow, or rebuild (``fresh``); timed."""
    kind = db_kind(url)
    started = time.perf_counter()
    if kind == "sqlite" and fresh:
        remove_sqlite_file(url)
    app = create_app(bench_config(url))
    with app.app_context():
        flask_migrate.upgrade()
        build_org()
        existing = case_count()
        shown = make_url(url).render_as_string(hide_password=True)
        info = {"url": shown, "kind": kind, "size": size}
        old_shape = existing and shape() != SHAPE
        if kind == "sqlite" and (existing > size or old_shape):
            db.engine.dispose()
            if old_shape:
                log(f"  {existing:,} cases of an older data shape: rebuilding the file")
            return generate(url, size, seed=seed, fresh=True, log=log)
        if existing > size or (fresh and existing) or old_shape:
            log(f"  {existing:,} cases, {size:,} wanted (data shape {shape()}): emptying the case tables")
            delete_cases()
            existing = 0
        if existing < size:
            log(f"  adding {size - existing:,} cases to {existing:,}")
            info["rows"] = insert_cases(size - existing, seed=seed, pg_copy=pg_copy, log=log)
        if existing < size or kind == "sqlite":
            finish(kind)
        info.update(existing=existing, added=size - existing, reused=existing == size)
        info["count"] = case_count()
        db.session.remove()
        db.engine.dispose()
    info["seconds"] = round(time.perf_counter() - started, 2)
    meta = meta_path(url)
    if meta is not None:
        if info["added"]:
            meta.write_text(json.dumps({"seconds": info["seconds"], "size": size}), encoding="utf-8")
        elif meta.exists():
            info["generated_seconds"] = json.loads(meta.read_text(encoding="utf-8"))["seconds"]
    return info
