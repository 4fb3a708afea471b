"""The rates leaders are measured by: one definition each, read by the dashboard, scorecards and reports.

Every rate is a numerator over a denominator of measures (:mod:`app.reports.measures` says how each is
counted and on which day), a count, or an average. Rejected and merged cases are never in a denominator.

- 响应率 (response) = sign stages met within their limit / sign stages decided (签收).
- 按时联系率 (contact) = contact stages met within their limit / contact stages decided.
- 按时答复率 (on-time reply) = first-reply stages met within their limit / first-reply stages decided.
- 办结率 (closure) = cases due to close in the period (办结 deadline) that are closed / cases due to close.
- 满意率 (satisfaction) = (满意 + 基本满意) / satisfactions recorded (revisits and citizens' own ratings).
- 重办率 (redo) = cases sent back (不满意 at a revisit, or reopened) / replies given.
- 化解率 (dispute resolution) = dispute cases closed with the outcome 支持 / dispute cases closed
  (a subject is a dispute when its category is marked so, e.g. 矛盾纠纷).
- 批示按时答复率, 督办按时答复率 = answers to 批示 / 督办单 given within their limit / answers decided, for the
  addressed department; 批示督办超期 = those answers decided late (a count).
- 销案率 (settlement) = closed cases a leader held (包案) whose 包案 is settled / closed cases a leader held.
- 超期件数 (overdue) = stage deadlines missed (each stage a case missed counts once, on its due day).
- 平均办理时长 (average handling time) = working hours from receipt to close / cases closed, on the work
  calendar (hours of working days only).
- 协办按时率 (co-handling) = co-handled parts answered within their own limit / part answers decided, for
  the co-department (apart from the cases it leads); 协办免除 = parts waived by a supervisor (a count).
- 专班办结率 (closed at intake) = cases closed that the intake team answered on the spot (即接即办) /
  cases closed; such cases have no lead department, so they count for "none" (the intake team) and in all.
- 依令考核, for the bureau a 令 addresses (a 令 has no case: its figures have no case list):
  接令及时率 = 接令 within the limit / 接令 limits decided; 报到及时率 = check-ins staffed within the
  limit (an under-staffed check-in keeps the clock running until the attendance is up to standard) /
  报到 limits decided; 到场达标率 = check-ins whose attendance meets the class's minimum level and
  headcount / check-ins, on the day of the check-in; 反馈及时率 = outcomes reported within the limit /
  反馈 limits decided; 发令方满意率 = the issuer's (满意 + 基本满意) / the issuer's ratings, on the day
  rated; 依令超期 = those steps not done within their limit (a count). Withdrawing a part cancels its
  running clocks (never counted); what its bureau did before stays counted.
A stage is *decided* on the day it is met within its limit, or else on the day it falls due.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from models.org import Category

RATIO, COUNT, AVERAGE = "ratio", "count", "average"
# The families the rates are shown in, in order (each rate names its own).
FAMILIES = {
    "cases": _l("Case handling"),
    "command": _l("Instructions, supervision and 包案"),
    "levels": _l("Co-handling and answers at intake"),
    "field": _l("Orders from streets and communities (依令考核)"),
}


@dataclass(frozen=True)
class Rate:
    """One rate: how it is computed from measures, how it is shown, and its target."""

    key: str
    label: object
    kind: str
    numerator: str
    denominator: str | None = None
    target: float | None = None  # a share (0.99) for ratios
    higher_is_better: bool = True
    disputes_only: bool = False
    formula: object = ""
    family: str = "cases"

    def value(self, sums: dict) -> float | None:
        """The rate over ``sums`` (a share 0…1, a count or hours); None when the denominator is 0."""
        top = sums.get(self.numerator, 0) or 0
        if self.kind == COUNT:
            return top
        bottom = sums.get(self.denominator, 0) or 0
        return None if not bottom else float(top) / float(bottom)

    def meets_target(self, value: float | None) -> bool | None:
        """Whether ``value`` meets the target (None without a target or a value)."""
        if self.target is None or value is None:
            return None
        return value >= self.target if self.higher_is_better else value <= self.target


RATES = (
    Rate(
        "response", _l("Response rate"), RATIO, "sign_on_time", "sign_decided", target=0.99,
        formula=_l("Cases signed for within their time limit ÷ cases whose sign-for time limit was decided "
                   "(met in time, or run out) in the period."),
    ),
    Rate(
        "contact", _l("On-time contact rate"), RATIO, "contact_on_time", "contact_decided", target=0.99,
        formula=_l("Citizens contacted within the time limit ÷ contact time limits decided in the period."),
    ),
    Rate(
        "reply", _l("On-time reply rate"), RATIO, "first_reply_on_time", "first_reply_decided", target=0.99,
        formula=_l("First replies given within the time limit ÷ first-reply time limits decided in the "
                   "period."),
    ),
    Rate(
        "closure", _l("Closure rate"), RATIO, "resolve_due_closed", "resolve_due", target=0.95,
        formula=_l("Cases due to be closed in the period that are closed ÷ cases due to be closed in the "
                   "period (by their closing time limit)."),
    ),
    Rate(
        "satisfaction", _l("Satisfaction rate"), RATIO, "pleased", "rated", target=0.95,
        formula=_l("(Satisfied + basically satisfied) ÷ satisfactions recorded in the period, at revisits and "
                   "by citizens' own ratings."),
    ),
    Rate(
        "redo", _l("Redo rate"), RATIO, "sent_back", "replies", target=0.05, higher_is_better=False,
        formula=_l("Cases sent back to be handled again (unsatisfied at a revisit, or reopened) ÷ replies "
                   "given in the period."),
    ),
    Rate(
        "dispute", _l("Dispute resolution rate"), RATIO, "closed_supported", "closed", target=0.9,
        disputes_only=True,
        formula=_l("Dispute cases closed with the outcome 'supported' ÷ dispute cases closed in the period "
                   "(categories marked as disputes)."),
    ),
    Rate(
        "overdue", _l("Overdue cases"), COUNT, "late", higher_is_better=False,
        formula=_l("Time limits missed in the period: each stage a case missed counts once, on the day it fell "
                   "due."),
    ),
    Rate(
        "hours", _l("Average handling time (working hours)"), AVERAGE, "closed_hours", "closed",
        higher_is_better=False,
        formula=_l("Working hours from receipt to closing ÷ cases closed in the period, counting only the "
                   "hours of working days on the work calendar."),
    ),
    Rate(
        "instruction", _l("On-time answer rate of instructions"), RATIO, "instruction_on_time",
        "instruction_decided", target=1.0,
        formula=_l("Leader instructions (批示) answered by the addressed department within the time limit ÷ "
                   "instruction answers decided in the period, for that department."),
        family="command",
    ),
    Rate(
        "supervision", _l("On-time answer rate of supervision orders"), RATIO, "supervision_on_time",
        "supervision_decided", target=1.0,
        formula=_l("Supervision orders (督办单) answered by the addressed department within the time limit ÷ "
                   "supervision answers decided in the period, for that department."),
        family="command",
    ),
    Rate(
        "settlement", _l("Settlement rate"), RATIO, "packaged_settled", "packaged_closed", target=0.95,
        formula=_l("Cases closed in the period that a leader held (包案) and whose 包案 is settled (销案) ÷ cases "
                   "closed in the period that a leader held."),
        family="command",
    ),
    Rate(
        "orders_overdue", _l("Late answers to instructions and supervision"), COUNT, "orders_late",
        higher_is_better=False,
        formula=_l("Answers to 批示 and 督办单 not given within their time limit, counted once on the day they "
                   "fell due, for the addressed department."),
        family="command",
    ),
    Rate(
        "co_handling", _l("On-time co-handling rate"), RATIO, "part_on_time", "part_decided", target=0.99,
        family="levels",
        formula=_l("Co-handled parts answered by the co-department within their own time limit ÷ part answer "
                   "time limits decided (met in time, or run out) in the period, for the co-department; the "
                   "cases a department leads are counted apart, in the other rates."),
    ),
    Rate(
        "parts_waived", _l("Co-handled parts waived"), COUNT, "parts_waived", family="levels",
        formula=_l("Co-handled parts a supervisor waived in the period (the lead may then reply without them), "
                   "for the co-department."),
    ),
    Rate(
        "at_intake", _l("Closed at intake rate"), RATIO, "closed_at_intake", "closed", family="levels",
        formula=_l("Cases closed in the period that the intake team answered on the spot (即接即办) ÷ cases "
                   "closed in the period. They have no lead department, so they count for the intake team "
                   "(department not set) and in the total."),
    ),
    Rate(
        "field_ack", _l("On-time acknowledgement rate (orders)"), RATIO, "field_ack_on_time",
        "field_ack_decided", target=0.99, family="field",
        formula=_l("Orders (令) acknowledged by the addressed bureau within the time limit ÷ acknowledgement "
                   "time limits decided in the period, for that bureau."),
    ),
    Rate(
        "field_check_in", _l("On-time check-in rate"), RATIO, "field_checkin_on_time", "field_checkin_decided",
        target=0.95, family="field",
        formula=_l("Check-ins on site within the time limit with the attendance up to standard ÷ check-in "
                   "time limits decided in the period, for the addressed bureau. An under-staffed check-in "
                   "keeps the clock running until the attendance is brought up to standard."),
    ),
    Rate(
        "field_staffed", _l("Attendance up-to-standard rate"), RATIO, "field_checkin_staffed",
        "field_checked_in", target=0.95, family="field",
        formula=_l("Check-ins whose attendance meets the order class's minimum level and headcount ÷ "
                   "check-ins, counted on the day of the check-in, for the addressed bureau."),
    ),
    Rate(
        "field_feedback", _l("On-time feedback rate (orders)"), RATIO, "field_feedback_on_time",
        "field_feedback_decided", target=0.95, family="field",
        formula=_l("Outcomes of orders reported within the time limit ÷ feedback time limits decided in the "
                   "period, for the addressed bureau."),
    ),
    Rate(
        "field_satisfaction", _l("Issuer satisfaction rate"), RATIO, "field_rated_pleased", "field_rated",
        target=0.95, family="field",
        formula=_l("(Satisfied + basically satisfied) ÷ ratings the issuing street or community gave in the "
                   "period to the addressed bureau's response to its orders."),
    ),
    Rate(
        "field_overdue", _l("Late order steps"), COUNT, "field_late", higher_is_better=False, family="field",
        formula=_l("Steps of orders (acknowledgement, check-in, feedback) not done within their time limit, "
                   "each counted once on the day it fell due, for the addressed bureau."),
    ),
)  # fmt: skip
BY_KEY = {rate.key: rate for rate in RATES}


def family_spans(rates=RATES) -> list[tuple[object, int]]:
    """(family label, how many rates in a row belong to it), in the order of ``rates``: a table's top header."""
    spans: list = []
    for rate in rates:
        if spans and spans[-1][0] == rate.family:
            spans[-1][1] += 1
        else:
            spans.append([rate.family, 1])
    return [(FAMILIES[family], count) for family, count in spans]


def dispute_category_ids() -> tuple[int, ...]:
    """Ids of the categories marked as disputes, with their subcategories."""
    marked = set(db.session.scalars(select(Category.id).where(Category.is_dispute.is_(True))))
    children = db.session.scalars(select(Category.id).where(Category.parent_id.in_(marked))) if marked else []
    return tuple(sorted(marked | set(children)))
