"""The leaders' dashboard (app.reports.dashboard) as the page's chart specs and links (app/static/charts.js)."""

from flask import url_for
from flask_babel import gettext as _

from admin_views.reports.cut_form import group_labels
from admin_views.reports.rates import case_list_url
from admin_views.reports.rates import shown
from app.reports.figures import narrowed
from app.reports.rate_table import rate_cut
from models.enums import OPEN_STATUSES

OPEN_LIST = ",".join(sorted(str(s) for s in OPEN_STATUSES))


def area_url(area_id: int, kind: str) -> str:
    """The open cases of a street or community."""
    return url_for("case.index_view", **{f"flt0_{kind}_equals": area_id, "flt1_status_in_list": OPEN_LIST})


def _bars(pairs, group: str, measure: str, month, title: str, unit: str) -> dict:
    labels = group_labels(group)
    names = [str(labels.get(key, key)) if key not in (0, "") else _("Not set") for key, _value in pairs]
    return {
        "type": "hbar" if group != "channel" else "pie",
        "title": title,
        "categories": names,
        "series": [{"name": title, "data": [value for _key, value in pairs]}],
        "unit": unit,
        "links": [case_list_url(measure, narrowed(month, group, key)) for key, _value in pairs],
    }


def charts(picture) -> dict:
    """The chart specs of the dashboard, by name."""
    unit = _("cases")
    trend = {
        "type": "line",
        "title": _("Received and closed, last 30 days"),
        "categories": [f"{d:%m-%d}" for d in picture.trend_days],
        "series": [
            {"name": _("Received"), "data": picture.trend_received},
            {"name": _("Closed"), "data": picture.trend_closed},
        ],
        "unit": unit,
    }
    month = picture.month
    return {
        "trend": trend,
        "categories": _bars(
            picture.categories[:10], "parent_category", "received", month, _("Received by category"), unit
        ),
        "channels": _bars(picture.channels, "channel", "received", month, _("Received by channel"), unit),
        "overdue": _bars(
            picture.overdue_ranking, "department", "late", month, _("Time limits missed, by department"), unit
        ),
    }


def rate_tiles(figures, month) -> list[dict]:
    """The headline rates of the month with their targets and the link to the cases behind each."""
    tiles = []
    for figure in figures:
        rate = figure.rate
        tiles.append(
            {
                "key": rate.key,
                "label": rate.label,
                "text": shown(figure),
                "meets": figure.meets_target,
                "target": None if rate.target is None else f"{rate.target * 100:.0f}%",
                "url": case_list_url(rate.denominator, rate_cut(rate, month)) if figure.denominator else None,
            }
        )
    return tiles
