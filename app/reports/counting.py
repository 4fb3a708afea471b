"""The SQL pieces every measure is counted with: a case's dimensions, a 0/1 flag, and when a deadline is
decided (met within its limit, or run out). :mod:`app.reports.measures` and
:mod:`app.reports.level_measures` build their sources from these, so a stage, a co-department's part and a
bureau's part of a 令 are decided by one rule."""

from datetime import datetime

from sqlalchemy import Integer
from sqlalchemy import and_
from sqlalchemy import case as when
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import or_

from models.case import Case
from models.deadline import CaseDeadline
from models.enums import Status

DIMENSIONS = ("department_id", "mailbox_id", "category_id", "street_id", "community_id", "channel", "grade")
COUNTED = Case.status.not_in([Status.REJECTED, Status.MERGED])
MET_IN_TIME = and_(CaseDeadline.met_at.is_not(None), CaseDeadline.met_at <= CaseDeadline.due_at)


def case_dimensions(department=None) -> list:
    """The case's id and dimensions (0 and "" for none); ``department`` replaces the lead department."""
    department = Case.lead_department_id if department is None else department
    return [
        Case.id.label("case_id"),
        func.coalesce(department, 0).label("department_id"),
        func.coalesce(Case.mailbox_id, 0).label("mailbox_id"),
        func.coalesce(Case.category_id, 0).label("category_id"),
        func.coalesce(Case.street_id, 0).label("street_id"),
        func.coalesce(Case.community_id, 0).label("community_id"),
        func.coalesce(Case.channel, "").label("channel"),
        func.coalesce(Case.grade, "").label("grade"),
    ]


def caseless_dimensions(department) -> list:
    """The dimensions of a thing counted without a case: only the department; no case id (NULL)."""
    return [
        literal(None, Integer).label("case_id"),
        department.label("department_id"),
        *(literal(0).label(name) for name in ("mailbox_id", "category_id", "street_id", "community_id")),
        literal("").label("channel"),
        literal("").label("grade"),
    ]


def flag(condition):
    """1 where ``condition`` holds, else 0."""
    return when((condition, 1), else_=0)


def decided(start: datetime, end: datetime, now: datetime):
    """A deadline is decided on the day it is met within its limit, or else on the day it falls due."""
    return or_(
        and_(CaseDeadline.met_at >= start, CaseDeadline.met_at < end, MET_IN_TIME),
        and_(
            CaseDeadline.due_at >= start,
            CaseDeadline.due_at < min(end, now),
            or_(CaseDeadline.met_at.is_(None), CaseDeadline.met_at > CaseDeadline.due_at),
        ),
    )
