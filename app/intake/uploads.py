"""Citizen uploads: the type read from the file's bytes, size limits, and storage outside ``static/``.

Sizes are checked before a file is read (:func:`file_parts`): a file over the limit is a message on the
form, with the rest of the form kept; the request body limit (MAX_CONTENT_LENGTH) sits well above these.

A file is checked whole in memory first (:func:`inspect`), written only once the case is about to be
committed (:func:`store`), and removed again if that commit fails (:func:`discard`): no orphan files,
no case without its files. The name kept for display and download always ends in an extension of the
detected type (:func:`download_name`): a JPEG sent as ``poly.html`` is kept as ``poly.jpg``, so saving it
never makes an HTML page.
"""

import hashlib
import os
import re
import uuid
from dataclasses import dataclass

import filetype
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import FileStorage

from app.intake import storage
from app.intake.storage import path_of  # noqa: F401  (re-exported: the local file, for tests)
from app.intake.storage import upload_folder  # noqa: F401  (re-exported: the local folder)
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
# Documents a member of staff may file with a contact record or a reply (never from the public forms).
DOCUMENTS = {
    "pdf": (AttachmentKind.DOCUMENT, "application/pdf"),
    "docx": (
        AttachmentKind.DOCUMENT,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (AttachmentKind.DOCUMENT, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
# Content type served back -> the file name extensions that match it; the first is given to names without one.
EXTENSIONS = {
    "image/jpeg": ("jpg", "jpeg", "jpe", "jfif"),
    "image/png": ("png",),
    "image/webp": ("webp",),
    "image/heic": ("heic", "heif"),
    "audio/mp4": ("m4a", "mp4"),
    "audio/mpeg": ("mp3",),
    "audio/amr": ("amr",),
    "audio/wav": ("wav",),
    "application/pdf": ("pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
}
UNKNOWN_TYPE_EXTENSION = "bin"
ORIGINAL_NAME_MAX = 255
# What after the last dot is an extension (replaced), not part of the name ("巡查 2024.05.01" keeps its ".01")
_EXTENSION = re.compile(r"(?=[0-9]*[A-Za-z])[A-Za-z0-9]{1,10}")


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


def _clean_name(name: str | None) -> str:
    name = os.path.basename((name or "").replace("\\", "/")).strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return name[-ORIGINAL_NAME_MAX:] or "file"


def download_name(original_name: str, content_type: str) -> str:
    """``original_name`` with an extension that matches ``content_type``: kept if it has one, else its
    extension replaced (``poly.html`` as a JPEG is ``poly.jpg``) or one added (``照片`` is ``照片.jpg``)."""
    extensions = EXTENSIONS.get(content_type, (UNKNOWN_TYPE_EXTENSION,))
    stem, _dot, suffix = original_name.rpartition(".")
    if stem and _EXTENSION.fullmatch(suffix):
        if suffix.lower() in extensions:
            return original_name
        original_name = stem
    return f"{original_name[: ORIGINAL_NAME_MAX - len(extensions[0]) - 1]}.{extensions[0]}"


def inspect(name: str | None, data: bytes, documents: bool = False) -> CheckedFile:
    """Accept ``data`` if its bytes are an allowed image or voice note (or, with ``documents``, a PDF, Word
    or Excel file) within the per-file limit; the name kept is the cleaned one with the extension of the
    detected type."""
    label = _clean_name(name)
    if not data:
        raise UploadError(_("%(name)s is empty.", name=label))
    _refuse_size(label, len(data))
    allowed = {**ALLOWED, **DOCUMENTS} if documents else ALLOWED
    guess = filetype.guess(data[:8192])
    if guess is None or guess.extension not in allowed:
        if documents:
            message = _(
                "%(name)s is not a photo, a voice note or a PDF, Word (docx) or Excel (xlsx) file.",
                name=label,
            )
        else:
            message = _(
                "%(name)s is not a photo (JPEG, PNG, WebP, HEIC) or voice note (M4A, MP3, AMR, WAV).",
                name=label,
            )
        raise UploadError(message)
    kind, content_type = allowed[guess.extension]
    return CheckedFile(download_name(label, content_type), guess.extension, str(kind), content_type, data)


def _megabytes(size: int) -> float:
    return round(size / 1024 / 1024, 1)


def _refuse_size(label: str, size: int) -> None:
    limit = current_app.config["UPLOAD_MAX_FILE_BYTES"]
    if size > limit:
        raise UploadError(_("%(name)s is larger than %(mb)s MB.", name=label, mb=_megabytes(limit)))


def _size(part: FileStorage) -> int:
    """The size of an uploaded part as received (the parser keeps it in memory or in a temporary file)."""
    stream = part.stream
    try:
        start = stream.tell()
        size = stream.seek(0, os.SEEK_END)
        stream.seek(start)
    except (AttributeError, OSError, ValueError):  # a stream that cannot seek: its bytes are checked later
        return 0
    return size - start


def file_parts(field) -> list[tuple[str | None, bytes]]:
    """(name, bytes) of the real file parts of a multiple-file form field; anything else sent under its
    name is ignored. The count and the sizes are checked before a file is read into memory (UploadError),
    so a file far over the limit costs no more than its temporary copy."""
    parts = [(f, _size(f)) for f in field.data or [] if isinstance(f, FileStorage)]
    chosen = [(f, size) for f, size in parts if f.filename or size]
    config = current_app.config
    if len(chosen) > config["UPLOAD_MAX_FILES"]:
        raise UploadError(_("Attach at most %(count)s files.", count=config["UPLOAD_MAX_FILES"]))
    for part, size in chosen:
        _refuse_size(_clean_name(part.filename), size)
    if sum(size for _part, size in chosen) > config["UPLOAD_MAX_CASE_BYTES"]:
        mb = _megabytes(config["UPLOAD_MAX_CASE_BYTES"])
        raise UploadError(_("The attachments together are larger than %(mb)s MB.", mb=mb))
    return [(f.filename, f.read()) for f, _known in parts]


def chose_files(field) -> bool:
    """Whether a multiple-file field came with chosen files (a browser does not keep them on a re-shown form)."""
    return any(isinstance(f, FileStorage) and f.filename for f in field.data or [])


def check_all(files: list[tuple[str | None, bytes]], documents: bool = False) -> list[CheckedFile]:
    """Inspect every file (``documents``: staff files may also be PDF, Word or Excel) and the per-case limits
    (count and total size); raise on the first problem."""
    config = current_app.config
    files = [(name, data) for name, data in files if name or data]
    if len(files) > config["UPLOAD_MAX_FILES"]:
        raise UploadError(_("Attach at most %(count)s files.", count=config["UPLOAD_MAX_FILES"]))
    checked = [inspect(name, data, documents) for name, data in files]
    total = sum(f.size for f in checked)
    if total > config["UPLOAD_MAX_CASE_BYTES"]:
        mb = _megabytes(config["UPLOAD_MAX_CASE_BYTES"])
        raise UploadError(_("The attachments together are larger than %(mb)s MB.", mb=mb))
    return checked


def store(checked: CheckedFile) -> str:
    """Store the file under a fresh random name (through :func:`app.intake.storage.current`); return it."""
    stored_name = f"{uuid.uuid4().hex}.{checked.extension}"
    storage.current().save(stored_name, [checked.data])
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


def discard(stored_names: list[str]) -> None:
    """Remove files written for a case that was not saved."""
    for name in stored_names:
        try:
            storage.current().delete(name)
        except (OSError, SQLAlchemyError):
            current_app.logger.exception("could not remove upload %s", name)
