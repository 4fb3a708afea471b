"""The rollup's summaries: one day's rollup rows summed over all dimensions but one (a *grain*), and which
grain can answer a cut. A cut filtered or grouped by at most one dimension reads a few hundred rows a day
from ``daily_summary`` instead of thousands from ``daily_rollup``; the figures are the same sums."""

from collections import defaultdict

from models.report import DailyRollup
from models.report import DailySummary

# rollup key (app.reports.rollup.KEY) positions of each grain's dimension; the code grains keep text keys
ID_GRAINS = {"department": 0, "mailbox": 2, "category": 3, "street": 4, "community": 5}
CODE_GRAINS = {"channel": 6, "grade": 7}
CUT_DIMENSION = {"parent_category": "category"}
TIME_GROUPS = (None, "day", "month")


def rows_of_day(rows: dict[tuple, dict]) -> list[dict]:
    """The summary rows (without the day) of one day's rollup rows ``{key: {measure: value}}``."""
    totals: dict = defaultdict(lambda: defaultdict(int))
    for key, sums in rows.items():
        role = key[1]
        targets = [("department", key[0], "", 0, role), ("department_category", key[3], "", key[0], role)]
        if role == "lead":  # the other grains count each case once, as its lead department does
            targets.append(("all", 0, "", 0, "lead"))
            targets += [
                (grain, key[position], "", 0, "lead")
                for grain, position in ID_GRAINS.items()
                if grain != "department"
            ]
            targets += [(grain, 0, key[position], 0, "lead") for grain, position in CODE_GRAINS.items()]
        for target in targets:
            bucket = totals[target]
            for name, value in sums.items():
                bucket[name] += value
    return [
        {"grain": grain, "key_id": key_id, "key_code": key_code, "key_id2": key_id2, "department_role": role,
         **dict(sums)}
        for (grain, key_id, key_code, key_id2, role), sums in totals.items()
    ]  # fmt: skip


def grain_for(filters: set[str], group: str | None, role: str) -> str | None:
    """The grain that answers a cut with these filtered dimensions, this grouping and role; None when only
    the full rollup can (two dimensions at once)."""
    dimensions = set(filters)
    if group not in TIME_GROUPS:
        dimensions.add(CUT_DIMENSION.get(group, group))
    if dimensions == {"department", "category"}:
        return "department_category"
    if role != "lead" or dimensions == {"department"}:
        if dimensions == {"category"}:
            return "department_category"  # the co-handled rows of a category, all departments
        return "department" if dimensions <= {"department"} else None
    if not dimensions:
        return "all"
    if len(dimensions) == 1:
        (dimension,) = dimensions
        return dimension if dimension in ID_GRAINS or dimension in CODE_GRAINS else None
    return None


def columns_of(grain: str) -> dict:
    """{dimension: the summary column that holds it} for a grain."""
    if grain == "department_category":
        return {"category": DailySummary.key_id, "department": DailySummary.key_id2}
    if grain == "all":
        return {}
    return {grain: DailySummary.key_code if grain in CODE_GRAINS else DailySummary.key_id}


ROLLUP_COLUMN = {
    "department": DailyRollup.department_id,
    "mailbox": DailyRollup.mailbox_id,
    "category": DailyRollup.category_id,
    "street": DailyRollup.street_id,
    "community": DailyRollup.community_id,
    "channel": DailyRollup.channel,
    "grade": DailyRollup.grade,
}
