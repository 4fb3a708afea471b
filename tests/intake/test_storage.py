"""Attachment storage (app.intake.storage): the local folder and the database, and moving files between them.

A tiny chunk size makes every test file span several ``attachment_chunk`` rows.
"""

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.engine import make_url

from app.extensions import db
from app.intake import storage
from app.intake import uploads
from models.attachment_store import AttachmentChunk
from models.case import Attachment
from tests.backups.support import attachment_rows
from tests.backups.support import build_data
from tests.backups.support import delete_sqlite
from tests.backups.support import forget_connections
from tests.support.factories import amr_bytes
from tests.support.factories import dispatched_letter
from tests.support.factories import make_mailbox
from tests.support.factories import png_bytes

CHUNK = 16


@pytest.fixture
def app_config(tmp_path):
    return {
        "UPLOAD_FOLDER": str(tmp_path / "uploads"),
        "ATTACHMENT_CHUNK_BYTES": CHUNK,
        "BACKUP_DIR": str(tmp_path / "backups"),
    }


def folder_files(app) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def chunk_names() -> set[str]:
    return set(db.session.scalars(select(AttachmentChunk.stored_name).distinct()))


def make_case(photo=None):
    """A letter with two photos and a voice note, dispatched to 甲街道 (SA)."""
    files = [
        ("照片1.png", photo or png_bytes(40, 30)),
        ("照片2.png", png_bytes(3, 3)),
        ("语音.amr", amr_bytes()),
    ]
    return dispatched_letter(
        make_mailbox("qzxx", real_name_required=False),
        files,
        "路灯不亮",
        "小区门口路灯连续三晚不亮，照片见附件。",
    )


def migrate(app, *args):
    return app.test_cli_runner().invoke(args=["storage", "migrate", *args])


def stored_digest(backend, name):
    return hashlib.sha256(b"".join(storage.read_chunks(backend.open(name), 7))).hexdigest()


@pytest.mark.parametrize("kind", storage.KINDS)
def test_round_trip_in_chunks(app, kind):
    backend = storage.backend(kind)
    data = bytes(range(256)) * 3 + b"tail"  # 772 bytes: 49 chunks of 16
    backend.save("abc.png", [data[:100], data[100:101], data[101:]])
    db.session.commit()
    assert backend.exists("abc.png") and not backend.exists("other.png")
    with backend.open("abc.png") as stream:
        assert stream.read(5) == data[:5]
        assert stream.read() == data[5:]
    if kind == "database":
        lengths = db.session.scalars(
            select(func.length(AttachmentChunk.data)).order_by(AttachmentChunk.seq)
        ).all()
        assert lengths == [CHUNK] * 48 + [4]
        assert folder_files(app) == set()
    else:
        assert folder_files(app) == {"abc.png"}
    backend.save("abc.png", [b"shorter"])  # a second save replaces the first whole
    assert b"".join(storage.read_chunks(backend.open("abc.png"))) == b"shorter"
    backend.delete("abc.png")
    db.session.commit()
    assert not backend.exists("abc.png")
    with pytest.raises(FileNotFoundError):
        backend.open("abc.png")
    with pytest.raises(FileNotFoundError):
        backend.open("../abc.png")


def test_database_backend_serves_the_case_files_scoped(app, client, login_as):
    app.config["ATTACHMENT_STORAGE"] = "database"
    photo = png_bytes(40, 30)
    case = make_case(photo)
    assert folder_files(app) == set()
    names = {a.stored_name for a in case.attachments}
    assert chunk_names() == names
    first = next(a for a in case.attachments if a.original_name == "照片1.png")
    assert db.session.scalar(
        select(func.count()).where(AttachmentChunk.stored_name == first.stored_name)
    ) == -(-len(photo) // CHUNK)

    login_as("handler", "SA")
    assert client.get(f"/admin/case/details/?id={case.id}").status_code == 200
    response = client.get(f"/admin/case/attachment/{first.id}")
    assert response.status_code == 200 and response.data == photo
    assert response.mimetype == "image/png" and response.content_length == len(photo)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "no-store" in response.headers["Cache-Control"]
    download = client.get(f"/admin/case/attachment/{first.id}?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment") and download.data == photo

    login_as("handler", "SB")
    assert client.get(f"/admin/case/attachment/{first.id}").status_code == 404


@pytest.mark.parametrize("kind", ["local", "database"])
def test_a_byte_range_is_served_from_either_backend(app, client, login_as, kind):
    """Audio players seek with Range requests: 206 with the asked bytes, across chunk borders too."""
    app.config["ATTACHMENT_STORAGE"] = kind
    photo = png_bytes(40, 30)
    first = next(a for a in make_case(photo).attachments if a.original_name == "照片1.png")
    login_as("handler", "SA")
    part = client.get(f"/admin/case/attachment/{first.id}", headers={"Range": "bytes=10-49"})
    assert part.status_code == 206 and part.data == photo[10:50]
    assert part.headers["Content-Range"] == f"bytes 10-49/{len(photo)}"
    assert part.headers["Accept-Ranges"] == "bytes" and "sandbox" in part.headers["Content-Security-Policy"]
    whole = client.get(f"/admin/case/attachment/{first.id}")
    assert whole.status_code == 200 and whole.data == photo


def test_failed_submission_leaves_no_chunks(app):
    app.config["ATTACHMENT_STORAGE"] = "database"
    stored = []
    uploads.store_attachments(uploads.check_all([("a.png", png_bytes())]), None, stored)
    assert chunk_names() == set(stored)
    db.session.rollback()
    uploads.discard(stored)
    db.session.commit()
    assert chunk_names() == set()


def test_migrate_to_the_database_and_back_with_checksums(app, client, login_as):
    case = make_case()
    rows = {a.stored_name: a.sha256 for a in case.attachments}
    assert folder_files(app) == set(rows)

    result = migrate(app, "--to", "database")
    assert result.exit_code == 0, result.output
    assert "moved 3, skipped 0, corrupt 0, missing 0, failed 0, left 0" in result.output
    assert folder_files(app) == set()
    database = storage.backend("database")
    assert {name: stored_digest(database, name) for name in rows} == rows

    app.config["ATTACHMENT_STORAGE"] = "database"
    login_as("clerk")
    photo = case.attachments[0]
    assert client.get(f"/admin/case/attachment/{photo.id}").status_code == 200

    result = migrate(app, "--to", "local")
    assert result.exit_code == 0, result.output
    assert "moved 3" in result.output
    assert chunk_names() == set()
    local = storage.backend("local")
    assert {name: stored_digest(local, name) for name in rows} == rows


def test_an_interrupted_migrate_carries_on(app):
    case = make_case()
    rows = {a.stored_name: a.sha256 for a in case.attachments}
    first = migrate(app, "--to", "database", "--batch", "1", "--keep")  # as if stopped before the delete
    assert "moved 1, skipped 0, corrupt 0, missing 0, failed 0, left 2" in first.output
    assert folder_files(app) == set(rows) and len(chunk_names()) == 1

    second = migrate(app, "--to", "database", "--batch", "1")
    assert "moved 1, skipped 1, corrupt 0, missing 0, failed 0, left 1" in second.output
    assert len(folder_files(app)) == 1 and len(chunk_names()) == 2

    third = migrate(app, "--to", "database")
    assert "moved 1, skipped 2, corrupt 0, missing 0, failed 0, left 0" in third.output
    assert folder_files(app) == set() and chunk_names() == set(rows)
    assert migrate(app, "--to", "database").output.startswith("moved 0, skipped 3")


def test_a_damaged_chunk_is_caught_and_its_file_stays(app):
    case = make_case()
    migrate(app, "--to", "database")
    damaged = next(a for a in case.attachments if a.original_name == "照片1.png")
    db.session.execute(
        update(AttachmentChunk)
        .where(AttachmentChunk.stored_name == damaged.stored_name, AttachmentChunk.seq == 1)
        .values(data=b"x" * CHUNK)
    )
    db.session.commit()

    result = migrate(app, "--to", "local")
    assert result.exit_code == 1
    assert f"{damaged.stored_name}: corrupt" in result.output
    assert "moved 2, skipped 0, corrupt 1" in result.output
    assert folder_files(app) == {a.stored_name for a in case.attachments} - {damaged.stored_name}
    assert chunk_names() == {damaged.stored_name}  # the source is kept for someone to look at
    assert db.session.get(Attachment, damaged.id) is not None


def test_a_response_sent_after_its_request_reads_chunks_on_its_own(app, monkeypatch):
    backend = storage.backend("database")
    data = png_bytes(20, 20)
    backend.save("late.png", [data])
    db.session.commit()
    stream = backend.open("late.png")
    monkeypatch.setattr(storage, "has_app_context", lambda: False)  # as when the server sends the body
    assert b"".join(storage.read_chunks(stream, 5)) == data


def test_database_stored_files_travel_in_the_backup(app):
    app.config["ATTACHMENT_STORAGE"] = "database"
    build_data()
    rows = attachment_rows()
    assert len(rows) == 6 and chunk_names() == set(rows) and folder_files(app) == set()
    backup = app.test_cli_runner().invoke(args=["backup"])
    assert backup.exit_code == 0 and "attachments: 0 files" in backup.output  # they are in the dump

    forget_connections()
    delete_sqlite(Path(make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database))
    folder = next(Path(app.config["BACKUP_DIR"]).glob("suqiu-*"))
    restored = app.test_cli_runner().invoke(args=["restore", str(folder)])
    assert restored.exit_code == 0, restored.output

    database = storage.backend("database")
    assert {name: stored_digest(database, name) for name in attachment_rows()} == rows
