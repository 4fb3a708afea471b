"""Restore drills: build real data, back up, destroy, restore, and compare every table and every file.

Runs on SQLite and on the test run's own PostgreSQL 15 cluster (tests.support.pg_server, which fails with
a clear message rather than skipping when the server binaries are missing). Also: a damaged backup and a
database that holds data are refused before anything changes.
"""

import json
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from app.backups import archive
from app.extensions import db
from app.intake import uploads
from tests.backups.support import attachment_rows
from tests.backups.support import build_data
from tests.backups.support import delete_sqlite
from tests.backups.support import file_checksums
from tests.backups.support import forget_connections
from tests.backups.support import table_counts
from tests.support import factories
from tests.support.pg_server import create_database
from tests.support.pg_server import drop_database
from tests.support.pg_server import pg_app_fixture  # noqa: F401  (fixture: the app on a fresh PostgreSQL copy)
from tests.support.pg_server import pg_template_fixture  # noqa: F401
from tests.support.pg_server import pg_url_fixture  # noqa: F401  (provides the pg_url fixture)


@pytest.fixture
def app_config(tmp_path):
    return {"BACKUP_DIR": str(tmp_path / "backups")}


def run(app, *args):
    """Run a flask command as an operator would; the result (exit code and output)."""
    return app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def the_backup(app) -> Path:
    folders = [path for path in Path(app.config["BACKUP_DIR"]).iterdir() if path.name.startswith("suqiu-")]
    assert len(folders) == 1, folders
    return folders[0]


def before_and_backup(app):
    """Build the data, take the figures to compare with, and back up through the command."""
    build_data()
    before = (table_counts(), file_checksums(), attachment_rows())
    assert before[0]["case_item"] == 3 and before[0]["case_event"] > 3
    assert before[0]["case_deadline"] > 0 and before[0]["attachment"] == 6
    assert len(before[1]) == 6
    result = run(app, "backup")
    assert result.exit_code == 0, result.output
    assert "attachments: 6 files" in result.output
    return before, the_backup(app)


def assert_restored(app, result, before):
    assert result.exit_code == 0, result.output
    assert "every attachment's checksum match" in result.output
    counts, checksums, rows = before
    assert table_counts() == counts
    assert file_checksums() == checksums
    assert attachment_rows() == rows  # each row's recorded checksum is its restored file's
    assert {name: checksums[name] for name in rows} == rows


def test_restore_drill_on_sqlite(app):
    before, folder = before_and_backup(app)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["database"]["kind"] == "sqlite"
    head = db.session.execute(db.text("SELECT version_num FROM alembic_version")).scalar_one()
    assert manifest["database"]["alembic_revision"] == head
    assert manifest["database"]["tables"] == before[0]
    assert {entry["path"]: entry["sha256"] for entry in manifest["attachments"]} == before[1]

    forget_connections()
    delete_sqlite(Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database))
    shutil.rmtree(uploads.upload_folder())
    result = run(app, "restore", folder.name)  # a name under BACKUP_DIR; an empty database needs no --yes

    assert_restored(app, result, before)
    factories.make_case(title="恢复后照常受理")  # the restored database takes new work
    assert table_counts()["case_item"] == 4


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
def test_restore_drill_on_postgres(pg_app):
    app = pg_app
    before, folder = before_and_backup(app)
    assert json.loads((folder / "manifest.json").read_text())["database"]["kind"] == "postgresql"

    url = app.config["SQLALCHEMY_DATABASE_URI"]
    forget_connections()
    drop_database(url)
    missing = app.test_cli_runner().invoke(args=["restore", str(folder)])
    assert missing.exit_code != 0 and "cannot be reached" in missing.output
    forget_connections()
    create_database(url, make_url(url).database)
    shutil.rmtree(uploads.upload_folder())
    assert table_counts() == {}
    result = run(app, "restore", str(folder))

    assert_restored(app, result, before)
    factories.make_case(title="恢复后照常受理")  # sequences came back with the data
    assert table_counts()["case_item"] == 4


def test_a_damaged_attachment_is_refused_before_anything_changes(app):
    before, folder = before_and_backup(app)
    factories.make_case(title="备份之后新来的诉求")
    now = (table_counts(), file_checksums())
    victim = next((folder / "attachments").iterdir())
    data = bytearray(victim.read_bytes())
    data[-1] ^= 0xFF
    victim.write_bytes(bytes(data))

    result = app.test_cli_runner().invoke(args=["restore", str(folder), "--yes"])

    assert result.exit_code != 0
    assert f"attachments/{victim.name}: checksum differs" in result.output
    assert "nothing was changed" in result.output
    assert (table_counts(), file_checksums()) == now


def test_a_database_with_data_is_not_replaced_without_yes(app):
    before, folder = before_and_backup(app)
    factories.make_case(title="备份之后新来的诉求")
    later = table_counts()

    refused = app.test_cli_runner().invoke(args=["restore", str(folder)])

    assert refused.exit_code != 0
    assert "The database is not empty" in refused.output and "--yes" in refused.output
    assert table_counts() == later
    assert_restored(app, run(app, "restore", str(folder), "--yes"), before)


def test_a_failed_backup_leaves_no_folder_that_looks_whole(app, monkeypatch):
    build_data()

    def broken(*args):
        raise OSError("disk full")

    monkeypatch.setattr(archive.files, "back_up", broken)
    with pytest.raises(OSError):
        archive.make_backup()
    assert list(Path(app.config["BACKUP_DIR"]).iterdir()) == []


def test_the_backup_is_taken_while_the_app_keeps_writing(app):
    """A write in progress neither blocks the backup nor leaks half into it; the app writes on afterwards."""
    build_data()
    forget_connections()
    path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE case_item SET title = '写到一半'")
    started = time.monotonic()
    try:
        folder, manifest = archive.make_backup()
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert time.monotonic() - started < 10
    copy = sqlite3.connect(folder / manifest["database"]["file"])
    titles = {row[0] for row in copy.execute("SELECT title FROM case_item")}
    copy.close()
    assert titles == {"楼道堆放杂物", "夜间施工噪音扰民", "路灯不亮"}
    assert not list(folder.parent.glob(".*partial"))
    factories.make_case(title="备份之后照常写入")
    assert table_counts()["case_item"] == 4
