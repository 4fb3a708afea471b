"""``python -m bench.soak [--minutes 10] [--submit-rate 20] [--browse-rate 50]``: a soak run on the
``make prod-local`` topology (PostgreSQL, redis-server, gunicorn, ``flask jobs run``), loopback only and
bounded in time.

Citizens send letters with a photo to the public mailbox (GET the form, POST it, GET the confirmation) at
``--submit-rate`` letters a second; staff, logged in, open the case list and case pages at
``--browse-rate`` pages a second; the jobs process runs the sweep and the deliveries meanwhile. The load is
open-loop: every start is scheduled by the clock and a start more than 0.1 s behind its time is counted as
late (the load generator or the server fell behind), never skipped. At the end: p50/p95/p99 per endpoint,
every error (any status other than 2xx/3xx, any connection error) with examples, the jobs' last results,
and the resident memory of each process at the start and at the end.

Letters come from many addresses: the topology trusts one proxy (``TRUSTED_PROXIES=1``, as behind nginx)
and each letter carries its own ``X-Forwarded-For`` in 10.0.0.0/8 and its own phone, so the per-address and
per-phone limits (20 and 5 an hour) are not what is measured. Workers are not recycled
(``--max-requests 0``) so that memory growth, if any, shows.
"""

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.topology.client import Client
from tests.topology.client import Response
from tests.topology.client import letter_fields
from tests.topology.client import login
from tests.topology.client import photo_bytes

STAFF = ("clerk", "clerk2", "supervisor", "admin", "leader", "leader_chief")
LATE_SECONDS = 0.1


# -- measuring -----------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank ``p``-th percentile of ``values`` (0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


class Recorder:
    """Latencies per endpoint, errors with a few examples each, late starts; safe across threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.examples: list[str] = []
        self.late = self.started = 0
        self.max_late = 0.0

    def start(self, behind: float) -> None:
        """A task started ``behind`` seconds after its scheduled time."""
        with self.lock:
            self.started += 1
            self.max_late = max(self.max_late, behind)
            self.late += behind > LATE_SECONDS

    def ok(self, endpoint: str, seconds: float) -> None:
        """An answer (2xx or 3xx) of ``endpoint`` in ``seconds``."""
        with self.lock:
            self.times[endpoint].append(seconds)

    def error(self, endpoint: str, what: str) -> None:
        """A failed request: another status, or a connection error."""
        with self.lock:
            self.errors[endpoint] += 1
            if len(self.examples) < 20:
                self.examples.append(f"{endpoint}: {what}")

    def timed(self, endpoint: str, send) -> Response | None:
        """Run ``send()``, record its time or its failure; the response when it is 2xx/3xx."""
        began = time.perf_counter()
        try:
            response = send()
        except Exception as error:  # a connection error is an error of the run, counted and shown
            self.error(endpoint, f"{type(error).__name__}: {error}")
            return None
        if 200 <= response.status < 400:
            self.ok(endpoint, time.perf_counter() - began)
            return response
        self.error(endpoint, f"{response.status} {response.text[:200]!r}")
        return None

    def table(self) -> list[dict]:
        """One row per endpoint: count, errors, p50/p95/p99 and max in milliseconds."""
        rows = []
        for endpoint in sorted(set(self.times) | set(self.errors)):
            values = self.times.get(endpoint, [])
            row = {"endpoint": endpoint, "count": len(values), "errors": self.errors.get(endpoint, 0)}
            for p in (50, 95, 99):
                row[f"p{p}_ms"] = round(percentile(values, p) * 1000, 1)
            row["max_ms"] = round(max(values, default=0) * 1000, 1)
            rows.append(row)
        return rows


def open_loop(rate: float, seconds: float, task, pool: ThreadPoolExecutor, recorder: Recorder, stop) -> list:
    """Submit ``task(i)`` at ``rate`` a second for ``seconds``, each due at its scheduled time (open loop: a
    busy server does not slow the schedule down; a start behind time is counted late). The futures."""
    began, futures = time.monotonic(), []
    while not stop.is_set():
        if len(futures) / rate >= seconds:
            break
        due = began + len(futures) / rate
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)

        i = len(futures)

        def run(i=i, due=due):
            recorder.start(time.monotonic() - due)
            task(i)

        futures.append(pool.submit(run))
    return futures


# -- memory --------------------------------------------------------------------------------------------


def _proc(pid: int) -> tuple[float, float, float]:
    """Resident memory (RSS, MB), proportional memory (PSS, MB: each shared page divided among the processes
    sharing it, so PostgreSQL's shared buffers count once) and CPU time so far (user + system, s) of ``pid``."""
    try:
        status = Path(f"/proc/{pid}/status").read_text() + Path(f"/proc/{pid}/smaps_rollup").read_text()
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0, 0.0
    kb = {line.split(":")[0]: int(line.split()[1]) for line in status.splitlines() if line.endswith(" kB")}
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return kb.get("VmRSS", 0) / 1024, kb.get("Pss", 0) / 1024, cpu


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def processes(pids: dict) -> dict[str, tuple[float, float]]:
    """(RSS MB, PSS MB, CPU seconds) of each gunicorn master and worker, the jobs process, PostgreSQL (the
    postmaster and every backend together), redis-server, and this load generator."""
    found = {}
    for name, pid in pids.items():
        if not pid:
            continue
        if name.startswith("web-"):
            found[f"{name} master"] = _proc(pid)
            for n, child in enumerate(sorted(_children(pid))):
                found[f"{name} worker {n + 1} (pid {child})"] = _proc(child)
        elif name == "postgres":
            parts = [_proc(pid), *(_proc(child) for child in _children(pid))]
            found["postgres (all)"] = tuple(sum(values) for values in zip(*parts, strict=True))
        else:
            found[name] = _proc(pid)
    found["soak client (this process)"] = _proc(os.getpid())
    return {name: tuple(round(value, 1) for value in values) for name, values in found.items()}


# -- the run -------------------------------------------------------------------------------------------


class Soak:
    """Citizens and staff against one web port, recorded in ``recorder``."""

    def __init__(self, port: int, photo_size: int, case_ids: list[int]):
        self.port, self.photo_size, self.case_ids = port, photo_size, case_ids
        self.recorder = Recorder()
        self.staff = []
        self.rng_lock = threading.Lock()
        self.rng = random.Random(2026)
        self.sent_ids: list[int] = []

    def log_in_staff(self) -> None:
        """One logged-in session per staff account (their cookies are shared by the browsing threads)."""
        for username in STAFF:
            client = Client(self.port)
            login(client, username)
            self.staff.append(client)

    def warm_up(self, rounds: int = 6) -> None:
        """A few untimed pages of each kind, so every worker has loaded its templates before the clock runs."""
        for n in range(rounds):
            self.recorder, recorder = Recorder(), self.recorder
            self.citizen(10_000_000 + n)
            for i in range(3):
                self.browse(i)
            self.recorder = recorder

    def citizen(self, i: int) -> None:
        """One letter with a photo: the form, the post, the confirmation."""
        address = f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"
        client = Client(self.port, {"X-Forwarded-For": address})
        record = self.recorder.timed
        form = record("GET /m/<slug>", lambda: client.get("/m/qzxx"))
        if form is None:
            return
        with self.rng_lock:
            fields = letter_fields(form.text, i, self.rng)
        photo = [("attachments", f"现场{i}.jpg", photo_bytes(self.photo_size, i))]
        sent = record("POST /m/<slug>", lambda: client.post("/m/qzxx", fields, photo))
        if sent is None:
            return
        if sent.status != 302:
            self.recorder.error("POST /m/<slug>", f"{sent.status}: the letter was not accepted")
            return
        record("GET /m/<slug>/done", lambda: client.get(sent.headers["Location"]))

    def browse(self, i: int) -> None:
        """One staff page: the case list (first or a later page) or a case's page."""
        client = self.staff[i % len(self.staff)]
        with self.rng_lock:
            pick = self.rng.random()
            case_id = self.rng.choice(self.case_ids)
            page = self.rng.randint(1, 5)
        if pick < 0.4:
            self.recorder.timed("GET /admin/case/", lambda: client.get("/admin/case/"))
        elif pick < 0.5:
            self.recorder.timed("GET /admin/case/?page=N", lambda: client.get(f"/admin/case/?page={page}"))
        else:
            self.recorder.timed(
                "GET /admin/case/details/", lambda: client.get(f"/admin/case/details/?id={case_id}")
            )

    def run(self, minutes: float, submit_rate: float, browse_rate: float) -> dict:
        """Both loads at once for ``minutes``; then what was not started yet is dropped (the run is bounded
        in time) and counted as shed, the requests under way finish. Letters and pages scheduled and shed."""
        seconds, stop = minutes * 60, threading.Event()
        pool = ThreadPoolExecutor(max(16, int((submit_rate * 3 + browse_rate) * 2)))
        futures = {}

        def drive(name, rate, task):
            futures[name] = open_loop(rate, seconds, task, pool, self.recorder, stop) if rate > 0 else []

        drivers = [threading.Thread(target=drive, args=("letters", submit_rate, self.citizen)),
                   threading.Thread(target=drive, args=("pages", browse_rate, self.browse))]  # fmt: skip
        for thread in drivers:
            thread.start()
        try:
            for thread in drivers:
                thread.join()
        finally:
            stop.set()
            pool.shutdown(wait=True, cancel_futures=True)
        return {name: (len(done), sum(f.cancelled() for f in done)) for name, done in futures.items()}


def _database_figures(url: str, after: dict | None = None) -> dict:
    """The highest case and attachment ids, the cases and photos stored after ``after`` (an earlier
    answer), the jobs' last results, and case ids to browse."""
    import psycopg

    after = after or {"case": 0, "attachment": 0}
    with psycopg.connect(url) as conn:
        one = lambda sql, *args: conn.execute(sql, args).fetchone()[0]  # noqa: E731
        return {
            "case": one("SELECT coalesce(max(id), 0) FROM case_item"),
            "attachment": one("SELECT coalesce(max(id), 0) FROM attachment"),
            "cases": one("SELECT count(*) FROM case_item WHERE id > %s", after["case"]),
            "photos": one("SELECT count(*) FROM attachment WHERE id > %s AND case_id IS NOT NULL", after["attachment"]),
            "jobs": conn.execute("SELECT name, finished_at, result, error IS NOT NULL FROM job_run ORDER BY name").fetchall(),
            "case_ids": [row[0] for row in conn.execute("SELECT id FROM case_item ORDER BY id LIMIT 5000")],
        }  # fmt: skip


def print_report(
    args, scheduled: dict, recorder: Recorder, start: dict, end: dict, figures: dict, took: float
) -> None:
    """The soak report: pacing, latency table, errors, jobs, memory and CPU of each process."""
    (letters, letters_shed), (pages, pages_shed) = scheduled["letters"], scheduled["pages"]
    print(
        f"\n## Soak: {args.minutes} min window (ended after {took / 60:.1f} min), "
        f"letters with a {args.photo_kb} KB photo at {args.submit_rate}/s, staff pages at {args.browse_rate}/s"
    )
    print(
        f"scheduled {letters} letters and {pages} pages; not started by the window's end (shed): "
        f"{letters_shed} letters, {pages_shed} pages; late starts (> {LATE_SECONDS} s behind schedule): "
        f"{recorder.late} of {recorder.started}, worst {recorder.max_late:.1f} s"
    )
    print(f"stored: {figures['cases']} new cases, {figures['photos']} photos (in the database)\n")
    print("| endpoint | count | errors | p50 ms | p95 ms | p99 ms | max ms |\n|---|--:|--:|--:|--:|--:|--:|")
    for row in recorder.table():
        print("| " + " | ".join(str(value) for value in row.values()) + " |")
    print(f"\nerrors: {sum(recorder.errors.values())}")
    for example in recorder.examples:
        print(f"  {example}")
    print("\njobs (last run of each, in the jobs process):")
    for name, finished, result, failed in figures["jobs"]:
        print(f"  {name:18} {finished or '-'!s:.19}  {'FAILED' if failed else (result or '')[:80]}")
    print("\n| process | RSS MB start | RSS MB end | PSS MB start | PSS MB end | CPU s in the run |")
    print("|---|--:|--:|--:|--:|--:|")
    for name in sorted(set(start) | set(end)):
        (rss0, pss0, cpu0), (rss1, pss1, cpu1) = start.get(name, (0, 0, 0)), end.get(name, (0, 0, 0))
        print(f"| {name} | {rss0} | {rss1} | {pss0} | {pss1} | {cpu1 - cpu0:.1f} |")


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--submit-rate", type=float, default=20, help="letters with a photo a second")
    parser.add_argument("--browse-rate", type=float, default=50, help="staff pages a second")
    parser.add_argument("--photo-kb", type=int, default=150, help="size of each letter's photo")
    parser.add_argument("--cases", type=int, default=1000, help="demo cases seeded before the run")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="leave the topology's folder for a look after")
    parser.add_argument("--json", help="also write the figures to this file")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Start a prod-local topology in a temporary folder, soak it, report, stop it."""
    from deploy.prod_local import Topology
    from deploy.prod_local import missing_parts
    from tests.support.redis_server import free_port

    args = parse_args(argv)
    if missing := missing_parts():
        print(
            f"soak: missing on this machine: {', '.join(missing)} (run `make system-deps`)", file=sys.stderr
        )
        return 1
    root = Path(tempfile.mkdtemp(prefix="suqiu-soak-"))
    topology = Topology(root, port=free_port(), workers=args.workers, demo_cases=args.cases, max_requests=0,
                        extra_env={"TRUSTED_PROXIES": "1"})  # fmt: skip
    try:
        print(f"starting the topology in {root} ({args.cases} demo cases) …", flush=True)
        state = topology.start(echo=lambda *_: None)
        url = topology.environment(state)["DATABASE_URL"]
        before = _database_figures(url)
        soak = Soak(state["web_ports"][0], args.photo_kb * 1024, before["case_ids"])
        soak.log_in_staff()
        soak.warm_up()
        before = _database_figures(url)  # the warm-up's letters are not the run's
        start = processes(topology.pids())
        print(f"soaking for {args.minutes} min …", flush=True)
        began = time.monotonic()
        scheduled = soak.run(args.minutes, args.submit_rate, args.browse_rate)
        took = time.monotonic() - began
        end = processes(topology.pids())
        figures = _database_figures(url, before)
        print_report(args, scheduled, soak.recorder, start, end, figures, took)
        if args.json:
            Path(args.json).write_text(json.dumps({
                "args": vars(args), "scheduled_and_shed": scheduled, "late": soak.recorder.late,
                "table": soak.recorder.table(), "errors": dict(soak.recorder.errors),
                "examples": soak.recorder.examples, "processes_start": start, "processes_end": end,
                "cases": figures["cases"], "photos": figures["photos"],
            }, indent=2, ensure_ascii=False))  # fmt: skip
        return 0 if not soak.recorder.errors else 2
    finally:
        topology.stop()
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
