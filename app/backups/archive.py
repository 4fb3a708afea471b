"""Make a backup (database and attachments, with a manifest), check one, restore one, and the nightly run.

A backup is written into ``.suqiu-<stamp>.partial`` and renamed to ``suqiu-<stamp>`` only once complete,
so a folder with the final name is always whole. The database is copied first, the attachments after:
a file is stored before its case is committed, so every attachment row in the copy has its file.
"""

import time
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from app.backups import database
from app.backups import files
from app.backups import manifest as manifests
from app.backups import retention
from app.backups.database import BackupError
from app.intake.storage import upload_folder
from app.timeutil import utcnow

STALE_PARTIAL_SECONDS = 24 * 3600


class RestoreRefused(BackupError):
    """A restore was refused before anything was changed."""


def backup_root() -> Path:
    """Where backups go: ``BACKUP_DIR``, by default ``instance/backups``."""
    return Path(current_app.config.get("BACKUP_DIR") or Path(current_app.instance_path) / "backups")


def enabled() -> bool:
    """Whether the nightly job backs up: ``BACKUP_ENABLED``; unset means on, except in tests."""
    setting = current_app.config.get("BACKUP_ENABLED")
    return (not current_app.testing) if setting is None else bool(setting)


def _free_name(root: Path, now: datetime) -> str:
    base = f"suqiu-{now.strftime(retention.STAMP)}"
    name, number = base, 1
    while (root / name).exists() or (root / f".{name}.partial").exists():
        number += 1
        name = f"{base}-{number}"
    return name


def make_backup(dest: Path | None = None, now: datetime | None = None) -> tuple[Path, dict]:
    """Write a complete backup under ``dest`` (default :func:`backup_root`); its folder and manifest."""
    now = now or utcnow()
    root = Path(dest) if dest else backup_root()
    root.mkdir(parents=True, exist_ok=True)
    name = _free_name(root, now)
    partial = root / f".{name}.partial"
    partial.mkdir()
    try:
        kind = database.kind()
        db_file = partial / database.FILES[kind]
        info = database.dump(db_file)
        (partial / "attachments").mkdir()
        entries = files.back_up(upload_folder(), partial / "attachments")
        manifest = {
            "format": manifests.FORMAT,
            "created_at": now.isoformat(),
            "database": {
                "kind": kind,
                "file": db_file.name,
                "size": db_file.stat().st_size,
                "sha256": manifests.file_digest(db_file),
                "alembic_revision": info["revision"],
                "tables": info["tables"],
            },
            "attachments": entries,
        }
        manifests.write(partial, manifest)
        partial.rename(root / name)
    except BaseException:
        files.remove_tree(partial)
        raise
    return root / name, manifest


def resolve(path: Path) -> Path:
    """``path`` as given, or a backup of that name under :func:`backup_root`."""
    path = Path(path)
    if not path.exists() and (backup_root() / path).exists():
        return backup_root() / path
    return path


def restore_backup(folder: Path, force: bool = False) -> dict:
    """Check the backup in ``folder``, restore it over the configured database and upload folder, and
    compare the result with the manifest; refuses (changing nothing) a damaged backup, another database
    kind, or, without ``force``, a database that holds data."""
    try:
        manifest = manifests.read(folder)
    except ValueError as error:
        raise RestoreRefused(str(error)) from None
    damaged = manifests.problems(folder, manifest)
    if damaged:
        raise RestoreRefused(
            "The backup does not match its manifest; nothing was changed:\n  " + "\n  ".join(damaged)
        )
    kind = manifest["database"]["kind"]
    if kind != database.kind():
        raise RestoreRefused(f"The backup holds a {kind} database; the configured one is {database.kind()}.")
    try:
        empty = database.is_empty()
    except SQLAlchemyError as error:
        raise RestoreRefused(
            f"The database cannot be reached ({error.__class__.__name__}): create it first."
        ) from None
    if not force and not empty:
        raise RestoreRefused(
            "The database is not empty and a restore replaces everything in it; nothing was changed. "
            "Stop the web and jobs processes, then run again with --yes to replace it."
        )
    database.restore(folder / manifest["database"]["file"])
    restored = files.restore(folder / "attachments", manifest["attachments"], upload_folder())
    expected = manifest["database"]["tables"]
    found = manifests.count_differences(expected, database.current_counts())
    found += files.mismatches(manifest["attachments"], upload_folder())
    return {
        "kind": kind,
        "revision": manifest["database"]["alembic_revision"],
        "tables": len(expected),
        "rows": sum(expected.values()),
        "files": restored,
        "problems": found,
    }


def prune(root: Path | None = None) -> list[Path]:
    """Delete the backups the retention settings no longer keep, and half-written ones over a day old."""
    root = root or backup_root()
    config = current_app.config
    doomed = retention.prune(
        root, config["BACKUP_KEEP_DAILY"], config["BACKUP_KEEP_WEEKLY"], config["BACKUP_KEEP_MONTHLY"]
    )
    for path in root.glob(".suqiu-*.partial") if root.is_dir() else ():
        if time.time() - path.stat().st_mtime > STALE_PARTIAL_SECONDS:
            doomed.append(path)
    for path in doomed:
        files.remove_tree(path)
    return doomed


def nightly(now: datetime) -> str:
    """The nightly job: a backup, then pruning; a one-line summary."""
    folder, manifest = make_backup(now=now)
    removed = prune(folder.parent)
    rows = sum(manifest["database"]["tables"].values())
    return f"{folder.name}: {rows} rows, {len(manifest['attachments'])} files; {len(removed)} old backups removed"
