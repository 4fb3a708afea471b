"""What was suggested for each case, measured against the category and lead department the staff gave it.

The suggestion is kept when the case opens (:func:`record`); whenever a flush changes a case's category or
lead department, whatever the path (intake form, edit, registration, dispatch, 改派), the kept row is
brought up to date by one session listener, so the measure needs no call in any of those paths.
"""

from datetime import datetime
from datetime import timedelta

from sqlalchemy import Integer
from sqlalchemy import cast
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.extensions import db
from app.timeutil import utcnow
from models.case import Case
from models.org import Category
from models.org import Department
from models.suggest import RoutingSuggestion


def record(case: Case, suggestion: dict | None, now: datetime) -> RoutingSuggestion | None:
    """Keep ``suggestion`` (from :func:`app.suggest.suggest`) for the opened case, with its category so far."""
    if suggestion is None or case.id is None:
        return None
    department = suggestion.get("department") or {}
    department_id = (
        db.session.scalar(select(Department.id).where(Department.code == department["code"]))
        if department.get("code")
        else None
    )
    row = RoutingSuggestion(
        case_id=case.id,
        suggested_at=now,
        model_version=suggestion.get("version"),
        categories=[{"code": c["code"], "score": c["score"]} for c in suggestion["categories"]],
        department_id=department_id,
    )
    _apply(row, case.category_id, case.lead_department_id, now)
    db.session.add(row)
    return row


def _apply(row: RoutingSuggestion, category_id, department_id, now: datetime) -> None:
    """Set what the case has now and whether the suggestion was right."""
    row.chosen_category_id, row.chosen_department_id = category_id, department_id
    if category_id is not None:
        code = db.session.scalar(select(Category.code).where(Category.id == category_id))
        codes = [c["code"] for c in row.categories or []]
        row.top1_right = bool(codes) and codes[0] == code
        row.top3_right = code in codes[:3]
        row.chosen_at = now
    else:
        row.top1_right = row.top3_right = row.chosen_at = None
    right = None if department_id is None or row.department_id is None else row.department_id == department_id
    row.department_right = right


def _now_chosen(case: Case, name: str):
    """The id a case's ``name`` relation points to now, before the flush syncs the foreign key: the key
    if it was set, else the related object if that was set, else the key as it stands."""
    attrs = inspect(case).attrs
    if not attrs[f"{name}_id"].history.has_changes() and attrs[name].history.has_changes():
        related = getattr(case, name)
        return related.id if related is not None else None
    return getattr(case, f"{name}_id")


@event.listens_for(Session, "before_flush")
def _follow_choices(session, flush_context, instances) -> None:
    """Bring the kept suggestion of each case whose category or lead department changed up to date."""
    changed = []
    for obj in session.dirty:
        if not isinstance(obj, Case) or obj.id is None:
            continue
        state = inspect(obj)
        names = ("category", "category_id", "lead_department", "lead_department_id")
        if any(state.attrs[name].history.has_changes() for name in names):
            changed.append(obj)
    if not changed:
        return
    with session.no_autoflush:
        rows = session.scalars(
            select(RoutingSuggestion).where(RoutingSuggestion.case_id.in_([c.id for c in changed]))
        ).all()
        pending = [
            obj for obj in session.new if isinstance(obj, RoutingSuggestion)
        ]  # kept since the last flush
        by_case = {row.case_id: row for row in [*rows, *pending]}
        for case in changed:
            if case.id in by_case:
                row = by_case[case.id]
                _apply(row, _now_chosen(case, "category"), _now_chosen(case, "lead_department"), utcnow())


def recent_accuracy(now: datetime, days: int) -> dict:
    """Cases given a category in the last ``days`` days: how many, and the shares the suggestion had right."""
    since = now - timedelta(days=days)
    count, top1, top3, departments, judged = db.session.execute(
        select(
            func.count(RoutingSuggestion.id),
            func.sum(cast(RoutingSuggestion.top1_right, Integer)),
            func.sum(cast(RoutingSuggestion.top3_right, Integer)),
            func.sum(cast(RoutingSuggestion.department_right, Integer)),
            func.count(RoutingSuggestion.department_right),
        ).where(RoutingSuggestion.chosen_at >= since, RoutingSuggestion.chosen_category_id.is_not(None))
    ).one()
    return {
        "days": days,
        "count": count,
        "top1": (top1 or 0) / count if count else None,
        "top3": (top3 or 0) / count if count else None,
        "department": (departments or 0) / judged if judged else None,
    }
