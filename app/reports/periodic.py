"""The weekly (每周一例会), monthly (每月一分析) and quarterly (每季度一考核) reports' content: plain data, built
once the period has ended, by the same machinery as the 民情日报 (:mod:`app.reports.issues`).

Intake by channel, category and street against the period before; the headline rates against the period
before; every department's rates and missed time limits; each bureau's 依令考核 (its answers to the 令 of
streets and communities); and, for months and quarters, the scorecard's 红榜 and 黑榜 (the published card
when there is one). A summary is written from those figures. The content names the rates of its tables,
so an issue built before a rate was added still shows as it was built.
"""

import re
from datetime import date
from datetime import datetime
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.reports import periods
from app.reports import scorecards
from app.reports.figures import Cut
from app.reports.figures import sums
from app.reports.rate_table import rate_rows
from app.reports.rates import BY_KEY
from models.org import Category
from models.org import Department

PERIOD_OF = {"weekly": "week", "monthly": "month", "quarterly": "quarter"}
HEADLINE = (
    "response",
    "contact",
    "reply",
    "closure",
    "satisfaction",
    "redo",
    "overdue",
    "co_handling",
    "at_intake",
)
# the rates of the per-department table; missed time limits last (the summary names the most)
DEPARTMENT_RATES = ("response", "reply", "closure", "satisfaction", "co_handling", "overdue")
EARLIER_DEPARTMENT_RATES = ("response", "reply", "closure", "satisfaction", "overdue")  # issues built before
ORDER_RATES = (
    "field_ack",
    "field_check_in",
    "field_staffed",
    "field_feedback",
    "field_satisfaction",
    "field_overdue",
)


def last_ended(kind: str, today: date) -> tuple[date, date]:
    """The period of ``kind`` that ended most recently before ``today``."""
    first_now, _last = periods.period(PERIOD_OF[kind], today)
    return periods.period(PERIOD_OF[kind], first_now - timedelta(days=1))


def _value(figure) -> float | None:
    return None if figure.value is None else round(float(figure.value), 4)


def _compare(group: str, now: datetime, cuts: tuple[Cut, Cut], names: dict | None) -> list:
    current, before = (sums(cut, now, group=group) for cut in cuts)
    rows = []
    for key in set(current) | set(before):
        values = [current.get(key, {}).get("received", 0), before.get(key, {}).get("received", 0)]
        if any(values):
            rows.append([(names or {}).get(key, key) if key not in (0, "") else "", *values])
    return sorted(rows, key=lambda row: (-row[1], str(row[0])))


def _board(kind: str, first: date, now: datetime) -> dict | None:
    if kind == "weekly":
        return None
    card = scorecards.card(PERIOD_OF[kind], first, "department", now)
    rows = {row["unit_id"]: row for row in card["rows"]}
    return {
        "status": card["status"],
        "red": [[rows[i]["rank"], rows[i]["name"], rows[i]["score"]] for i in card["red"]],
        "black": [[rows[i]["rank"], rows[i]["name"], rows[i]["score"]] for i in card["black"]],
    }


def _orders_by_bureau(cut: Cut, now: datetime, departments: dict) -> tuple[list, list]:
    """([bureau, *依令考核 rates] per bureau a 令 addressed, most late steps first; [*rates] of them all)."""
    rates = [BY_KEY[key] for key in ORDER_RATES]
    rows = []
    for key, figures in rate_rows(cut, now, group="department", rates=rates).items():
        if key and any(figures[r.key].denominator or figures[r.key].numerator for r in rates):
            rows.append([departments.get(key, ""), *(_value(figures[r.key]) for r in rates)])
    rows.sort(key=lambda row: (-(row[-1] or 0), row[0]))
    total = rate_rows(cut, now, rates=rates)[None]
    return rows, [_value(total[r.key]) for r in rates]


def build(kind: str, first: date, last: date, now: datetime) -> dict:
    """The content of the ``kind`` report of ``first`` … ``last``, as of ``now``."""
    before = periods.previous(PERIOD_OF[kind], first, last)
    cuts = (Cut(first, last), Cut(*before))
    departments = dict(db.session.execute(select(Department.id, Department.name)).all())
    categories = dict(db.session.execute(select(Category.id, Category.name)).all())
    rates_now, rates_before = (rate_rows(cut, now)[None] for cut in cuts)
    by_department = []
    for key, figures in rate_rows(cuts[0], now, group="department").items():
        if key:
            by_department.append([departments.get(key, ""), *(_value(figures[r]) for r in DEPARTMENT_RATES)])
    by_department.sort(key=lambda row: (-(row[-1] or 0), row[0]))
    totals = [sums(cut, now).get(None, {}).get("received", 0) for cut in cuts]
    content = {
        "first_day": first.isoformat(),
        "last_day": last.isoformat(),
        "before": [before[0].isoformat(), before[1].isoformat()],
        "received": totals,
        "by_channel": _compare("channel", now, cuts, None),
        "by_category": _compare("parent_category", now, cuts, categories)[:15],
        "by_street": _compare("street", now, cuts, departments),
        "rates": [[key, _value(rates_now[key]), _value(rates_before[key])] for key in HEADLINE],
        "department_rates": list(DEPARTMENT_RATES),
        "by_department": by_department,
        "order_rates": list(ORDER_RATES),
        "board": _board(kind, first, now),
    }
    content["orders_by_bureau"], content["orders_total"] = _orders_by_bureau(cuts[0], now, departments)
    content["summary"] = summary(kind, content)
    return content


def _percent(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def summary(kind: str, content: dict) -> str:
    """A few sentences from the figures."""
    now_count, before = content["received"]
    rates = {key: value for key, value, _before in content["rates"]}
    parts = [
        _(
            "From %(first)s to %(last)s, %(num)d appeals were received (the period before: %(before)d).",
            first=content["first_day"],
            last=content["last_day"],
            num=now_count,
            before=before,
        ),
        _(
            "Response rate %(response)s, on-time reply rate %(reply)s, closure rate %(closure)s, satisfaction "
            "rate %(satisfaction)s.",
            response=_percent(rates["response"]),
            reply=_percent(rates["reply"]),
            closure=_percent(rates["closure"]),
            satisfaction=_percent(rates["satisfaction"]),
        ),
    ]
    if rates.get("at_intake"):
        parts.append(
            _("%(share)s of the cases closed were answered at intake.", share=_percent(rates["at_intake"]))
        )
    if content["orders_by_bureau"]:
        total = dict(zip(content["order_rates"], content["orders_total"], strict=True))
        parts.append(
            _(
                "Orders from streets and communities: acknowledged on time %(ack)s, checked in on time "
                "%(check_in)s, issuers satisfied %(satisfaction)s.",
                ack=_percent(total["field_ack"]),
                check_in=_percent(total["field_check_in"]),
                satisfaction=_percent(total["field_satisfaction"]),
            )
        )
    late = [row for row in content["by_department"] if row[-1]]
    if late:
        parts.append(_("Most time limits missed: %(name)s (%(num)d).", name=late[0][0], num=int(late[0][-1])))
    board = content.get("board")
    if board and board["red"]:
        parts.append(_("Top of the scorecard: %(name)s.", name=board["red"][0][1]))
    if board and board["black"]:
        parts.append(_("Bottom of the scorecard: %(name)s.", name=board["black"][0][1]))
    return re.sub(r"(?<=[。！？；]) ", "", " ".join(parts))


def rate_label(key: str) -> str:
    """A headline rate's name."""
    return str(BY_KEY[key].label)
