"""Throughput of ``POST /open311/v2/requests.json`` under gunicorn (2 workers) beside its floor.

The floor is :mod:`bench.open311_wsgi`'s bare route inserting the same case row without validation,
events or deadlines. Each database (a fresh SQLite file; a throw-away PostgreSQL 15 cluster) gets the
real migrations, the demo district and one API key; then a pool of keep-alive HTTP clients posts
``--requests`` requests to each target in turn. Goal: the API at least 50 % of the floor's rate.

Run ``python -m bench.open311 --help``.
"""

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench import DEFAULT_DB_DIR
from bench import ROOT
from bench import report

GOAL = 0.5
BODY = {
    "service_code": None,  # filled in from the seeded catalogue
    "description": "小区门口的路灯坏了一个多月，晚上出行很不方便，请尽快维修。",
    "address_string": "深圳市龙华区民治街道 1 号",
    "attribute[request_type]": "help",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(url: str) -> tuple[str, str]:
    """Migrate and seed ``url``; return (an API key, a service code)."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from app.auth.api_keys import issue_key
    from app.deadlines.calendar_seed import seed_calendar
    from app.deadlines.policies import seed_default_policies
    from app.demo import seed_demo
    from app.extensions import db
    from models.intake_control import ApiKey
    from models.org import Category
    from models.org import Mailbox

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-secret", "PASSWORD_HASH_CHEAP": True}
    )
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        seed_calendar(range(2025, 2027))
        seed_demo(cases=20)
        seed_default_policies()
        mailbox = db.session.scalars(select(Mailbox).order_by(Mailbox.id)).first()
        key = ApiKey(name="bench", system="bench", mailbox=mailbox)
        db.session.add(key)
        plaintext = issue_key(key)
        code = db.session.scalar(
            select(Category.code).where(Category.parent_id.is_not(None), Category.active.is_(True)).limit(1)
        )
        db.session.commit()
        db.engine.dispose()
    return plaintext, code


class Server:
    """gunicorn with 2 sync workers serving :mod:`bench.open311_wsgi` on a free loopback port."""

    def __init__(self, url: str, workers: int = 2):
        self.port = _free_port()
        env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "bench-secret", "PYTHONPATH": str(ROOT)}
        env.pop("SUQIU_SCHEDULER", None)
        command = [
            sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{self.port}",
            "--keep-alive", "30", "--log-level", "warning", "bench.open311_wsgi:app",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def post_many(port: int, path: str, body: dict, total: int, clients: int) -> dict:
    """POST ``body`` ``total`` times from ``clients`` keep-alive connections; rate and latencies."""
    payload = urlencode(body).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Connection": "keep-alive"}
    latencies, statuses, lock = [], {}, threading.Lock()
    per_client = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]
    start = threading.Barrier(clients + 1)

    def client(count: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine, codes = [], {}
        start.wait()
        for _ in range(count):
            began = time.perf_counter()
            conn.request("POST", path, body=payload, headers=headers)
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - began)
            codes[response.status] = codes.get(response.status, 0) + 1
        conn.close()
        with lock:
            latencies.extend(mine)
            for code, n in codes.items():
                statuses[code] = statuses.get(code, 0) + n

    threads = [threading.Thread(target=client, args=(n,)) for n in per_client]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    latencies.sort()
    return {
        "requests": total,
        "seconds": round(seconds, 3),
        "per_s": round(total / seconds, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 2),
        "statuses": statuses,
    }


def measure(kind: str, url: str, args) -> dict:
    """Seed ``url``, start gunicorn, warm up, then time the floor and the API alternately."""
    key, code = prepare(url)
    body = {**BODY, "service_code": code, "api_key": key}
    server = Server(url)
    try:
        post_many(server.port, "/open311/v2/requests.json", body, 50, args.clients)  # warm-up
        post_many(server.port, "/bench/floor", body, 50, args.clients)
        floors, apis = [], []
        for _ in range(args.rounds):
            floors.append(post_many(server.port, "/bench/floor", body, args.requests, args.clients))
            apis.append(
                post_many(server.port, "/open311/v2/requests.json", body, args.requests, args.clients)
            )
    finally:
        server.stop()
    floor = max(floors, key=lambda r: r["per_s"])
    api = max(apis, key=lambda r: r["per_s"])
    return {"kind": kind, "floor": floor, "api": api, "ratio": round(api["per_s"] / floor["per_s"], 3),
            "floor_rounds": floors, "api_rounds": apis}  # fmt: skip


def _postgres(args):
    from bench.pgcluster import running_cluster

    with running_cluster(None, "suqiu-bench-open311-pg-") as database:
        return measure("postgresql", database("open311_bench"), args)


def table(results: list[dict]) -> str:
    """Markdown table of the results."""
    lines = [
        "| database | target | requests | req/s | p50 ms | p95 ms | API/floor |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for name in ("floor", "api"):
            row = r[name]
            ratio = f"{r['ratio']:.2f}" if name == "api" else ""
            target = "bare insert (floor)" if name == "floor" else "POST requests.json"
            lines.append(
                f"| {r['kind']} | {target} | {row['requests']} | {row['per_s']} | {row['p50_ms']} "
                f"| {row['p95_ms']} | {ratio} |"
            )
    return "\n".join(lines)


def main(argv=None) -> int:
    """Run the Open311 throughput bench on SQLite and PostgreSQL."""
    parser = argparse.ArgumentParser(prog="python -m bench.open311", description=__doc__)
    parser.add_argument("--requests", type=int, default=1000, help="requests per target per round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (the best round counts)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent keep-alive connections")
    parser.add_argument("--only", choices=("sqlite", "postgresql"), help="one database only")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the goal is missed")
    args = parser.parse_args(argv)
    machine = report.machine()
    print(f"# Open311 POST throughput: gunicorn 2 workers, {machine['cores']} cores, {args.clients} clients")
    results = []
    if args.only in (None, "sqlite"):
        path = Path(DEFAULT_DB_DIR) / "open311.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        results.append(measure("sqlite", f"sqlite:///{path}", args))
    if args.only in (None, "postgresql"):
        results.append(_postgres(args))
    print("\n" + table(results) + "\n")
    outcome = []
    for r in results:
        verdict = "PASS" if r["ratio"] >= GOAL else "MISS"
        outcome.append(f"- {verdict}: {r['kind']}: API {r['api']['per_s']}/s = {r['ratio']:.0%} of the floor "
                       f"{r['floor']['per_s']}/s (goal >= {GOAL:.0%})")  # fmt: skip
    print("\n".join(outcome))
    print(f"\nJSON: {report.write_json({'open311': results, 'machine': machine, 'args': vars(args)})}")
    return 1 if args.strict and any(line.startswith("- MISS") for line in outcome) else 0


if __name__ == "__main__":
    sys.exit(main())
