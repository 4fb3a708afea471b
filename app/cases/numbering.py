"""Numbers handed out atomically from named counters (case numbers per day), in Python or inside one SQL
statement (PostgreSQL)."""

from dataclasses import dataclass

from sqlalchemy import String
from sqlalchemy import bindparam
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy.dialects import postgresql

from app.extensions import db
from app.extensions import dialect_insert
from models.case import Counter

_increments: dict = {}  # dialect name -> the upsert, built once


def next_value(name: str) -> int:
    """Increment counter ``name`` (creating it at 1) and return the new value, race-free."""
    connection = db.session.connection()
    dialect = connection.dialect.name
    stmt = _increments.get(dialect)
    if stmt is None:
        table = Counter.__table__
        stmt = dialect_insert(table).values(name=bindparam("counter_name", type_=String), value=1)
        stmt = _increments[dialect] = stmt.on_conflict_do_update(
            index_elements=[table.c.name], set_={"value": table.c.value + 1}
        ).returning(table.c.value)
    return connection.execute(stmt, {"counter_name": name}).scalar_one()


@dataclass(frozen=True)
class NextNumber:
    """A number ``<prefix><n>``: n the next value of counter ``counter``, zero-padded to ``width`` digits."""

    counter: str
    prefix: str
    width: int = 6

    def take(self) -> str:
        """Increment the counter now and return the number."""
        return f"{self.prefix}{next_value(self.counter):0{self.width}d}"

    def params(self) -> dict:
        """Bound values for :meth:`in_sql`."""
        return {"n_counter": self.counter, "n_prefix": self.prefix}

    @staticmethod
    def in_sql(width: int):
        """(a CTE incrementing the counter, the number as a SQL expression over it), for PostgreSQL.

        The text of the counter and prefix are bound parameters, so one statement serves every day.
        """
        table = Counter.__table__
        upsert = postgresql.insert(table).values(name=bindparam("n_counter", type_=String), value=1)
        upsert = upsert.on_conflict_do_update(
            index_elements=[table.c.name], set_={"value": table.c.value + 1}
        ).returning(table.c.value)
        counter = upsert.cte("n")
        digits = cast(counter.c.value, String)
        padded = func.lpad(digits, func.greatest(width, func.length(digits)), "0")  # never cut, like :06d
        return counter, bindparam("n_prefix", type_=String) + padded
