"""督办 on many cases: the case list's bulk action opens this form for the cases chosen (re-scoped here)."""

from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import TextAreaField
from wtforms.validators import Optional

from admin_views.base import SecuredView
from admin_views.base import acting_user
from admin_views.scoping import parse_pk
from app.auth.access import SUPERVISOR_ROLES
from app.auth.access import scope_query
from app.cases import lifecycle
from app.cases.supervision import supervise_many
from app.extensions import db
from app.timeutil import utcnow
from models.case import Case
from models.command import SupervisionLevel

MAX_CASES = 500


class SuperviseManyForm(FlaskForm):
    ids = HiddenField()
    content = TextAreaField(_l("Requirement"))
    level = SelectField(_l("Supervision level"), choices=SupervisionLevel.choices())
    due_date = DateField(_l("Answer by (default: the policy's limit)"), validators=[Optional()])


def _chosen(ids: str) -> list[Case]:
    pks = [pk for pk in (parse_pk(part) for part in (ids or "").split(",")[:MAX_CASES]) if pk is not None]
    query = select(Case).where(Case.id.in_(pks)).order_by(Case.id)
    return list(db.session.scalars(scope_query(Case, query, current_user)))


class SuperviseManyView(SecuredView):
    """One 督办单 per chosen case, to its lead department."""

    read_roles = SUPERVISOR_ROLES

    def is_visible(self):
        """Reached from the case list's bulk action, not from the menu."""
        return False

    @expose("/", methods=("GET", "POST"))
    def index(self):
        """The form with the chosen cases; on POST, the orders and a report of any case left out."""
        form = SuperviseManyForm(ids=request.args.get("ids", ""))
        cases = _chosen(form.ids.data)
        if request.method == "POST" and form.validate():
            try:
                issued, skipped = supervise_many(cases, acting_user(), content=form.content.data,
                                                 level=form.level.data, due_date=form.due_date.data, now=utcnow())  # fmt: skip
            except lifecycle.TransitionError as refusal:
                db.session.rollback()
                flash(refusal.message, "error")
                return self.render("admin/command/supervise_many.html", form=form, cases=cases), 409
            db.session.commit()
            flash(_("%(num)d supervision orders issued.", num=len(issued)), "success")
            for case, reason in skipped:
                flash(_("%(number)s left out: %(reason)s", number=case.number, reason=reason), "warning")
            return redirect(url_for("order_ledger.index_view"))
        return self.render("admin/command/supervise_many.html", form=form, cases=cases)
