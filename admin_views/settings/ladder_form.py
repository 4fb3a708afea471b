"""A deadline policy's warning and escalation ladder as a form of rows: which rung, when relative to the due
time, and who hears it. The stored shape stays that of :func:`app.deadlines.policies.validate_ladder` (the
sweep reads it): ``[{"step": "warn", "percent": 80}, {"step": "breach"},
{"step": "escalate_supervisor", "minutes_after": 60}]``.

Rows are posted as ``ladder-<n>-step``, ``-when``, ``-amount``, ``-unit`` and ``-remove``; a blank row is
ignored, and a row in error refuses the whole form (nothing is saved) with its row number in the message.
"""

import re
from dataclasses import dataclass

from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.utils import unset_value
from wtforms.validators import StopValidation

from app.deadlines.policies import validate_ladder
from app.validators import ascii_text
from models.deadline import LadderStep

# When a rung fires, relative to the due time.
PERCENT, BEFORE, AT, AFTER = "percent", "before", "at", "after"
WHEN = {
    PERCENT: _l("share of the time limit used (%)"),
    BEFORE: _l("before the due time"),
    AT: _l("at the due time"),
    AFTER: _l("after the due time"),
}
UNITS = {"minutes": (1, _l("minutes")), "hours": (60, _l("hours")), "days": (24 * 60, _l("days"))}
MAX_MINUTES = 366 * 24 * 60
MAX_ROWS = 8
# Who hears each rung (app.deadlines.escalation.notify), in words for the form.
AUDIENCE = {
    LadderStep.WARN: _l("The handling department (the intake clerks while the case is at intake)"),
    LadderStep.BREACH: _l("The handling department and the supervisors"),
    LadderStep.ESCALATE_SUPERVISOR: _l("The supervisors (and the leader in charge of a raised case)"),
    LadderStep.ESCALATE_LEADER: _l("The leader in charge of the case (or the district leaders)"),
}
ROW_KEY = re.compile(r"^(?P<name>.+)-(?P<index>\d{1,2})-(?P<part>step|when|amount|unit|remove)$")


@dataclass
class LadderRow:
    """One row of the form, as typed (text) so it can be shown again when refused."""

    step: str = ""
    when: str = PERCENT
    amount: str = ""
    unit: str = "minutes"
    remove: bool = False
    error: bool = False  # refused on the last post: the row is marked

    def is_blank(self) -> bool:
        """No rung chosen and nothing typed: the spare row."""
        return not self.step and not self.amount.strip()


def _in_units(minutes: int) -> tuple[str, str]:
    for unit in ("days", "hours"):
        size = UNITS[unit][0]
        if minutes and minutes % size == 0:
            return str(minutes // size), unit
    return str(minutes), "minutes"


def rows_from_ladder(ladder) -> list[LadderRow]:
    """The stored ladder as form rows."""
    rows = []
    for rung in ladder or []:
        row = LadderRow(step=str(rung.get("step", "")))
        if "percent" in rung:
            row.when, row.amount = PERCENT, str(rung["percent"])
        elif "minutes_before" in rung:
            row.when = BEFORE
            row.amount, row.unit = _in_units(rung["minutes_before"])
        elif rung.get("minutes_after"):
            row.when = AFTER
            row.amount, row.unit = _in_units(rung["minutes_after"])
        else:
            row.when = AT
        rows.append(row)
    return rows


def rows_from_form(formdata, name: str) -> list[LadderRow] | None:
    """The rows posted for field ``name``, in their order; None when the form posted none."""
    found: dict[int, LadderRow] = {}
    for key in formdata:
        match = ROW_KEY.match(key)
        if not match or match["name"] != name or int(match["index"]) >= MAX_ROWS:
            continue
        row = found.setdefault(int(match["index"]), LadderRow(when="", unit=""))
        value = ascii_text(formdata.get(key) or "").strip()
        if match["part"] == "remove":
            row.remove = bool(value)
        else:
            setattr(row, match["part"], value)
    return [found[index] for index in sorted(found)] if found else None


def _row_rung(number: int, row: LadderRow) -> dict:
    """The stored rung of one filled row; raises ValueError with a message naming the row."""
    if row.step not in set(LadderStep):
        raise ValueError(_("Row %(row)d: choose a reminder level.", row=number))
    if row.when not in WHEN:
        raise ValueError(_("Row %(row)d: choose when it fires.", row=number))
    rung = {"step": row.step}
    if row.when == AT:
        if row.step == LadderStep.WARN:
            raise ValueError(_("Row %(row)d: a warning must come before the due time.", row=number))
        return rung
    if not row.amount.isdigit():
        raise ValueError(_("Row %(row)d: enter how long, as a whole number.", row=number))
    amount = int(row.amount)
    if row.when == PERCENT:
        if not 1 <= amount <= 99:
            raise ValueError(
                _("Row %(row)d: the share of the time limit must be between 1 and 99 percent.", row=number)
            )
        rung["percent"] = amount
        return rung
    if row.when == AFTER and row.step == LadderStep.WARN:
        raise ValueError(_("Row %(row)d: a warning must come before the due time.", row=number))
    if row.unit not in UNITS:
        raise ValueError(_("Row %(row)d: choose minutes, hours or days.", row=number))
    minutes = amount * UNITS[row.unit][0]
    if minutes > MAX_MINUTES:
        raise ValueError(_("Row %(row)d: at most 366 days.", row=number))
    if row.when == BEFORE and minutes == 0:
        raise ValueError(_("Row %(row)d: enter a time greater than zero.", row=number))
    rung["minutes_before" if row.when == BEFORE else "minutes_after"] = minutes
    return rung


def ladder_from_rows(rows: list[LadderRow]) -> tuple[list[dict], list[str]]:
    """The stored ladder of the kept rows and the messages of the rows in error (the ladder is [] then)."""
    ladder, errors, seen = [], [], {}
    for number, row in enumerate(rows, start=1):
        if row.remove or row.is_blank():
            continue
        try:
            rung = _row_rung(number, row)
        except ValueError as exc:
            errors.append(str(exc))
            row.error = True
            continue
        if rung["step"] in seen:
            row.error = True
            errors.append(
                _(
                    "Row %(row)d: %(level)s is already on row %(first)d; each reminder level may appear once.",
                    row=number,
                    level=LadderStep.label_of(rung["step"]),
                    first=seen[rung["step"]],
                )
            )
            continue
        seen[rung["step"]] = number
        ladder.append(rung)
    if not errors:
        try:
            ladder = validate_ladder(ladder)
        except ValueError as exc:
            errors.append(str(exc))
    return ([] if errors else ladder), errors


def ladder_summary(ladder) -> str:
    """The ladder on one line for the list and details pages: each rung with its time."""
    parts = []
    for row in rows_from_ladder(ladder):
        level = LadderStep.label_of(row.step)
        unit = UNITS.get(row.unit, UNITS["minutes"])[1]
        if row.when == PERCENT:
            parts.append(_("%(level)s (at %(num)s%% of the time limit)", level=level, num=row.amount))
        elif row.when == BEFORE:
            before = _(
                "%(level)s (%(amount)s %(unit)s before the due time)",
                level=level,
                amount=row.amount,
                unit=unit,
            )
            parts.append(before)
        elif row.when == AFTER:
            after = _(
                "%(level)s (%(amount)s %(unit)s after the due time)",
                level=level,
                amount=row.amount,
                unit=unit,
            )
            parts.append(after)
        else:
            parts.append(_("%(level)s (at the due time)", level=level))
    return " → ".join(parts)


class LadderWidget:
    """The rows as a table (admin/deadline_policy/ladder_field.html), with a spare blank row."""

    def __call__(self, field, **kwargs):
        rows = list(field.rows)
        if len(rows) < len(LadderStep):
            rows.append(LadderRow())
        return render_template(
            "admin/deadline_policy/ladder_field.html",
            field=field,
            rows=rows,
            invalid="is-invalid" in (kwargs.get("class") or ""),
            steps=LadderStep.choices(),
            when=WHEN,
            units={code: label for code, (_size, label) in UNITS.items()},
            audience={str(code): str(label) for code, label in AUDIENCE.items()},
            max_rows=len(LadderStep),
        )


class LadderField(Field):
    """The ladder of a policy as rows; ``data`` is the stored list of rungs."""

    widget = LadderWidget()

    def process(self, formdata, data=unset_value, extra_filters=None):
        """Rows from the posted form when it has any, else from the stored ladder."""
        self.process_errors = []
        if data is unset_value:
            data = self.default() if callable(self.default) else self.default
        self.object_data = data
        self.data = list(data) if isinstance(data, list) else []
        posted = rows_from_form(formdata, self.name) if formdata is not None else None
        self.posted = posted is not None
        self.rows = posted if self.posted else rows_from_ladder(self.data)
        self.raw_data = []

    def show(self, ladder: list[dict]) -> None:
        """Show (and hold) ``ladder`` instead of the stored one."""
        self.data, self.rows = list(ladder), rows_from_ladder(ladder)

    def pre_validate(self, form):
        """Turn the posted rows into the stored ladder; every row in error is reported."""
        if not self.posted:
            return
        self.data, errors = ladder_from_rows(self.rows)
        if errors:
            self.errors.extend(errors)
            raise StopValidation()  # the messages are in self.errors; no further validator runs

    def populate_obj(self, obj, name):
        """Store the ladder."""
        setattr(obj, name, list(self.data))
