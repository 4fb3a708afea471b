"""From a figure to the cases behind it: a measure and a cut, written into one case-list filter value.

``encode`` writes e.g. ``m=sign_on_time;from=2026-11-01;to=2026-11-30;dept=12;role=lead``; ``decode``
reads it back and refuses anything else (ValueError); ``case_condition`` is the SQL condition the case list
applies: the cases :func:`app.reports.measures.case_ids` counts for that measure in the window, in the
cut's departments, places, categories, channel and grade. The same source serves the figure and the list; a
measure counted for its own department (an answer to a 批示, a co-department's part) lists the cases that
department answered for, whoever leads them.
"""

from datetime import date
from datetime import datetime
from datetime import timedelta

from sqlalchemy import and_
from sqlalchemy import select

from app.reports import measures
from app.reports.figures import Cut
from app.timeutil import local_day_start
from app.validators import parse_id
from models.case import Case
from models.case import case_co_department
from models.enums import Channel
from models.enums import Grade

_IDS = {"dept": "department_id", "mailbox": "mailbox_id", "street": "street_id", "community": "community_id"}
MAX_CATEGORIES = 500
MAX_DAYS = 3700


def encode(measure: str, cut: Cut) -> str:
    """The filter value naming ``measure`` over ``cut``."""
    parts = [f"m={measure}", f"from={cut.start.isoformat()}", f"to={cut.end.isoformat()}"]
    for key, attribute in _IDS.items():
        if (value := getattr(cut, attribute)) is not None:
            parts.append(f"{key}={value}")
    if cut.department_id is not None:
        parts.append(f"role={cut.role}")
    if cut.category_ids is not None:
        parts.append("cat=" + ",".join(str(i) for i in cut.category_ids))
    for key in ("channel", "grade"):
        if (value := getattr(cut, key)) is not None:
            parts.append(f"{key}={value}")
    return ";".join(parts)


def _id(value: str) -> int:
    number = parse_id(value)
    if number is None:
        raise ValueError(value)
    return number


def decode(text: str) -> tuple[str, Cut]:
    """(measure, cut) from a filter value; ValueError for anything not written by :func:`encode`."""
    fields = {}
    for part in str(text).split(";"):
        key, sep, value = part.partition("=")
        if not sep or key in fields:
            raise ValueError(part)
        fields[key] = value
    measure = fields.pop("m", None)
    if measure not in measures.SOURCE_OF:
        raise ValueError(measure)
    start, end = date.fromisoformat(fields.pop("from", "")), date.fromisoformat(fields.pop("to", ""))
    if end < start or (end - start).days > MAX_DAYS:
        raise ValueError("period")
    values: dict = {key_attr: _id(fields.pop(key)) for key, key_attr in _IDS.items() if key in fields}
    role = fields.pop("role", "lead")
    if role not in ("lead", "co"):
        raise ValueError(role)
    if "cat" in fields:
        ids = [_id(v) for v in fields.pop("cat").split(",") if v]
        if len(ids) > MAX_CATEGORIES:
            raise ValueError("categories")
        values["category_ids"] = tuple(ids)
    if "channel" in fields:
        values["channel"] = Channel(fields.pop("channel")).value
    if "grade" in fields:
        values["grade"] = Grade(fields.pop("grade")).value
    if fields:
        raise ValueError(", ".join(fields))
    return measure, Cut(start, end, role=role, **values)


def case_condition(measure: str, cut: Cut, now: datetime):
    """SQL condition on ``Case``: exactly the cases counted in ``measure`` over ``cut``."""
    start = local_day_start(cut.start)
    end = min(local_day_start(cut.end + timedelta(days=1)), now)
    own_only = measures.SOURCE_OF[measure] in measures.OWN_DEPARTMENT_ONLY and cut.role == "lead"
    own = cut.department_id if own_only else None
    conditions = [Case.id.in_(measures.case_ids(measure, start, end, now, department_id=own))]
    if cut.department_id is not None and own is None:
        if cut.role == "co":
            conditions.append(
                Case.id.in_(
                    select(case_co_department.c.case_id).where(
                        case_co_department.c.department_id == cut.department_id
                    )
                )
            )
        elif cut.department_id == 0:
            conditions.append(Case.lead_department_id.is_(None))
        else:
            conditions.append(Case.lead_department_id == cut.department_id)
    for attribute in ("mailbox_id", "street_id", "community_id", "channel", "grade"):
        if (value := getattr(cut, attribute)) is not None:
            column = getattr(Case, attribute)
            conditions.append(column.is_(None) if value in (0, "") else column == value)
    if cut.category_ids is not None:
        conditions.append(Case.category_id.in_(cut.category_ids))
    return and_(*conditions)
