"""Every rate over a cut, optionally per group: the figures a rates page, a scorecard or a report shows."""

from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime

from app.reports.figures import Cut
from app.reports.figures import sums
from app.reports.rates import RATES
from app.reports.rates import Rate
from app.reports.rates import dispute_category_ids


@dataclass(frozen=True)
class Figure:
    """One rate's value with the counts behind it."""

    rate: Rate
    value: float | None
    numerator: float
    denominator: float | None

    @property
    def meets_target(self) -> bool | None:
        """Whether the value meets the rate's target (None when there is no target or no value)."""
        return self.rate.meets_target(self.value)


def rate_cut(rate: Rate, cut: Cut) -> Cut:
    """The cut a rate is counted over: a dispute rate keeps only the dispute subjects."""
    return _disputes(cut) if rate.disputes_only else cut


def _disputes(cut: Cut) -> Cut:
    ids = set(dispute_category_ids())
    if cut.category_ids is not None:
        ids &= set(cut.category_ids)
    return replace(cut, category_ids=tuple(sorted(ids)))


def figures_of(rate: Rate, values: dict) -> Figure:
    """``rate`` over one set of summed measures."""
    denominator = values.get(rate.denominator, 0) if rate.denominator else None
    return Figure(rate, rate.value(values), values.get(rate.numerator, 0), denominator)


def rate_rows(cut: Cut, now: datetime, group: str | None = None, rates=RATES) -> dict:
    """{group value: {rate key: Figure}}; ungrouped, the one key is None."""
    plain = sums(cut, now, group)
    disputes = sums(_disputes(cut), now, group) if any(r.disputes_only for r in rates) else {}
    zero: dict = {}
    rows = {}
    for target in set(plain) | set(disputes):
        rows[target] = {
            rate.key: figures_of(rate, (disputes if rate.disputes_only else plain).get(target, zero))
            for rate in rates
        }
    if not rows and group is None:
        rows[None] = {rate.key: figures_of(rate, zero) for rate in rates}
    return rows
