"""The yearly reward funds (endpoint ``reward_fund``) and the fund status shown above the reward list.

Supervisors and administrators create a district's fund for a year and edit its budget; approvals and
payments move its totals (``app.volunteers.rewards``), never this form. A budget below what is already approved
is refused here and, should an approval slip in between, by the table's CHECK constraint.
"""

from dataclasses import dataclass
from decimal import Decimal

from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import ValidationError
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import NumberRange

from admin_views.base import SecuredModelView
from admin_views.base import acting_user
from admin_views.volunteers.stats import this_year
from app.auth.access import SUPERVISOR_ROLES
from app.auth.access import is_department_scoped
from app.extensions import db
from app.volunteers import reward_amounts
from app.volunteers.reward_amounts import district_of
from app.volunteers.reward_amounts import yuan
from models.enums import DepartmentKind
from models.enums import Role
from models.org import Department
from models.volunteer import RewardFund


@dataclass(frozen=True)
class FundStatus:
    """One fund's figures for the status block."""

    fund: RewardFund
    budget: Decimal
    approved: Decimal
    paid: Decimal
    remaining: Decimal
    percent_used: Decimal


def visible_funds(year: int, user) -> list[RewardFund]:
    """The funds of ``year`` the user is shown: a handler's own district, every district for the others."""
    query = select(RewardFund).where(RewardFund.year == year).order_by(RewardFund.district_id)
    if is_department_scoped(user):
        district = district_of(user.department)
        if district is None:
            return []
        query = query.where(RewardFund.district_id == district.id)
    return list(db.session.scalars(query))


def fund_status(year: int, user) -> list[FundStatus]:
    """Budget, approved (including paid), paid, remaining and % of the budget approved, per visible fund."""
    rows = []
    for fund in visible_funds(year, user):
        budget, approved, paid = (
            Decimal(str(v or 0)) for v in (fund.budget, fund.approved_total, fund.paid_total)
        )
        used = (approved * 100 / budget).quantize(Decimal("0.1")) if budget else Decimal("0.0")
        rows.append(FundStatus(fund, budget, approved, paid, budget - approved, used))
    return rows


def fund_years() -> list[int]:
    """Years with a fund, and the current year, newest first."""
    years = set(db.session.scalars(select(RewardFund.year).distinct())) | {this_year()}
    return sorted(years, reverse=True)


def fund_context(year_arg, user) -> dict:
    """Template values for the fund status block: the chosen year (current by default), the years, the funds."""
    try:
        year = int(year_arg)
    except (TypeError, ValueError):
        year = this_year()
    year = year if 2000 <= year <= 2200 else this_year()
    return {"fund_year": year, "fund_years": fund_years(), "funds": fund_status(year, user)}


def _districts():
    return (
        db.session.query(Department)
        .filter(Department.kind == DepartmentKind.DISTRICT)
        .order_by(Department.path)
    )


def _money(view, context, model, name):
    return yuan(getattr(model, name))


def _percent_used(view, context, model, name):
    budget = Decimal(str(model.budget or 0))
    if not budget:
        return "0.0%"
    return f"{(Decimal(str(model.approved_total or 0)) * 100 / budget).quantize(Decimal('0.1'))}%"


class RewardFundView(SecuredModelView):
    """Yearly funds per district: supervisors and administrators create them and set budgets; leaders read."""

    read_roles = SUPERVISOR_ROLES | {Role.LEADER}
    create_roles = SUPERVISOR_ROLES
    edit_roles = SUPERVISOR_ROLES
    delete_roles = frozenset()

    column_list = ("year", "district", "budget", "approved_total", "paid_total", "remaining", "used", "note")
    column_details_list = column_list
    column_labels = {
        "year": _l("Year"),
        "district": _l("District"),
        "budget": _l("Budget (yuan)"),
        "approved_total": _l("Approved (yuan)"),
        "paid_total": _l("Paid (yuan)"),
        "remaining": _l("Remaining (yuan)"),
        "used": _l("Used"),
        "note": _l("Note"),
    }
    column_formatters = {
        "budget": _money,
        "approved_total": _money,
        "paid_total": _money,
        "remaining": _money,
        "used": _percent_used,
    }
    column_formatters_detail = column_formatters
    column_sortable_list = ("year", "budget", "approved_total", "paid_total")
    column_default_sort = ("year", True)
    form_columns = ("year", "district", "budget", "note")
    form_args = {
        "year": {"validators": [DataRequired(), NumberRange(min=2000, max=2200)], "default": this_year},
        "district": {"validators": [DataRequired()], "query_factory": _districts},
        "budget": {"validators": [InputRequired(), NumberRange(min=0, max=10**10)]},
    }

    def edit_form(self, obj=None):
        """Only the budget and the note change; the year and the district stay."""
        form = super().edit_form(obj)
        del form.year
        del form.district
        return form

    def on_model_change(self, form, model, is_created):
        """One fund per year and district, a budget never below the approved total; audited."""
        try:
            reward_amounts.save_fund(model, is_created, acting_user())
        except reward_amounts.FundRefusal as refusal:
            raise ValidationError(refusal.message) from None

    def handle_view_exception(self, exc):
        """A budget refused by the database check (an approval came in meanwhile) gets a plain message."""
        if isinstance(exc, IntegrityError) and "within_budget" in str(exc.orig):
            db.session.rollback()
            flash(
                _("The budget cannot be lower than the amount already approved; nothing was saved."), "error"
            )
            return True
        return super().handle_view_exception(exc)
