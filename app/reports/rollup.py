"""The daily rollup: each past local day's measures summed by dimension, kept right when old cases change.

- :func:`day_rows` sums every source of :mod:`app.reports.measures` over one day (or today up to now),
  once with the lead department and once per co-handling department (``department_role`` "co").
- :func:`rebuild_day` replaces one day's rows and their summaries (:mod:`app.reports.summaries`); a day's
  row set is always written whole, in one flush.
- Any write to a case, its deadlines, its timeline or a co-department's part of it is noted in
  ``rollup_dirty`` by a flush listener (with the days a changed date moved away from), and so is any write
  to a bureau's part of a 令 or its clocks (by day only: they have no case; a step of the part, written by
  an UPDATE the flush does not see, is noted through the clock it starts or stops);
  :func:`apply_corrections` rebuilds those days.
- :func:`build_missing` builds the past days not built yet; a built day carries a ``once_key`` mark.
The jobs that call these run under the scheduler's lease, so two never rebuild one day at once.
"""

from collections import defaultdict
from datetime import date
from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask import g
from flask import has_app_context
from sqlalchemy import delete
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.deadlines.working_time import working_hours
from app.extensions import db
from app.extensions import insert_unless_exists
from app.reports import measures
from app.reports import summaries
from app.reports.counting import DIMENSIONS
from app.timeutil import local_day
from app.timeutil import local_day_start
from models.case import Case
from models.case import CaseEvent
from models.case import case_co_department
from models.case_part import CasePart
from models.deadline import CaseDeadline
from models.field_order import FieldOrderTarget
from models.jobstate import OnceKey
from models.report import DailyRollup
from models.report import DailySummary
from models.report import RollupDirty

LIVE_CACHE = "suqiu_live_day_rows"  # app.reports.figures keeps live counts here, per app (and per context)
BUILT = "rollup-day"  # once_key job name of a built day
KEY = ("department_id", "department_role", *DIMENSIONS[1:])
CORRECTIONS_PER_RUN = 2000
DAYS_PER_RUN = 62


def _window(day: date, now: datetime) -> tuple[datetime, datetime]:
    return local_day_start(day), min(local_day_start(day + timedelta(days=1)), now)


def _sum_into(totals: dict, source, role: str) -> None:
    """Add the sums of one source's rows, by key, into ``totals``; co rows count for each co-department.

    For the co rows the source is a materialised CTE: counted first by its own indexes (a day's rows),
    then joined to the co-departments by case; otherwise planners walk every co-department row instead.
    """
    if role == "lead":
        sub = source.subquery()
        department = sub.c.department_id
        joined = sub
    else:
        sub = source.cte("counted").prefix_with("MATERIALIZED")
        department = case_co_department.c.department_id
        joined = sub.join(case_co_department, case_co_department.c.case_id == sub.c.case_id)
    dims = [department.label("department_id"), *(sub.c[d] for d in DIMENSIONS[1:])]
    names = [c.name for c in sub.c if c.name in measures.MEASURES and c.name != "closed_hours"]
    hours = "closed_at" in sub.c
    if hours:  # working hours are counted case by case in Python, on the work calendar
        rows = db.session.execute(
            select(*dims, *(sub.c[n] for n in names), sub.c.received_at, sub.c.closed_at).select_from(joined)
        ).all()
        for row in rows:
            if not row.closed:
                continue  # closed as rejected or merged: counted in nothing (see measures.closure)
            bucket = totals[(row[0], role, *row[1 : len(dims)])]
            for index, name in enumerate(names):
                bucket[name] += row[len(dims) + index]
            bucket["closed_hours"] += working_hours(row.received_at, row.closed_at)
        return
    query = select(*dims, *(func.sum(sub.c[n]).label(n) for n in names)).select_from(joined).group_by(*dims)
    for row in db.session.execute(query):
        bucket = totals[(row[0], role, *row[1 : len(dims)])]
        for index, name in enumerate(names):
            bucket[name] += row[len(dims) + index] or 0


def day_rows(day: date, now: datetime) -> dict[tuple, dict]:
    """{(department_id, role, mailbox_id, category_id, street_id, community_id, channel, grade): {measure:
    value}} for ``day``, counted up to ``now`` (so today's figures are live)."""
    start, end = _window(day, now)
    totals: dict = defaultdict(lambda: defaultdict(int))
    if end <= start:
        return {}
    for source in measures.SOURCES:
        for role in ("lead",) if source in measures.OWN_DEPARTMENT_ONLY else ("lead", "co"):
            _sum_into(totals, source(start, end, now), role)
    return {key: dict(values) for key, values in totals.items()}


def rebuild_day(day: date, now: datetime) -> int:
    """Replace the rollup rows of a past ``day``; return how many rows it has now."""
    rows = day_rows(day, now)
    db.session.execute(delete(DailyRollup).where(DailyRollup.day == day))
    db.session.execute(delete(DailySummary).where(DailySummary.day == day))
    if rows:
        values = []
        for key, sums in rows.items():
            row = dict.fromkeys(measures.MEASURES, 0) | sums | dict(zip(KEY, key, strict=True))
            values.append(row | {"day": day})
        db.session.execute(insert(DailyRollup), values)
        zeros = dict.fromkeys(measures.MEASURES, 0)
        db.session.execute(
            insert(DailySummary), [zeros | row | {"day": day} for row in summaries.rows_of_day(rows)]
        )
    insert_unless_exists(OnceKey, job=BUILT, key=day.isoformat(), created_at=now)
    db.session.flush()
    return len(rows)


def built_days(first: date, last: date) -> set[date]:
    """The days from ``first`` to ``last`` whose rollup rows are built."""
    keys = db.session.scalars(
        select(OnceKey.key).where(
            OnceKey.job == BUILT, OnceKey.key >= first.isoformat(), OnceKey.key <= last.isoformat()
        )
    )
    return {date.fromisoformat(key) for key in keys}


def first_day() -> date | None:
    """The local day of the first case received, where the rollup starts."""
    first = db.session.scalar(select(func.min(Case.received_at)))
    return None if first is None else local_day(first)


def build_missing(now: datetime, limit: int = DAYS_PER_RUN):
    """Build up to ``limit`` past days not built yet, newest first, yielding each once flushed (the caller
    commits as it goes)."""
    start, yesterday = first_day(), local_day(now) - timedelta(days=1)
    if start is None or start > yesterday:
        return
    done = built_days(start, yesterday)
    missing = [start + timedelta(days=n) for n in range((yesterday - start).days + 1)]
    for day in [day for day in reversed(missing) if day not in done][:limit]:
        rebuild_day(day, now)
        yield day


def rebuild_all(now: datetime, first: date | None = None, last: date | None = None):
    """Rebuild every past day from ``first`` (the first case) to ``last`` (yesterday), one day at a time.

    Yields each day after its rows are flushed, so the caller can commit as it goes.
    """
    first = first or first_day()
    last = min(last or local_day(now) - timedelta(days=1), local_day(now) - timedelta(days=1))
    if first is None:
        return
    for n in range((last - first).days + 1):
        rebuild_day(first + timedelta(days=n), now)
        yield first + timedelta(days=n)


# --- corrections --------------------------------------------------------------------------------


def _days_of(value) -> set[date]:
    return {local_day(v) for v in value if isinstance(v, datetime)}


def _history_days(obj, names) -> set[date]:
    """Local days of every value (old and new) the named date attributes held in this flush."""
    state = inspect(obj)
    days = set()
    for name in names:
        history = state.attrs[name].history
        days |= _days_of([*history.added, *history.deleted, *history.unchanged])
    return days


def _moved(target) -> bool:
    """Whether a 令 part changed bureau or status in this flush (its clocks' days then count otherwise)."""
    state = inspect(target)
    return target.id is not None and any(
        state.attrs[n].history.has_changes() for n in ("department_id", "status")
    )


def _field_days(session, clocked: set[int], moved: set[int]) -> set[date]:
    """The check-in and rating days of the 令 parts whose clocks changed (the parts' own steps are written by
    a compare-and-set UPDATE the flush never sees), and the clocks' days of the parts that ``moved``."""
    days: set[date] = set()
    if clocked:
        query = select(FieldOrderTarget.checked_in_at, FieldOrderTarget.rated_at)
        days |= _days_of(
            [v for row in session.execute(query.where(FieldOrderTarget.id.in_(clocked))) for v in row]
        )
    if moved:
        query = select(CaseDeadline.due_at, CaseDeadline.met_at).where(
            CaseDeadline.field_target_id.in_(moved)
        )
        days |= _days_of([v for row in session.execute(query) for v in row])
    return days


def _note_changes(session, _flush_context) -> None:
    days, case_ids, clocked, moved = set(), set(), set(), set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Case):
            days |= _history_days(obj, ("received_at", "closed_at"))
            case_ids.add(obj.id)
        elif isinstance(obj, CaseDeadline):
            days |= _history_days(obj, ("due_at", "met_at"))
            case_ids.add(obj.case_id)
            if obj.field_target_id is not None:
                clocked.add(obj.field_target_id)
        elif isinstance(obj, CaseEvent):
            days |= _days_of([obj.at])
            case_ids.add(obj.case_id)
        elif isinstance(obj, CasePart):
            days |= _history_days(obj, ("waived_at",))
            case_ids.add(obj.case_id)
        elif isinstance(obj, FieldOrderTarget):
            days |= _history_days(obj, ("checked_in_at", "rated_at"))
            if _moved(obj):
                moved.add(obj.id)
    days |= _field_days(session, clocked, moved)
    rows = [{"day": d} for d in days] + [{"case_id": c} for c in case_ids if c is not None]
    if rows and has_app_context():
        g.pop(LIVE_CACHE, None)  # figures counted live in this context are stale now
        current_app.extensions.pop(LIVE_CACHE, None)  # and those this process keeps for a minute
    if rows:
        session.execute(insert(RollupDirty), [{"day": None, "case_id": None} | row for row in rows])


def watch_case_changes() -> None:
    """Register the flush listener once (the app factory calls it)."""
    if not event.contains(Session, "after_flush", _note_changes):
        event.listen(Session, "after_flush", _note_changes)


def current_days(case_ids: set[int]) -> set[date]:
    """Every day on which the given cases are counted now: receipt, close, stage dates (their parts' too),
    replies, ratings, parts waived."""
    days: set[date] = set()
    ids = list(case_ids)
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        for received, closed in db.session.execute(
            select(Case.received_at, Case.closed_at).where(Case.id.in_(chunk))
        ):
            days |= _days_of([received, closed])
        for due, met in db.session.execute(
            select(CaseDeadline.due_at, CaseDeadline.met_at).where(CaseDeadline.case_id.in_(chunk))
        ):
            days |= _days_of([due, met])
        days |= _days_of(db.session.scalars(select(CaseEvent.at).where(CaseEvent.case_id.in_(chunk))))
        days |= _days_of(db.session.scalars(select(CasePart.waived_at).where(CasePart.case_id.in_(chunk))))
    return days


def apply_corrections(now: datetime, limit: int = CORRECTIONS_PER_RUN) -> list[date]:
    """Rebuild the built past days that noted changes touch; return them (the job commits).

    Days not built yet are left to :func:`build_missing`; today is always counted live.
    """
    claimed = db.session.execute(
        select(RollupDirty.id, RollupDirty.day, RollupDirty.case_id).limit(limit)
    ).all()
    if not claimed:
        return []
    if db.session.scalar(select(OnceKey.id).where(OnceKey.job == BUILT).limit(1)) is None:
        # Nothing is built yet, so no noted change matters: build_missing counts every day from scratch, and
        # changes noted after this delete stay noted for the days it will have built.
        db.session.execute(delete(RollupDirty))
        return []
    days = {row.day for row in claimed if row.day is not None}
    days |= current_days({row.case_id for row in claimed if row.case_id is not None})
    today = local_day(now)
    past = sorted(d for d in days if d < today)
    touched = sorted(built_days(past[0], past[-1]) & set(past)) if past else []
    for day in touched:
        rebuild_day(day, now)
    db.session.execute(delete(RollupDirty).where(RollupDirty.id.in_([row.id for row in claimed])))
    db.session.flush()
    return touched
