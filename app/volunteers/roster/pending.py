"""An uploaded roster between its preview and the confirm: kept on the server, never in the cookie.

Each upload's rows are a JSON file named by a random token, readable only by the user who uploaded it
and only for ``ROSTER_IMPORT_TTL_SECONDS`` (two hours by default); expired files are removed on the next
upload, and a confirmed import removes its own.
"""

import json
import os
import re
import secrets
import time
from pathlib import Path

from flask import current_app

from app.volunteers.roster.files import RosterSheet

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def pending_folder() -> Path:
    """``ROSTER_IMPORT_FOLDER``, by default ``instance/roster_imports``; created on demand."""
    configured = current_app.config.get("ROSTER_IMPORT_FOLDER")
    folder = Path(configured or Path(current_app.instance_path) / "roster_imports")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _ttl() -> int:
    return int(current_app.config["ROSTER_IMPORT_TTL_SECONDS"])


def _path(token: str) -> Path | None:
    return pending_folder() / f"{token}.json" if TOKEN_RE.fullmatch(token or "") else None


def _drop_expired(folder: Path, now: float) -> None:
    for old in folder.glob("*.json"):
        try:
            if now - old.stat().st_mtime > _ttl():
                old.unlink()
        except OSError:  # removed by another worker meanwhile
            pass


def save_pending(sheet: RosterSheet, user, filename: str) -> str:
    """Keep the rows of an upload for ``user`` and return the random token naming them."""
    folder, now = pending_folder(), time.time()
    _drop_expired(folder, now)
    token = secrets.token_urlsafe(24)
    payload = {
        "user_id": user.id,
        "created": now,
        "filename": filename,
        "records": sheet.records,
        "ignored": sheet.ignored_columns,
    }
    fd = os.open(_path(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(payload, out, ensure_ascii=False)
    return token


def load_pending(token: str, user) -> dict | None:
    """The rows kept under ``token``, if they belong to ``user`` and have not expired."""
    path = _path(token)
    if path is None or not path.is_file():
        return None
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if payload.get("user_id") != user.id or time.time() - payload.get("created", 0) > _ttl():
        return None
    return payload


def discard_pending(token: str) -> None:
    """Forget the rows kept under ``token``."""
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)
