"""A throw-away PostgreSQL 15 cluster for the benchmarks, started with the server's default durability
(fsync, synchronous_commit and full_page_writes on, as an office runs it; the tests' clusters turn them
off), and the settings a run reports beside its figures."""

import os
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from tests.support.pg_server import PG_BIN
from tests.support.pg_server import PostgresCluster


def _as_postgres(*command) -> list[str]:
    """A server command, run as ``postgres`` when we are root (PostgreSQL refuses root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return [*prefix, *(str(part) for part in command)]


def durable_cluster(root: Path):
    """A PostgreSQL 15 cluster like the tests' one (:mod:`tests.support.pg_server`), but started with the
    server's default durability: fsync, synchronous_commit and full_page_writes on (the tests turn them off)."""

    class DurableCluster(PostgresCluster):
        def start(self) -> None:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            options = f"-p {port} -k {self.root} -c listen_addresses=127.0.0.1"
            command = _as_postgres(
                PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "300", "start"
            )
            result = subprocess.run(command, capture_output=True, text=True, timeout=360)
            if result.returncode != 0:
                raise RuntimeError(
                    f"PostgreSQL did not start in {self.root}:\n{result.stderr}\n{self.log_tail()}"
                )
            self.port = port

        def stop(self) -> None:
            """A fast, clean shutdown (a kept cluster then starts again without recovery)."""
            if (self.data / "postmaster.pid").exists():
                command = _as_postgres(
                    PG_BIN / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "300", "stop"
                )
                subprocess.run(command, capture_output=True, timeout=360)

    return DurableCluster(root)


def pg_settings(url: str) -> dict:
    """The durability and memory settings the server runs with."""
    import psycopg
    from sqlalchemy.engine import make_url

    parts = make_url(url)
    names = (
        "server_version",
        "fsync",
        "synchronous_commit",
        "full_page_writes",
        "shared_buffers",
        "work_mem",
    )
    with psycopg.connect(
        host=parts.host, port=parts.port, user=parts.username, dbname=parts.database
    ) as conn:
        return {name: conn.execute(f"SHOW {name}").fetchone()[0] for name in names}


@contextmanager
def running_cluster(pg_dir: str | None, prefix: str = "suqiu-bench-pg-"):
    """A started durable cluster: kept in ``pg_dir`` and reused when given (its databases too), else in a
    temporary directory removed afterwards. Yields a function of a database name that creates the
    database when missing and returns its URL."""
    from tests.support.pg_server import create_database

    root = Path(pg_dir) if pg_dir else Path(tempfile.mkdtemp(prefix=prefix))
    root.mkdir(parents=True, exist_ok=True)
    cluster = durable_cluster(root)
    if not (root / "data" / "PG_VERSION").exists():
        cluster.init()
    cluster.start()
    try:
        yield lambda name: create_database(cluster.url, name, exist_ok=True)
    finally:
        cluster.stop()
        if not pg_dir:
            shutil.rmtree(root, ignore_errors=True)
