"""``python -m bench.reports``: the figures pages on the 1,000,000-case database, SQLite and PostgreSQL 15.

On each database (the SQLite file ``python -m bench`` generates, reused; a throw-away PostgreSQL 15 cluster
with the server's default durability: fsync and synchronous_commit on) this times

(a) the whole daily rollup rebuilt from scratch, as ``flask reports rebuild`` does it
    (:func:`app.reports.rollup.rebuild_all`, one commit per day): wall time, days, rows, the slowest days;
(b) the leaders' dashboard ``GET /admin/`` for a leader, median and p95 (after warm-up requests; a page whose
    first request takes over 2 s is timed 5 times only), beside the bare SQL it runs, and its first request
    (today's figures counted live; later requests within the minute reuse that count, as in production);
(c) the rates page for a whole year by department (``/admin/rates/?period=year&group=department``), which
    stands in for the yearly department scorecard, and the yearly ranking of :mod:`app.reports.scorecards`
    (its scoring and ranking over a year, counted by the same ``rate_rows``);
(d) one busy day's 民情日报: its content (:func:`app.reports.daily.build`) and its Word file
    (:func:`app.reports.documents.docx`).

The pages run at the data's "now" (one minute after the last case was received): the view modules'
``utcnow`` is pinned to it, so a file generated days ago still has a live, half-full "today".
"""

import argparse
import cProfile
import io
import pstats
import re
import statistics
import sys
import time
from contextlib import contextmanager
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text

from bench import DEFAULT_DB_DIR
from bench import LEADER
from bench import bench_config
from bench import report
from bench.pgcluster import pg_settings
from bench.pgcluster import running_cluster

SIZE = 1_000_000
GOALS = {"daily_s": 5.0, "year_s": 1.0, "dashboard_ms": 300.0}
SLOW_MS, SLOW_RUNS = 2000.0, 5  # a page whose first request takes over 2 s is timed 5 times, no more
# The view modules that read the clock on these pages (pinned to the data's "now").
CLOCK_MODULES = (
    "admin_views.dashboard",
    "admin_views.reports.rates",
    "admin_views.reports.cut_form",
    "admin_views.reports.scorecards",
)


# --- the databases --------------------------------------------------------------------------------


def sqlite_url(size: int, db_dir) -> str:
    """The SQLite file of ``python -m bench`` for ``size`` cases (never DATABASE_URL)."""
    directory = Path(db_dir)
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / f'cases-{size}.db'}"


# --- helpers ---------------------------------------------------------------------------------------


@contextmanager
def pinned_clock(now: datetime):
    """``utcnow`` of the figures views returns ``now`` inside the block."""
    import importlib

    saved = []
    for name in CLOCK_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "utcnow"):
            saved.append((module, module.utcnow))
            module.utcnow = lambda: now
    try:
        yield
    finally:
        for module, original in saved:
            module.utcnow = original


@contextmanager
def sql_clock(engine):
    """Count statements and the time spent inside ``cursor.execute`` on ``engine`` within the block.

    SQLite steps a SELECT lazily, so rows fetched after the first are not in this time; it is a floor.
    """
    tally = {"statements": 0, "seconds": 0.0}

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        tally["seconds"] += time.perf_counter() - conn.info["bench_started"].pop()
        tally["statements"] += 1

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield tally
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def profile_call(fn, top: int = 30) -> dict:
    """cProfile one call: the top functions by cumulative and by own time, and own time per package."""
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    packages: dict = {}
    for (filename, _, _), (_, _, tottime, _, _) in stats.stats.items():
        name = _package(filename)
        packages[name] = packages.get(name, 0.0) + tottime * 1000
    ranked = sorted(packages.items(), key=lambda kv: -kv[1])[:15]
    return {"text": out.getvalue(), "own_ms_by_package": {k: round(v, 1) for k, v in ranked}}


def _package(filename: str) -> str:
    for pattern in (r"site-packages/([^/]+)", r"/work/[^/]+/[^/]+/((?:app|models|admin_views|bench)/[^/]+)"):
        match = re.search(pattern, filename)
        if match:
            return match.group(1).removesuffix(".py")
    match = re.search(r"lib/python3[^/]*/([^/]+)", filename)
    if match:
        return "stdlib:" + match.group(1).removesuffix(".py")
    return filename.strip("<>~") or "?"


def _ms(samples: list[float]) -> dict:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median": statistics.median(ordered), "p95": p95, "min": ordered[0], "runs": len(ordered)}


# --- the measurements ------------------------------------------------------------------------------


def data_now() -> datetime:
    """One minute after the last case was received: the moment the generated data describes."""
    from app.extensions import db
    from models.case import Case

    last = db.session.scalar(select(func.max(Case.received_at)))
    return last.replace(microsecond=0) + timedelta(minutes=1)


def prepare_data(log) -> dict:
    """Running deadlines on the open cases (the sweep bench's plan, added once) and planner statistics."""
    from app.maintenance import refresh_planner_statistics
    from bench.deadlines import ensure_deadlines

    seeded = ensure_deadlines(log)
    refresh_planner_statistics()
    return seeded


def empty_rollup() -> int:
    """Delete every rollup row, built-day mark and noted correction (untimed): the rebuild starts from zero."""
    from app.extensions import db
    from app.reports.rollup import BUILT
    from models.jobstate import OnceKey
    from models.report import DailyRollup
    from models.report import RollupDirty

    rows = db.session.scalar(select(func.count()).select_from(DailyRollup))
    db.session.execute(DailyRollup.__table__.delete())
    db.session.execute(RollupDirty.__table__.delete())
    db.session.execute(OnceKey.__table__.delete().where(OnceKey.job == BUILT))
    db.session.commit()
    return rows


def rebuild(now: datetime, log, want_profile: bool) -> dict:
    """(a) every past day rebuilt with a commit per day, as ``flask reports rebuild`` does; timed per day."""
    from app.extensions import db
    from app.reports import rollup
    from bench.case_list import explain
    from bench.case_list import floor
    from bench.case_list import recording
    from bench.case_list import shorten
    from models.report import DailyRollup

    emptied = empty_rollup()
    engine = db.engine
    per_day = []
    started = time.perf_counter()
    with sql_clock(engine) as tally:
        days = rollup.rebuild_all(now)
        while True:
            began = time.perf_counter()
            try:
                day = next(days)
            except StopIteration:
                break
            db.session.commit()
            per_day.append((day, time.perf_counter() - began))
            if len(per_day) % 100 == 0:
                log(f"  {len(per_day)} days rebuilt, {time.perf_counter() - started:.0f} s")
    seconds = time.perf_counter() - started
    rows = db.session.scalar(select(func.count()).select_from(DailyRollup))
    by_day = dict(db.session.execute(select(DailyRollup.day, func.count()).group_by(DailyRollup.day)).all())
    db.session.commit()
    times = [s for _, s in per_day]
    slowest = sorted(per_day, key=lambda pair: -pair[1])[:5]
    result = {
        "seconds": seconds,
        "days": len(per_day),
        "first_day": per_day[0][0].isoformat() if per_day else None,
        "last_day": per_day[-1][0].isoformat() if per_day else None,
        "rows": rows,
        "rows_emptied_before": emptied,
        "rows_per_day_max": max(by_day.values(), default=0),
        "day_ms": {k: v * 1000 if k != "runs" else v for k, v in _ms(times).items()} if times else None,
        "slowest_days": [(d.isoformat(), round(s * 1000, 1)) for d, s in slowest],
        "sql_statements": tally["statements"],
        "sql_execute_seconds": tally["seconds"],
    }
    # One busy day again: its statements re-timed raw, with their plans.
    busy = slowest[len(slowest) // 2][0] if slowest else None
    if busy is not None:
        with recording(engine) as statements:
            began = time.perf_counter()
            rollup.rebuild_day(busy, now)
            db.session.commit()
            again = time.perf_counter() - began
        raw = floor(engine, statements, 3)
        plans = explain(engine, statements)
        result["busy_day"] = {
            "day": busy.isoformat(),
            "seconds": again,
            "floor_ms": raw["total_ms"],
            "statements": [
                {"sql": shorten(sql, 500), "floor_ms": ms, "plan": plan}
                for (sql, _), ms, plan in zip(statements, raw["statement_ms"], plans, strict=True)
            ],
        }
        if want_profile:
            result["busy_day"]["profile"] = profile_call(
                lambda: (rollup.rebuild_day(busy, now), db.session.commit())
            )
    return result


def statistics_after_rebuild() -> None:
    """What the jobs do daily anyway: planner statistics (SQLite ANALYZE; PostgreSQL ANALYZE), now that the
    rollup table is full."""
    from app.maintenance import refresh_planner_statistics

    refresh_planner_statistics()


def busy_day(now: datetime):
    """The day among the last 14 before today that received the most cases (from the rollup)."""
    from app.extensions import db
    from app.timeutil import local_day
    from models.report import DailyRollup

    today = local_day(now)
    row = db.session.execute(
        select(DailyRollup.day, func.sum(DailyRollup.received))
        .where(DailyRollup.day >= today - timedelta(days=14), DailyRollup.day < today)
        .where(DailyRollup.department_role == "lead")
        .group_by(DailyRollup.day)
        .order_by(func.sum(DailyRollup.received).desc())
        .limit(1)
    ).first()
    return (row[0], int(row[1])) if row else (today - timedelta(days=1), 0)


def daily_report(now: datetime, runs: int, want_profile: bool) -> dict:
    """(d) one busy day's 民情日报: content and Word file, ``runs`` times each (medians), and the content's SQL."""
    from app.extensions import db
    from app.reports import daily
    from app.reports import documents
    from bench.case_list import explain
    from bench.case_list import floor
    from bench.case_list import recording
    from bench.case_list import shorten
    from models.report import ReportIssue

    day, received = busy_day(now)
    engine = db.engine
    build_s, docx_s, size = [], [], 0
    content = None
    for _ in range(runs):
        began = time.perf_counter()
        content = daily.build(day, now)
        build_s.append(time.perf_counter() - began)
        db.session.commit()
        issue = ReportIssue(kind="daily", first_day=day, last_day=day, content=content, built_at=now)
        began = time.perf_counter()
        size = len(documents.docx(issue))
        docx_s.append(time.perf_counter() - began)
    with recording(engine) as statements:
        daily.build(day, now)
    db.session.commit()
    raw = floor(engine, statements, 3)
    plans = explain(engine, statements)
    result = {
        "day": day.isoformat(),
        "received": received,
        "build_s": statistics.median(build_s),
        "build_samples_s": build_s,
        "docx_s": statistics.median(docx_s),
        "docx_samples_s": docx_s,
        "total_s": statistics.median(build_s) + statistics.median(docx_s),
        "docx_bytes": size,
        "flagged": len(content["flagged"]) + content["flagged_more"],
        "floor_ms": raw["total_ms"],
        "statement_count": len(statements),
        "statements": [
            {"sql": shorten(sql, 400), "floor_ms": ms, "plan": plan}
            for (sql, _), ms, plan in zip(statements, raw["statement_ms"], plans, strict=True)
        ],
    }
    if want_profile:
        result["profile"] = profile_call(lambda: daily.build(day, now))
    return result


def yearly_ranking(now: datetime, runs: int, want_profile: bool) -> dict | None:
    """The yearly department scorecard as :mod:`app.reports.scorecards` scores and ranks a period, over the
    current year so far (cards are monthly and quarterly; a year is the same call on a longer cut)."""
    try:
        from app.reports import scorecards
    except ImportError:
        return None
    from app.extensions import db
    from app.reports.figures import Cut
    from app.reports.rate_table import rate_rows
    from app.timeutil import local_day
    from models.org import Department

    first, last = local_day(now).replace(month=1, day=1), local_day(now).replace(month=12, day=31)
    scheme = scorecards.scheme_for(first)
    if scheme is None:
        return None

    def card() -> dict:
        weights = scorecards.scheme_json(scheme)
        names = dict(db.session.execute(select(Department.id, Department.name)).all())
        rows = []
        for unit_id, figures in rate_rows(Cut(first, last), now, group="department").items():
            if unit_id:
                rows.append(
                    {"unit_id": unit_id, "name": names.get(unit_id, str(unit_id))}
                    | scorecards.score_row(figures, weights)
                )
        return scorecards.rank(rows)

    samples, shown = [], None
    for i in range(runs + 1):
        began = time.perf_counter()
        shown = card()
        if i:
            samples.append((time.perf_counter() - began) * 1000)
        db.session.commit()
    result = {
        "period": f"{first.isoformat()} – {local_day(now).isoformat()}",
        **{f"{k}_ms" if k != "runs" else k: v for k, v in _ms(samples).items()},
        "ranked": sum(1 for r in shown["rows"] if r["rank"]),
        "red": shown["red"],
        "black": shown["black"],
    }
    if want_profile:
        result["profile"] = profile_call(card)
    return result


def pages(app, now: datetime, runs: int, warmup: int, want_profile: bool) -> list[dict]:
    """(b) the leader's dashboard, (c) the year's rates by department, and the quarter's department scorecard
    when its page is registered; each beside its SQL."""
    from app.extensions import db
    from app.timeutil import local_day
    from bench.case_list import analyse_page
    from bench.case_list import login
    from bench.case_list import time_pages

    day = local_day(now).isoformat()
    leader = app.test_client()
    login(leader, LEADER)
    wanted = [
        ("dashboard", "(b) leader dashboard", "/admin/"),
        ("year", "(c) rates, year by department", f"/admin/rates/?period=year&date={day}&group=department"),
    ]
    if "scorecard.index" in app.view_functions:
        wanted.append(
            (
                "quarter_card",
                "quarter scorecard, departments",
                f"/admin/scorecard/?period=quarter&date={day}&unit=department",
            )
        )
    with app.app_context():
        engine = db.engine
    out = []
    with pinned_clock(now):
        first = time_pages([(name, leader, url) for _, name, url in wanted], 1, 0)  # one request each
        slow = {key for (key, _, _), s in zip(wanted, first, strict=True) if s["wall"][0] > SLOW_MS}
        groups = [([w for w in wanted if w[0] not in slow], runs, warmup),
                  ([w for w in wanted if w[0] in slow], min(runs, SLOW_RUNS), 0)]  # fmt: skip
        for group, group_runs, group_warmup in groups:
            if not group:
                continue
            samples = time_pages([(name, leader, url) for _, name, url in group], group_runs, group_warmup)
            for (key, name, url), sample in zip(group, samples, strict=True):
                page = analyse_page(engine, leader, name, url, sample, group_runs, want_profile)
                page["key"] = key
                page["statement_count"] = len(page["statements"])
                page["first_ms"] = first[[w[0] for w in wanted].index(key)]["wall"][0]
                page["slow"] = key in slow
                page.pop("numbers", None)
                out.append(page)
    return sorted(out, key=lambda p: [w[0] for w in wanted].index(p["key"]))


def measure(kind: str, url: str, args, log) -> dict:
    """Every measurement on one database."""
    from app import create_app
    from app.extensions import db
    from bench.generate import generate

    log(f"\n## {kind}: {SIZE if args.size is None else args.size:,} cases")
    gen = generate(url, args.size, log=log)
    log(
        f"  {gen['count']:,} cases ready in {gen['seconds']:.1f} s ({'reused' if gen['reused'] else 'generated'})"
    )
    app = create_app(bench_config(url))
    result = {"kind": kind, "generation": gen}
    if kind == "postgresql":
        result["server"] = pg_settings(url)
        log(f"  server: {result['server']}")
    with app.app_context():
        result["running_deadlines"] = prepare_data(log)
        now = data_now()
        result["now"] = now.isoformat()
        counts = {}
        for table in ("case_item", "case_deadline", "case_event", "case_co_department"):
            counts[table] = db.session.scalar(text(f"SELECT count(*) FROM {table}"))
        result["rows"] = counts
        db.session.commit()
        log(f"  rows: {counts}; the data's now: {now.isoformat()}")
        if args.skip_rebuild and db.session.scalar(text("SELECT count(*) FROM daily_rollup")):
            log("  (a) rollup rebuild skipped (--skip-rebuild): the built rollup is reused")
        else:
            log("  (a) rebuilding the whole rollup (a commit per day)")
            result["rebuild"] = rebuild(now, log, args.profile)
            r = result["rebuild"]
            log(f"  rebuilt {r['days']} days, {r['rows']:,} rows in {r['seconds']:.1f} s "
                f"(median day {r['day_ms']['median']:.0f} ms, slowest {r['slowest_days'][0]})")  # fmt: skip
        statistics_after_rebuild()
        db.session.remove()
    log(f"  (b, c) pages, {args.runs} runs after {args.warmup} warm-up")
    result["pages"] = pages(app, now, args.runs, args.warmup, args.profile)
    for page in result["pages"]:
        log(f"    {page['page']}: median {page['median_ms']:.1f} ms, p95 {page['p95_ms']:.1f} ms, "
            f"SQL floor {page['floor_ms']:.1f} ms in {page['statement_count']} statements")  # fmt: skip
    with app.app_context():
        with pinned_clock(now):
            result["yearly_ranking"] = yearly_ranking(now, max(3, args.runs // 4), args.profile)
        if result["yearly_ranking"]:
            log(f"    yearly department ranking (app.reports.scorecards): median "
                f"{result['yearly_ranking']['median_ms']:.1f} ms")  # fmt: skip
        log("  (d) the 民情日报 of a busy day")
        result["daily"] = daily_report(now, args.daily_runs, args.profile)
        d = result["daily"]
        log(
            f"    {d['day']} ({d['received']:,} received): content {d['build_s']:.2f} s, Word {d['docx_s']:.2f} s"
        )
        db.session.remove()
        db.engine.dispose()
    return result


# --- the report --------------------------------------------------------------------------------------


def _page(result: dict, key: str) -> dict | None:
    return next((p for p in result.get("pages", []) if p["key"] == key), None)


def goals_table(results: list[dict]) -> tuple[str, list[str]]:
    """goal | SQLite | PostgreSQL | met?, and PASS/MISS lines."""
    by_kind = {r["kind"]: r for r in results}
    kinds = [k for k in ("sqlite", "postgresql") if k in by_kind]

    def cell(kind: str, getter):
        try:
            return getter(by_kind[kind])
        except (KeyError, TypeError):
            return None

    rows = [
        ("daily report of a busy day (content + Word) < 5 s", "s",
         lambda r: r["daily"]["total_s"], GOALS["daily_s"]),
        ("yearly department scorecard < 1 s: rates page, year by department (median)", "s",
         lambda r: _page(r, "year")["median_ms"] / 1000, GOALS["year_s"]),
        ("rates page, year by department, first request", "s",
         lambda r: _page(r, "year")["first_ms"] / 1000, None),
        ("yearly department ranking (app.reports.scorecards, median) < 1 s", "s",
         lambda r: r["yearly_ranking"]["median_ms"] / 1000, GOALS["year_s"]),
        ("leader dashboard GET /admin/ < 300 ms (median)", "ms",
         lambda r: _page(r, "dashboard")["median_ms"], GOALS["dashboard_ms"]),
        ("leader dashboard GET /admin/ (p95)", "ms", lambda r: _page(r, "dashboard")["p95_ms"], None),
        ("leader dashboard, first request (today counted live, not reused)", "ms",
         lambda r: _page(r, "dashboard")["first_ms"], None),
        ("rollup rebuilt from scratch (no goal)", "s", lambda r: r["rebuild"]["seconds"], None),
    ]  # fmt: skip
    header = (
        "| goal | " + " | ".join("SQLite" if k == "sqlite" else "PostgreSQL 15" for k in kinds) + " | met? |"
    )
    lines = [header, "|---|" + "---:|" * len(kinds) + "---|"]
    verdicts = []
    for label, unit, getter, limit in rows:
        values = [cell(k, getter) for k in kinds]
        shown = [
            ("—" if v is None else f"{v:,.2f} {unit}" if unit == "s" else f"{v:,.1f} {unit}") for v in values
        ]
        if limit is None:
            met = ""
        else:
            oks = [v is not None and v < limit for v in values]
            met = (
                "yes"
                if all(oks)
                else "no (" + ", ".join(k for k, ok in zip(kinds, oks, strict=True) if not ok) + ")"
            )
            for kind, value, ok in zip(kinds, values, oks, strict=True):
                if value is not None:
                    verdicts.append(f"- {'PASS' if ok else 'MISS'}: {kind}: {label}: {value:,.2f} {unit}")
        lines.append(f"| {label} | " + " | ".join(shown) + f" | {met} |")
    return "\n".join(lines), verdicts


def floors_table(results: list[dict]) -> str:
    """Each page and report beside the bare SQL it runs."""
    lines = [
        "| database | what | median | p95 | SQL floor | statements | page/floor |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for p in r.get("pages", []):
            lines.append(
                f"| {r['kind']} | {p['page']} | {p['median_ms']:,.1f} ms | {p['p95_ms']:,.1f} ms | "
                f"{p['floor_ms']:,.1f} ms | {p['statement_count']} | {p['ratio']:,.1f} |"
            )
        d = r.get("daily")
        if d:
            lines.append(
                f"| {r['kind']} | 民情日报 content {d['day']} | {d['build_s'] * 1000:,.0f} ms | | "
                f"{d['floor_ms']:,.1f} ms | {d['statement_count']} | {d['build_s'] * 1000 / d['floor_ms']:,.1f} |"
            )
            lines.append(f"| {r['kind']} | 民情日报 Word file | {d['docx_s'] * 1000:,.0f} ms | | | | |")
        y = r.get("yearly_ranking")
        if y:
            lines.append(
                f"| {r['kind']} | yearly department ranking | {y['median_ms']:,.1f} ms | {y['p95_ms']:,.1f} ms | | | |"
            )
    return "\n".join(lines)


def rebuild_table(results: list[dict]) -> str:
    """The rollup rebuilds."""
    lines = [
        "| database | days | rollup rows | max rows a day | seconds | median day ms | p95 day ms | slowest day ms | "
        "SQL statements | in execute s | busy day: again ms | its SQL floor ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        b = r.get("rebuild")
        if not b:
            continue
        busy = b.get("busy_day") or {}
        lines.append(
            f"| {r['kind']} | {b['days']} | {b['rows']:,} | {b['rows_per_day_max']:,} | {b['seconds']:,.1f} | "
            f"{b['day_ms']['median']:,.0f} | {b['day_ms']['p95']:,.0f} | {b['slowest_days'][0][1]:,.0f} "
            f"({b['slowest_days'][0][0]}) | {b['sql_statements']:,} | {b['sql_execute_seconds']:,.1f} | "
            f"{busy.get('seconds', 0) * 1000:,.0f} ({busy.get('day')}) | {busy.get('floor_ms', 0):,.0f} |"
        )
    return "\n".join(lines)


def details(results: list[dict]) -> str:
    """The statements of each page (slowest first), with their plans."""
    out = []
    for r in results:
        for p in r.get("pages", []):
            out.append(f"\n### {r['kind']}: {p['page']} `{p['url']}`")
            ranked = sorted(p["statements"], key=lambda s: -(s["floor_ms"] or 0))[:8]
            for st in ranked:
                out.append(f"- ({(st['floor_ms'] or 0):.2f} ms) `{st['sql']}`")
                if st["plan"]:
                    out.append(
                        "  ```\n" + "\n".join("  " + x for x in st["plan"].splitlines()[:25]) + "\n  ```"
                    )
            if p.get("profile"):
                out.append(f"  profile, own ms by package: {p['profile']['own_ms_by_package']}")
        d = r.get("daily")
        if d:
            out.append(
                f"\n### {r['kind']}: 民情日报 content of {d['day']} ({d['statement_count']} statements)"
            )
            for st in sorted(d["statements"], key=lambda s: -(s["floor_ms"] or 0))[:6]:
                out.append(f"- ({(st['floor_ms'] or 0):.2f} ms) `{st['sql']}`")
        b = (r.get("rebuild") or {}).get("busy_day")
        if b:
            out.append(f"\n### {r['kind']}: rollup of {b['day']} rebuilt again: {b['seconds'] * 1000:.0f} ms, "
                       f"SQL floor {b['floor_ms']:.0f} ms")  # fmt: skip
            for st in sorted(b["statements"], key=lambda s: -(s["floor_ms"] or 0))[:5]:
                out.append(f"- ({(st['floor_ms'] or 0):.2f} ms) `{st['sql'][:300]}`")
                if st["plan"]:
                    out.append(
                        "  ```\n" + "\n".join("  " + x for x in st["plan"].splitlines()[:20]) + "\n  ```"
                    )
    return "\n".join(out)


def _postgres(args, log) -> dict:
    with running_cluster(args.pg_dir, "suqiu-bench-reports-pg-") as database:
        return measure("postgresql", database("reports_bench"), args, log)


def main(argv=None) -> int:
    """Run the figures bench on SQLite and PostgreSQL; print the goals; save JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.reports", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--size", type=int, default=SIZE, help="cases (the SQLite file is cases-SIZE.db)")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
    parser.add_argument("--daily-runs", type=int, default=3, help="builds of the daily report (median)")
    parser.add_argument("--db-dir", default=str(DEFAULT_DB_DIR), help="where the SQLite files live")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="one database only")
    parser.add_argument(
        "--pg-dir", help="keep the PostgreSQL cluster in this directory and reuse it next time (default: a "
        "throw-away cluster, generated again each run)"
    )  # fmt: skip
    parser.add_argument("--skip-rebuild", action="store_true", help="reuse a built rollup (no timing of (a))")
    parser.add_argument("--profile", action="store_true", help="cProfile one call of each")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)
    machine = report.machine()

    def log(message: str) -> None:
        print(message, flush=True)

    log(
        f"# Suqiu figures bench: {args.size:,} cases, {machine['cores']} cores, load average {machine['loadavg']}"
    )
    results = []
    if args.only in (None, "sqlite"):
        results.append(measure("sqlite", sqlite_url(args.size, args.db_dir), args, log))
    if args.only in (None, "postgresql"):
        results.append(_postgres(args, log))
    table, verdicts = goals_table(results)
    print("\n## Goals\n\n" + table)
    print("\n## Pages and reports beside their SQL\n\n" + floors_table(results))
    print("\n## Rollup rebuilt from scratch\n\n" + rebuild_table(results))
    print("\n## Statements\n" + details(results))
    print("\n" + "\n".join(verdicts))
    machine["loadavg_after"] = report.machine()["loadavg"]
    payload = {"kind": "reports", "machine": machine, "args": vars(args), "results": results}
    print(f"\nJSON: {report.write_json(payload)}")
    return 1 if args.strict and any(v.startswith("- MISS") for v in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
