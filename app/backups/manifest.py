"""The manifest of a backup (``manifest.json``): what it holds, with sizes and SHA-256 checksums."""

import hashlib
import json
from pathlib import Path

from sqlalchemy import inspect

MANIFEST = "manifest.json"
FORMAT = 1
CHUNK = 1024 * 1024


def file_digest(path: Path) -> str:
    """The SHA-256 of the file at ``path``, read in chunks."""
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def table_counts(connection) -> dict[str, int]:
    """Rows per table of the database behind ``connection`` (every table, ``alembic_version`` included)."""
    quote = connection.dialect.identifier_preparer.quote
    return {
        name: connection.exec_driver_sql(f"SELECT COUNT(*) FROM {quote(name)}").scalar_one()
        for name in sorted(inspect(connection).get_table_names())
    }


def alembic_revision(counts: dict[str, int], connection) -> str | None:
    """The migration the database is at, or None before the first one."""
    if "alembic_version" not in counts:
        return None
    return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def write(folder: Path, manifest: dict) -> None:
    """Write ``manifest`` into ``folder``."""
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


def read(folder: Path) -> dict:
    """The manifest of the backup in ``folder``; ValueError if there is none or it is not ours."""
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"{path} is missing or unreadable: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ValueError(f"{path} is not a Suqiu backup manifest (format {FORMAT})")
    return manifest


def problems(folder: Path, manifest: dict) -> list[str]:
    """Every way the files in ``folder`` differ from ``manifest`` (an empty list: the backup is intact)."""
    found = []
    database = manifest["database"]
    entries = [(database["file"], database["size"], database["sha256"])]
    entries += [(f"attachments/{f['path']}", f["size"], f["sha256"]) for f in manifest["attachments"]]
    for relative, size, sha256 in entries:
        path = folder / relative
        if not path.is_file():
            found.append(f"{relative}: missing")
        elif path.stat().st_size != size:
            found.append(f"{relative}: {path.stat().st_size} bytes, the manifest says {size}")
        elif file_digest(path) != sha256:
            found.append(f"{relative}: checksum differs from the manifest")
    return found


def count_differences(expected: dict[str, int], actual: dict[str, int]) -> list[str]:
    """Tables whose row count differs from ``expected`` (tables only in ``actual`` are not counted)."""
    return [
        f"{name}: {actual.get(name, 'missing')} rows, the backup had {rows}"
        for name, rows in sorted(expected.items())
        if actual.get(name) != rows
    ]
