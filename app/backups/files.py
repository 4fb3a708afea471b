"""The attachments' bytes: copied into a backup and back, checksummed on the way.

Only the local backend's folder is copied here. With ``ATTACHMENT_STORAGE = "database"`` the files are rows
of ``attachment_chunk`` (app.intake.storage) and travel inside the database dump, whose row counts the
manifest checks; the folder then holds nothing (or files not yet moved by ``flask storage migrate``).
"""

import hashlib
import os
import shutil
from pathlib import Path

from app.backups.manifest import CHUNK
from app.backups.manifest import file_digest


def stored_files(folder: Path) -> list[Path]:
    """Every stored file under ``folder``, relative, sorted; half-written ``.name.part`` files are skipped."""
    if not folder.is_dir():
        return []
    return sorted(
        path.relative_to(folder)
        for path in folder.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def copy_checked(source: Path, target: Path) -> dict:
    """Copy ``source`` to ``target`` (written under a temporary name, then renamed); its size and SHA-256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    digest, size = hashlib.sha256(), 0
    try:
        with open(source, "rb") as src, open(partial, "wb") as dst:
            while chunk := src.read(CHUNK):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return {"size": size, "sha256": digest.hexdigest()}


def back_up(upload_folder: Path, target: Path) -> list[dict]:
    """Copy every attachment into ``target``; one manifest entry (path, size, SHA-256) per file."""
    entries = []
    for relative in stored_files(upload_folder):
        copied = copy_checked(upload_folder / relative, target / relative)
        entries.append({"path": relative.as_posix(), **copied})
    return entries


def restore(source: Path, entries: list[dict], upload_folder: Path) -> int:
    """Copy the backup's attachments into ``upload_folder`` (files not in the backup are left alone)."""
    for entry in entries:
        copy_checked(source / entry["path"], upload_folder / entry["path"])
    return len(entries)


def mismatches(entries: list[dict], upload_folder: Path) -> list[str]:
    """Attachments in ``upload_folder`` that are missing or differ from their manifest entry."""
    found = []
    for entry in entries:
        path = upload_folder / entry["path"]
        if not path.is_file():
            found.append(f"{entry['path']}: missing after the restore")
        elif file_digest(path) != entry["sha256"]:
            found.append(f"{entry['path']}: checksum differs after the restore")
    return found


def remove_tree(path: Path) -> None:
    """Delete a backup folder (or a half-written one)."""
    shutil.rmtree(path, ignore_errors=True)
