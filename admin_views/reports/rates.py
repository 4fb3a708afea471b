"""The rates page (三率 and the rest): every rate of a period and cut, by group, each figure a link to its
cases (figures of 令, which have no case, are plain counts); and the help page that gives each rate's
formula (the docstrings of ``app.reports.rates``), family by family."""

from flask import request
from flask import url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user

from admin_views.base import SecuredView
from admin_views.reports import cut_form
from app.auth.access import figure_department
from app.reports import drilldown
from app.reports import periods
from app.reports.figures import narrowed
from app.reports.measures import CASELESS
from app.reports.rate_table import rate_cut
from app.reports.rate_table import rate_rows
from app.reports.rates import AVERAGE
from app.reports.rates import COUNT
from app.reports.rates import FAMILIES
from app.reports.rates import RATES
from app.reports.rates import family_spans
from app.timeutil import utcnow
from models.enums import Channel
from models.enums import Grade

FIGURE_ARG = "flt0_figure_is"  # the case list's FigureFilter (admin_views.cases.figure_filter)


def case_list_url(measure: str, cut) -> str:
    """The case list filtered to exactly the cases counted in ``measure`` over ``cut``."""
    return url_for("case.index_view", **{FIGURE_ARG: drilldown.encode(measure, cut)})


def count_url(measure: str, cut, count) -> str | None:
    """The link behind a count: its case list, or None when it is 0 or counts things without a case (令)."""
    return case_list_url(measure, cut) if count and measure not in CASELESS else None


def shown(figure) -> str:
    """A figure as the page shows it: 97.5%, 12, 8.3 h, or — without a denominator."""
    if figure.value is None:
        return "—"
    if figure.rate.kind == COUNT:
        return f"{int(figure.value)}"
    if figure.rate.kind == AVERAGE:
        return _("%(hours)s h", hours=f"{figure.value:.1f}")
    return f"{figure.value * 100:.1f}%"


def cells(figures: dict, base) -> list[dict]:
    """One cell per rate: the value, whether it meets its target, and the links to the cases behind it."""
    out = []
    for rate in RATES:
        figure = figures[rate.key]
        cut = rate_cut(rate, base)
        cell = {"rate": rate, "text": shown(figure), "meets": figure.meets_target, "figure": figure}
        cell["numerator_url"] = count_url(rate.numerator, cut, figure.numerator)
        if rate.denominator and rate.kind != AVERAGE:
            cell["denominator_url"] = count_url(rate.denominator, cut, figure.denominator)
        elif rate.kind == AVERAGE:
            cell["denominator_url"] = count_url("closed", cut, figure.denominator)
            cell["numerator_url"] = None
        out.append(cell)
    return out


class RatesView(SecuredView):
    """Rates by period and cut; every staff role (handlers see their own department only)."""

    @expose("/")
    def index(self):
        """The rates of the chosen period and cut, overall and per group."""
        form = cut_form.read(request.args)
        cut, now = form.cut, utcnow()
        overall = rate_rows(cut, now)[None]
        group = form.group or None
        rows = []
        if group is not None:
            labels = cut_form.group_labels(group)
            for value, figures in rate_rows(cut, now, group=group).items():
                name = labels.get(value, value) if value not in (0, "", None) else cut_form.NOT_SET
                rows.append(
                    {"name": str(name), "key": value, "cells": cells(figures, narrowed(cut, group, value))}
                )
            order = {key: index for index, key in enumerate(labels)}  # tree order, catalogue order …
            rows.sort(key=lambda row: (order.get(row["key"], len(order)), str(row["key"])))
        return self.render(
            "admin/reports/rates.html",
            form=form,
            rates=RATES,
            families=family_spans(),
            total=cells(overall, cut),
            rows=rows,
            period_label=periods.label(form.kind, cut.start, cut.end),
            period_labels=cut_form.PERIOD_LABELS,
            group_labels=cut_form.GROUP_LABELS,
            options={
                "department": cut_form.departments(),
                "street": cut_form.departments(["street"]),
                "community": cut_form.departments(["community"]),
                "mailbox": cut_form.mailboxes(),
                "category": {cid: name for cid, (name, _p) in cut_form.categories().items()},
            },
            own_department_only=figure_department(current_user) is not None,
            channel_choices=Channel.choices(),
            grade_choices=Grade.choices(),
        )

    @expose("/help")
    def help(self):
        """How each rate is computed."""
        return self.render("admin/reports/rates_help.html", rates=RATES, families=FAMILIES)
