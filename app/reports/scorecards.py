"""Scorecards (考核): units scored by the weighted rates of a scheme less deductions, ranked, published.

- A unit's score is Σ weight × share achieved over the scheme's weighted rates (:mod:`app.reports.score_schemes`)
  less the deductions (points per missed time limit and per case sent back, capped), to two decimals.
  A rate with nothing to count for a unit in the period (no denominator) is left out and its weight is
  shared among the unit's other weighted rates in proportion: full marks would put a unit that had
  nothing due above one that met every limit, and zero would punish it for having no cases. A unit with
  none of the weighted rates counted is *not scored*: listed after the others, with no rank.
- Departments are scored on the cases they lead; streets and communities on the cases in their area.
- Ranks follow the score, ties broken by the unit's name; 红榜 are the first :data:`BOARD_SIZE` and 黑榜 the
  last (fewer when there are fewer than twice as many scored units, so no unit is on both).
- :func:`publish` freezes a period: the card as shown, status published, in one UPDATE that only a draft
  matches (two publishes at once: one wins, the other is refused). A published card is read from its
  snapshot only and never recounted, whatever happens to the cases later. Handlers see their own row only.
"""

from datetime import date
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy import update

from app import audit
from app.auth.access import figure_department
from app.extensions import db
from app.extensions import insert_unless_exists
from app.refusal import Refusal
from app.reports import periods
from app.reports.figures import Cut
from app.reports.rate_table import rate_rows
from app.reports.score_schemes import DEDUCTION_RATES
from app.reports.score_schemes import WEIGHTED_RATES
from app.reports.score_schemes import scheme_for
from app.timeutil import local_day
from models.audit import AuditAction
from models.audit import AuditEntity
from models.org import Department
from models.scorecard import ScorePeriod
from models.scorecard import ScorePeriodKind
from models.scorecard import ScoreScheme
from models.scorecard import ScoreStatus
from models.scorecard import ScoreUnit

BOARD_SIZE = 3
RED, BLACK = "red", "black"


def bounds(kind: str, anchor: date) -> tuple[date, date]:
    """(first, last) day of the month or quarter that holds ``anchor``."""
    return periods.period(str(ScorePeriodKind(kind)), anchor)


def _plain(value):
    """A count as JSON keeps it (sums may come back as Decimal)."""
    if value is None or isinstance(value, int):
        return value
    number = float(value)
    return int(number) if number.is_integer() else number


def scheme_json(scheme: ScoreScheme) -> dict:
    """The weights and deductions a card was scored with, as the card keeps them."""
    return {
        "id": scheme.id,
        "effective_from": scheme.effective_from.isoformat(),
        "weights": {
            rate.key: scheme.weights[rate.key] for rate in WEIGHTED_RATES if scheme.weights.get(rate.key)
        },
        "deductions": dict(scheme.deductions),
        "max_deduction": scheme.max_deduction,
    }


def score_row(figures: dict, scheme: dict) -> dict:
    """One unit's rates, points, deductions and score (None when no weighted rate was counted)."""
    weights = scheme["weights"]
    rates, achieved = {}, {}
    for key in weights:
        figure = figures[key]
        rates[key] = {
            "value": figure.value,
            "numerator": _plain(figure.numerator),
            "denominator": _plain(figure.denominator),
            "points": None,
        }
        if figure.value is not None:
            achieved[key] = figure.value if figure.rate.higher_is_better else 1 - figure.value
    counted_weight = sum(weights[key] for key in achieved)
    for key, share in achieved.items():
        rates[key]["points"] = round(weights[key] * share * 100 / counted_weight, 2)
    deductions, total = {}, 0
    for name, per_event in scheme["deductions"].items():
        count = _plain(figures[DEDUCTION_RATES[name]].numerator)
        deductions[name] = {"count": count, "points": round(count * per_event, 2)}
        total += count * per_event
    if scheme["max_deduction"] is not None:
        total = min(total, scheme["max_deduction"])
    weighted = (
        round(sum(weights[k] * s for k, s in achieved.items()) * 100 / counted_weight, 2)
        if achieved
        else None
    )
    return {
        "rates": rates,
        "deductions": deductions,
        "deducted": round(total, 2),
        "weighted": weighted,
        "score": None if weighted is None else round(weighted - total, 2),
        "rank": None,
        "board": None,
    }


def rank(rows: list[dict], board_size: int = BOARD_SIZE) -> dict:
    """Rank ``rows`` in place (ties by name) and mark the boards; {"red": ids, "black": ids, "rows": rows}."""
    scored = sorted(
        (r for r in rows if r["score"] is not None), key=lambda r: (-r["score"], r["name"], r["unit_id"])
    )
    unscored = sorted((r for r in rows if r["score"] is None), key=lambda r: (r["name"], r["unit_id"]))
    for number, row in enumerate(scored, start=1):
        row["rank"] = number
    size = min(board_size, len(scored) // 2)
    red, black = scored[:size], list(reversed(scored[len(scored) - size :])) if size else []
    for row in red:
        row["board"] = RED
    for row in black:
        row["board"] = BLACK
    return {
        "rows": scored + unscored,
        "red": [r["unit_id"] for r in red],
        "black": [r["unit_id"] for r in black],
    }


def live_card(kind: str, anchor: date, unit_kind: str, now: datetime) -> dict:
    """The card of the period holding ``anchor``, counted now with the scheme in force on its first day
    (``scheme`` None when there is none)."""
    first, last = bounds(kind, anchor)
    card = {
        "kind": str(kind),
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "unit_kind": str(unit_kind),
        "label": periods.label(str(kind), first, last),
        "status": str(ScoreStatus.DRAFT),
        "counted_at": now.isoformat(),
        "scheme": None,
        "rows": [],
        "red": [],
        "black": [],
    }
    scheme = scheme_for(first)
    if scheme is None:
        return card
    card["scheme"] = scheme_json(scheme)
    names = dict(db.session.execute(select(Department.id, Department.name)).all())
    rows = []
    for unit_id, figures in rate_rows(Cut(first, last), now, group=str(ScoreUnit(unit_kind))).items():
        if not unit_id:
            continue  # cases without a lead department, street or community
        row = {"unit_id": unit_id, "name": names.get(unit_id, str(unit_id))}
        rows.append(row | score_row(figures, card["scheme"]))
    return card | rank(rows)


def find_period(kind: str, first: date, unit_kind: str) -> ScorePeriod | None:
    """The stored period row, if the card was ever published (or its publishing started)."""
    return db.session.scalar(
        select(ScorePeriod).where(
            ScorePeriod.kind == str(kind),
            ScorePeriod.first_day == first,
            ScorePeriod.unit_kind == str(unit_kind),
        )
    )


def card(kind: str, anchor: date, unit_kind: str, now: datetime) -> dict:
    """What the card of the period holding ``anchor`` shows: the snapshot once published (never
    recounted), else counted now."""
    period = find_period(kind, bounds(kind, anchor)[0], unit_kind)
    if period is not None and period.status == ScoreStatus.PUBLISHED:
        return dict(period.snapshot)
    return live_card(kind, anchor, unit_kind, now)


def for_user(shown: dict, user) -> dict:
    """``shown`` as ``user`` may see it: a handler gets the own department's row only."""
    department = figure_department(user)
    if department is None:
        return shown | {"own_only": False}
    rows = [row for row in shown["rows"] if row["unit_id"] == department]
    ids = {row["unit_id"] for row in rows}
    return shown | {
        "rows": rows,
        "red": [i for i in shown["red"] if i in ids],
        "black": [i for i in shown["black"] if i in ids],
        "own_only": True,
    }


def period_row(kind: str, anchor: date, unit_kind: str) -> ScorePeriod:
    """The row of the period holding ``anchor``, made as a draft when there is none yet (flushed)."""
    first, last = bounds(kind, anchor)
    insert_unless_exists(
        ScorePeriod,
        kind=str(kind),
        first_day=first,
        last_day=last,
        unit_kind=str(ScoreUnit(unit_kind)),
        status=str(ScoreStatus.DRAFT),
    )
    return find_period(kind, first, unit_kind)


def _already(period: ScorePeriod) -> Refusal:
    return Refusal(
        _("This scorecard was already published on %(day)s; its figures stay as they were.",
          day=local_day(period.published_at).isoformat() if period.published_at else "")
    )  # fmt: skip


def publish(period: ScorePeriod, actor, now: datetime) -> dict:
    """Freeze ``period``: its card as counted now becomes its snapshot, for good; audited; flushed."""
    if period.status == ScoreStatus.PUBLISHED:
        raise _already(period)
    if period.last_day >= local_day(now):
        raise Refusal(_("A period can be published only after it has ended."))
    shown = live_card(period.kind, period.first_day, period.unit_kind, now)
    if shown["scheme"] is None:
        raise Refusal(
            _("No scoring scheme is in force for this period; an administrator must add one first.")
        )
    shown |= {"status": str(ScoreStatus.PUBLISHED), "published_at": now.isoformat()}
    done = db.session.execute(
        update(ScorePeriod)
        .where(ScorePeriod.id == period.id, ScorePeriod.status == ScoreStatus.DRAFT)
        .values(
            status=ScoreStatus.PUBLISHED,
            snapshot=shown,
            published_at=now,
            published_by_id=getattr(actor, "id", None),
            scheme_id=shown["scheme"]["id"],
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire(period)
    if done.rowcount != 1:
        raise _already(period)
    after = {
        "status": str(ScoreStatus.PUBLISHED),
        "scheme_id": shown["scheme"]["id"],
        "rows": len(shown["rows"]),
    }
    audit.record(
        AuditEntity.SCORE_PERIOD, period.id, AuditAction.PUBLISH, actor, {"status": str(ScoreStatus.DRAFT)},
        after, at=now,
    )  # fmt: skip
    db.session.flush()
    return shown
