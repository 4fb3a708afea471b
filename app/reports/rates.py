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
A stage is *decided* on the day it is met within its limit, or else on the day it falls due.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from models.org import Category

RATIO, COUNT, AVERAGE = "ratio", "count", "average"


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
        "instruction", _l("On-time answer rate of instructions"), RATIO, "instruction_on_time",
        "instruction_decided", target=1.0,
        formula=_l("Leader instructions (批示) answered by the addressed department within the time limit ÷ "
                   "instruction answers decided in the period, for that department."),
    ),
    Rate(
        "supervision", _l("On-time answer rate of supervision orders"), RATIO, "supervision_on_time",
        "supervision_decided", target=1.0,
        formula=_l("Supervision orders (督办单) answered by the addressed department within the time limit ÷ "
                   "supervision answers decided in the period, for that department."),
    ),
    Rate(
        "settlement", _l("Settlement rate"), RATIO, "packaged_settled", "packaged_closed", target=0.95,
        formula=_l("Cases closed in the period that a leader held (包案) and whose 包案 is settled (销案) ÷ cases "
                   "closed in the period that a leader held."),
    ),
    Rate(
        "overdue", _l("Overdue cases"), COUNT, "late", higher_is_better=False,
        formula=_l("Time limits missed in the period: each stage a case missed counts once, on the day it fell "
                   "due."),
    ),
    Rate(
        "orders_overdue", _l("Late answers to instructions and supervision"), COUNT, "orders_late",
        higher_is_better=False,
        formula=_l("Answers to 批示 and 督办单 not given within their time limit, counted once on the day they "
                   "fell due, for the addressed department."),
    ),
    Rate(
        "hours", _l("Average handling time (working hours)"), AVERAGE, "closed_hours", "closed",
        higher_is_better=False,
        formula=_l("Working hours from receipt to closing ÷ cases closed in the period, counting only the "
                   "hours of working days on the work calendar."),
    ),
)  # fmt: skip
BY_KEY = {rate.key: rate for rate in RATES}


def dispute_category_ids() -> tuple[int, ...]:
    """Ids of the categories marked as disputes, with their subcategories."""
    marked = set(db.session.scalars(select(Category.id).where(Category.is_dispute.is_(True))))
    children = db.session.scalars(select(Category.id).where(Category.parent_id.in_(marked))) if marked else []
    return tuple(sorted(marked | set(children)))
