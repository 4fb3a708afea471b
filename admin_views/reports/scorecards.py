"""The scorecard page (考核, endpoint ``scorecard``): a month's or quarter's departments, streets or communities
ranked by score, with 红榜 and 黑榜, publishing (supervisors and administrators) and an xlsx of every table.

A draft is counted now and each count links to exactly its cases; a published card shows its snapshot,
never recounted, without links (today's cases may differ from what was counted). Handlers see their own
department's row only (``app.reports.scorecards.for_user``).
"""

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime

from flask import abort
from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from admin_views.base import SecuredView
from admin_views.base import acting_user
from admin_views.downloads import audited_download
from admin_views.reports.rates import count_url
from app.auth.access import SUPERVISOR_ROLES
from app.extensions import db
from app.refusal import Refusal
from app.reports import scorecards
from app.reports.figures import Cut
from app.reports.figures import narrowed
from app.reports.rate_table import rate_cut
from app.reports.rates import BY_KEY
from app.reports.score_schemes import DEDUCTION_EVENTS
from app.reports.score_schemes import DEDUCTION_LABELS
from app.reports.score_schemes import DEDUCTION_RATES
from app.timeutil import format_local
from app.timeutil import local_day
from app.timeutil import utcnow
from app.validators import ascii_text
from app.xlsx import XLSX_MIMETYPE
from app.xlsx import write_sheets
from models.scorecard import ScorePeriodKind
from models.scorecard import ScoreUnit


@dataclass
class Choice:
    """The card asked for: period kind, a day in the period, unit kind; and messages about dropped values."""

    kind: str = "month"
    anchor: date = field(default_factory=lambda: local_day(utcnow()))
    unit: str = "department"
    problems: list = field(default_factory=list)

    @property
    def first(self) -> date:
        """The period's first day."""
        return scorecards.bounds(self.kind, self.anchor)[0]

    def args(self) -> dict:
        """The query string of this card."""
        return {"period": self.kind, "date": self.first.isoformat(), "unit": self.unit}


def read_choice(values) -> Choice:
    """The card from ``values`` (query string or form); unknown values fall back with a message."""
    choice = Choice()
    kind = ascii_text(values.get("period") or "month").strip()
    unit = ascii_text(values.get("unit") or "department").strip()
    if ScorePeriodKind.from_code(kind) is None or ScoreUnit.from_code(unit) is None:
        choice.problems.append(
            _("The period or unit asked for is not one of the choices; the default is shown.")
        )
    choice.kind = kind if ScorePeriodKind.from_code(kind) else "month"
    choice.unit = unit if ScoreUnit.from_code(unit) else "department"
    text = ascii_text(values.get("date") or "").strip()
    if text:
        try:
            choice.anchor = date.fromisoformat(text)
        except ValueError:
            choice.problems.append(_("The date must be written as YYYY-MM-DD; the current period is shown."))
    return choice


def percent(value) -> str:
    """A share as 97.5%, or — when there was nothing to count."""
    return "—" if value is None else f"{value * 100:.1f}%"


def points(value) -> str:
    """Points with two decimals, or —."""
    return "—" if value is None else f"{value:.2f}"


def present(shown: dict, choice: Choice, links: bool) -> list[dict]:
    """The card's rows for the page; with ``links`` (a draft's page) each count links to its cases."""
    draft = links and shown["status"] == "draft"
    base = Cut(date.fromisoformat(shown["first_day"]), date.fromisoformat(shown["last_day"]))
    rows = []
    for row in shown["rows"]:
        cut = narrowed(base, choice.unit, row["unit_id"])
        cells = []
        for key, figure in row["rates"].items():
            rate = BY_KEY[key]
            cell = {
                "key": key,
                "text": percent(figure["value"]),
                "points": points(figure["points"]),
                **figure,
            }
            if draft:
                counted = rate_cut(rate, cut)
                cell["numerator_url"] = count_url(rate.numerator, counted, figure["numerator"])
                cell["denominator_url"] = count_url(rate.denominator, counted, figure["denominator"])
            cells.append(cell)
        deductions = []
        for key, deduction in row["deductions"].items():
            measure = BY_KEY[DEDUCTION_RATES[key]].numerator
            url = count_url(measure, cut, deduction["count"]) if draft else None
            deductions.append({"key": key, "url": url, **deduction})
        rows.append(row | {"cells": cells, "deduction_cells": deductions, "score_text": points(row["score"])})
    return rows


def workbook(shown: dict, rows: list[dict]) -> bytes:
    """Every table of the card as a sheet: the ranking, 红榜 and 黑榜 (unit names are text, never formulas)."""
    weights = shown["scheme"]["weights"] if shown["scheme"] else {}
    header = [_("Rank"), _("Unit")]
    for key, weight in weights.items():
        label = BY_KEY[key].label
        header += [f"{label} (%)", _("%(rate)s: counted", rate=label), _("%(rate)s: of", rate=label)]
        header.append(_("%(rate)s: points (weight %(weight)s)", rate=label, weight=weight))
    for key in shown["scheme"]["deductions"] if shown["scheme"] else ():
        header += [str(DEDUCTION_EVENTS[key]), _("%(what)s: points off", what=DEDUCTION_EVENTS[key])]
    header += [_("Points off"), _("Score"), _("Board")]
    boards = {"red": _("Red list"), "black": _("Black list")}
    table = []
    for row in rows:
        line = [row["rank"], row["name"]]
        for cell in row["cells"]:
            value = None if cell["value"] is None else round(cell["value"] * 100, 1)
            line += [value, cell["numerator"], cell["denominator"], cell["points"]]
        for deduction in row["deduction_cells"]:
            line += [deduction["count"], deduction["points"]]
        line += [row["deducted"], row["score"], boards.get(row["board"], "")]
        table.append(line)
    by_id = {row["unit_id"]: row for row in rows}
    short = [_("Rank"), _("Unit"), _("Score")]
    red = [[by_id[i]["rank"], by_id[i]["name"], by_id[i]["score"]] for i in shown["red"] if i in by_id]
    black = [[by_id[i]["rank"], by_id[i]["name"], by_id[i]["score"]] for i in shown["black"] if i in by_id]
    return write_sheets(
        [
            (_("Ranking"), header, table, [6, 20] + [12] * (len(header) - 2)),
            (_("Red list"), short, red, [6, 20, 10]),
            (_("Black list"), short, black, [6, 20, 10]),
        ]
    )


class ScorecardView(SecuredView):
    """Scorecards for every staff role; publishing for supervisors and administrators."""

    publish_roles = SUPERVISOR_ROLES

    def _card(self, choice: Choice) -> dict:
        shown = scorecards.card(choice.kind, choice.first, choice.unit, utcnow())
        return scorecards.for_user(shown, current_user)

    @expose("/")
    def index(self):
        """The card of the chosen period and unit kind, its boards, and the publish button."""
        choice = read_choice(request.args)
        shown = self._card(choice)
        rows = present(shown, choice, links=True)
        by_id = {row["unit_id"]: row for row in rows}
        last = date.fromisoformat(shown["last_day"])
        return self.render(
            "admin/reports/scorecard.html",
            choice=choice,
            card=shown,
            rows=rows,
            red=[by_id[i] for i in shown["red"]],
            black=[by_id[i] for i in shown["black"]],
            rates=BY_KEY,
            deduction_labels=DEDUCTION_LABELS,
            deduction_events=DEDUCTION_EVENTS,
            unit_label=ScoreUnit(choice.unit).label,
            published_text=format_local(datetime.fromisoformat(shown["published_at"]))
            if shown.get("published_at")
            else "",
            kinds=ScorePeriodKind.choices(),
            units=ScoreUnit.choices(),
            board_size=scorecards.BOARD_SIZE,
            may_publish=self._user_in(self.publish_roles) and shown["status"] == "draft",
            ended=last < local_day(utcnow()),
        )

    @expose("/publish", methods=("POST",))
    def publish(self):
        """Freeze the card: its figures and ranks as counted now, for good."""
        if not self._user_in(self.publish_roles):
            abort(403)
        if not FlaskForm().validate():
            abort(400)
        choice = read_choice(request.form)
        if choice.problems:
            abort(400)
        try:
            period = scorecards.period_row(choice.kind, choice.first, choice.unit)
            scorecards.publish(period, acting_user(), utcnow())
            db.session.commit()
        except Refusal as refusal:
            db.session.rollback()
            flash(refusal.message, "error")
        else:
            flash(_("The scorecard is published; its figures and ranks will not change."), "success")
        return redirect(url_for(".index", **choice.args()))

    @expose("/export.xlsx")
    def export(self):
        """The card's tables as a workbook."""
        choice = read_choice(request.args)
        shown = self._card(choice)
        rows = present(shown, choice, links=False)
        name = f"scorecard-{shown['label'].replace(' ', '-')}-{choice.unit}.xlsx"
        view = f"{_('Scorecard')} {shown['label']}（{ScoreUnit(choice.unit).label}）"
        return audited_download(workbook(shown, rows), XLSX_MIMETYPE, name, view=view, rows=len(rows))
