"""The nightly backup job, its switch, and how PostgreSQL's client programs are found and called."""

import os
from pathlib import Path

import pytest

from app import create_app
from app.backups import database
from app.backups.database import BackupError
from app.extensions import db
from jobs.runner import DAILY
from jobs.runner import run_job
from models.jobstate import JobRun
from tests.backups.support import build_data
from tests.conftest import make_config


@pytest.fixture
def app_config(tmp_path):
    return {"BACKUP_DIR": str(tmp_path / "backups")}


def test_the_nightly_job_is_off_in_tests_unless_switched_on(app):
    assert "backup" in DAILY
    assert run_job("backup") == "disabled (BACKUP_ENABLED)"
    assert not Path(app.config["BACKUP_DIR"]).exists()
    assert (
        create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"}).config["BACKUP_ENABLED"]
        is None
    )


def test_the_nightly_job_backs_up_and_prunes_by_retention(app):
    app.config.update(BACKUP_ENABLED=True, BACKUP_KEEP_DAILY=2, BACKUP_KEEP_WEEKLY=0, BACKUP_KEEP_MONTHLY=0)
    build_data()
    root = Path(app.config["BACKUP_DIR"])
    for name in ("suqiu-20260101T191500Z", "suqiu-20260102T191500Z", ".suqiu-20260103T191500Z.partial"):
        (root / name).mkdir(parents=True)
    os.utime(root / ".suqiu-20260103T191500Z.partial", (0, 0))  # a crashed run, long ago

    result = run_job("backup")

    left = sorted(path.name for path in root.iterdir())
    assert len(left) == 2 and left[0] == "suqiu-20260102T191500Z", left
    assert (root / left[1] / "manifest.json").is_file()
    assert "6 files; 2 old backups removed" in result
    assert db.session.get(JobRun, "backup").error is None


def test_a_missing_pg_dump_is_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setattr(database.shutil, "which", lambda name: None)
    monkeypatch.setattr(database, "PG_FALLBACK_BIN", tmp_path)
    with pytest.raises(BackupError, match="pg_dump was found neither on PATH nor in .*postgresql-client-15"):
        database.find_tool("pg_dump")


def test_the_password_travels_in_the_environment_never_on_the_command_line(monkeypatch, tmp_path):
    url = "postgresql://suqiu:s3cr%40t@db.example:5433/suqiu_city?sslmode=require"
    app = create_app(make_config(None, SQLALCHEMY_DATABASE_URI=url))
    calls = []

    class Done:
        returncode = 0

    monkeypatch.setattr(
        database.subprocess, "run", lambda command, **kw: calls.append((command, kw)) or Done()
    )
    with app.app_context():
        database.restore(tmp_path / "database.dump")
    command, options = calls[0]
    assert Path(command[0]).name == "pg_restore"
    assert not any("s3cr" in part for part in command)
    assert options["env"]["PGPASSWORD"] == "s3cr@t" and options["env"]["PGSSLMODE"] == "require"
    assert command[1:] == [
        "--clean", "--if-exists", "--single-transaction", "--no-owner", "--host", "db.example",
        "--port", "5433", "--username", "suqiu", "--dbname", "suqiu_city", "--no-password",
        str(tmp_path / "database.dump"),
    ]  # fmt: skip
