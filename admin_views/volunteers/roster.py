"""平安员 volunteers (endpoint ``volunteer``): the roster, its form and its xlsx export.

The import (template, upload, preview, confirm) is :mod:`admin_views.volunteers.roster_import`; the
rules of a form edit are :mod:`app.volunteers.roster.edits`.
"""

from flask import abort
from flask_admin import expose
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import ValidationError
from wtforms.validators import DataRequired

from admin_views import formatters as fmt
from admin_views.base import LazyOptions
from admin_views.base import SecuredModelView
from admin_views.base import acting_user
from admin_views.volunteers import links
from admin_views.volunteers.roster_import import RosterImportMixin
from admin_views.volunteers.stats import community_options
from app.auth.access import INTAKE_ROLES
from app.auth.access import SUPERVISOR_ROLES
from app.auth.pii import reveal
from app.extensions import db
from app.validators import IdNumber
from app.validators import Phone
from app.volunteers.roster import edits
from app.volunteers.roster.export import export_row
from app.volunteers.roster.files import write_roster
from app.volunteers.roster.rules import Communities
from models.enums import DepartmentKind
from models.enums import Role
from models.enums import VolunteerGroup
from models.enums import VolunteerStatus
from models.org import Department
from models.volunteer import Volunteer

IMPORT_ROLES = INTAKE_ROLES | {Role.HANDLER}  # handlers import into their own communities only


def _communities():
    return (
        db.session.query(Department)
        .filter(Department.kind == DepartmentKind.COMMUNITY)
        .order_by(Department.path)
    )


def _sees_full_id(volunteer) -> bool:
    return reveal("volunteer_id_number", volunteer.id_number, current_user) == (volunteer.id_number or "")


class VolunteerView(RosterImportMixin, SecuredModelView):
    """The volunteer roster; handlers see the volunteers of their own unit and the units below it."""

    create_roles = INTAKE_ROLES
    edit_roles = INTAKE_ROLES
    export_roles = SUPERVISOR_ROLES
    import_roles = IMPORT_ROLES
    list_template = "admin/volunteer/list.html"

    def get_list_row_actions(self):
        """Flask-Admin's row actions, plus the volunteer's personal link."""
        return [*super().get_list_row_actions(), *links.row_actions()]

    column_list = ("name", "phone", "id_number", "group", "community", "joined_on", "status", "patrol_area")
    column_details_list = (*column_list, "notes")
    column_export_list = column_details_list
    free_text_columns = ("patrol_area", "notes")
    column_labels = {
        "name": _l("Full name"),
        "phone": _l("Phone"),
        "id_number": _l("ID number"),
        "group": _l("Group"),
        "community": _l("Community"),
        "joined_on": _l("Joined"),
        "status": _l("Status"),
        "patrol_area": _l("Patrol area"),
        "notes": _l("Notes"),
    }
    _formatters = {
        "group": fmt.label,
        "status": fmt.label,
        "phone": fmt.masked("volunteer_phone"),
        "id_number": fmt.masked("volunteer_id_number"),
    }
    column_formatters = _formatters
    column_formatters_detail = _formatters
    column_formatters_export = _formatters
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_type_formatters_export = fmt.EXPORT_TYPE_FORMATTERS
    column_searchable_list = ("name",)
    column_default_sort = ("joined_on", True)
    column_filters = (
        sqla_filters.FilterEqual(Volunteer.group, _l("Group"), options=VolunteerGroup.choices()),
        sqla_filters.FilterEqual(Volunteer.status, _l("Status"), options=VolunteerStatus.choices()),
        sqla_filters.IntEqualFilter(
            Volunteer.community_id, _l("Community"), options=LazyOptions(community_options)
        ),
    )
    form_columns = (
        "name",
        "phone",
        "id_number",
        "group",
        "community",
        "joined_on",
        "status",
        "patrol_area",
        "notes",
    )
    form_choices = {"group": VolunteerGroup.choices(), "status": VolunteerStatus.choices()}
    form_args = {
        "name": {"validators": [DataRequired()]},
        "phone": {"validators": [DataRequired(), Phone()]},
        "id_number": {"validators": [IdNumber()]},
        "community": {"validators": [DataRequired()], "query_factory": _communities},
        "joined_on": {"validators": [DataRequired()]},
    }

    @property
    def can_import(self):
        return self._user_in(self.import_roles)

    def edit_form(self, obj=None):
        """A stored ID number the user may only see masked is left out of the form (and so kept)."""
        form = super().edit_form(obj)
        if obj is not None and obj.id_number and not _sees_full_id(obj):
            del form.id_number
        return form

    def on_model_change(self, form, model, is_created):
        """One volunteer per ID number, said in words; every edit audited (app.volunteers.roster.edits)."""
        try:
            edits.save(model, is_created, acting_user())
        except edits.RosterRefusal as refusal:
            raise ValidationError(refusal.message) from None

    def on_model_delete(self, model):
        """Deleting a volunteer is in the audit trail too."""
        edits.remove(model, acting_user())

    # --- export and template -------------------------------------------------------------------
    @expose("/export/<export_type>/")
    def export(self, export_type):
        """The filtered roster the user may see, as xlsx, with personal numbers as the role may see them."""
        if export_type not in self.export_types:
            abort(404)
        _count, volunteers = self._export_data()
        communities = Communities()
        rows = [export_row(volunteer, current_user, communities) for volunteer in volunteers]
        return self._xlsx(write_roster(rows), self.get_export_name("xlsx"))
