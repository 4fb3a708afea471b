"""What is counted across levels, and on which day: co-departments' own parts of cases (协办) and bureaus'
parts of 令 (依令考核). Each is counted for its own department only, never for the case's lead.

Co-handled parts (counted for the co-department, with the case's other dimensions):
- ``part_decided``, ``part_on_time``: a part's answer clock (its own 办结 deadline) decided, like a stage:
  on the day it is answered within its limit, or else on the day it falls due; cancelled clocks (a part
  waived, a case merged or not accepted) are never counted.
- ``parts_waived``: a part waived by a supervisor, on the day it was waived.

A bureau's part of a 令 (counted for the bureau; a 令 has no case, so its mailbox, category, street,
community, channel and grade are "none", and no case list stands behind these figures):
- ``field_ack_*``, ``field_checkin_*``, ``field_feedback_*`` (``decided``, ``on_time``): the 接令, 报到
  and 反馈 clocks, decided like a stage. An under-staffed check-in keeps the 报到 clock running until the
  attendance is brought up to standard, so a 报到 on time is one staffed in time.
- ``field_late``: those clocks decided late (each step of a part counts once, on the day it fell due).
- ``field_checked_in``, ``field_checkin_staffed``: a part checked in, on the day of its check-in, and of
  those the ones whose attendance meets the class's minimum level and headcount (as it stands now).
- ``field_rated``, ``field_rated_pleased``: the issuer's rating of a part, on the day it was given, and of
  those 满意 or 基本满意 (as the citizens' satisfaction counts them).
A part withdrawn has its running clocks cancelled (never counted); what its bureau did before stays counted.
"""

from datetime import datetime

from sqlalchemy import and_
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select

from app.reports.counting import COUNTED
from app.reports.counting import MET_IN_TIME
from app.reports.counting import case_dimensions
from app.reports.counting import caseless_dimensions
from app.reports.counting import decided
from app.reports.counting import flag
from models.case import Case
from models.case_part import CasePart
from models.case_part import PartStatus
from models.deadline import CaseDeadline
from models.deadline import DeadlineStatus
from models.deadline import Stage
from models.enums import Satisfaction
from models.field_order import FieldOrderTarget

PART_MEASURES = ("part_decided", "part_on_time", "parts_waived")
FIELD_STEPS = {"ack": Stage.ORDER_ACK, "checkin": Stage.CHECK_IN, "feedback": Stage.FEEDBACK}
FIELD_CLOCK_MEASURES = (
    *(f"field_{step}_{part}" for step in FIELD_STEPS for part in ("decided", "on_time")),
    "field_late",
)
FIELD_STEP_MEASURES = ("field_checked_in", "field_checkin_staffed", "field_rated", "field_rated_pleased")
FIELD_MEASURES = (*FIELD_CLOCK_MEASURES, *FIELD_STEP_MEASURES)
PLEASED = (Satisfaction.SATISFIED, Satisfaction.BASIC)


def part_answers(start: datetime, end: datetime, now: datetime):
    """Co-departments' answer clocks decided in the window, counted for the co-department."""
    return (
        select(
            *case_dimensions(CasePart.department_id),
            literal(1).label("part_decided"),
            flag(MET_IN_TIME).label("part_on_time"),
        )
        .select_from(CaseDeadline)
        .join(CasePart, CasePart.id == CaseDeadline.part_id)
        .join(Case, Case.id == CasePart.case_id)
        .where(
            CaseDeadline.stage == Stage.RESOLVE,
            decided(start, end, now),
            CaseDeadline.status != DeadlineStatus.CANCELLED,
            COUNTED,
        )
    )


def part_waivers(start: datetime, end: datetime, now: datetime):
    """Co-handled parts waived in the window, counted for the co-department."""
    return (
        select(*case_dimensions(CasePart.department_id), literal(1).label("parts_waived"))
        .select_from(CasePart)
        .join(Case, Case.id == CasePart.case_id)
        .where(
            CasePart.status == PartStatus.WAIVED,
            CasePart.waived_at >= start,
            CasePart.waived_at < end,
            COUNTED,
        )
    )


def field_deadlines(start: datetime, end: datetime, now: datetime):
    """The 接令, 报到 and 反馈 clocks of bureaus' parts of 令 decided in the window, counted for the bureau."""
    columns = []
    for step, stage in FIELD_STEPS.items():
        this = CaseDeadline.stage == stage
        columns.append(flag(this).label(f"field_{step}_decided"))
        columns.append(flag(and_(this, MET_IN_TIME)).label(f"field_{step}_on_time"))
    return (
        select(
            *caseless_dimensions(FieldOrderTarget.department_id),
            *columns,
            flag(~MET_IN_TIME).label("field_late"),
        )
        .select_from(CaseDeadline)
        .join(FieldOrderTarget, FieldOrderTarget.id == CaseDeadline.field_target_id)
        .where(decided(start, end, now), CaseDeadline.status != DeadlineStatus.CANCELLED)
    )


def field_steps(start: datetime, end: datetime, now: datetime):
    """Bureaus' check-ins (and whether staffed) and the issuers' ratings of them, in the window."""
    checked_in = and_(FieldOrderTarget.checked_in_at >= start, FieldOrderTarget.checked_in_at < end)
    rated = and_(
        FieldOrderTarget.rated_at >= start,
        FieldOrderTarget.rated_at < end,
        FieldOrderTarget.rating.is_not(None),
    )
    return select(
        *caseless_dimensions(FieldOrderTarget.department_id),
        flag(checked_in).label("field_checked_in"),
        flag(and_(checked_in, FieldOrderTarget.staffed.is_(True))).label("field_checkin_staffed"),
        flag(rated).label("field_rated"),
        flag(and_(rated, FieldOrderTarget.rating.in_(PLEASED))).label("field_rated_pleased"),
    ).where(or_(checked_in, rated))


MEASURES_OF = {
    part_answers: ("part_decided", "part_on_time"),
    part_waivers: ("parts_waived",),
    field_deadlines: FIELD_CLOCK_MEASURES,
    field_steps: FIELD_STEP_MEASURES,
}
