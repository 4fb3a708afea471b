"""`make bench`: generate a big case table and time the case list pages against their own SQL.

Run ``python -m bench --help``. The modules: :mod:`bench.data` synthesises cases with their deadlines and
timeline events, :mod:`bench.generate` builds or grows a database through the real migrations,
:mod:`bench.case_list` times the list pages and their SQL floor, :mod:`bench.deadlines` the deadline sweep,
:mod:`bench.report` prints the tables and writes JSON. ``python -m bench.reports`` times the rollup rebuild,
the leaders' dashboard, the yearly rates and the 民情日报 on SQLite and PostgreSQL; ``python -m bench.open311``
the public API's throughput.
"""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_DIR = ROOT / "instance" / "bench"
RESULTS_DIR = ROOT / "bench" / "results"

PASSWORD = "bench-password-9"
CLERK = "bench_clerk"
LEADER = "bench_leader"


def handler_username(department_code: str) -> str:
    """The bench handler account of a department."""
    return f"bench_handler_{department_code}"


def database_url(size: int, db_dir: Path | str | None = None) -> str:
    """``DATABASE_URL`` when set (one database, grown or shrunk), else one SQLite file per size."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    directory = Path(db_dir or DEFAULT_DB_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{directory / f'cases-{size}.db'}"


def db_kind(url: str) -> str:
    """``sqlite`` or ``postgresql``."""
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def bench_config(url: str, **overrides) -> dict:
    """App settings for the bench: cheap password hashing, no CSRF, the given database."""
    config = {
        "SECRET_KEY": "bench-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_CHEAP": True,
        "SERVER_NAME": None,
    }
    config.update(overrides)
    return config
