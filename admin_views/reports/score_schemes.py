"""Scoring schemes (考核方案, endpoint ``score_scheme``): supervisors read them and the periods each scored;
administrators add one with its effective date, or change one that no published period used.

Numbers are read after NFKC (full-width digits and points are plain ones); the rules (weights add up to
100, no negative numbers, dates) are checked by ``app.reports.score_schemes``, whose refusals become the
form's messages. Nothing is written unless the whole scheme is accepted.
"""

import re
from datetime import date
from datetime import timedelta
from decimal import Decimal

from flask import abort
from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms import ValidationError
from wtforms.validators import InputRequired
from wtforms.validators import Length

from admin_views.base import SecuredView
from admin_views.base import acting_user
from admin_views.downloads import audited_download
from app.auth.access import ADMIN_ROLES
from app.auth.access import SUPERVISOR_ROLES
from app.extensions import db
from app.reports import score_schemes
from app.reports.rates import FAMILIES
from app.reports.score_schemes import DEDUCTION_LABELS
from app.reports.score_schemes import WEIGHTED_RATES
from app.reports.score_schemes import SchemeInput
from app.reports.score_schemes import SchemeRefusal
from app.timeutil import format_local
from app.timeutil import utcnow
from app.validators import ascii_text
from app.validators import parse_id
from app.validators import visible_text
from app.xlsx import XLSX_MIMETYPE
from app.xlsx import write_sheets
from models.scorecard import ScoreScheme
from models.user import User

NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")  # no exponents, no NaN: what a person types


def plain(value):
    """Form text after NFKC, with ASCII digits, without blanks or a trailing % sign."""
    return ascii_text(value or "").strip().removesuffix("%").strip()


def amount(text: str) -> Decimal | None:
    """The number typed (None when blank); ValueError unless it is plain digits with an optional point."""
    if not text:
        return None
    if not NUMBER.fullmatch(text):
        raise ValueError(text)
    return Decimal(text)


class Amount:
    """A number from 0 to 100 (blank allowed)."""

    def __call__(self, form, field):
        try:
            value = amount(field.data)
        except ValueError:
            raise ValidationError(_l("Enter a number, e.g. 20 or 12.5.")) from None
        if value is not None and value < 0:
            raise ValidationError(_l("Cannot be negative."))
        if value is not None and value > 100:
            raise ValidationError(_l("Cannot be more than 100."))


class IsoDate:
    """A date written as YYYY-MM-DD."""

    def __call__(self, form, field):
        try:
            date.fromisoformat(field.data)
        except ValueError:
            raise ValidationError(_l("Enter the date as YYYY-MM-DD, e.g. 2027-01-01.")) from None


class SchemeForm(FlaskForm):
    """A scheme as typed: effective date, one weight per share rate, points off, their cap, a note."""

    effective_from = StringField(
        _l("Effective date"),
        filters=[plain],
        validators=[InputRequired(message=_l("Enter the date the scheme takes effect.")), IsoDate()],
    )
    max_deduction = StringField(
        _l("At most this many points off (blank: no limit)"), filters=[plain], validators=[Amount()]
    )
    note = StringField(_l("Note"), filters=[visible_text], validators=[Length(max=200)])


def add_amount_fields(form_class) -> None:
    """One field per weighted rate (``weight_<key>``) and per deduction (``deduct_<key>``)."""
    for rate in WEIGHTED_RATES:
        setattr(
            form_class, f"weight_{rate.key}", StringField(rate.label, filters=[plain], validators=[Amount()])
        )
    for key, label in DEDUCTION_LABELS.items():
        setattr(form_class, f"deduct_{key}", StringField(label, filters=[plain], validators=[Amount()]))


add_amount_fields(SchemeForm)


def scheme_input(form: SchemeForm) -> SchemeInput:
    """The validated form as the domain's input (blank weights and points are 0)."""
    return SchemeInput(
        effective_from=date.fromisoformat(form.effective_from.data),
        weights={r.key: amount(form[f"weight_{r.key}"].data) or Decimal(0) for r in WEIGHTED_RATES},
        deductions={k: amount(form[f"deduct_{k}"].data) or Decimal(0) for k in DEDUCTION_LABELS},
        max_deduction=amount(form.max_deduction.data),
        note=form.note.data or "",
    )


def fill(form: SchemeForm, scheme: ScoreScheme) -> None:
    """Put a stored scheme's values into an empty form."""
    form.effective_from.data = scheme.effective_from.isoformat()
    for rate in WEIGHTED_RATES:
        form[f"weight_{rate.key}"].data = str(scheme.weights.get(rate.key, ""))
    for key in DEDUCTION_LABELS:
        form[f"deduct_{key}"].data = str(scheme.deductions.get(key, ""))
    form.max_deduction.data = "" if scheme.max_deduction is None else f"{scheme.max_deduction:g}"
    form.note.data = scheme.note


def listing() -> list[dict]:
    """Every scheme with the day before the next one takes effect and the published periods it scored."""
    schemes = score_schemes.all_schemes()
    names = dict(db.session.execute(select(User.id, User.display_name)).all())
    rows, following = [], None
    for scheme in schemes:  # newest first: the one listed before is the one that follows
        rows.append(
            {
                "scheme": scheme,
                "until": None if following is None else following.effective_from - timedelta(days=1),
                "periods": score_schemes.published_periods(scheme.id),
                "created_by": names.get(scheme.created_by_id, ""),
                "created_at": format_local(scheme.created_at),
            }
        )
        following = scheme
    return rows


class ScoreSchemeView(SecuredView):
    """The schemes: supervisors and administrators read; administrators add and change."""

    read_roles = SUPERVISOR_ROLES
    edit_roles = ADMIN_ROLES

    @expose("/")
    def index(self):
        """The schemes, newest first, each with the periods it scored."""
        return self.render(
            "admin/reports/score_schemes.html",
            rows=listing(),
            rates=WEIGHTED_RATES,
            deduction_labels=DEDUCTION_LABELS,
            may_edit=self._user_in(self.edit_roles),
        )

    @expose("/new", methods=("GET", "POST"))
    def create(self):
        """Add a scheme."""
        return self._edit(None)

    @expose("/edit", methods=("GET", "POST"))
    def edit(self):
        """Change a scheme that no published period used."""
        pk = parse_id(request.args.get("id"))
        scheme = None if pk is None else db.session.get(ScoreScheme, pk)
        if scheme is None:
            abort(404)
        return self._edit(scheme)

    def _edit(self, scheme: ScoreScheme | None):
        if not self._user_in(self.edit_roles):
            abort(403)
        form = SchemeForm()
        if request.method == "GET" and scheme is not None:
            fill(form, scheme)
        problems = []
        if form.validate_on_submit():
            try:
                score_schemes.save_scheme(scheme, scheme_input(form), acting_user(), utcnow())
                db.session.commit()
            except SchemeRefusal as refusal:
                db.session.rollback()
                if refusal.field in form:
                    form[refusal.field].errors = [*form[refusal.field].errors, refusal.message]
                else:
                    problems.append(refusal.message)
            else:
                flash(_("The scoring scheme is saved."), "success")
                return redirect(url_for(".index"))
        return self.render(
            "admin/reports/score_scheme_form.html",
            form=form,
            scheme=scheme,
            problems=problems,
            weight_groups=[
                (label, [form[f"weight_{r.key}"] for r in WEIGHTED_RATES if r.family == family])
                for family, label in FAMILIES.items()
                if any(r.family == family for r in WEIGHTED_RATES)
            ],
            deduction_fields=[form[f"deduct_{k}"] for k in DEDUCTION_LABELS],
        )

    @expose("/export.xlsx")
    def export(self):
        """The schemes table as a workbook."""
        header = [_("Effective date"), _("In force until")]
        header += [_("%(rate)s: weight", rate=r.label) for r in WEIGHTED_RATES]
        header += [str(label) for label in DEDUCTION_LABELS.values()]
        header += [_("At most this many points off"), _("Note"), _("Published periods scored")]
        table = []
        for row in listing():
            scheme = row["scheme"]
            line = [scheme.effective_from.isoformat(), row["until"].isoformat() if row["until"] else ""]
            line += [scheme.weights.get(r.key, 0) for r in WEIGHTED_RATES]
            line += [scheme.deductions.get(k, 0) for k in DEDUCTION_LABELS]
            line += [
                scheme.max_deduction,
                scheme.note,
                "、".join(score_schemes.period_name(p) for p in row["periods"]),
            ]
            table.append(line)
        widths = [12, 12] + [10] * (len(header) - 5) + [12, 30, 40]
        data = write_sheets([(_("Scoring schemes"), header, table, widths)])
        view = _("Scoring schemes")
        return audited_download(data, XLSX_MIMETYPE, "score-schemes.xlsx", view=view, rows=len(table))
