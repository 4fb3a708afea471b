"""Flask extensions, created once here and bound to the app in ``create_app()``."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy import inspect as sa_inspect

# Stable constraint names, so Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# No default limits: each public route states its own (see app.ratelimit); storage from RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def dialect_insert(entity):
    """An INSERT for the session's database that offers ``on_conflict_*`` (SQLite or PostgreSQL)."""
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.dialects import sqlite

    postgres = db.session.get_bind().dialect.name == "postgresql"
    return (postgresql.insert if postgres else sqlite.insert)(entity)


def insert_unless_exists(entity, **values) -> bool:
    """Insert a row unless its key or a unique constraint is taken; True when this call inserted it.

    RETURNING, not ``rowcount``: PostgreSQL reports -1 for an INSERT carrying an implicit RETURNING.
    """
    key = sa_inspect(entity).primary_key
    stmt = dialect_insert(entity).values(**values).on_conflict_do_nothing().returning(*key)
    return db.session.execute(stmt).first() is not None
