"""Clues (线索, endpoint ``clue``): the list, staff entry for a volunteer, the clue page and its triage.

Every change goes through :mod:`app.volunteers.clue_intake` (entry) and :mod:`app.volunteers.clues` (convert, merge, dismiss);
the rows, their files and the triage routes are scoped like every other view (``app.auth.access``).
"""

import uuid

from flask import abort
from flask import flash
from flask import request
from flask import url_for
from flask_admin import expose
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_admin.helpers import get_redirect_target
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from wtforms import DateTimeLocalField
from wtforms import HiddenField
from wtforms import MultipleFileField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from admin_views import formatters as fmt
from admin_views.base import LazyOptions
from admin_views.base import SecuredModelView
from admin_views.base import acting_user
from admin_views.cases.case import attachment_response
from admin_views.scoping import ScopedAjaxLoader
from admin_views.steps import run_step
from admin_views.volunteers.clue_forms import STEPS
from admin_views.volunteers.clue_forms import GroupFilter
from admin_views.volunteers.clue_forms import IntEqualFilter
from admin_views.volunteers.stats import MonthFilter
from admin_views.volunteers.stats import community_options
from admin_views.volunteers.stats import group_options
from admin_views.volunteers.stats import month_options
from app import audit
from app.auth.access import scope_query
from app.auth.pii import reveal
from app.extensions import db
from app.intake import uploads
from app.volunteers import clue_intake
from app.volunteers import clues
from app.volunteers import reward_amounts
from app.volunteers import rewards
from models.case import Attachment
from models.enums import ClueStatus
from models.enums import VolunteerStatus
from models.volunteer import Clue
from models.volunteer import RewardPayout
from models.volunteer import Volunteer


class ActiveVolunteerLoader(ScopedAjaxLoader):
    """Volunteer lookups in the entry form: active volunteers the user may see."""

    def get_query(self):
        """Visible and on active duty."""
        return super().get_query().filter(Volunteer.status == VolunteerStatus.ACTIVE)


def _clue_link(view, context, model, name):
    return Markup('<a href="{}">#{}</a>').format(url_for("clue.details_view", id=model.id), model.id)


def _entered_by(view, context, model, name):
    return model.entered_by.display_name if model.entered_by else _("Volunteer's personal link")


class ClueView(SecuredModelView):
    """Clues: desk staff and handlers (their own area) enter and triage them; leaders read."""

    create_roles = clues.TRIAGE_ROLES
    edit_roles = frozenset()
    delete_roles = frozenset()
    details_template = "admin/clue/details.html"

    column_list = ("id", "reported_at", "volunteer", "community", "place", "status", "case", "entered_by")
    free_text_columns = ("place", "description", "dismiss_reason")
    column_details_list = (
        "volunteer",
        "volunteer.phone",
        "community",
        "reported_at",
        "occurred_at",
        "place",
        "description",
        "people_involved",
        "money_involved",
        "entered_by",
        "status",
        "case",
        "dismiss_reason",
        "triaged_by",
        "triaged_at",
    )
    column_labels = {
        "id": _l("Clue"),
        "volunteer": _l("Volunteer"),
        "volunteer.phone": _l("Volunteer's phone"),
        "community": _l("Community"),
        "reported_at": _l("Time reported"),
        "occurred_at": _l("When it happened"),
        "place": _l("Where"),
        "description": _l("What happened"),
        "people_involved": _l("People involved"),
        "money_involved": _l("Money involved (yuan)"),
        "entered_by": _l("Entered by"),
        "status": _l("Status"),
        "case": _l("Case"),
        "dismiss_reason": _l("Reason for dismissing"),
        "triaged_by": _l("Triaged by"),
        "triaged_at": _l("Time triaged"),
    }
    column_formatters = {
        "id": _clue_link,
        "status": fmt.label,
        "case": fmt.link_to_case,
        "entered_by": _entered_by,
        "volunteer.phone": lambda v, c, m, n: reveal("volunteer_phone", m.volunteer.phone, current_user),
    }
    column_formatters_detail = column_formatters
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_type_formatters_detail = fmt.LIST_TYPE_FORMATTERS
    column_sortable_list = ("reported_at", "status")
    column_default_sort = ("reported_at", True)
    column_searchable_list = ("place", "description")
    column_filters = (
        sqla_filters.FilterEqual(Clue.status, _l("Status"), options=ClueStatus.choices()),
        IntEqualFilter(Clue.community_id, _l("Community"), options=LazyOptions(community_options)),
        GroupFilter(_l("Group"), LazyOptions(group_options)),
        MonthFilter(Clue.reported_at, _l("Month reported"), options=LazyOptions(month_options)),
    )

    # --- staff entry ---------------------------------------------------------------------------
    form_columns = (  # the extra fields must be listed too (Flask-Admin adds them only in this order)
        "volunteer",
        "occurred",
        "place",
        "description",
        "people_involved",
        "money_involved",
        "files",
        "submission_key",
    )
    form_extra_fields = {
        "occurred": DateTimeLocalField(_l("When it happened"), validators=[Optional()]),
        "files": MultipleFileField(_l("Photos or voice notes")),
        "submission_key": HiddenField(),
    }
    form_args = {
        "volunteer": {"validators": [DataRequired()]},
        "place": {"label": _l("Where"), "validators": [DataRequired(), Length(max=clues.PLACE_MAX)]},
        "description": {"label": _l("What happened"), "validators": [DataRequired(), Length(max=5000)]},
        "people_involved": {"validators": [Optional(), NumberRange(min=1, max=100000)]},
        "money_involved": {"validators": [Optional(), NumberRange(min=0, max=10**11)]},
    }
    form_widget_args = {"description": {"rows": 5}}
    form_ajax_refs = {"volunteer": {"fields": ["name", "phone"], "page_size": 10, "minimum_input_length": 1}}

    def _create_ajax_loader(self, name, options):
        if name == "volunteer":
            return ActiveVolunteerLoader(name, db.session, Volunteer, **options)
        return super()._create_ajax_loader(name, options)

    def create_form(self, obj=None):
        """The entry form; ``?volunteer=`` prefills a visible volunteer; a fresh submission key."""
        form = super().create_form(obj)
        if not (form.submission_key.data or "").isalnum() or len(form.submission_key.data) != 32:
            form.submission_key.data = uuid.uuid4().hex
        if request.method == "GET" and request.args.get("volunteer"):
            form.volunteer.data = self._form_ajax_refs["volunteer"].get_one(request.args.get("volunteer"))
        return form

    def create_model(self, form):
        """Every staff entry goes through :func:`app.volunteers.clue_intake.create_clue`, files included."""
        try:
            report = clue_intake.ClueReport(
                place=form.place.data,
                description=form.description.data,
                occurred_at=clue_intake.from_local(form.occurred.data),
                people_involved=form.people_involved.data,
                money_involved=form.money_involved.data,
                files=uploads.check_all(uploads.file_parts(form.files)),
                submission_key=form.submission_key.data,
            )
            clue, _created = clue_intake.create_clue(form.volunteer.data, report, acting_user())
        except uploads.UploadError as exc:
            flash(str(exc), "error")
            return False
        except clues.ClueError as exc:
            flash(exc.message, "error")
            return False
        return clue

    def get_save_return_url(self, model, is_created=False):
        """After entering a clue, show it."""
        return self.get_url(".details_view", id=model.id)

    # --- the clue page and its triage ----------------------------------------------------------
    def _render_clue(self, clue, open_step=None, open_form=None):
        steps = []
        if clues.may_triage(current_user, clue):
            for name, (form_class, label, _done) in STEPS.items():
                if name == open_step and open_form is not None:
                    form = open_form
                else:
                    form = form_class(prefix=name, id=clue.id)
                    if name == "convert":
                        form.title.data = clues.default_title(clue)
                steps.append((name, label, form))
        history = audit.history("clue", clue.id)
        reward_query = select(RewardPayout).where(RewardPayout.clue_id == clue.id).order_by(RewardPayout.id)
        may_reward = (
            clue.status in (ClueStatus.CONVERTED, ClueStatus.MERGED)
            and self._user_in(rewards.PROPOSE_ROLES)
            and rewards.granted_reward_id(clue.id) is None
        )
        return self.render(
            self.details_template,
            model=clue,
            details_columns=self._details_columns,
            get_value=self.get_detail_value,
            return_url=get_redirect_target() or self.get_url(".index_view"),
            steps=steps,
            open_step=open_step,
            history=history,
            attachments=clue.attachments,
            rewards=db.session.scalars(scope_query(RewardPayout, reward_query, current_user)).all(),
            may_reward=may_reward,
            may_manage_link=self._user_in(clues.TRIAGE_ROLES),
            yuan=reward_amounts.yuan,
        )

    @expose("/details/")
    def details_view(self):
        """The clue, its files, its history and the triage steps the user may take now."""
        clue = self.get_one(request.args.get("id"))
        if clues.finish_conversion(clue) is not None:  # a conversion left half-done by an older version
            db.session.commit()
        return self._render_clue(clue)

    @expose("/triage/<step>/", methods=("POST",))
    def triage_view(self, step):
        """Convert, merge or dismiss through :mod:`app.volunteers.clues`; on refusal show the page with its reason."""
        if step not in STEPS:
            abort(404)

        def perform(clue, form, actor):
            if step == "convert":
                clues.convert_to_case(
                    clue,
                    actor,
                    request_type=form.request_type.data,
                    category_id=form.category.data,
                    title=form.title.data,
                )
            elif step == "merge":
                clues.merge_into_case(clue, form.case_number.data, actor)
            else:
                clues.dismiss(clue, form.reason.data, actor)

        form_class, _label, done = STEPS[step]
        return run_step(self, step, form_class, clues.TRIAGE_ROLES, self._render_clue, perform, done)

    @expose("/attachment/<int(min=1, max=9223372036854775807):attachment_id>")
    def attachment_view(self, attachment_id):
        """One file of a clue, for staff who may see the clue (inline, or ``?download=1``)."""
        attachment = db.session.get(Attachment, attachment_id)
        if attachment is None or attachment.clue_id is None:
            abort(404)
        self.get_one(attachment.clue_id)  # 404 unless the clue is in the user's scope
        return attachment_response(attachment)
