"""``python -m bench``: generate each size, time the case list pages, print the report, save JSON."""

import argparse
import sys

from sqlalchemy.engine import make_url

from bench import DEFAULT_DB_DIR
from bench import database_url
from bench import db_kind
from bench import report
from bench.case_list import measure_all
from bench.deadlines import measure_sweep
from bench.generate import generate


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


def main(argv=None) -> int:
    """Run the bench; with ``--strict``, exit 1 when a goal is missed."""
    args = parse_args(argv)
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))
    machine = report.machine()
    first_url = database_url(sizes[0], args.db_dir)
    kind = db_kind(first_url)
    print(f"# Suqiu case list bench: {kind}, {machine['cores']} cores, load average {machine['loadavg']}")
    print(f"database: {make_url(first_url).render_as_string(hide_password=True)}")
    if kind == "sqlite":
        print(f"(one SQLite file per size in {args.db_dir}, reused while it holds that many cases)")
    else:
        print("(one PostgreSQL database, grown to each size in turn; a smaller size empties it first)")
    gens, runs, sweeps = [], [], []
    for size in sizes:
        url = database_url(size, args.db_dir)
        print(f"\n## {size:,} cases: generating", flush=True)
        fresh = args.fresh and (kind == "sqlite" or size == sizes[0])  # PostgreSQL grows from the first size
        gen = generate(url, size, fresh=fresh, log=lambda m: print(m, flush=True))
        gens.append(gen)
        print(f"  {gen['count']:,} cases ready in {gen['seconds']:.1f} s", flush=True)
        if kind != "sqlite" and not args.only_generate:  # one database: measure before it grows
            runs += _measure([size], [url], args)
            if not args.skip_sweep:
                sweeps += _measure_sweeps([size], [url], args)
    if kind == "sqlite" and not args.only_generate:  # one file per size: measure them side by side
        urls = [database_url(size, args.db_dir) for size in sizes]
        runs = _measure(sizes, urls, args)
        if not args.skip_sweep:
            sweeps = _measure_sweeps(sizes, urls, args)
    print("\n## Generation\n\n" + report.generation_table(gens))
    outcome = []
    if runs:
        print("\n## Case list pages\n\n" + report.results_table(runs))
        outcome = report.goals(runs)
    if sweeps:
        print("\n## Deadline sweep\n\n" + report.sweep_table(sweeps))
        outcome += report.sweep_goals(sweeps)
    if outcome:
        print("\n## Goals\n\n" + "\n".join(outcome))
    machine["loadavg_after"] = report.machine()["loadavg"]
    payload = {"kind": kind, "machine": machine, "args": vars(args), "generation": gens, "runs": runs}
    payload["sweeps"] = sweeps
    print(f"\nJSON: {report.write_json(payload)}")
    return 1 if args.strict and any(line.startswith("- MISS") for line in outcome) else 0


if __name__ == "__main__":
    sys.exit(main())
