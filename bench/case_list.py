"""Time the case list pages through the test client, and the SQL they run (the page's floor)."""

import cProfile
import io
import json
import pstats
import re
import statistics
import time
from collections import defaultdict
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from app import create_app
from app.extensions import db
from bench import CLERK
from bench import PASSWORD
from bench import bench_config
from bench import db_kind
from bench import handler_username
from models.case import Case
from models.case import case_co_department
from models.org import Department

STATUS = "in_progress"
NUMBER_RE = re.compile(r"SQ\d{8}-\d{6}")
FILTERS_RE = re.compile(r'id="filter-groups-data"[^>]*>(.*?)</div>', re.S)


def summary(samples: list[float]) -> dict:
    """Median, 95th percentile and minimum of timings in milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": statistics.median(ordered), "p95": p95, "min": ordered[0], "runs": len(ordered)}


def login(client, username: str) -> None:
    """Log in through the real /login form."""
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    if response.status_code != 302:
        raise RuntimeError(f"login as {username} failed: {response.status_code}")


def status_filter_arg(html: str) -> str:
    """The URL argument of the status filter, read from the rendered list page (``flt0_status_equals``)."""
    match = FILTERS_RE.search(html)
    if match is None:
        raise RuntimeError("the case list page has no filter-groups-data")
    for group in json.loads(match.group(1)).values():
        for flt in group:
            if flt.get("options") and any(str(value) == STATUS for value, _ in flt["options"]):
                return f"flt0_{flt['arg']}"
    raise RuntimeError("no filter offers the status in_progress")


def busiest_department() -> Department:
    """The department that leads the most cases: the handler page's worst case."""
    dept_id = db.session.execute(
        select(Case.lead_department_id)
        .where(Case.lead_department_id.is_not(None))
        .group_by(Case.lead_department_id)
        .order_by(func.count().desc())
        .limit(1)
    ).scalar_one()
    return db.session.get(Department, dept_id)


def visible_numbers(department_id: int, status: str | None = None) -> set[str]:
    """Numbers of the cases a department leads or co-handles (optionally in one status)."""
    co = select(case_co_department.c.case_id).where(case_co_department.c.department_id == department_id)
    query = select(Case.number).where(or_(Case.lead_department_id == department_id, Case.id.in_(co)))
    if status is not None:
        query = query.where(Case.status == status)
    return set(db.session.execute(query).scalars())


@contextmanager
def recording(engine):
    """Collect (statement, parameters) of every cursor execute on ``engine`` inside the block."""
    statements = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def time_pages(pages, runs: int, warmup: int) -> list[dict]:
    """Wall and CPU ms per GET, taking the pages in turn so that outside load hits them alike."""
    samples = [{"wall": [], "cpu": []} for _ in pages]
    for i in range(warmup + runs):
        for (_, client, url), sample in zip(pages, samples, strict=True):
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            if i >= warmup:
                sample["wall"].append(wall * 1000)
                sample["cpu"].append(cpu * 1000)
    return samples


def _is_select(sql: str) -> bool:
    return sql.lstrip().upper().startswith(("SELECT", "WITH"))


def floor(engine, statements, runs: int) -> dict:
    """Re-run the page's SELECTs on a raw DBAPI connection: per-statement medians and their sum (ms)."""
    times = defaultdict(list)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for _ in range(runs + 1):  # the first round warms the caches and is dropped
            for i, (sql, params) in enumerate(statements):
                if _is_select(sql):
                    started = time.perf_counter()
                    cursor.execute(sql, params)
                    cursor.fetchall()
                    times[i].append((time.perf_counter() - started) * 1000)
            # End each round like a request ends. psycopg prepares a statement run 5 times in one
            # transaction, and PostgreSQL may then switch to a generic plan the app never gets.
            raw.rollback()
        cursor.close()
    finally:
        raw.close()
    medians = [statistics.median(times[i][1:]) if i in times else None for i in range(len(statements))]
    return {"total_ms": sum(m for m in medians if m is not None), "statement_ms": medians}


def explain(engine, statements) -> list[str]:
    """SQLite: EXPLAIN QUERY PLAN of each SELECT; PostgreSQL: EXPLAIN (ANALYZE, BUFFERS)."""
    kind = db_kind(str(engine.url))
    plans = []
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for sql, params in statements:
            if not _is_select(sql):
                plans.append("")
                continue
            if kind == "sqlite":
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                depth, lines = {0: -1}, []
                for node, parent, _, detail in cursor.fetchall():
                    depth[node] = depth.get(parent, -1) + 1
                    lines.append("  " * depth[node] + detail)
            else:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                lines = [row[0] for row in cursor.fetchall()]
            plans.append("\n".join(lines))
        cursor.close()
        raw.rollback()
    finally:
        raw.close()
    return plans


def shorten(sql: str, width: int = 360) -> str:
    """One line, long select lists collapsed to ``…``, cut at ``width``."""
    sql = " ".join(sql.split())
    sql = re.sub(r"(^|\()SELECT (?:(?! FROM ).){80,}? FROM ", r"\1SELECT … FROM ", sql)
    return sql if len(sql) <= width else sql[: width - 1] + "…"


def profile(client, url: str, top: int = 25) -> dict:
    """cProfile one GET: the top functions by cumulative time, and own time per package."""
    profiler = cProfile.Profile()
    profiler.enable()
    client.get(url)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    packages = defaultdict(float)
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():
        match = re.search(r"site-packages/([^/]+)", filename) or re.search(
            r"/(?:app|models|admin_views|bench)/|lib/python3[^/]*/([^/]+)", filename
        )
        name = (match.group(1) or match.group(0).strip("/")) if match else filename.strip("<>~") or "?"
        packages[name.removesuffix(".py")] += tottime * 1000
    ranked = sorted(packages.items(), key=lambda kv: -kv[1])[:15]
    return {"text": out.getvalue(), "own_ms_by_package": {k: round(v, 2) for k, v in ranked}}


def analyse_page(engine, client, name: str, url: str, sample: dict, runs: int, want_profile: bool) -> dict:
    """Summarise a page's timings, capture its SQL once, time that SQL raw, and explain it."""
    with recording(engine) as statements:
        response = client.get(url)
    html = response.get_data(as_text=True)
    sql_floor = floor(engine, statements, runs)
    page = summary(sample["wall"])
    result = {
        "page": name,
        "url": url,
        "status_code": response.status_code,
        **{f"{k}_ms" if k != "runs" else k: v for k, v in page.items()},
        "cpu_median_ms": statistics.median(sample["cpu"]),
        "floor_ms": sql_floor["total_ms"],
        "ratio": page["median"] / sql_floor["total_ms"] if sql_floor["total_ms"] else None,
        "numbers": NUMBER_RE.findall(html),
        "statements": [
            {"sql": shorten(sql), "full_sql": sql, "params": repr(params)[:300], "floor_ms": ms, "plan": plan}
            for (sql, params), ms, plan in zip(
                statements, sql_floor["statement_ms"], explain(engine, statements), strict=True
            )
        ],
        "samples_ms": sample["wall"],
    }
    if want_profile:
        result["profile"] = profile(client, url)
    return result


def prepare(url: str, department: str | None = None) -> tuple[dict, list, object]:
    """An app on ``url``, a logged-in clerk and a handler of ``department`` (default: the busiest).

    Requests run outside any app context that we push: otherwise Flask reuses it, and ``g`` (with
    Flask-Login's cached user) and the SQLAlchemy session would leak from one request to the next.
    """
    app = create_app(bench_config(url))
    with app.app_context():
        if department:
            dept = db.session.query(Department).filter_by(code=department).one()
        else:
            dept = busiest_department()
        info = {
            "kind": db_kind(url),
            "handler_department": {"id": dept.id, "code": dept.code, "name": dept.name},
        }
        engine = db.engine
        db.session.remove()
    clerk, handler = app.test_client(), app.test_client()
    login(clerk, CLERK)
    login(handler, handler_username(dept.code))
    arg = status_filter_arg(handler.get("/admin/case/").get_data(as_text=True))
    pages = [
        ("(a) clerk, default list", clerk, "/admin/case/"),
        (f"(b) handler {dept.code}, {STATUS}", handler, f"/admin/case/?{arg}={STATUS}"),
        (f"(c) handler {dept.code}, default list", handler, "/admin/case/"),
    ]
    return info, pages, engine


def measure_all(
    urls: list[str],
    *,
    runs: int = 20,
    warmup: int = 3,
    want_profile: bool = False,
    department: str | None = None,
) -> list[dict]:
    """Time (a) the clerk's list, (b) the busiest department's handler list by status, (c) unfiltered.

    With several databases (one SQLite file per size) the requests to all of them are taken in
    turn, so a burst of outside load does not land on one size only.
    """
    prepared = [prepare(url, department) for url in urls]
    every_page = [page for _, pages, _ in prepared for page in pages]
    samples = iter(time_pages(every_page, runs, warmup))
    results = []
    for info, pages, engine in prepared:
        info["pages"] = [
            analyse_page(engine, client, name, page_url, next(samples), runs, want_profile)
            for name, client, page_url in pages
        ]
        engine.dispose()
        results.append(info)
    return results


def measure(url: str, **options) -> dict:
    """Measure the three pages on one database (options as for :func:`measure_all`)."""
    return measure_all([url], **options)[0]
