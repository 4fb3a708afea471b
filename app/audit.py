"""The audit trail: one ``ConfigChange`` row per audited change, added in the change's own transaction.

:func:`record` is the only writer of audit rows (with :func:`count_use`, which counts a use into its hour's
row); :func:`snapshot` and :func:`changes` give the before and after images; :func:`describe` renders a
stored value in the reader's language (enum labels, yes/no, the related record's name), never a raw code.
"""

from datetime import date
from datetime import datetime
from decimal import Decimal
from enum import Enum

from flask_babel import gettext as _
from sqlalchemy import inspect
from sqlalchemy import select

from app.auth.login import Outcome
from app.auth.pii import mask
from app.extensions import db
from app.extensions import dialect_insert
from app.timeutil import utcnow
from models.audit import AuditAction
from models.audit import AuditEntity
from models.audit import ConfigChange
from models.types import Coded
from models.user import User

# entity -> the model its rows are about (by class name: no import of every domain's models here)
ENTITY_MODELS = {
    AuditEntity.CASE: "Case",
    AuditEntity.USER: "User",
    AuditEntity.API_KEY: "ApiKey",
    AuditEntity.VOLUNTEER: "Volunteer",
    AuditEntity.CLUE: "Clue",
    AuditEntity.REWARD: "RewardPayout",
    AuditEntity.REWARD_FUND: "RewardFund",
    AuditEntity.DEADLINE_POLICY: "DeadlinePolicy",
    AuditEntity.WORK_CALENDAR_DAY: "WorkCalendarDay",
    AuditEntity.AREA_COLOUR_RULE: "AreaColourRule",
    AuditEntity.SCORE_SCHEME: "ScoreScheme",
    AuditEntity.SCORE_PERIOD: "ScorePeriod",
    AuditEntity.SUPERVISION_RULE: "SupervisionRule",
    AuditEntity.FIELD_ORDER_CLASS: "FieldOrderClass",
    AuditEntity.DIRECT_ANSWER_SCOPE: "DirectAnswerScope",
    AuditEntity.REPLY_TEMPLATE: "ReplyTemplate",
}


def plain(value):
    """A value as JSON: codes, numbers, yes/no and dates as they are; a related record as its number or name."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Enum | str):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(getattr(value, "number", None) or value)


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


def changes(obj, fields) -> dict:
    """``{field: [old, new]}`` of the pending edit of ``fields`` (see :func:`plain`); unchanged fields left out."""
    state, found = inspect(obj), {}
    for key in fields:
        history = state.attrs[key].history
        if history.deleted or history.unchanged:
            old = (history.deleted or history.unchanged)[0]
        elif history.added and key in state.mapper.relationships:
            old = _unloaded_old(state.mapper.relationships[key], obj)
        else:
            old = None
        old, new = plain(old), plain(getattr(obj, key))
        if old != new:
            found[key] = [old, new]
    return found


def _unloaded_old(rel, obj):
    """The record a many-to-one link held before a change, when it was never loaded: by its unflushed key."""
    columns = list(rel.local_columns)
    if rel.uselist or len(columns) != 1:
        return None
    old_id = inspect(obj).attrs[columns[0].key].value  # still the stored key: the change is not flushed
    if old_id is None:
        return None
    with db.session.no_autoflush:  # a flush here would end the history of the fields still to be read
        return db.session.get(rel.mapper.class_, old_id)


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


def record_edit(entity: str, key, changed: dict, actor, *, at: datetime | None = None) -> ConfigChange | None:
    """Audit an edit given as ``{field: [old, new]}`` (all values kept: the trail is read by supervisors)."""
    if not changed:
        return None
    before = {name: pair[0] for name, pair in changed.items()}
    after = {name: pair[1] for name, pair in changed.items()}
    return record(entity, key, AuditAction.UPDATE, actor, before, after, at=at)


def count_use(entity: str, key, *, now: datetime | None = None) -> None:
    """Count one use of ``key`` into its hour's row: one atomic INSERT … ON CONFLICT DO UPDATE, so parallel
    uses never make a second row for the hour nor lose a count (at most 24 rows a day per key)."""
    now = now or utcnow()
    table = ConfigChange.__table__
    values = dict(entity=str(entity), entity_key=str(key)[:50], action=str(AuditAction.USE))
    statement = dialect_insert(table).values(**values, bucket=now.strftime("%Y-%m-%d %H"), hits=1, at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.bucket, table.c.entity, table.c.entity_key, table.c.action],
        set_={"hits": table.c.hits + 1},
    )
    db.session.execute(statement)


def sign_in(attempt, ip: str, *, now: datetime | None = None) -> None:
    """Audit a login attempt: a sign-in, a failure (for an unknown name without the name typed, which may be a
    password typed in the wrong box) and the lock-out it caused; throttled attempts leave no row."""
    user, after = attempt.user, {"ip": ip[:45]}
    key = user.username if user is not None else "-"
    if attempt.outcome is Outcome.OK:
        record(AuditEntity.SIGN_IN, key, AuditAction.SIGN_IN, user, None, after, at=now)
    elif attempt.outcome is Outcome.WRONG:
        record(AuditEntity.SIGN_IN, key, AuditAction.SIGN_IN_FAILED, None, None, after, at=now)
        if attempt.locked:
            until = {"locked_until": plain(user.locked_until)}
            record(AuditEntity.SIGN_IN, key, AuditAction.LOCK_OUT, None, None, after | until, at=now)


def history(entity: str, key) -> list:
    """The audit rows of one record, oldest first, each with its actor's display name (or None)."""
    return db.session.execute(
        select(ConfigChange, User.display_name)
        .outerjoin(User, User.id == ConfigChange.actor_id)
        .where(ConfigChange.entity == entity, ConfigChange.entity_key == str(key))
        .order_by(ConfigChange.at, ConfigChange.id)
    ).all()


def model_of(entity: str):
    """The model class an entity's rows are about, or None."""
    name = ENTITY_MODELS.get(entity)
    for mapper in db.Model.registry.mappers if name else ():
        if mapper.class_.__name__ == name:
            return mapper.class_
    return None


def describe(entity: str, field: str, value) -> str:
    """A stored value as the reader sees it: a code's label, yes or no, a related record's name, or the text."""
    if value is None or value == "":
        return _("(blank)")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    model = model_of(entity)
    mapper = inspect(model) if model is not None else None
    if mapper is not None and field in mapper.columns:
        column = mapper.columns[field]
        if isinstance(column.type, Coded):
            member = column.type.enum_cls._value2member_map_.get(value)
            return str(member.label) if member is not None else str(value)
        for rel in mapper.relationships:
            if column in rel.local_columns and not rel.uselist:
                related = db.session.get(rel.mapper.class_, value)
                return plain(related) if related is not None else f"#{value}"
    return str(value)
