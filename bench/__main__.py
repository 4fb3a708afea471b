"""``python -m bench``: on SQLite and on a throw-away PostgreSQL 15 cluster with default durability,
generate each size, time the case list pages and the deadline sweep, print one goals table, save JSON."""

import argparse
import os
import sys

from sqlalchemy.engine import make_url

from bench import DEFAULT_DB_DIR
from bench import database_url
from bench import db_kind
from bench import report
from bench.case_list import measure_all
from bench.deadlines import measure_sweep
from bench.generate import generate
from bench.pgcluster import pg_settings
from bench.pgcluster import running_cluster


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default="10000,1000000", help="case counts, smallest first")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page (and SQL re-runs)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests per page first")
    parser.add_argument("--db-dir", default=str(DEFAULT_DB_DIR), help="where the SQLite files live")
    parser.add_argument("--only-generate", action="store_true", help="build the databases and stop")
    parser.add_argument("--fresh", action="store_true", help="rebuild the databases instead of reusing them")
    parser.add_argument("--profile", action="store_true", help="cProfile one request per page")
    parser.add_argument(
        "--department", help="handler's department code (default: the one leading most cases)"
    )
    parser.add_argument("--skip-sweep", action="store_true", help="do not time the deadline sweep")
    parser.add_argument("--due", type=int, default=10_000, help="deadlines made due for the busy sweep")
    parser.add_argument("--strict", action="store_true", help="exit with 1 when a goal is missed")
    parser.add_argument(
        "--databases", default="sqlite,postgresql", help="which to run when DATABASE_URL is not set"
    )
    parser.add_argument(
        "--pg-dir", help="keep the PostgreSQL cluster here and reuse it (default: thrown away)"
    )
    return parser.parse_args(argv)


def _measure(sizes: list[int], urls: list[str], args) -> list[dict]:
    print(
        f"\n## measuring {', '.join(f'{s:,}' for s in sizes)} cases ({args.runs} runs per page)", flush=True
    )
    runs = measure_all(
        urls, runs=args.runs, warmup=args.warmup, want_profile=args.profile, department=args.department
    )
    for size, run in zip(sizes, runs, strict=True):
        run["size"] = size
        run["loadavg"] = report.machine()["loadavg"]
        print(report.page_details(run), flush=True)
    return runs


def _measure_sweeps(sizes: list[int], urls: list[str], args) -> list[dict]:
    print(f"\n## deadline sweep ({args.runs} idle runs, {args.due:,} due stages)", flush=True)
    sweeps = []
    for size, url in zip(sizes, urls, strict=True):
        print(f"  {size:,} cases:", flush=True)
        sweep = measure_sweep(url, runs=args.runs, due=args.due, log=lambda m: print(m, flush=True))
        sweep["size"] = size
        sweep["loadavg"] = report.machine()["loadavg"]
        print(report.sweep_details(sweep), flush=True)
        sweeps.append(sweep)
    return sweeps


def _bench_database(kind: str, url_for, sizes: list[int], args) -> dict:
    """Generate each size on one database kind, measure the list pages and the sweep; the kind's results."""
    first_url = url_for(sizes[0])
    print(f"\n# {kind}: {make_url(first_url).render_as_string(hide_password=True)}", flush=True)
    side_by_side = url_for(sizes[0]) != url_for(sizes[-1])
    if side_by_side:
        print("(one database per size, reused while it holds that many cases; measured side by side)")
    else:
        print("(one database, grown to each size in turn; a smaller size empties it first)")
    gens, runs, sweeps = [], [], []
    for size in sizes:
        url = url_for(size)
        print(f"\n## {size:,} cases: generating", flush=True)
        fresh = args.fresh and (side_by_side or size == sizes[0])  # one database grows from the first size
        gen = generate(url, size, fresh=fresh, log=lambda m: print(m, flush=True))
        gens.append(gen)
        print(f"  {gen['count']:,} cases ready in {gen['seconds']:.1f} s", flush=True)
        if not side_by_side and not args.only_generate:  # one database: measure before it grows
            runs += _measure([size], [url], args)
            if not args.skip_sweep:
                sweeps += _measure_sweeps([size], [url], args)
    if side_by_side and not args.only_generate:  # taken in turn, so load from outside hits every size alike
        urls = [url_for(size) for size in sizes]
        runs = _measure(sizes, urls, args)
        if not args.skip_sweep:
            sweeps = _measure_sweeps(sizes, urls, args)
    print(f"\n## {kind}: generation\n\n" + report.generation_table(gens))
    if runs:
        print(f"\n## {kind}: case list pages\n\n" + report.results_table(runs))
    if sweeps:
        print(f"\n## {kind}: deadline sweep\n\n" + report.sweep_table(sweeps))
    checks = report.goal_checks(runs) + report.sweep_checks(sweeps)
    return {"kind": kind, "generation": gens, "runs": runs, "sweeps": sweeps, "checks": checks}


def _on_postgres(sizes: list[int], args) -> dict:
    """The bench on a PostgreSQL 15 cluster with the server's default durability, one database per size:
    thrown away afterwards, or kept in ``--pg-dir`` (reused by the next run: the million cases are generated
    once)."""
    with running_cluster(args.pg_dir) as database:
        urls = {size: database(f"bench_{size}") for size in sizes}
        result = _bench_database("postgresql", urls.__getitem__, sizes, args)
        result["settings"] = pg_settings(urls[sizes[0]])
        return result


def main(argv=None) -> int:
    """Run the bench on SQLite and PostgreSQL (or on ``DATABASE_URL`` alone); with ``--strict``, exit 1
    when a goal is missed."""
    args = parse_args(argv)
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    machine = report.machine()
    print(f"# Suqiu case list bench: {machine['cores']} cores, load average {machine['loadavg']}")
    results = []
    if os.environ.get("DATABASE_URL"):
        url = os.environ["DATABASE_URL"]
        results.append(_bench_database(db_kind(url), lambda size: url, sizes, args))
    else:
        kinds = [k.strip() for k in args.databases.split(",") if k.strip()]
        if "sqlite" in kinds:
            results.append(
                _bench_database("sqlite", lambda size: database_url(size, args.db_dir), sizes, args)
            )
        if "postgresql" in kinds:
            results.append(_on_postgres(sizes, args))
    outcome = [check for result in results for check in result["checks"]]
    if outcome:
        print("\n## Goals\n\n" + report.goals_table(results))
    machine["loadavg_after"] = report.machine()["loadavg"]
    kind = "-".join(result["kind"] for result in results) or "none"
    payload = {"kind": kind, "machine": machine, "args": vars(args), "databases": results}
    print(f"\nJSON: {report.write_json(payload)}")
    return 1 if args.strict and any(not check["ok"] for check in outcome) else 0


if __name__ == "__main__":
    sys.exit(main())
