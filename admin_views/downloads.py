"""Files built by a page (report workbooks, Word issues, scorecards) sent as downloads, each one audited."""

from io import BytesIO

from flask import request
from flask import send_file

from admin_views.base import acting_user
from app import audit
from app.extensions import db
from models.audit import AuditAction
from models.audit import AuditEntity


def audited_download(data: bytes, mimetype: str, name: str, *, view: str, rows: int, filters=(), personal=()):
    """``data`` as an attachment named ``name``, after its export row (what, which filters, how many rows,
    which personal data) is committed to the audit trail; never cached."""
    after = {"view": str(view), "filters": [str(f) for f in filters], "rows": rows}
    after["personal"] = [str(p) for p in personal]
    entity_id = (request.endpoint or "download").split(".")[0]
    audit.record(AuditEntity.EXPORT, entity_id, AuditAction.EXPORT, acting_user(), None, after)
    db.session.commit()
    response = send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
