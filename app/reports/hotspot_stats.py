"""The statistics of the hot-spot scan, as plain functions: the Poisson upper tail, the Benjamini–Hochberg
cut-off and the expected count of a cell from its own history (see :mod:`app.reports.hotspots` for why)."""

import math
from collections import Counter
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import date

PRIOR_DAYS = 7  # the district-wide share weighs as much as one week of the cell's own history


def poisson_sf(k: int, lam: float) -> float:
    """P(X ≥ k) for X ~ Poisson(lam), summed in log space so tiny tails keep their digits."""
    if k <= 0:
        return 1.0
    if lam <= 0:
        return 0.0
    log_lam = math.log(lam)
    if k <= lam:  # the tail is large (about a half or more): one minus the short lower sum is exact enough
        lower = math.fsum(math.exp(-lam + i * log_lam - math.lgamma(i + 1)) for i in range(k))
        return min(1.0, max(0.0, 1.0 - lower))
    # k > lam: the terms fall from i = k on; sum them relative to the first, then scale by it
    total, term, i = 1.0, 1.0, k
    while term > 1e-17 * total:
        i += 1
        term *= lam / i
        total += term
    return min(1.0, math.exp(-lam + k * log_lam - math.lgamma(k + 1) + math.log(total)))


def bh_cutoff(p_values, q: float) -> float:
    """The Benjamini–Hochberg cut-off at false-discovery rate ``q``: the largest p_(i) ≤ q·i/m, else -1."""
    ordered = sorted(p_values)
    m, cut = len(ordered), -1.0
    for rank, p in enumerate(ordered, start=1):
        if p <= q * rank / m:
            cut = p
    return cut


@dataclass
class Baseline:
    """The history before a window: each cell's count, each category's count, the weekday profile."""

    days: list[date]  # the baseline's local days
    places: dict  # place kind -> how many streets / communities there are
    cell_counts: Counter = field(default_factory=Counter)  # (category_id, place_id) -> cases
    category_counts: Counter = field(default_factory=Counter)  # category_id -> cases, whole district
    weekday_counts: Counter = field(default_factory=Counter)  # weekday -> cases, all categories

    def add(self, cells, category_ids, day: date) -> None:
        """Count one case of the baseline: its cells, its categories (level 2 and level 1), its weekday."""
        self.cell_counts.update(list(cells))
        self.category_counts.update(category_ids)
        self.weekday_counts[day.weekday()] += 1

    def weekday_factor(self) -> dict[int, float]:
        """Each weekday's rate over the mean daily rate, from all cases (1.0 each without history)."""
        per_weekday = defaultdict(int)
        for day in self.days:
            per_weekday[day.weekday()] += 1
        total = sum(self.weekday_counts.values())
        if not total:
            return dict.fromkeys(range(7), 1.0)
        mean = total / len(self.days)
        return {
            w: (self.weekday_counts[w] / per_weekday[w] / mean) if per_weekday[w] else 1.0 for w in range(7)
        }

    def daily_rate(self, category_id: int, place_id: int, kind: str) -> float:
        """The cell's mean daily rate: its own count, shrunk towards its share of the category's district
        rate (at least one case in the whole baseline), so a quiet cell never expects exactly zero."""
        n_days = len(self.days)
        district = max(self.category_counts[category_id], 1) / n_days
        prior = district / max(self.places.get(kind, 1), 1)
        own = self.cell_counts[(category_id, place_id)]
        return (own + PRIOR_DAYS * prior) / (n_days + PRIOR_DAYS)


def expected_text(value: float) -> str:
    """An expected count as people read it: 12.3, 0.45, 0.02, or "<0.01"."""
    if value >= 1:
        return f"{value:.1f}"
    return f"{value:.2f}" if value >= 0.005 else "<0.01"


def chance_text(p_value: float) -> str:
    """A p-value as a percentage: 0.35%, or "<0.01%"."""
    return f"{p_value * 100:.2f}%" if p_value >= 0.0001 else "<0.01%"
