"""Write a new ORM object and its new children with Core INSERTs, then keep them as persistent objects.

The unit of work costs more Python time than the SQL it sends; on the intake path (every public
submission and Open311 POST) that cost was most of the request. :func:`insert_new` writes a parent and
its children directly, in the caller's transaction, loads every column back from RETURNING (defaults
included) and hands the objects to the session as persistent, so later changes go through the ORM as
usual. Many-to-one links are copied from loaded related objects, which must already have their keys.

SQLite runs in-process, so each row is one INSERT there, and the first write is put off to the last
moment (the write lock is held from it until the commit). PostgreSQL pays a network round trip per
statement, so there the parent and every child go in one statement of data-modifying CTEs.
"""

from sqlalchemy import bindparam
from sqlalchemy import insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy import true
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.interfaces import MANYTOONE

from app.cases.numbering import NextNumber
from app.extensions import db

_statements: dict = {}  # compiled once per shape: a table, or (parent table, columns, children shapes)


_plans: dict = {}  # mapper -> (columns, many-to-one links), worked out once


def _plan(mapper):
    """(attribute, column, Python default, NULL may be left out) per column; (attribute, key pairs) per link."""
    plan = _plans.get(mapper)
    if plan is None:
        columns = []
        for prop in mapper.column_attrs:
            c = prop.columns[0]
            columns.append((prop.key, c.key, c.default, c.default is None and c.server_default is None))
        links = [
            (rel.key, [(local.key, remote) for local, remote in rel.local_remote_pairs])
            for rel in mapper.relationships
            if rel.direction is MANYTOONE
        ]
        plan = _plans[mapper] = (columns, links)
    return plan


def _values(obj, later: str | None = None) -> dict:
    """Column values of ``obj``: those set in Python, column defaults, and keys of loaded many-to-one links."""
    state = sa_inspect(obj)
    held = state.dict
    columns, links = _plan(state.mapper)
    values = {}
    for key, column, default, null_left_out in columns:
        if key in held:
            if held[key] is None and null_left_out:
                continue  # NULL without any default: left out, the same row with fewer parameters
            values[column] = held[key]
        elif default is not None and default.is_scalar:
            values[column] = default.arg
        elif default is not None and default.is_callable:
            values[column] = default.arg(None)  # zero-argument defaults, wrapped by SQLAlchemy
    for key, pairs in links:
        related = held.get(key)
        if related is None:
            continue
        for local, remote in pairs:
            if local == later:
                continue  # the parent's id, filled in once the parent is inserted
            value = getattr(related, sa_inspect(related).mapper.get_property_by_column(remote).key)
            if value is None:
                raise ValueError(f"{type(obj).__name__}.{key} points at an object without its key")
            values[local] = value
    return values


def _returned(table, keys, computed=()) -> list:
    """What the database knows and Python does not: the key, server defaults of unsent columns, ``computed``."""
    return [
        c
        for c in table.c
        if c.primary_key or c.key in computed or (c.key not in keys and c.server_default is not None)
    ]


def _load(obj, values: dict, row, prefix: str = "") -> None:
    """Fill the instance dict as the unit of work would: what was sent, plus what came back; marked committed
    by make_transient_to_detached()."""
    state = sa_inspect(obj)
    columns, _ = _plan(state.mapper)
    loaded = {}
    for key, column, *_ in columns:
        if prefix + column in row:
            loaded[key] = row[prefix + column]
        else:
            loaded[key] = values.get(column)
    state.dict.update(loaded)


def _insert_row(connection, obj, values: dict):
    table = sa_inspect(obj).mapper.local_table
    shape = (table, tuple(values))
    statement = _statements.get(shape)
    if statement is None:
        statement = _statements[shape] = insert(table).returning(*_returned(table, values))
    row = connection.execute(statement, values).one()._mapping  # values as parameters: cached SQL
    _load(obj, values, row)
    return row


def _insert_each(parent, parent_values, children, child_values) -> None:
    """One INSERT … RETURNING per row (SQLite)."""
    connection = db.session.connection()
    row = _insert_row(connection, parent, parent_values)
    parent_id = row[sa_inspect(parent).mapper.primary_key[0].key]
    for (fk, child), values in zip(children, child_values, strict=True):
        values[fk] = parent_id
        _insert_row(connection, child, values)


def _together(parent_table, parent_keys, shapes, numbered):
    """``WITH n AS (counter), p AS (INSERT parent), c0 AS (INSERT child SELECT … p.id) … SELECT`` returning.

    ``numbered`` is (column, width) when the parent's column takes the next number in the same statement.
    """
    key = (parent_table, parent_keys, shapes, numbered)
    statement = _statements.get(key)
    if statement is not None:
        return statement
    names = list(parent_keys)
    source = select(*[bindparam(f"p_{k}", type_=parent_table.c[k].type) for k in parent_keys])
    if numbered:
        counter, number = NextNumber.in_sql(numbered[1])
        names.append(numbered[0])
        source = source.add_columns(number).select_from(counter)
    parent_returned = _returned(parent_table, parent_keys, computed=names[len(parent_keys) :])
    p = insert(parent_table).from_select(names, source).returning(*parent_returned).cte("p")
    parent_pk = p.c[list(parent_table.primary_key)[0].key]
    columns = [p.c[c.key].label(f"p_{c.key}") for c in parent_returned]
    joined = p
    for i, (table, keys, fk) in enumerate(shapes):
        params = [bindparam(f"c{i}_{k}", type_=table.c[k].type) for k in keys]
        child = (
            insert(table)
            .from_select([*keys, fk], select(*params, parent_pk))
            .returning(*_returned(table, keys, computed=(fk,)))
            .cte(f"c{i}")
        )
        columns += [child.c[c.key].label(f"c{i}_{c.key}") for c in _returned(table, keys, computed=(fk,))]
        joined = joined.join(child, true())
    statement = _statements[key] = select(*columns).select_from(joined)
    return statement


def _insert_together(parent, parent_values, children, child_values, number) -> None:
    """The parent and all children (and the parent's number) in one statement (PostgreSQL)."""
    parent_table = sa_inspect(parent).mapper.local_table
    numbered = None
    if number is not None:
        column, counter = number
        parent_values.pop(column, None)
        numbered = (column, counter.width)
    shapes, params = [], {f"p_{k}": v for k, v in parent_values.items()}
    if number is not None:
        params.update(counter.params())
    for i, ((fk, child), values) in enumerate(zip(children, child_values, strict=True)):
        values.pop(fk, None)
        keys = tuple(values)
        shapes.append((sa_inspect(child).mapper.local_table, keys, fk))
        params.update({f"c{i}_{k}": v for k, v in values.items()})
    statement = _together(parent_table, tuple(parent_values), tuple(shapes), numbered)
    row = db.session.connection().execute(statement, params).one()._mapping
    _load(parent, parent_values, row, "p_")
    for i, ((_, child), values) in enumerate(zip(children, child_values, strict=True)):
        _load(child, values, row, f"c{i}_")


def insert_new(parent, children_by_fk: dict, number: tuple[str, NextNumber] | None = None) -> None:
    """INSERT ``parent`` and its children (foreign key set to the parent's new id); all become persistent.

    ``children_by_fk`` maps a child's foreign-key column to the list of children using it, e.g.
    ``{"case_id": case.events + case.deadlines}``. ``number`` is (column, NextNumber): the parent's
    column takes the counter's next number as the first write (SQLite) or in the same statement.
    """
    session = db.session()
    children = [(fk, child) for fk, group in children_by_fk.items() for child in group]
    for obj in (parent, *(child for _, child in children)):
        if obj in session:
            session.expunge(obj)  # pending: the unit of work must not insert it a second time
    parent_values = _values(parent)
    child_values = [_values(child, later=fk) for fk, child in children]
    if session.get_bind().dialect.name == "postgresql":
        _insert_together(parent, parent_values, children, child_values, number)
    else:
        if number is not None:
            parent_values[number[0]] = number[1].take()
        _insert_each(parent, parent_values, children, child_values)
    for obj in (parent, *(child for _, child in children)):
        make_transient_to_detached(obj)
    session.add(parent)  # cascades to the children, and to any new object still to be flushed
