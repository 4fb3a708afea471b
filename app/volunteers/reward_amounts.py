"""The reward amounts and funds (平安奖励金): bounds, tiers, the district fund of a reward, and amounts for people.

Tiers (:func:`suggest_tier`) follow the grade of the case a clue became: red → 重大 (major) 1,000–5,000
yuan, yellow → 较大 (significant) 200–1,000, green → 一般 (general) 50–200, each clipped to the
configured bounds (REWARD_MIN_YUAN / REWARD_MAX_YUAN). A clue that is not (yet) a case suggests
general. The tier is a suggestion: any amount within the bounds may be proposed.
"""

from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.timeutil import local_day
from models.enums import DepartmentKind
from models.enums import Grade
from models.org import Department
from models.volunteer import Clue
from models.volunteer import RewardFund
from models.volunteer import RewardPayout

CENT = Decimal("0.01")
PAY_METHOD_LABELS = {
    "bank_transfer": _l("Bank transfer"),
    "wechat": _l("WeChat Pay"),
    "cash": _l("Cash"),
    "other": _l("Other"),
}
REFERENCE_REQUIRED = frozenset({"bank_transfer", "wechat"})


@dataclass(frozen=True)
class Tier:
    """A suggested reward level and its amount range in yuan."""

    code: str
    label: object
    low: Decimal
    high: Decimal


TIERS = {
    Grade.RED: Tier("major", _l("Major"), Decimal(1000), Decimal(5000)),
    Grade.YELLOW: Tier("significant", _l("Significant"), Decimal(200), Decimal(1000)),
    Grade.GREEN: Tier("general", _l("General"), Decimal(50), Decimal(200)),
}
TIERS_BY_CODE = {tier.code: tier for tier in TIERS.values()}
TIER_LABELS = {code: tier.label for code, tier in TIERS_BY_CODE.items()}


def yuan(value) -> str:
    """An amount for people: ``5,000`` or ``1,234.50`` (a sum may come as a float from SQLite)."""
    value = Decimal(str(value or 0))
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def amount_bounds() -> tuple[Decimal, Decimal]:
    """The configured smallest and largest reward (REWARD_MIN_YUAN, REWARD_MAX_YUAN)."""
    config = current_app.config
    return Decimal(str(config.get("REWARD_MIN_YUAN", 50))), Decimal(str(config.get("REWARD_MAX_YUAN", 5000)))


def tier_range(tier: Tier) -> tuple[Decimal, Decimal]:
    """The tier's range clipped to the configured bounds."""
    low, high = amount_bounds()
    return max(tier.low, low), min(tier.high, high)


def suggest_tier(case_or_clue) -> Tier:
    """The tier suggested by the grade of the case (a clue's own case); general without one."""
    case = case_or_clue.case if isinstance(case_or_clue, Clue) else case_or_clue
    return TIERS.get(getattr(case, "grade", None), TIERS[Grade.GREEN])


def district_of(department: Department | None) -> Department | None:
    """The district a unit belongs to (itself, for a district)."""
    ids = [int(part) for part in (getattr(department, "path", "") or "").strip("/").split("/") if part]
    if not ids:
        return None
    query = select(Department).where(Department.id.in_(ids), Department.kind == DepartmentKind.DISTRICT)
    return db.session.scalars(query.order_by(Department.path)).first()


def fund_year(reward: RewardPayout) -> int:
    """The fund year of a reward: the Asia/Shanghai year it was proposed in."""
    return local_day(reward.proposed_at).year


def fund_for(year: int, district: Department | None) -> RewardFund | None:
    """The fund of ``district`` for ``year``, if it has been created."""
    if district is None:
        return None
    return db.session.scalar(
        select(RewardFund).where(RewardFund.year == year, RewardFund.district_id == district.id)
    )
