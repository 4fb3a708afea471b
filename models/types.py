"""Column types shared by the models: UTC times, and enum codes read back as labelled members."""

from datetime import UTC
from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy import Enum
from sqlalchemy import String
from sqlalchemy import event
from sqlalchemy.orm import Mapper
from sqlalchemy.types import TypeDecorator

from app.timeutil import as_utc


class UTCDateTime(TypeDecorator):
    """A datetime stored as naive UTC on every database and returned as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        """Store aware values as naive UTC."""
        if value is None:
            return None
        return as_utc(value).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        """Return values as aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Coded(TypeDecorator):
    """Codes of a :class:`models.enums.LabelledEnum` stored as text and read back as members.

    With ``check_name`` the column is the portable string ``Enum`` with a CHECK constraint of that name
    (the DDL of every enum column since the first migration); without, a plain ``String(length)``.
    A stored code the enum does not know is returned as it is.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum_cls, length: int = 20, check_name: str | None = None):
        super().__init__()
        self.enum_cls, self.length, self.check_name = enum_cls, length, check_name
        if check_name is not None:
            self.impl = Enum(
                *[member.value for member in enum_cls],
                name=check_name,
                native_enum=False,
                create_constraint=True,
                length=length,
                validate_strings=True,
            )
        else:
            self.impl = String(length)
        self._members = enum_cls._value2member_map_

    def process_bind_param(self, value, dialect):
        """Store the code."""
        return None if value is None else str(value)

    def result_processor(self, dialect, coltype):
        """The member for a known code, with one dictionary look-up per value (the stored text needs no
        other conversion on any dialect, so the implementation type's own processing is skipped)."""
        members = self._members

        def process(value):
            return None if value is None else members.get(value, value)

        return process

    def coerce_compared_value(self, op, value):
        """Compare with plain text as with codes."""
        return self


def enum_column(enum_cls, name: str) -> Coded:
    """The column type of an enum: its codes as text with a CHECK constraint named ``name``."""
    return Coded(enum_cls, check_name=name)


def _member_of(enum_cls):
    members = enum_cls._value2member_map_

    def coerce(target, value, oldvalue, initiator):
        return members.get(value, value) if isinstance(value, str) else value

    return coerce


@event.listens_for(Mapper, "mapper_configured")
def _codes_set_as_members(mapper, class_) -> None:
    """A code assigned as plain text (a form, a test) is held as its member at once, so ``.label`` works
    before the row is read back from the database."""
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        if isinstance(column.type, Coded):
            event.listen(getattr(class_, prop.key), "set", _member_of(column.type.enum_cls), retval=True)
