"""Named counters that hand out the next number atomically (case numbers per day)."""

from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.extensions import db
from app.extensions import dialect_insert


class Counter(db.Model):
    """A named sequence; ``next_value`` increments it inside the caller's transaction."""

    __tablename__ = "counter"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


def next_value(name: str) -> int:
    """Increment counter ``name`` (creating it at 1) and return the new value, race-free."""
    stmt = dialect_insert(Counter).values(name=name, value=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[Counter.name], set_={"value": Counter.value + 1}
    ).returning(Counter.value)
    return db.session.execute(stmt).scalar_one()
