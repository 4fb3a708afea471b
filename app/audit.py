"""The audit trail: one ``ConfigChange`` row per audited change, added in the change's own transaction.

:func:`record` is the only writer of audit rows; :func:`snapshot` gives the before and after images.
"""

from datetime import datetime

from sqlalchemy import inspect
from sqlalchemy import select

from app.auth.pii import mask
from app.extensions import db
from app.timeutil import utcnow
from models.audit import AuditAction
from models.audit import ConfigChange
from models.user import User


def snapshot(obj, fields, *, old: bool = False, masked=()) -> dict:
    """The audited ``fields`` of ``obj`` as JSON values; ``old`` reads the values loaded before the pending
    change; ``masked`` fields are kept masked (the trail must not spread personal numbers)."""
    state, values = inspect(obj), {}
    for key in fields:
        history = state.attrs[key].history
        value = history.deleted[0] if old and history.deleted else getattr(obj, key)
        value = value if value is None or isinstance(value, int) else str(value)
        values[key] = mask(value) if key in masked and value else value
    return values


def record(
    entity: str,
    key,
    action: str,
    actor,
    before: dict | None,
    after: dict | None,
    *,
    at: datetime | None = None,
) -> ConfigChange:
    """Add the audit row of one change (the caller's commit writes it with the change)."""
    row = ConfigChange(entity=entity, entity_key=str(key)[:50], action=action, before=before, after=after)
    row.actor_id = getattr(actor, "id", None)
    row.at = at or utcnow()
    db.session.add(row)
    return row


def record_change(entity: str, row, fields, actor, created: bool, before: dict | None = None) -> None:
    """Audit a settings row's creation or edit of ``fields`` (the caller commits it with the change).

    ``before`` is the image taken before the edit was applied; without it, the values loaded before the
    pending change. An edit that changed none of ``fields`` leaves no row.
    """
    if not created and before is None:
        before = snapshot(row, fields, old=True)
    after = snapshot(row, fields)
    if row.id is None:
        db.session.flush()  # the audit row names the record by its id
    if created or before != after:
        action = AuditAction.CREATE if created else AuditAction.UPDATE
        record(entity, row.id, action, actor, None if created else before, after)


def history(entity: str, key) -> list:
    """The audit rows of one record, oldest first, each with its actor's display name (or None)."""
    return db.session.execute(
        select(ConfigChange, User.display_name)
        .outerjoin(User, User.id == ConfigChange.actor_id)
        .where(ConfigChange.entity == entity, ConfigChange.entity_key == str(key))
        .order_by(ConfigChange.at, ConfigChange.id)
    ).all()
