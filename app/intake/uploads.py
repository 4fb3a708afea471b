"""Citizen uploads: the type read from the file's bytes, size limits, and storage outside ``static/``.

A file is checked whole in memory first (:func:`inspect`), written only once the case is about to be
committed (:func:`store`), and removed again if that commit fails (:func:`discard`): no orphan files,
no case without its files.
"""

import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import filetype
from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import FileStorage

from models.case import Attachment
from models.case import AttachmentKind

# Detected extension -> (kind, content type served back). The extension in the file name is ignored.
ALLOWED = {
    "jpg": (AttachmentKind.IMAGE, "image/jpeg"),
    "png": (AttachmentKind.IMAGE, "image/png"),
    "webp": (AttachmentKind.IMAGE, "image/webp"),
    "heic": (AttachmentKind.IMAGE, "image/heic"),
    "m4a": (AttachmentKind.AUDIO, "audio/mp4"),
    "mp4": (AttachmentKind.AUDIO, "audio/mp4"),  # Android recorders label M4A voice notes 'mp42' or 'isom'
    "mp3": (AttachmentKind.AUDIO, "audio/mpeg"),
    "amr": (AttachmentKind.AUDIO, "audio/amr"),
    "wav": (AttachmentKind.AUDIO, "audio/wav"),
}
ORIGINAL_NAME_MAX = 255


class UploadError(ValueError):
    """A file was refused; the message says why, for the citizen."""


@dataclass
class CheckedFile:
    """An accepted upload, still in memory."""

    original_name: str
    extension: str
    kind: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def upload_folder() -> Path:
    """Where attachments are kept (``UPLOAD_FOLDER``, by default ``instance/uploads``); created on demand."""
    folder = Path(current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _clean_name(name: str | None) -> str:
    name = os.path.basename((name or "").replace("\\", "/")).strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return name[-ORIGINAL_NAME_MAX:] or "file"


def inspect(name: str | None, data: bytes) -> CheckedFile:
    """Accept ``data`` if its bytes are an allowed image or voice note within the per-file limit."""
    limit = current_app.config["UPLOAD_MAX_FILE_BYTES"]
    label = _clean_name(name)
    if not data:
        raise UploadError(_("%(name)s is empty.", name=label))
    if len(data) > limit:
        raise UploadError(
            _("%(name)s is larger than %(mb)s MB.", name=label, mb=round(limit / 1024 / 1024, 1))
        )
    guess = filetype.guess(data[:8192])
    if guess is None or guess.extension not in ALLOWED:
        raise UploadError(
            _(
                "%(name)s is not a photo (JPEG, PNG, WebP, HEIC) or voice note (M4A, MP3, AMR, WAV).",
                name=label,
            )
        )
    kind, content_type = ALLOWED[guess.extension]
    return CheckedFile(label, guess.extension, str(kind), content_type, data)


def file_parts(field) -> list[tuple[str | None, bytes]]:
    """(name, bytes) of the real file parts of a multiple-file form field; anything else sent under its
    name is ignored."""
    return [(f.filename, f.read()) for f in field.data or [] if isinstance(f, FileStorage)]


def chose_files(field) -> bool:
    """Whether a multiple-file field came with chosen files (a browser does not keep them on a re-shown form)."""
    return any(isinstance(f, FileStorage) and f.filename for f in field.data or [])


def check_all(files: list[tuple[str | None, bytes]]) -> list[CheckedFile]:
    """Inspect every file and the per-case limits (count and total size); raise on the first problem."""
    config = current_app.config
    files = [(name, data) for name, data in files if name or data]
    if len(files) > config["UPLOAD_MAX_FILES"]:
        raise UploadError(_("Attach at most %(count)s files.", count=config["UPLOAD_MAX_FILES"]))
    checked = [inspect(name, data) for name, data in files]
    total = sum(f.size for f in checked)
    if total > config["UPLOAD_MAX_CASE_BYTES"]:
        mb = round(config["UPLOAD_MAX_CASE_BYTES"] / 1024 / 1024, 1)
        raise UploadError(_("The attachments together are larger than %(mb)s MB.", mb=mb))
    return checked


def store(checked: CheckedFile) -> str:
    """Write the file under a fresh random name (written whole, then renamed into place); return the name."""
    stored_name = f"{uuid.uuid4().hex}.{checked.extension}"
    folder = upload_folder()
    partial = folder / f".{stored_name}.part"
    try:
        with open(partial, "wb") as fh:
            fh.write(checked.data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, folder / stored_name)
    except BaseException:
        partial.unlink(missing_ok=True)  # e.g. disk full: leave no half-written file behind
        raise
    return stored_name


def store_attachments(files: list[CheckedFile], now, stored: list[str]) -> list[Attachment]:
    """Store each file and return its Attachment row; each stored name is appended to ``stored`` at once,
    so the caller can discard them all if anything later fails."""
    rows = []
    for checked in files:
        name = store(checked)
        stored.append(name)
        rows.append(
            Attachment(
                stored_name=name,
                original_name=checked.original_name,
                content_type=checked.content_type,
                kind=checked.kind,
                size=checked.size,
                sha256=checked.sha256,
                created_at=now,
            )
        )
    return rows


def path_of(stored_name: str) -> Path:
    """The file behind ``stored_name``; refuses names that are not ours."""
    if "/" in stored_name or "\\" in stored_name or stored_name.startswith("."):
        raise FileNotFoundError(stored_name)
    return upload_folder() / stored_name


def discard(stored_names: list[str]) -> None:
    """Remove files written for a case that was not saved."""
    for name in stored_names:
        try:
            path_of(name).unlink(missing_ok=True)
        except OSError:
            current_app.logger.exception("could not remove upload %s", name)
