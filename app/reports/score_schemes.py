"""Scoring schemes (考核方案): which rates weigh how much in a score, and what is deducted, from which date.

- Weights are percent of the score per *share* rate of :mod:`app.reports.rates` (those counted as a ratio);
  they are 0 to 100 with at most two decimals and add up to exactly 100. For a rate where lower is better
  (重办率) the share achieved is 1 − the rate.
- Deductions are points per counted event: ``late`` per time limit missed (超期件数), ``sent_back`` per case
  sent back to be handled again (重办), ``orders_late`` per late answer to a 批示 or 督办单, ``field_late``
  per late step of a 令 (接令, 报到, 反馈); their sum may be capped by ``max_deduction``.
- The scheme of a period is the one with the latest effective date on or before the period's first day.
- A scheme that scored a published period is never changed: make a new one, dated after the last published
  period's first day, so that no published period would have been scored by another scheme.
Every creation and change is audited in the same transaction; the caller commits.
"""

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.refusal import Refusal
from app.reports import periods
from app.reports.rates import RATES
from app.reports.rates import RATIO
from models.audit import AuditAction
from models.audit import AuditEntity
from models.scorecard import ScorePeriod
from models.scorecard import ScoreScheme
from models.scorecard import ScoreStatus

WEIGHTED_RATES = tuple(rate for rate in RATES if rate.kind == RATIO)
# deduction key -> the rate whose numerator counts the events it deducts for
DEDUCTION_RATES = {
    "late": "overdue",
    "sent_back": "redo",
    "orders_late": "orders_overdue",
    "field_late": "field_overdue",
}
DEDUCTION_LABELS = {
    "late": _l("Points off per missed time limit"),
    "sent_back": _l("Points off per case sent back (redo)"),
    "orders_late": _l("Points off per late answer to an instruction or supervision order"),
    "field_late": _l("Points off per late step of an order (acknowledgement, check-in, feedback)"),
}
DEDUCTION_EVENTS = {
    "late": _l("Missed time limits"),
    "sent_back": _l("Cases sent back"),
    "orders_late": _l("Late answers to instructions and supervision"),
    "field_late": _l("Late order steps"),
}
MAX_POINTS = Decimal(100)
CENT = Decimal("0.01")


class SchemeRefusal(Refusal):
    """A scheme was refused; ``field`` names the form field the message belongs to (None: the whole form)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SchemeInput:
    """A scheme as entered: numbers already parsed from the form's text."""

    effective_from: date
    weights: dict  # {rate key: Decimal}
    deductions: dict  # {deduction key: Decimal}
    max_deduction: Decimal | None = None
    note: str = ""


def number(value: Decimal):
    """A checked amount as stored in JSON: an int when whole, else a float."""
    return int(value) if value == value.to_integral_value() else float(value)


def scheme_for(day: date) -> ScoreScheme | None:
    """The scheme in force on ``day`` (the latest effective on or before it)."""
    return db.session.scalar(
        select(ScoreScheme)
        .where(ScoreScheme.effective_from <= day)
        .order_by(ScoreScheme.effective_from.desc())
        .limit(1)
    )


def all_schemes() -> list[ScoreScheme]:
    """Every scheme, the newest effective date first."""
    return list(db.session.scalars(select(ScoreScheme).order_by(ScoreScheme.effective_from.desc())))


def published_periods(scheme_id: int | None = None) -> list[ScorePeriod]:
    """The published periods (of one scheme), newest first."""
    query = select(ScorePeriod).where(ScorePeriod.status == ScoreStatus.PUBLISHED)
    if scheme_id is not None:
        query = query.where(ScorePeriod.scheme_id == scheme_id)
    return list(db.session.scalars(query.order_by(ScorePeriod.first_day.desc(), ScorePeriod.id)))


def period_name(period: ScorePeriod) -> str:
    """A published period as people name it: 2026-03 · Streets."""
    return f"{periods.label(str(period.kind), period.first_day, period.last_day)} · {period.unit_kind.label}"


def as_json(scheme: ScoreScheme) -> dict:
    """The audited image of a scheme."""
    return {
        "effective_from": scheme.effective_from.isoformat(),
        "weights": dict(scheme.weights),
        "deductions": dict(scheme.deductions),
        "max_deduction": scheme.max_deduction,
        "note": scheme.note,
    }


def _check_amounts(data: SchemeInput) -> None:
    known = {rate.key for rate in WEIGHTED_RATES}
    if set(data.weights) - known or set(data.deductions) - set(DEDUCTION_RATES):
        raise SchemeRefusal(_("Only the rates and deductions on the form can be set."))
    amounts = {f"weight_{k}": v for k, v in data.weights.items()}
    amounts |= {f"deduct_{k}": v for k, v in data.deductions.items()}
    if data.max_deduction is not None:
        amounts["max_deduction"] = data.max_deduction
    for field, value in amounts.items():
        if not value.is_finite():
            raise SchemeRefusal(_("Enter a number, e.g. 20 or 12.5."), field)
        if value < 0:
            raise SchemeRefusal(_("Cannot be negative."), field)
        if value > MAX_POINTS:
            raise SchemeRefusal(_("Cannot be more than 100."), field)
        if value != value.quantize(CENT):
            raise SchemeRefusal(_("Use at most two decimals."), field)
    total = sum(data.weights.values(), Decimal(0))
    if total != 100:
        raise SchemeRefusal(
            _("The weights add up to %(total)s; they must add up to exactly 100.", total=number(total))
        )


def _check_date(scheme: ScoreScheme | None, day: date) -> None:
    taken = db.session.scalar(select(ScoreScheme.id).where(ScoreScheme.effective_from == day))
    if taken is not None and (scheme is None or taken != scheme.id):
        raise SchemeRefusal(
            _("Another scheme already takes effect on %(day)s; choose another date.", day=day.isoformat()),
            "effective_from",
        )
    latest = db.session.scalar(
        select(ScorePeriod)
        .where(ScorePeriod.status == ScoreStatus.PUBLISHED)
        .order_by(ScorePeriod.first_day.desc())
        .limit(1)
    )
    if latest is not None and day <= latest.first_day:
        raise SchemeRefusal(
            _(
                "The scorecard %(period)s is already published with the scheme in force then; a new scheme "
                "can take effect from %(day)s at the earliest.",
                period=period_name(latest),
                day=(latest.first_day + timedelta(days=1)).isoformat(),
            ),
            "effective_from",
        )


def save_scheme(scheme: ScoreScheme | None, data: SchemeInput, actor, now: datetime) -> ScoreScheme:
    """Create a scheme (``scheme`` None) or change one no published period used; audited; flushed."""
    if scheme is not None and published_periods(scheme.id):
        raise SchemeRefusal(
            _(
                "This scheme scored a published period, so it cannot be changed; make a new scheme with a "
                "later effective date instead."
            )
        )
    _check_amounts(data)
    _check_date(scheme, data.effective_from)
    before = None if scheme is None else as_json(scheme)
    if scheme is None:
        scheme = ScoreScheme(created_at=now, created_by_id=getattr(actor, "id", None))
        db.session.add(scheme)
    scheme.effective_from = data.effective_from
    scheme.weights = {key: number(value) for key, value in data.weights.items() if value}
    scheme.deductions = {key: number(value) for key, value in data.deductions.items()}
    scheme.max_deduction = None if data.max_deduction is None else float(data.max_deduction)
    scheme.note = data.note[:200]
    db.session.flush()
    after = as_json(scheme)
    if before != after:
        action = AuditAction.CREATE if before is None else AuditAction.UPDATE
        audit.record(AuditEntity.SCORE_SCHEME, scheme.id, action, actor, before, after, at=now)
        db.session.flush()
    return scheme
