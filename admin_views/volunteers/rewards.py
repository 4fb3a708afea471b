"""Reward payouts (平安奖励金, endpoint ``reward``): the list with the fund status, proposals, and the decisions.

Every change goes through :mod:`app.volunteers.rewards`: the create form proposes, the buttons on a reward's page
approve, reject or mark it paid. No form edits a status.
"""

from flask import abort
from flask import flash
from flask import request
from flask_admin import expose
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_admin.helpers import get_redirect_target
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.validators import DataRequired

from admin_views import formatters as fmt
from admin_views.base import LazyOptions
from admin_views.base import SecuredModelView
from admin_views.base import acting_user
from admin_views.steps import run_step
from admin_views.volunteers.reward_forms import STEP_STATUS
from admin_views.volunteers.reward_forms import STEPS
from admin_views.volunteers.reward_forms import ClueLoader
from admin_views.volunteers.reward_fund import fund_context
from admin_views.volunteers.reward_fund import fund_status
from admin_views.volunteers.stats import MonthFilter
from admin_views.volunteers.stats import VolunteerFilter
from admin_views.volunteers.stats import community_options
from admin_views.volunteers.stats import group_options
from admin_views.volunteers.stats import month_options
from app import audit
from app.auth.access import SUPERVISOR_ROLES
from app.extensions import db
from app.volunteers import reward_amounts
from app.volunteers import rewards
from models.enums import RewardStatus
from models.volunteer import Clue
from models.volunteer import RewardPayout
from models.volunteer import Volunteer


class RewardView(SecuredModelView):
    """Reward payouts: desk staff propose; supervisors approve, reject and mark paid; leaders read."""

    create_roles = rewards.PROPOSE_ROLES
    edit_roles = frozenset()
    delete_roles = frozenset()
    export_roles = SUPERVISOR_ROLES
    list_template = "admin/reward/list.html"
    details_template = "admin/reward/details.html"

    column_list = (
        "volunteer",
        "volunteer.community",
        "clue",
        "case",
        "amount",
        "tier",
        "status",
        "proposed_by",
        "proposed_at",
        "approved_by",
        "paid_on",
    )
    column_details_list = column_list + (
        "reason",
        "approved_at",
        "rejected_by",
        "rejected_at",
        "rejection_reason",
        "paid_by",
        "pay_method",
        "pay_reference",
    )
    column_export_list = column_details_list
    free_text_columns = ("reason", "rejection_reason")
    column_labels = {
        "volunteer": _l("Volunteer"),
        "volunteer.community": _l("Community"),
        "clue": _l("Clue"),
        "case": _l("Related case"),
        "amount": _l("Amount (yuan)"),
        "tier": _l("Tier"),
        "reason": _l("Reason"),
        "status": _l("Status"),
        "proposed_by": _l("Proposed by"),
        "proposed_at": _l("Time proposed"),
        "approved_by": _l("Approved by"),
        "approved_at": _l("Time approved"),
        "rejected_by": _l("Rejected by"),
        "rejected_at": _l("Time rejected"),
        "rejection_reason": _l("Reason for rejecting"),
        "paid_by": _l("Payment recorded by"),
        "paid_on": _l("Date paid"),
        "pay_method": _l("Paid by"),
        "pay_reference": _l("Reference"),
    }
    _labels = {
        "status": fmt.label,
        "tier": fmt.label,
        "pay_method": fmt.label,
    }
    column_formatters = {
        **_labels,
        "case": fmt.link_to_case,
        "amount": lambda v, c, m, n: reward_amounts.yuan(m.amount),
    }
    column_formatters_detail = column_formatters
    column_formatters_export = {**_labels, "case": lambda v, c, m, n: m.case.number if m.case else ""}
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_type_formatters_detail = fmt.LIST_TYPE_FORMATTERS
    column_type_formatters_export = fmt.EXPORT_TYPE_FORMATTERS
    column_sortable_list = ("amount", "status", "proposed_at", "paid_on")
    column_default_sort = ("proposed_at", True)
    column_filters = (
        MonthFilter(RewardPayout.proposed_at, _l("Month proposed"), options=LazyOptions(month_options)),
        VolunteerFilter(Volunteer.community_id, _l("Community"), LazyOptions(community_options), int),
        VolunteerFilter(Volunteer.group, _l("Group"), LazyOptions(group_options)),
        sqla_filters.FilterEqual(RewardPayout.status, _l("Status"), options=RewardStatus.choices()),
    )
    form_columns = ("volunteer", "clue", "case", "amount", "reason")
    form_args = {
        "amount": {"validators": [DataRequired()]},
        "reason": {"validators": [DataRequired()]},
        "volunteer": {"validators": [DataRequired()]},
    }
    form_ajax_refs = {
        "volunteer": {"fields": ["name", "phone"], "page_size": 10, "minimum_input_length": 1},
        "clue": {"fields": ["place", "description"], "page_size": 10, "minimum_input_length": 1},
        "case": {"fields": ["number", "title"], "page_size": 10, "minimum_input_length": 2},
    }

    def _create_ajax_loader(self, name, options):
        if name == "clue":
            return ClueLoader(name, db.session, Clue, **options)
        return super()._create_ajax_loader(name, options)

    # --- proposing ---------------------------------------------------------------------------
    def create_form(self, obj=None):
        """The proposal form; ``?clue=`` / ``?case=`` / ``?volunteer=`` prefill it (only with visible rows)."""
        form = super().create_form(obj)
        low, high = reward_amounts.amount_bounds()
        ranges = "; ".join(
            f"{tier.label} {reward_amounts.yuan(a)}–{reward_amounts.yuan(b)}"
            for tier in reward_amounts.TIERS.values()
            for a, b in [reward_amounts.tier_range(tier)]
        )
        form.amount.description = _(
            "%(low)s to %(high)s yuan. Suggested by the case's grade: %(ranges)s.",
            low=reward_amounts.yuan(low),
            high=reward_amounts.yuan(high),
            ranges=ranges,
        )
        if request.method == "GET":
            for name in ("volunteer", "clue", "case"):
                if request.args.get(name):
                    row = self._form_ajax_refs[name].get_one(request.args.get(name))
                    getattr(form, name).data = row or getattr(form, name).data
            clue = form.clue.data
            if clue is not None:
                form.volunteer.data, form.case.data = clue.volunteer, form.case.data or clue.case
        return form

    def create_model(self, form):
        """Every proposal goes through :func:`app.volunteers.rewards.propose`."""
        try:
            reward = rewards.propose(
                form.volunteer.data,
                form.amount.data,
                form.reason.data,
                acting_user(),
                clue=form.clue.data,
                case=form.case.data,
            )
            db.session.commit()
        except rewards.RewardError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return False
        low, high = reward_amounts.tier_range(reward_amounts.TIERS_BY_CODE[reward.tier])
        if not low <= reward.amount <= high:
            flash(
                _(
                    "Note: %(amount)s yuan is outside the suggested %(tier)s range (%(low)s–%(high)s yuan).",
                    amount=reward_amounts.yuan(reward.amount),
                    tier=reward.tier.label,
                    low=reward_amounts.yuan(low),
                    high=reward_amounts.yuan(high),
                ),
                "warning",
            )
        return reward

    def get_save_return_url(self, model, is_created=False):
        """After proposing, show the new reward."""
        return self.get_url(".details_view", id=model.id)

    # --- the reward page and its decisions -----------------------------------------------------
    def _render_reward(self, reward, open_step=None, open_form=None):
        steps = []
        if self._user_in(rewards.DECIDE_ROLES):
            for name, (form_class, label, source, _done) in STEPS.items():
                if reward.status == source and rewards.duty_refusal(reward, name, current_user) is None:
                    form = open_form if name == open_step else form_class(prefix=name, id=reward.id)
                    steps.append((name, label, form))
        history = audit.history("reward", reward.id)
        funds = fund_status(reward_amounts.fund_year(reward), current_user)
        return self.render(
            self.details_template,
            model=reward,
            details_columns=self._details_columns,
            get_value=self.get_detail_value,
            return_url=get_redirect_target() or self.get_url(".index_view"),
            steps=steps,
            open_step=open_step,
            history=history,
            funds=funds,
            yuan=reward_amounts.yuan,
            step_statuses=STEP_STATUS,
        )

    @expose("/details/")
    def details_view(self):
        """The reward, its history and the decisions the user may take now."""
        return self._render_reward(self.get_one(request.args.get("id")))

    @expose("/step/<step>/", methods=("POST",))
    def step_view(self, step):
        """Approve, reject or mark paid through :mod:`app.volunteers.rewards`; on refusal show the page with its reason."""
        if step not in STEPS:
            abort(404)

        def perform(reward, form, actor):
            if step == "approve":
                rewards.approve(reward, actor)
            elif step == "reject":
                rewards.reject(reward, form.reason.data, actor)
            else:
                rewards.mark_paid(reward, form.paid_on.data, form.method.data, form.reference.data, actor)

        form_class, _label, _source, done = STEPS[step]
        return run_step(
            self,
            step,
            form_class,
            rewards.DECIDE_ROLES,
            self._render_reward,
            perform,
            done,
        )

    # --- the list and its fund status ----------------------------------------------------------
    def render(self, template, **kwargs):
        """The list page also shows the fund status of the chosen year (``?fund_year=``)."""
        if template == self.list_template:
            kwargs.update(fund_context(request.args.get("fund_year"), current_user), yuan=reward_amounts.yuan)
        return super().render(template, **kwargs)
