"""The office's own name, as it heads printed documents and signs text messages."""

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from models.enums import DepartmentKind
from models.org import Department

FALLBACK = "区群众诉求服务中心"


def office_name() -> str:
    """``OFFICE_NAME`` when set, else the name of the top district department, else a generic name."""
    configured = (current_app.config.get("OFFICE_NAME") or "").strip()
    if configured:
        return configured
    top = db.session.scalar(
        select(Department.name)
        .where(Department.parent_id.is_(None), Department.kind == DepartmentKind.DISTRICT)
        .order_by(Department.id)
        .limit(1)
    )
    return top or FALLBACK
