"""The reward amounts and funds (平安奖励金): bounds, tiers, the district fund of a reward, and amounts for people.

Tiers (:func:`suggest_tier`) follow the grade of the case a clue became: red → 重大 (major) 1,000–5,000
yuan, yellow → 较大 (significant) 200–1,000, green → 一般 (general) 50–200, each clipped to the
configured bounds (REWARD_MIN_YUAN / REWARD_MAX_YUAN). A clue that is not (yet) a case suggests
general. The tier is a suggestion: any amount within the bounds may be proposed.
"""

from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.refusal import Refusal
from app.timeutil import local_day
from models.audit import AuditAction
from models.audit import AuditEntity
from models.enums import DepartmentKind
from models.enums import Grade
from models.enums import PayMethod
from models.enums import RewardTier
from models.org import Department
from models.volunteer import Clue
from models.volunteer import RewardFund
from models.volunteer import RewardPayout

CENT = Decimal("0.01")
FUND_AUDITED = ("year", "district_id", "budget", "note")
REFERENCE_REQUIRED = frozenset({PayMethod.BANK_TRANSFER, PayMethod.WECHAT})


class FundRefusal(Refusal):
    """A fund edit was refused (see app.refusal)."""


@dataclass(frozen=True)
class Tier:
    """A suggested reward level and its amount range in yuan."""

    code: RewardTier
    low: Decimal
    high: Decimal

    @property
    def label(self):
        """The tier's name for people."""
        return self.code.label


TIERS = {
    Grade.RED: Tier(RewardTier.MAJOR, Decimal(1000), Decimal(5000)),
    Grade.YELLOW: Tier(RewardTier.SIGNIFICANT, Decimal(200), Decimal(1000)),
    Grade.GREEN: Tier(RewardTier.GENERAL, Decimal(50), Decimal(200)),
}
TIERS_BY_CODE = {tier.code: tier for tier in TIERS.values()}


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


def save_fund(fund: RewardFund, is_created: bool, actor) -> None:
    """Check a new or edited yearly fund and audit it (flushed): one fund per year and district, and a
    budget never below what is already approved (the database's CHECK is the last guard)."""
    if is_created:
        fund.approved_total, fund.paid_total = Decimal(0), Decimal(0)
        taken = select(RewardFund.id).where(
            RewardFund.year == fund.year, RewardFund.district_id == fund.district.id
        )
        with db.session.no_autoflush:  # the new fund itself is pending in the session
            exists = db.session.scalar(taken) is not None
        if exists:
            raise FundRefusal(
                _(
                    "There is already a fund for %(year)s in %(district)s.",
                    year=fund.year,
                    district=fund.district,
                )
            )
    elif Decimal(str(fund.budget)) < Decimal(str(fund.approved_total or 0)):
        raise FundRefusal(
            _(
                "The budget cannot be lower than the %(approved)s yuan already approved.",
                approved=yuan(fund.approved_total),
            )
        )
    before = None if is_created else audit.snapshot(fund, FUND_AUDITED, old=True)
    after = audit.snapshot(fund, FUND_AUDITED)
    db.session.flush()  # the new fund's id, for the audit row (same transaction)
    action = AuditAction.CREATE if is_created else AuditAction.UPDATE
    audit.record(AuditEntity.REWARD_FUND, fund.id, action, actor, before, after)
