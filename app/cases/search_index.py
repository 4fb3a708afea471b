"""The case search index: title, content, citizen's name, address and case number as character bigrams
(:mod:`app.cases.search_text`), kept in step with the cases by flush hooks, asked by the case list search.

SQLite: the FTS5 table ``case_fts`` (rowid = case id), contentless (it keeps no copy of the texts): removing
an entry needs the texts it was indexed from, which the hook reads from the case row before the flush
changes it. PostgreSQL: ``case_search`` (:mod:`models.case_search`), per case one weighted tsvector of the
texts (title A, content B, name C, address D) and one of the number, each under a GIN index. Both answer a
phrase of consecutive bigrams, a one-character prefix, and a choice of columns.

Writes that bypass the session (a Core ``UPDATE case_item`` of these columns) must go through
:func:`rewriting`; ``flask search reindex`` (:mod:`app.cases.cli`) builds the entries of cases that have none.
"""

from contextlib import contextmanager

from sqlalchemy import column
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import literal
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy import table
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.cases.search_text import index_tokens
from app.cases.search_text import query_runs
from models.case import Case
from models.case_search import case_search

COLUMNS = ("title", "content", "citizen_name", "address")  # the texts a search term is looked for in
INDEXED = (*COLUMNS, "number")  # and the case number, for pieces of it (never mixed with the texts)
WEIGHTS = {"title": "A", "content": "B", "citizen_name": "C", "address": "D"}
FTS = table("case_fts", column("rowid"))
FEW, MANY_ONE_IN = 5000, 20  # SQLite's plans by the number of matches (see conditions)
_PENDING = "case_search_pending"  # the flush's changed case ids, from before_flush to after_flush

_FTS_INSERT = text(
    "INSERT INTO case_fts (rowid, title, content, citizen_name, address, number) "
    "VALUES (:id, :title, :content, :citizen_name, :address, :number)"
)
_FTS_DELETE = text(
    "INSERT INTO case_fts (case_fts, rowid, title, content, citizen_name, address, number) "
    "VALUES ('delete', :id, :title, :content, :citizen_name, :address, :number)"
)
_PG_DOC = " || ".join(f"setweight(to_tsvector('simple', :{name}), '{WEIGHTS[name]}')" for name in COLUMNS)
_PG_UPSERT = text(
    f"INSERT INTO case_search (case_id, doc, number_doc) VALUES (:id, {_PG_DOC}, to_tsvector('simple', :number)) "
    "ON CONFLICT (case_id) DO UPDATE SET doc = EXCLUDED.doc, number_doc = EXCLUDED.number_doc"
)


def dialect(executor) -> str:
    """``sqlite`` or ``postgresql``, for a session or a connection."""
    bind = executor.get_bind() if hasattr(executor, "get_bind") else executor  # a (scoped) session
    return bind.dialect.name


def entry(case) -> dict:
    """The index tokens of a case (a Case or a row with its id and the four columns)."""
    return {"id": case.id, **{name: index_tokens(getattr(case, name)) for name in INDEXED}}


def _rows(executor, ids) -> list:
    query = select(Case.id, *(getattr(Case, name) for name in INDEXED)).where(Case.id.in_(ids))
    return list(executor.execute(query))


def _chunks(ids, size: int = 500):
    ids = sorted(set(ids))
    return (ids[i : i + size] for i in range(0, len(ids), size))


def remove(executor, ids) -> None:
    """Remove the entries of the cases ``ids``, while their rows still hold the texts they were indexed from."""
    for chunk in _chunks(ids):
        if dialect(executor) == "postgresql":
            executor.execute(case_search.delete().where(case_search.c.case_id.in_(chunk)))
            continue
        indexed = set(executor.execute(select(FTS.c.rowid).where(FTS.c.rowid.in_(chunk))).scalars())
        rows = [entry(row) for row in _rows(executor, indexed)] if indexed else []
        if rows:
            executor.execute(_FTS_DELETE, rows)


def add(executor, entries: list[dict]) -> None:
    """Write the entries (:func:`entry`) of cases that have none (PostgreSQL: or replace them)."""
    if entries:
        executor.execute(_PG_UPSERT if dialect(executor) == "postgresql" else _FTS_INSERT, entries)


@contextmanager
def rewriting(executor, ids):
    """Around a write that bypasses the session: the cases ``ids`` are taken out first, indexed anew after."""
    ids = list(ids)
    remove(executor, ids)
    yield
    for chunk in _chunks(ids):
        add(executor, [entry(row) for row in _rows(executor, chunk)])


def _text_changed(case: Case) -> bool:
    state = sa_inspect(case)
    return any(state.attrs[name].history.has_changes() for name in INDEXED)


def _take_out(session, flush_context, instances) -> None:
    """Before the flush: remove the entries of deleted cases and of cases whose texts change."""
    changed = [c.id for c in session.dirty if isinstance(c, Case) and c.id is not None and _text_changed(c)]
    gone = [c.id for c in session.deleted if isinstance(c, Case) and c.id is not None]
    flush_context.attributes[_PENDING] = set(changed)
    if changed or gone:
        with session.no_autoflush:
            remove(session, changed + gone)


def _put_in(session, flush_context) -> None:
    """After the flush: index the new cases and those whose texts changed, from what was written."""
    pending = flush_context.attributes.get(_PENDING, set())
    cases = [c for c in session.new if isinstance(c, Case)]
    cases += [c for c in session.dirty if isinstance(c, Case) and c.id in pending]
    add(session, [entry(case) for case in cases if case not in session.deleted])


def watch() -> None:
    """Register the flush hooks once."""
    if not event.contains(Session, "before_flush", _take_out):
        event.listen(Session, "before_flush", _take_out)
        event.listen(Session, "after_flush", _put_in)


watch()  # every process that can reach the case search (web, jobs, CLI) imports this module


def _fts_match(runs, columns) -> str:
    phrases = [f'"{" ".join(run.tokens)}"' + (" *" if run.prefix else "") for run in runs]
    return f"{{{' '.join(columns)}}} : ({' AND '.join(phrases)})"


def _tsquery(runs, columns) -> str:
    weights = "".join(WEIGHTS[name] for name in COLUMNS if name in columns)
    weights = "" if len(weights) == len(COLUMNS) else weights
    parts = []
    for run in runs:
        if run.prefix:
            parts.append(f"'{run.tokens[0]}':*{weights}")
        else:
            parts.append(
                "(" + " <-> ".join(f"'{t}'" + (f":{weights}" if weights else "") for t in run.tokens) + ")"
            )
    return " & ".join(parts)


def matching_ids(executor, term: str, columns) -> object | None:
    """A SELECT of the ids of the cases whose ``columns`` hold ``term`` as written (every run of it);
    None when the term has no letter or digit or no column is given. ``["number"]``: the case number."""
    runs = query_runs(term)
    columns = [name for name in INDEXED if name in columns]
    if not runs or not columns:
        return None
    if dialect(executor) == "postgresql":
        if columns == ["number"]:
            doc, query = case_search.c.number_doc, _tsquery(runs, COLUMNS)
        else:
            doc, query = case_search.c.doc, _tsquery(runs, [name for name in columns if name != "number"])
        query = func.to_tsquery(literal_column("'simple'::regconfig"), literal(query))
        return select(case_search.c.case_id).where(doc.op("@@")(query))
    return select(FTS.c.rowid).where(
        literal_column("case_fts").op("MATCH")(literal(_fts_match(runs, columns)))
    )


def _count_up_to(executor, ids, bound: int) -> int:
    return executor.scalar(select(func.count()).select_from(ids.limit(bound).subquery()))


def conditions(executor, term: str, columns) -> tuple | None:
    """(for the list, for its count): conditions on the case id that ``columns`` hold ``term``; None when
    the term has nothing to search.

    PostgreSQL plans by the GIN index's statistics. SQLite cannot: ``id IN (matches)`` always reads every
    match's row and sorts them all, 0.4 s for a word in one case of eight at 1,000,000 cases. So the matches
    are counted up to a bound first (a few ms): a few (< :data:`FEW`) are read by id; more are gathered and
    tested while the list walks its own order (``id + 0`` keeps SQLite from driving by id); a word in one
    case of :data:`MANY_ONE_IN` or more is looked up in the index for each row the list walks, which stops
    after a page. The count (capped by the list) takes the first two ways only: probing row by row until ten
    thousand matches would be slow.
    """
    ids = matching_ids(executor, term, columns)
    if ids is None:
        return None
    if dialect(executor) == "postgresql":
        return Case.id.in_(ids), Case.id.in_(ids)
    if _count_up_to(executor, ids, FEW) < FEW:
        return Case.id.in_(ids), Case.id.in_(ids)
    gathered = (Case.id + 0).in_(ids)
    many = max(FEW, (executor.scalar(select(func.max(Case.id))) or 0) // MANY_ONE_IN)
    if _count_up_to(executor, ids, many) < many:
        return gathered, gathered
    probe = select(FTS.c.rowid).where(ids.whereclause, FTS.c.rowid == Case.id).exists()
    return probe, probe  # the count stops at the search cap: probing walks a few thousand rows


def missing_ids(executor, after: int, batch: int) -> list[int]:
    """Up to ``batch`` ids above ``after`` of cases without an entry, in order."""
    if dialect(executor) == "postgresql":
        indexed = select(case_search.c.case_id).where(case_search.c.case_id == Case.id).exists()
    else:
        indexed = select(FTS.c.rowid).where(FTS.c.rowid == Case.id).exists()
    query = select(Case.id).where(Case.id > after, ~indexed)
    return list(executor.execute(query.order_by(Case.id).limit(batch)).scalars())


def index_missing(executor, after: int, batch: int) -> tuple[int, int]:
    """Index one batch of cases without an entry, above id ``after``: (how many, the last id; 0 when done)."""
    ids = missing_ids(executor, after, batch)
    if ids:
        add(executor, [entry(row) for row in _rows(executor, ids)])
    return len(ids), (ids[-1] if ids else 0)


def optimize(executor) -> None:
    """SQLite: merge the index's segments into one (seconds at a million cases; a lookup of one case's entry
    then costs a tenth). Run after building the index and from time to time; PostgreSQL: nothing to do."""
    if dialect(executor) == "sqlite":
        executor.execute(text("INSERT INTO case_fts (case_fts) VALUES ('optimize')"))


def clear(executor) -> None:
    """Remove every entry (before a rebuild)."""
    if dialect(executor) == "postgresql":
        executor.execute(case_search.delete())
    else:
        executor.execute(text("INSERT INTO case_fts (case_fts) VALUES ('delete-all')"))
