"""The database's part of a backup: SQLite through the online backup API, PostgreSQL through pg_dump.

Both take one consistent snapshot while the app keeps writing, and count each table's rows in that same
snapshot: SQLite counts the copy, PostgreSQL counts in the transaction whose snapshot pg_dump is given.
"""

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from flask import current_app
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app.backups.manifest import alembic_revision
from app.backups.manifest import table_counts
from app.extensions import db

PG_FALLBACK_BIN = Path("/usr/lib/postgresql/15/bin")
FILES = {"sqlite": "database.sqlite3", "postgresql": "database.dump"}
TOOL_TIMEOUT = 6 * 3600


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why, for the operator."""


def kind() -> str:
    """``sqlite`` or ``postgresql``: the kind of the configured database."""
    name = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name()
    if name not in FILES:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def sqlite_path() -> Path:
    """The file of the configured SQLite database."""
    database = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"]).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def find_tool(name: str) -> str:
    """The path of a PostgreSQL client program: on PATH, else in Debian's PostgreSQL 15 folder."""
    found = shutil.which(name)
    if found:
        return found
    if (PG_FALLBACK_BIN / name).is_file():
        return str(PG_FALLBACK_BIN / name)
    raise BackupError(
        f"{name} was found neither on PATH nor in {PG_FALLBACK_BIN}: install the PostgreSQL 15 client "
        "(apt-get install postgresql-client-15) or put its bin folder on PATH"
    )


def libpq_options() -> tuple[list[str], dict]:
    """libpq options and environment for the configured database; the password travels in PGPASSWORD."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    options = []
    host = url.host or url.query.get("host")
    if host:
        options += ["--host", str(host)]
    if url.port:
        options += ["--port", str(url.port)]
    if url.username:
        options += ["--username", url.username]
    options += ["--dbname", url.database or "postgres", "--no-password"]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    if url.query.get("sslmode"):
        env["PGSSLMODE"] = str(url.query["sslmode"])
    return options, env


def _run(command: list[str], env: dict, what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=TOOL_TIMEOUT)
    if result.returncode != 0:
        raise BackupError(f"{what} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


def dump(target: Path) -> dict:
    """Write a consistent copy of the database to ``target``; its kind, migration and row counts."""
    if kind() == "sqlite":
        source = sqlite_path()
        if not source.is_file():
            raise BackupError(f"the database file {source} does not exist")
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)  # one step: a read snapshot, which in WAL mode never blocks the app's writers
            dst.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
        engine = create_engine(f"sqlite:///{target}", poolclass=NullPool)
        try:
            with engine.connect() as connection:
                counts = table_counts(connection)
                return {"kind": "sqlite", "tables": counts, "revision": alembic_revision(counts, connection)}
        finally:
            engine.dispose()
    pg_dump = find_tool("pg_dump")
    options, env = libpq_options()
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
        snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
        counts = table_counts(connection)
        revision = alembic_revision(counts, connection)
        command = [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={target}", *options]
        _run(command, env, "pg_dump")
    return {"kind": "postgresql", "tables": counts, "revision": revision}


def current_counts() -> dict[str, int]:
    """Rows per table of the configured database as it is now."""
    with db.engine.connect() as connection:
        return table_counts(connection)


def is_empty() -> bool:
    """True when the configured database holds no rows beyond its migration number (or does not exist)."""
    if kind() == "sqlite" and (not sqlite_path().is_file() or sqlite_path().stat().st_size == 0):
        return True
    counts = current_counts()
    return not any(rows for name, rows in counts.items() if name != "alembic_version")


def restore(source: Path) -> None:
    """Replace the configured database with the copy in ``source`` (the app's connections closed first)."""
    db.session.remove()
    db.engine.dispose()
    if kind() == "sqlite":
        target = sqlite_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            for suffix in ("-wal", "-shm", "-journal"):  # a stale log must not be replayed onto the copy
                target.with_name(target.name + suffix).unlink(missing_ok=True)
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
        return
    pg_restore = find_tool("pg_restore")
    options, env = libpq_options()
    command = [
        pg_restore,
        "--clean",
        "--if-exists",
        "--single-transaction",
        "--no-owner",
        *options,
        str(source),
    ]
    _run(command, env, "pg_restore")
