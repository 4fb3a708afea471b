"""Photos staff attach as evidence to a step on a case: a leader's visit (接访/下访) or a 销案.

Files are checked before the step is taken (:func:`checked_photos`) and stored after it succeeded
(:func:`attach`), filed under the case and the visit or 包案 they document; the caller commits and, if
that fails, discards the stored names (:func:`app.intake.uploads.discard`).
"""

from datetime import datetime

from flask_babel import gettext as _

from app.intake import uploads
from models.case import AttachmentKind

PHOTO = AttachmentKind.IMAGE


def checked_photos(field) -> list[uploads.CheckedFile]:
    """The photos of a posted multiple-file field, checked; UploadError for anything not a photo."""
    checked = uploads.check_all(uploads.file_parts(field))
    if any(f.kind != PHOTO for f in checked):
        raise uploads.UploadError(_("Only photos may be attached here."))
    return checked


def attach(case, photos: list, now: datetime, stored: list[str], *, visit_id=None, package_id=None) -> list:
    """Store ``photos`` and file them under ``case`` and its visit or 包案 (flushed with the case)."""
    rows = uploads.store_attachments(photos, now, stored)
    for row in rows:
        row.visit_id, row.package_id = visit_id, package_id
        case.attachments.append(row)
    return rows
