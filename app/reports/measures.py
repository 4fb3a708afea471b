"""What is counted, and on which day: the one definition of every measure behind the rates and reports.

Each *source* is a SQL select over one window of time ``[start, end)`` that yields one row per thing
counted (a case received, a stage decided, a rating given …) with the case's id, its dimensions and a
0/1 (or amount) column per measure it feeds. The rollup sums a source per day; the case list takes the
case ids of the rows where a measure is positive. So a figure and the list behind it can never disagree.

Counted on the day it happens (Asia/Shanghai):
- ``received``, ``people``, ``money``: a case received (every case, rejected and merged too: intake volume).
- ``closed``, ``closed_hours``: a case closed (status 已办结), and its working hours from receipt to close.
- ``closed_supported``: a closed case whose reply outcome is 支持 (for disputes: resolved, 化解).
- ``resolve_due``, ``resolve_due_closed``: a case whose 办结 deadline falls due that day, and of those the
  ones closed (by now).
- ``<stage>_decided``, ``<stage>_on_time``, ``late``: a stage's deadline is *decided* on the day it is met
  within its limit, or else on the day it falls due; ``on_time`` when met within the limit, ``late`` when
  not (each stage a case missed counts once).
- ``replies``: a reply given; ``rated``, ``satisfied``, ``basic``, ``pleased`` (满意 + 基本满意): a
  satisfaction recorded at a revisit or by the citizen; ``sent_back``: a case sent back to be handled
  again (不满意 at a revisit, or reopened by a supervisor).
- ``instruction_*``, ``supervision_*``, ``orders_late``: an addressed department's answer to a 批示 or a
  督办单, decided like a stage and counted for that department (never for co-departments).
- ``packaged_closed``, ``packaged_settled``: a case closed that a leader held (包案), and of those the ones
  whose 包案 is settled (销案, by now).
- ``closed_at_intake``: a case closed that the intake team answered on the spot (即接即办: 专班办结).
- ``part_*``, ``parts_waived``: a co-department's own part of a case (协办), counted for that department;
  ``field_*``: a bureau's part of a 令, counted for that bureau, with no case (see
  :mod:`app.reports.level_measures`).
Apart from ``received``, rejected and merged cases are never counted.
"""

from datetime import datetime

from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select

from app.reports import level_measures
from app.reports.counting import COUNTED
from app.reports.counting import MET_IN_TIME
from app.reports.counting import case_dimensions
from app.reports.counting import decided
from app.reports.counting import flag
from models.case import Case
from models.case import CaseAction
from models.case import CaseEvent
from models.command import CasePackage
from models.command import OrderTarget
from models.command import PackageStatus
from models.deadline import ORDER_STAGES
from models.deadline import CaseDeadline
from models.deadline import DeadlineStatus
from models.deadline import Stage
from models.enums import ReplyOutcome
from models.enums import Satisfaction
from models.enums import Status
from models.report import STAGE_NAMES

STAGE_MEASURES = tuple(f"{stage}_{part}" for stage in STAGE_NAMES for part in ("decided", "on_time"))
ORDER_MEASURES = (
    "instruction_decided",
    "instruction_on_time",
    "supervision_decided",
    "supervision_on_time",
    "orders_late",
)
MEASURES = (
    "received",
    "people",
    "money",
    "closed",
    "closed_hours",
    "closed_supported",
    "resolve_due",
    "resolve_due_closed",
    "late",
    "replies",
    "sent_back",
    "rated",
    "satisfied",
    "basic",
    "pleased",
    *STAGE_MEASURES,
    *ORDER_MEASURES,
    "packaged_closed",
    "packaged_settled",
    "closed_at_intake",
    *level_measures.PART_MEASURES,
    *level_measures.FIELD_MEASURES,
)
# Measures of things that have no case (a bureau's part of a 令): no case list behind them.
CASELESS = frozenset(level_measures.FIELD_MEASURES)


def intake(start: datetime, end: datetime, now: datetime):
    """Cases received in the window."""
    return select(
        *case_dimensions(),
        literal(1).label("received"),
        func.coalesce(Case.people_involved, 0).label("people"),
        func.coalesce(Case.money_involved, 0).label("money"),
    ).where(Case.received_at >= start, Case.received_at < end)


def closure(start: datetime, end: datetime, now: datetime):
    """Cases closed in the window; ``received_at`` and ``closed_at`` come along for the working hours.

    Rejected and merged cases also carry a ``closed_at``: they come as rows with every flag 0 (the status
    is a flag, not a filter, so the planner reads the day's closures by ``closed_at`` and never walks every
    closed case by status)."""
    is_closed = Case.status == Status.CLOSED
    return select(
        *case_dimensions(),
        flag(is_closed).label("closed"),
        flag(and_(is_closed, Case.reply_outcome == ReplyOutcome.SUPPORTED)).label("closed_supported"),
        flag(and_(is_closed, Case.answered_at_intake.is_(True))).label("closed_at_intake"),
        Case.received_at.label("received_at"),
        Case.closed_at.label("closed_at"),
    ).where(Case.closed_at >= start, Case.closed_at < end)


def stages(start: datetime, end: datetime, now: datetime):
    """Stage deadlines decided in the window: met within the limit, or fallen due (up to ``now``)."""
    columns = []
    for stage in STAGE_NAMES:
        this = CaseDeadline.stage == Stage(stage)
        columns.append(flag(this).label(f"{stage}_decided"))
        columns.append(flag(and_(this, MET_IN_TIME)).label(f"{stage}_on_time"))
    return (
        select(*case_dimensions(), *columns, flag(~MET_IN_TIME).label("late"))
        .join(CaseDeadline, CaseDeadline.case_id == Case.id)
        .where(
            decided(start, end, now),
            CaseDeadline.status != DeadlineStatus.CANCELLED,
            CaseDeadline.target_id.is_(None),
            CaseDeadline.part_id.is_(None),
            COUNTED,
        )
    )


def order_parts(start: datetime, end: datetime, now: datetime):
    """Answers to 批示 and 督办单 decided in the window, counted for the addressed department (the
    ``department_id`` here), like a stage: answered within the limit, or fallen due."""
    columns = []
    for stage in ORDER_STAGES:
        this = CaseDeadline.stage == stage
        columns.append(flag(this).label(f"{stage}_decided"))
        columns.append(flag(and_(this, MET_IN_TIME)).label(f"{stage}_on_time"))
    return (
        select(*case_dimensions(OrderTarget.department_id), *columns, flag(~MET_IN_TIME).label("orders_late"))
        .join(CaseDeadline, CaseDeadline.case_id == Case.id)
        .join(OrderTarget, OrderTarget.id == CaseDeadline.target_id)
        .where(decided(start, end, now), CaseDeadline.status != DeadlineStatus.CANCELLED, COUNTED)
    )


def packages(start: datetime, end: datetime, now: datetime):
    """Cases closed in the window that a leader held (包案), and whether that 包案 was settled (销案); the
    status is a flag, as in :func:`closure`."""
    is_closed = Case.status == Status.CLOSED
    return (
        select(
            *case_dimensions(),
            flag(is_closed).label("packaged_closed"),
            flag(and_(is_closed, CasePackage.status == PackageStatus.SETTLED)).label("packaged_settled"),
        )
        .join(CasePackage, CasePackage.case_id == Case.id)
        .where(CasePackage.status != PackageStatus.HANDED_OVER, Case.closed_at >= start, Case.closed_at < end)
    )


def resolution_due(start: datetime, end: datetime, now: datetime):
    """Cases whose 办结 deadline falls due in the window, and whether they are closed."""
    return (
        select(
            *case_dimensions(),
            literal(1).label("resolve_due"),
            flag(Case.status == Status.CLOSED).label("resolve_due_closed"),
        )
        .join(CaseDeadline, CaseDeadline.case_id == Case.id)
        .where(
            CaseDeadline.stage == Stage.RESOLVE,
            CaseDeadline.status != DeadlineStatus.CANCELLED,
            CaseDeadline.part_id.is_(None),  # a co-department's own 办结 clock is not the case's
            CaseDeadline.due_at >= start,
            CaseDeadline.due_at < end,
            COUNTED,
        )
    )


def feedback(start: datetime, end: datetime, now: datetime):
    """Replies, ratings (revisits and citizens' own) and cases sent back, in the window."""
    rating = CaseEvent.data["satisfaction"].as_string()
    # a revisit that recorded a satisfaction: not a call that did not get through (未接通, app.cases.revisit)
    is_revisit = and_(CaseEvent.action == CaseAction.REVISIT, rating.is_not(None))
    pleased = rating.in_([str(Satisfaction.SATISFIED), str(Satisfaction.BASIC)])
    return (
        select(
            *case_dimensions(),
            flag(CaseEvent.action == CaseAction.REPLY).label("replies"),
            flag(is_revisit).label("rated"),
            flag(and_(is_revisit, rating == str(Satisfaction.SATISFIED))).label("satisfied"),
            flag(and_(is_revisit, rating == str(Satisfaction.BASIC))).label("basic"),
            flag(and_(is_revisit, pleased)).label("pleased"),
            flag(
                or_(
                    CaseEvent.action == CaseAction.REOPEN,
                    and_(is_revisit, rating == str(Satisfaction.UNSATISFIED)),
                )
            ).label("sent_back"),
        )
        .join(CaseEvent, CaseEvent.case_id == Case.id)
        .where(
            CaseEvent.action.in_([CaseAction.REPLY, CaseAction.REVISIT, CaseAction.REOPEN]),
            CaseEvent.at >= start,
            CaseEvent.at < end,
            COUNTED,
        )
    )


LEVEL_SOURCES = (
    level_measures.part_answers,
    level_measures.part_waivers,
    level_measures.field_deadlines,
    level_measures.field_steps,
)
SOURCES = (intake, closure, stages, resolution_due, feedback, order_parts, packages, *LEVEL_SOURCES)
# Sources counted only for the department in their own ``department_id`` (never for co-departments).
OWN_DEPARTMENT_ONLY = (order_parts, *LEVEL_SOURCES)
# Which source counts each measure (closed_hours is summed in Python from the closure rows).
SOURCE_OF = {
    "received": intake,
    "people": intake,
    "money": intake,
    "closed": closure,
    "closed_hours": closure,
    "closed_supported": closure,
    "closed_at_intake": closure,
    "resolve_due": resolution_due,
    "resolve_due_closed": resolution_due,
    "late": stages,
    **dict.fromkeys(STAGE_MEASURES, stages),
    **dict.fromkeys(("replies", "rated", "satisfied", "basic", "pleased", "sent_back"), feedback),
    **dict.fromkeys(ORDER_MEASURES, order_parts),
    **dict.fromkeys(("packaged_closed", "packaged_settled"), packages),
    **{measure: source for source in LEVEL_SOURCES for measure in level_measures.MEASURES_OF[source]},
}


def case_ids(measure: str, start: datetime, end: datetime, now: datetime, department_id: int | None = None):
    """The cases counted in ``measure`` (a subquery); an own-department measure's for ``department_id`` only."""
    source = SOURCE_OF[measure](start, end, now).subquery()
    column = source.c["closed" if measure == "closed_hours" else measure]
    query = select(source.c.case_id).where(column > 0)
    if department_id is not None and SOURCE_OF[measure] in OWN_DEPARTMENT_ONLY:
        query = query.where(source.c.department_id == department_id)
    return query
