"""The 民情日报's content for one day: plain data (JSON), built once and kept with the issue.

Intake by channel, category and street with the day before and the same day last week; the top topics
and the fastest rising; every red, sensitive, repeat and supervised case received that day or still open;
open overdue cases by department; open 批示 and 督办单 (overdue first) and the 包案 in force; the day's
closures (and how many of them the intake team answered on the spot) and satisfaction; people and money
involved; and a short summary written from those figures. Counts come from :mod:`app.reports.figures`
(the rollup), the case lists from the case table's indexed columns.
"""

import re
from datetime import date
from datetime import datetime
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select

from app.command import ledger
from app.extensions import db
from app.reports.figures import Cut
from app.reports.figures import sums
from app.timeutil import local_day_start
from models.case import Case
from models.deadline import Urgency
from models.enums import OPEN_STATUSES
from models.enums import Grade
from models.org import Category
from models.org import Department

FLAGGED_LISTED = 200
TOPICS = 5
RISING_MIN = 3  # a topic must have at least this many in the last 7 days to count as rising
BASE_DAYS = 28


def _names(model) -> dict:
    return dict(db.session.execute(select(model.id, model.name)).all())


def _compare(group: str, day: date, now: datetime, names: dict | None) -> list:
    """[(name or code, that day, the day before, the same day last week)], biggest first."""
    counts = [
        sums(Cut(d, d), now, group=group) for d in (day, day - timedelta(days=1), day - timedelta(days=7))
    ]
    keys = set().union(*counts)
    rows = []
    for key in keys:
        values = [c.get(key, {}).get("received", 0) for c in counts]
        if any(values):
            label = (names or {}).get(key, key) if key not in (0, "") else ""
            rows.append([label, *values])
    return sorted(rows, key=lambda row: (-row[1], str(row[0])))


def _topics(day: date, now: datetime, names: dict) -> tuple[list, list]:
    """Top topics of the day; topics rising fastest (last 7 days against the 4 weeks before, per day)."""
    today = sums(Cut(day, day), now, group="category")
    top = sorted(
        ((names.get(k, ""), v["received"]) for k, v in today.items() if k and v["received"]),
        key=lambda r: -r[1],
    )
    recent = sums(Cut(day - timedelta(days=6), day), now, group="category")
    base = sums(Cut(day - timedelta(days=6 + BASE_DAYS), day - timedelta(days=7)), now, group="category")
    rising = []
    for key, values in recent.items():
        last7 = values["received"]
        if not key or last7 < RISING_MIN:
            continue
        per_day_before = base.get(key, {}).get("received", 0) / BASE_DAYS
        per_day_now = last7 / 7
        ratio = per_day_now / per_day_before if per_day_before else None
        if ratio is None or ratio >= 1.5:
            rising.append(
                [
                    names.get(key, ""),
                    last7,
                    round(per_day_before * 7, 1),
                    None if ratio is None else round(ratio, 1),
                ]
            )
    rising.sort(key=lambda r: (r[3] is not None, -(r[3] or 0), -r[1]))
    return [list(r) for r in top[:TOPICS]], rising[:TOPICS]


def _flagged(day: date, departments: dict) -> tuple[list, int]:
    """Red, sensitive, repeat and supervised cases received on ``day`` or still open (the first 200)."""
    start, end = local_day_start(day), local_day_start(day + timedelta(days=1))
    flagged = or_(Case.grade == Grade.RED, Case.is_sensitive, Case.is_repeat, Case.is_supervised)
    window = or_(Case.status.in_(OPEN_STATUSES), (Case.received_at >= start) & (Case.received_at < end))
    where = (flagged, window, Case.received_at < end)
    total = db.session.scalar(select(func.count(Case.id)).where(*where))
    rows = db.session.scalars(
        select(Case).where(*where).order_by(Case.received_at.desc()).limit(FLAGGED_LISTED)
    )
    listed = []
    for case in rows:
        flags = [name for name, on in (("red", case.grade == Grade.RED), ("sensitive", case.is_sensitive),
                                       ("repeat", case.is_repeat), ("supervised", case.is_supervised)) if on]  # fmt: skip
        listed.append(
            {
                "id": case.id,
                "number": case.number,
                "title": case.title,
                "flags": flags,
                "status": str(case.status),
                "department": departments.get(case.lead_department_id, ""),
                "received": case.received_at.isoformat(),
            }
        )
    return listed, max(0, total - len(listed))


def _overdue(departments: dict) -> list:
    """Open overdue cases per lead department, most first."""
    rows = db.session.execute(
        select(Case.lead_department_id, func.count(Case.id))
        .where(Case.status.in_(OPEN_STATUSES), Case.urgency == Urgency.RED)
        .group_by(Case.lead_department_id)
    ).all()
    named = [[departments.get(key, "") if key else "", count] for key, count in rows]
    return sorted(named, key=lambda r: (-r[1], r[0]))


def build(day: date, now: datetime) -> dict:
    """The content of ``day``'s 民情日报, as of ``now``."""
    departments, categories = _names(Department), _names(Category)
    totals = {
        d: sums(Cut(d, d), now).get(None, {}) for d in (day, day - timedelta(days=1), day - timedelta(days=7))
    }
    figures = totals[day]
    top, rising = _topics(day, now, categories)
    flagged, more = _flagged(day, departments)
    content = {
        "day": day.isoformat(),
        "received": [totals[d].get("received", 0) for d in totals],
        "by_channel": _compare("channel", day, now, None),
        "by_category": _compare("parent_category", day, now, categories)[:15],
        "by_street": _compare("street", day, now, departments),
        "top_topics": top,
        "rising_topics": rising,
        "flagged": flagged,
        "flagged_more": more,
        "overdue_by_department": _overdue(departments),
        "closed": figures.get("closed", 0),
        "closed_at_intake": figures.get("closed_at_intake", 0),
        "rated": figures.get("rated", 0),
        "pleased": figures.get("pleased", 0),
        "people": int(figures.get("people", 0) or 0),
        "money": str(figures.get("money", 0) or 0),
    }
    content["orders"], content["orders_more"] = ledger.open_orders(now)
    content["packages"], content["packages_more"] = ledger.packages_in_hand()
    content["summary"] = summary(content)
    return content


def _change(now_count: int, before: int) -> str:
    if now_count == before:
        return _("unchanged")
    if now_count > before:
        return _("up %(num)d", num=now_count - before)
    return _("down %(num)d", num=before - now_count)


def summary(content: dict) -> str:
    """A few sentences from the figures (no hand typing; a supervisor may add an editor's note above)."""
    received, before, last_week = content["received"]
    parts = [
        _(
            "On %(day)s, %(num)d appeals were received (against the day before: %(change)s; against the same "
            "day last week: %(week)s).",
            day=content["day"],
            num=received,
            change=_change(received, before),
            week=_change(received, last_week),
        )
    ]
    if content["rated"]:
        share = f"{content['pleased'] * 100 / content['rated']:.1f}%"
        parts.append(
            _("%(closed)d were closed; satisfaction was %(share)s.", closed=content["closed"], share=share)
        )
    else:
        parts.append(_("%(closed)d were closed.", closed=content["closed"]))
    if content.get("closed_at_intake"):
        parts.append(_("%(num)d of them were answered at intake.", num=content["closed_at_intake"]))
    flagged = len(content["flagged"]) + content["flagged_more"]
    if flagged:
        parts.append(_("%(num)d red, sensitive, repeat or supervised cases need attention.", num=flagged))
    if content["overdue_by_department"]:
        name, count = content["overdue_by_department"][0]
        parts.append(
            _("Most overdue: %(name)s (%(num)d open cases).", name=name or _("not dispatched"), num=count)
        )
    orders = content.get("orders") or []
    if orders:
        late = sum(1 for r in orders if r["overdue"])
        parts.append(
            _(
                "%(num)d instructions and supervision orders are open, %(late)d of them overdue.",
                num=len(orders) + content.get("orders_more", 0),
                late=late,
            )
        )
    if content["top_topics"]:
        parts.append(_("Most appeals were about %(topic)s.", topic=content["top_topics"][0][0]))
    if content["rising_topics"]:
        parts.append(_("Rising fastest: %(topic)s.", topic=content["rising_topics"][0][0]))
    if content["people"] or content["money"] not in ("0", "0.00"):
        parts.append(
            _(
                "People involved: %(people)d; money involved: %(money)s yuan.",
                people=content["people"],
                money=content["money"],
            )
        )
    return re.sub(r"(?<=[。！？；]) ", "", " ".join(parts))  # Chinese sentences run on without spaces
