"""A throwaway PostgreSQL 15 cluster for the test run.

The session-scoped ``pg_url`` fixture initialises a cluster in a temporary directory, starts it on
127.0.0.1 and a free port (its Unix socket stays inside that directory), creates one empty
database and yields its URL; at the end the server is stopped and the directory removed. Under
pytest-xdist every worker that needs it starts its own cluster on its own port.

Use it from a test module with ``from tests.support.pg_server import pg_url_fixture  # noqa: F401``.
:func:`create_database` makes more databases on the same cluster (optionally copied from a
template database, which is how tests get a fresh migrated database in a fraction of a second).
"""

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

PG_BIN = Path(os.environ.get("SUQIU_PG_BIN", "/usr/lib/postgresql/15/bin"))
START_ATTEMPTS = 3


def _as_postgres(*command) -> list[str]:
    """Run a server command as the ``postgres`` user when we are root (PostgreSQL refuses root)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return [*prefix, *(str(part) for part in command)]


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}): {result.stdout}\n{result.stderr}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _admin_connect(url: str):
    """An autocommit psycopg connection to the cluster's ``postgres`` database."""
    import psycopg

    parts = make_url(url)
    return psycopg.connect(
        host=parts.host, port=parts.port, user=parts.username, dbname="postgres", autocommit=True
    )


def create_database(
    url: str, name: str | None = None, template: str | None = None, exist_ok: bool = False
) -> str:
    """Create database ``name`` (a random one by default) on ``url``'s cluster and return its URL."""
    from psycopg import sql

    name = name or f"t_{uuid.uuid4().hex[:12]}"
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with _admin_connect(url) as conn:
        if exist_ok and conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return make_url(url).set(database=name).render_as_string(hide_password=False)
        conn.execute(statement)
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop the database ``url`` points at, closing any connections still open to it."""
    from psycopg import sql

    name = make_url(url).database
    with _admin_connect(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


class PostgresCluster:
    """initdb, start and stop one cluster in ``root`` (data in ``root/data``, socket in ``root``)."""

    def __init__(self, root: Path):
        self.root = root
        self.data = root / "data"
        self.log = root / "server.log"
        self.port: int | None = None

    def init(self) -> None:
        """Create the cluster: trust authentication, superuser ``postgres``, no fsync."""
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        os.chmod(self.root, 0o700)
        _run(
            _as_postgres(
                PG_BIN / "initdb",
                "-D",
                self.data,
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C",
            ),
            "initdb",
        )

    def start(self) -> None:
        """Start on a free port; retry on another port if one was taken in the meantime."""
        error = None
        for _attempt in range(START_ATTEMPTS):
            port = _free_port()
            options = (
                f"-p {port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off"
            )
            command = _as_postgres(
                PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "-t", "60", "start"
            )
            result = subprocess.run(command, capture_output=True, text=True, timeout=120)
            if result.returncode == 0:
                self.port = port
                return
            error = f"{result.stdout}\n{result.stderr}\n{self.log_tail()}"
        raise RuntimeError(f"PostgreSQL did not start in {self.root}:\n{error}")

    def stop(self) -> None:
        """Stop at once (the data is thrown away anyway), if a server runs here."""
        if not (self.data / "postmaster.pid").exists():
            return
        subprocess.run(
            _as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop"),
            capture_output=True,
            timeout=60,
        )

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture(scope="session", name="pg_url")
def pg_url_fixture():
    """URL of an empty database on a PostgreSQL 15 cluster started for this test session (or worker)."""
    missing = [tool for tool in ("initdb", "pg_ctl", "postgres") if not (PG_BIN / tool).exists()]
    if missing:
        pytest.fail(
            f"PostgreSQL 15 server binaries are missing from {PG_BIN} ({', '.join(missing)}): "
            "install them with `apt-get install -y postgresql-15` (`make system-deps` does), "
            "or point SUQIU_PG_BIN at another bin directory.",
            pytrace=False,
        )
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.fail("running as root needs `runuser` to start PostgreSQL as the postgres user", pytrace=False)
    # Not pytest's tmp_path: its parents are private to root, and the server runs as ``postgres``.
    root = Path(tempfile.mkdtemp(prefix="suqiu-pg-"))
    cluster = PostgresCluster(root)
    try:
        cluster.init()
        cluster.start()
        yield create_database(cluster.url, "suqiu_test")
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def app_on(url: str, **overrides):
    """The app on the PostgreSQL database at ``url``, with the test settings."""
    from app import create_app
    from tests.conftest import make_config

    return create_app(make_config(None, SQLALCHEMY_DATABASE_URI=url, **overrides))


@pytest.fixture(scope="session", name="pg_template")
def pg_template_fixture(pg_url):
    """A database migrated through the real migrations with the test organisation, to copy from."""
    import flask_migrate

    from app.extensions import db
    from tests.support import factories

    url = create_database(pg_url)
    app = app_on(url)
    with app.app_context():
        flask_migrate.upgrade()
        factories.build_org()
        db.session.remove()
        db.engine.dispose()  # CREATE DATABASE ... TEMPLATE needs it without connections
    return make_url(url).database


@pytest.fixture(name="pg_app")
def pg_app_fixture(pg_url, pg_template, app_config):
    """The app on a fresh copy of the template database, with an app context pushed."""
    from app.extensions import db

    url = create_database(pg_url, template=pg_template)
    application = app_on(url, **app_config)
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()
    drop_database(url)
