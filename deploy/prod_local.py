"""``make prod-local``: the production topology on this machine, for trying it and for tests.

``python -m deploy.prod_local start|stop|status [--dir D] [--port P]`` runs, all state under
``instance/prod-local/`` (or ``--dir``): a PostgreSQL 15 cluster (default durability, loopback), a
redis-server (loopback, no persistence), the migrations and seeds (as ``make run``), gunicorn without a
scheduler (2 workers; or several one-worker servers, as the topology test uses them), and one
``flask jobs run`` process. Attachments are kept in the database, so every server reaches every file. Every
process gets its settings from :meth:`Topology.environment`, the variables ``deploy/suqiu.env.example``
documents; the secret key is generated once into ``secret`` (never committed). ``stop`` ends every process
through its pid file.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg

from bench.pgcluster import durable_cluster
from tests.support.pg_server import PG_BIN
from tests.support.redis_server import REDIS_SERVER
from tests.support.redis_server import RedisServer
from tests.support.redis_server import free_port
from tests.support.redis_server import wait_for_port

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT / "instance" / "prod-local"
DATABASE = "suqiu"
SEEDS = (
    ["db", "upgrade"],
    ["calendar", "seed", "--if-empty"],
    ["seed-policies"],
    ["seed-settings"],
)


def missing_parts() -> list[str]:
    """The server binaries this machine lacks (``make system-deps`` installs them)."""
    missing = [
        str(PG_BIN / tool) for tool in ("initdb", "pg_ctl", "postgres") if not (PG_BIN / tool).exists()
    ]
    if not Path(REDIS_SERVER).exists():
        missing.append("redis-server")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        missing.append("runuser (PostgreSQL refuses to run as root)")
    return missing


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_pid(path: Path, marker: str) -> int | None:
    """The pid in ``path`` if that process still runs ``marker`` (a stale file's pid may be another's now)."""
    try:
        pid = int(path.read_text().split()[0])
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return None
    return pid if marker.encode() in command else None


def _default_signals() -> None:
    """In the child before it runs: SIGINT as the program expects it (a pytest-xdist worker, for one, starts
    its children with SIGINT ignored, and the jobs process stops on SIGINT)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _end(signals: dict[int | None, int], seconds: float) -> None:
    """Send each pid its signal and wait for them to go; SIGKILL whichever is left after ``seconds``."""
    pids = [pid for pid in signals if _alive(pid)]
    for pid in pids:
        os.kill(pid, signals[pid])
    deadline = time.monotonic() + seconds
    while pids and time.monotonic() < deadline:
        for pid in list(pids):
            try:  # our own child (the test's case) must be reaped, or it stays a zombie that looks alive
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            if not _alive(pid):
                pids.remove(pid)
        time.sleep(0.1)
    for pid in pids:
        os.kill(pid, signal.SIGKILL)


class AlreadyRunning(RuntimeError):
    """``start`` found parts of this topology running."""


class Topology:
    """The processes of one prod-local topology under ``root``: ``servers`` gunicorn masters of ``workers``
    workers each, on ``port`` and the next free ports; ``extra_env`` is added to every process's settings."""

    def __init__(self, root: Path = DEFAULT_DIR, port: int = 5000, servers: int = 1, workers: int = 2,
                 demo_cases: int | None = None, max_requests: int = 5000, extra_env: dict | None = None):  # fmt: skip
        self.root = Path(root).resolve()
        self.port, self.servers, self.workers = port, servers, workers
        self.demo_cases, self.max_requests = demo_cases, max_requests
        self.extra_env = dict(extra_env or {})
        self.logs = self.root / "logs"
        self.state_file = self.root / "state.json"
        self.cluster = durable_cluster(self.root / "pg")

    # -- state -------------------------------------------------------------------------------------------

    def state(self) -> dict:
        """What ``start`` wrote: ports and pids (empty when never started)."""
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {}

    def secret_key(self) -> str:
        """The SECRET_KEY of this topology, generated on first use into ``secret`` (mode 600)."""
        path = self.root / "secret"
        if not path.exists():
            path.write_text(secrets.token_hex(32))
            os.chmod(path, 0o600)
        return path.read_text().strip()

    def environment(self, state: dict | None = None) -> dict:
        """The settings of every process (web and jobs alike): deploy/suqiu.env.example's variables."""
        state = state or self.state()
        env = {key: value for key, value in os.environ.items() if not key.startswith(("SUQIU_", "FLASK_"))}
        env.update({
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{state['pg_port']}/{DATABASE}",
            "SECRET_KEY": self.secret_key(),
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{state['web_ports'][0]}",
            "TRUSTED_PROXIES": "0",  # no nginx in front here: the socket's address is the citizen's
            "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{state['redis_port']}/0",
            "ATTACHMENT_STORAGE": "database",
            "WEB_CONCURRENCY": str(self.servers * self.workers),  # processes sharing a limit if Redis is away
            "PROMETHEUS_MULTIPROC_DIR": str(self.root / "metrics"),
            "METRICS_ALLOW_NETWORKS": "127.0.0.1/32",
        })  # fmt: skip
        env.update(self.extra_env)
        return env

    def _save(self, state: dict) -> None:
        self.state_file.write_text(json.dumps(state, indent=2))

    # -- start -------------------------------------------------------------------------------------------

    def start(self, echo=print) -> dict:
        """Start every part (reusing the cluster and its data if ``root`` holds one); the state."""
        if missing := missing_parts():
            raise RuntimeError(f"missing on this machine: {', '.join(missing)} (run `make system-deps`)")
        if self.running():
            raise AlreadyRunning(f"prod-local already runs in {self.root}: stop it first")
        self.logs.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)  # the cluster's folder inside must be reachable by the postgres user
        state = {
            "web_ports": [self.port] + [free_port() for _ in range(self.servers - 1)],
            "workers": self.workers,
        }
        self._start_database(state, echo)
        redis = RedisServer(self.root / "redis")
        (self.root / "redis").mkdir(exist_ok=True)
        redis.start()
        state["redis_port"] = redis.port
        (self.root / "redis.pid").write_text(str(redis.process.pid))
        self._save(state)
        echo(f"redis-server on 127.0.0.1:{redis.port} (no persistence)")
        metrics = self.root / "metrics"
        shutil.rmtree(metrics, ignore_errors=True)
        metrics.mkdir()
        self._setup(state, echo)
        for stale in metrics.iterdir():  # the setup's own counters; the metrics start with the servers
            stale.unlink()
        state["jobs_pid"] = self._spawn(["-m", "flask", "--app", "app", "jobs", "run"], "jobs", state)
        (self.root / "jobs.pid").write_text(str(state["jobs_pid"]))
        self._save(state)
        for port in state["web_ports"]:
            self._spawn(self._gunicorn(port), f"web-{port}", state)
        for port in state["web_ports"]:
            self._wait_web(port)
        state["web_pids"] = [
            _read_pid(self.root / f"web-{port}.pid", "gunicorn") for port in state["web_ports"]
        ]
        self._save(state)
        return state

    def _start_database(self, state: dict, echo) -> None:
        if not (self.cluster.data / "PG_VERSION").exists():
            (self.root / "pg").mkdir(exist_ok=True)
            self.cluster.init()
        self.cluster.start()
        state["pg_port"] = self.cluster.port
        self._save(state)
        with psycopg.connect(host="127.0.0.1", port=self.cluster.port, user="postgres", dbname="postgres",
                             autocommit=True) as conn:  # fmt: skip
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone() is None:
                conn.execute(f"CREATE DATABASE {DATABASE}")
        echo(f"PostgreSQL 15 on 127.0.0.1:{self.cluster.port} (data in {self.cluster.data})")

    def _setup(self, state: dict, echo) -> None:
        """Migrations and seeds, in one process (as ``make run`` does them, one command at a time)."""
        cases = [] if self.demo_cases is None else ["--cases", str(self.demo_cases)]
        command = [sys.executable, "-m", "deploy.prod_local", "setup", *cases]
        result = subprocess.run(
            command, cwd=ROOT, env=self.environment(state), capture_output=True, text=True
        )
        (self.logs / "setup.log").write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            raise RuntimeError(f"setup failed:\n{(result.stdout + result.stderr)[-3000:]}")
        echo(result.stdout.rstrip())

    def _gunicorn(self, port: int) -> list[str]:
        return ["-m", "gunicorn", "--workers", str(self.workers), "--bind", f"127.0.0.1:{port}",
                "--pid", str(self.root / f"web-{port}.pid"), "--max-requests", str(self.max_requests),
                "--max-requests-jitter", str(self.max_requests // 10), "--timeout", "60",
                "--graceful-timeout", "30", "--config", "python:deploy.gunicorn_conf",
                "app:create_app()"]  # fmt: skip

    def _spawn(self, args: list[str], name: str, state: dict) -> int:
        env = self.environment(state)
        with open(self.logs / f"{name}.log", "ab") as log:
            process = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=log,
                                       stderr=subprocess.STDOUT, start_new_session=True,
                                       preexec_fn=_default_signals)  # fmt: skip
        return process.pid

    def _wait_web(self, port: int, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if wait_for_port(port, 1):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/livez", timeout=10) as response:
                        if response.status == 200:
                            return
                except OSError:
                    pass
            time.sleep(0.2)
        log = (self.logs / f"web-{port}.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"gunicorn on port {port} did not answer /livez:\n{log}")

    # -- status and stop ---------------------------------------------------------------------------------

    def pids(self) -> dict[str, int | None]:
        """The pid of each part: every gunicorn master, the jobs process, redis-server and the postmaster."""
        state, root = self.state(), self.root
        pids = {
            f"web-{port}": _read_pid(root / f"web-{port}.pid", "gunicorn")
            for port in state.get("web_ports", [])
        }
        pids["jobs"] = _read_pid(root / "jobs.pid", "jobs")
        pids["redis"] = _read_pid(root / "redis.pid", "redis-server")
        pids["postgres"] = _read_pid(self.cluster.data / "postmaster.pid", "postgres")
        return pids

    def running(self) -> bool:
        """Whether any part still runs."""
        return any(_alive(pid) for pid in self.pids().values())

    def stop(self) -> None:
        """Stop every part: gunicorn (SIGTERM, graceful), jobs (SIGINT: the lease is released), redis, PG."""
        pids = self.pids()
        # gunicorn (SIGTERM) finishes the requests under way; the jobs process (SIGINT) releases its lease
        ends = {pid: signal.SIGTERM for name, pid in pids.items() if name.startswith("web-")}
        _end({**ends, pids["jobs"]: signal.SIGINT}, 35)
        _end({pids["redis"]: signal.SIGTERM}, 10)
        self.cluster.stop()
        for name in pids:
            (self.root / f"{name}.pid").unlink(missing_ok=True)


def setup_command(cases: int | None) -> None:
    """``setup``: migrations, calendar, policies, settings and the demo (if the database is empty)."""
    from flask.cli import ScriptInfo

    from app import create_app

    app = create_app()
    info = ScriptInfo(create_app=lambda: app)
    demo = ["seed-demo", "--if-empty", *([] if cases is None else ["--cases", str(cases)])]
    for args in (*SEEDS, demo):
        app.cli.main(args=args, obj=info, prog_name="flask", standalone_mode=False)


def describe(topology: Topology, state: dict) -> str:
    """Where each part answers and how to stop them."""
    base = f"http://127.0.0.1:{state['web_ports'][0]}"
    return "\n".join([
        f"Suqiu (prod-local, {topology.root}):",
        *(f"  web   gunicorn, {topology.workers} workers, no scheduler: http://127.0.0.1:{port}/"
          for port in state["web_ports"]),
        f"  staff {base}/login  (demo accounts above, password suqiu-demo-2026)",
        f"  public mailbox {base}/m/qzxx   health {base}/healthz   metrics {base}/metrics",
        f"  jobs  `flask jobs run`, pid {state['jobs_pid']} (log {topology.logs / 'jobs.log'})",
        f"  PostgreSQL 127.0.0.1:{state['pg_port']}, redis 127.0.0.1:{state['redis_port']}",
        "Stop everything with `make prod-local-stop`.",
    ])  # fmt: skip


def main(argv=None) -> int:
    """The command line: start, stop, status (and setup, run by start inside the topology's environment)."""
    parser = argparse.ArgumentParser(prog="python -m deploy.prod_local", description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("start", "stop", "status", "setup"))
    parser.add_argument("--dir", default=str(DEFAULT_DIR), help="where all state lives")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", 5000)), help="the web port")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--cases", type=int, default=None, help="demo cases to seed into an empty database")
    args = parser.parse_args(argv)
    if args.command == "setup":
        setup_command(args.cases)
        return 0
    topology = Topology(Path(args.dir), port=args.port, workers=args.workers, demo_cases=args.cases)
    if args.command == "start":
        try:
            state = topology.start()
        except AlreadyRunning as error:
            print(f"prod-local: {error}", file=sys.stderr)
            return 1
        except RuntimeError as error:
            print(f"prod-local: {error}\nStopping what had started.", file=sys.stderr)
            topology.stop()
            return 1
        print(describe(topology, state))
    elif args.command == "stop":
        topology.stop()
        print(f"prod-local stopped ({topology.root})")
    else:
        for name, pid in topology.pids().items():
            print(f"{name:12} {'running' if _alive(pid) else 'stopped'}{f'  pid {pid}' if pid else ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
