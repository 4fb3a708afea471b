"""Reference tables read on every submission, cached per process and checked against one version number.

The ban list, sensitive words, API keys, the service catalogue and the deadline policies change a few
times a year but are read by every public submission and Open311 POST. Each process keeps them in memory
as plain read-only records. Any ORM flush that adds, changes or deletes a row of those tables bumps the
counter row ``refdata`` in the same transaction (see :func:`_bump_on_flush`); a reader fetches that one
number once per transaction (a primary-key read) and reloads everything when it differs from the number
its cache was built at. So a ban or a revoked key takes effect for the very next request in every process,
and a change rolled back leaves the counter, hence the caches, alone. Changes made with raw SQL outside
the ORM must call :func:`bump`.
"""

import threading
from dataclasses import dataclass
from types import MappingProxyType

from flask import current_app
from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import aliased

from app.extensions import db
from app.extensions import dialect_insert
from models.case import Counter
from models.deadline import DeadlinePolicy
from models.intake_control import ApiKey
from models.intake_control import BanEntry
from models.intake_control import SensitiveWord
from models.org import Category
from models.org import Mailbox

VERSION_NAME = "refdata"
TRACKED = (ApiKey, BanEntry, Category, DeadlinePolicy, Mailbox, SensitiveWord)
UNTRACKED_COLUMNS = {ApiKey: {"last_used_at"}}  # written once a minute by use, not by an edit
_SESSION_KEY = "refcache_version"
_EDITED_KEY = "refcache_edited"  # this transaction changed cached tables: its view is not cached for others
_COUNTERS = Counter.__table__
_VERSION_QUERY = select(_COUNTERS.c.value).where(_COUNTERS.c.name == VERSION_NAME)


@dataclass(frozen=True)
class KeyRecord:
    """An API key as the Open311 POST needs it."""

    id: int
    name: str
    system: str
    key_hash: str
    active: bool
    channel: str
    mailbox_id: int | None
    last_used_at: object


@dataclass(frozen=True)
class PolicyRecord:
    """A deadline policy with the fields matching and due-date maths read (see app.deadlines.policies)."""

    id: int
    name: str
    policy_set: str
    stage: str
    grade: str | None
    mailbox_id: int | None
    category_id: int | None
    request_type: str | None
    priority: int
    amount: int
    unit: str
    ladder: tuple
    max_extensions: int | None
    max_extension_amount: int | None
    starts_from: str | None = None  # the event the clock counts from (models.deadline.ClockAnchor)


@dataclass(frozen=True)
class Snapshot:
    """Everything cached, as of ``version``."""

    version: int
    bans: frozenset  # {(kind, value)}
    sensitive: tuple  # active words
    keys: MappingProxyType  # prefix -> tuple[KeyRecord]
    services: MappingProxyType  # code -> category id (active level-2 categories of an active group)
    parents: MappingProxyType  # category id -> parent id
    policies: MappingProxyType  # stage -> tuple[PolicyRecord] (active ones)


_lock = threading.Lock()


def current_version() -> int:
    """The version number as this transaction sees it (read once per transaction)."""
    session = db.session()
    version = session.info.get(_SESSION_KEY)
    if version is None:
        version = session.connection().execute(_VERSION_QUERY).scalar() or 0
        session.info[_SESSION_KEY] = version
    return version


def snapshot() -> Snapshot:
    """The cached reference data, reloaded first when another process or transaction changed it."""
    version = current_version()
    if db.session().info.get(_EDITED_KEY):
        return _load(version)  # uncommitted edits may yet be rolled back
    holder = current_app.extensions.setdefault("refcache", {})  # one cache per app (and database)
    cached = holder.get("snapshot")
    if cached is not None and cached.version == version:
        return cached
    with _lock:
        cached = holder.get("snapshot")
        if cached is None or cached.version != version:
            cached = holder["snapshot"] = _load(version)
        return cached


def _load(version: int) -> Snapshot:
    session = db.session
    bans = frozenset(
        (str(kind), value)
        for kind, value in session.execute(
            select(BanEntry.kind, BanEntry.value).where(BanEntry.active.is_(True))
        )
    )
    words = tuple(
        w for w in session.scalars(select(SensitiveWord.word).where(SensitiveWord.active.is_(True))) if w
    )
    keys: dict[str, list[KeyRecord]] = {}
    for key in session.scalars(select(ApiKey)):
        record = KeyRecord(
            key.id, key.name, key.system, key.key_hash, bool(key.active), str(key.channel),
            key.mailbox_id, key.last_used_at,
        )  # fmt: skip
        keys.setdefault(key.prefix, []).append(record)
    group = aliased(Category)
    services = dict(
        session.execute(
            select(Category.code, Category.id)
            .join(group, Category.parent_id == group.id)
            .where(Category.active.is_(True), group.active.is_(True))
        ).all()
    )
    parents = dict(session.execute(select(Category.id, Category.parent_id)).all())
    policies: dict[str, list[PolicyRecord]] = {}
    for p in session.scalars(select(DeadlinePolicy).where(DeadlinePolicy.active.is_(True))):
        record = PolicyRecord(
            p.id, p.name, p.policy_set, str(p.stage), p.grade and str(p.grade), p.mailbox_id,
            p.category_id, p.request_type and str(p.request_type), p.priority or 0, p.amount,
            str(p.unit), tuple(p.ladder or ()), p.max_extensions, p.max_extension_amount,
            p.starts_from and str(p.starts_from),
        )  # fmt: skip
        policies.setdefault(record.stage, []).append(record)
    return Snapshot(
        version=version,
        bans=bans,
        sensitive=words,
        keys=MappingProxyType({prefix: tuple(rows) for prefix, rows in keys.items()}),
        services=MappingProxyType(services),
        parents=MappingProxyType(parents),
        policies=MappingProxyType({stage: tuple(rows) for stage, rows in policies.items()}),
    )


def bump(session: Session | None = None) -> None:
    """Mark the cached tables changed, in the caller's transaction (for changes made without the ORM)."""
    session = session or db.session()
    statement = dialect_insert(_COUNTERS).values(name=VERSION_NAME, value=1)
    statement = statement.on_conflict_do_update(
        index_elements=[_COUNTERS.c.name], set_={"value": _COUNTERS.c.value + 1}
    )
    session.connection().execute(statement)
    session.info.pop(_SESSION_KEY, None)
    session.info[_EDITED_KEY] = True


def _edits_tracked_rows(session: Session) -> bool:
    for obj in session.new | session.deleted:
        if isinstance(obj, TRACKED):
            return True
    for obj in session.dirty:
        if not isinstance(obj, TRACKED):
            continue
        ignored = UNTRACKED_COLUMNS.get(type(obj), set())
        state = sa_inspect(obj)
        for attr in state.mapper.column_attrs:
            if attr.key not in ignored and state.attrs[attr.key].history.has_changes():
                return True
    return False


def install() -> None:
    """Register the session hooks that keep the version current (``create_app`` calls this in every process)."""
    if not event.contains(Session, "before_flush", _bump_on_flush):
        event.listen(Session, "before_flush", _bump_on_flush)
        event.listen(Session, "after_transaction_end", _forget_version)


def _bump_on_flush(session, flush_context, instances) -> None:
    """Bump the version in the transaction that writes a cached table."""
    if _edits_tracked_rows(session):
        bump(session)


def _forget_version(session, transaction) -> None:
    """A new transaction reads the version afresh."""
    if transaction.parent is None:
        session.info.pop(_SESSION_KEY, None)
        session.info.pop(_EDITED_KEY, None)
