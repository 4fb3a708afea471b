"""Restore drill helpers: real cases with events, deadlines and attachments, and what to compare."""

import hashlib
import os
from pathlib import Path

from sqlalchemy import inspect

from app.deadlines.policies import seed_default_policies
from app.extensions import db
from app.intake import uploads
from models.enums import Status
from tests.support import factories
from tests.support.deadlines import seed_calendar_2026

FILES = {
    "现场照片.png": factories.png_bytes(64, 48),
    "门口.jpg": factories.jpeg_bytes(),
    "录音.wav": factories.wav_bytes(4000),
    "补充.mp3": factories.mp3_bytes(),
}


def build_data() -> None:
    """Cases in several states (with their events and deadlines), each with real attachment files."""
    seed_calendar_2026()
    seed_default_policies()
    cases = [
        factories.make_case(Status.NEW, title="楼道堆放杂物"),
        factories.make_case(Status.DISPATCHED, title="夜间施工噪音扰民"),
        factories.make_case(Status.CLOSED, title="路灯不亮"),
    ]
    names = list(FILES)
    for number, case in enumerate(cases):
        chosen = names[number : number + 2]
        checked = [uploads.inspect(name, FILES[name]) for name in chosen]
        case.attachments.extend(uploads.store_attachments(checked, case.received_at, []))
    db.session.commit()


def table_counts() -> dict[str, int]:
    """Rows per table, counted here independently of the backup code."""
    with db.engine.connect() as connection:
        names = inspect(connection).get_table_names()
        return {
            name: connection.exec_driver_sql(f'SELECT COUNT(*) FROM "{name}"').scalar_one() for name in names
        }


def file_checksums(folder: Path | None = None) -> dict[str, str]:
    """SHA-256 of every file in the upload folder, by name."""
    folder = folder or uploads.upload_folder()
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


def attachment_rows() -> dict[str, str]:
    """stored_name -> sha256 recorded in the attachment table."""
    return dict(db.session.execute(db.text("SELECT stored_name, sha256 FROM attachment")).all())


def forget_connections() -> None:
    """Close every connection of the app, as a stopped server would."""
    db.session.remove()
    db.engine.dispose()


def delete_sqlite(path: Path) -> None:
    """Delete a SQLite database with its WAL and shared-memory files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        candidate = Path(f"{path}{suffix}")
        if candidate.exists():
            os.remove(candidate)
