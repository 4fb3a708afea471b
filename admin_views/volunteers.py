"""平安员 volunteers: the roster."""

from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired

from admin_views import formatters as fmt
from admin_views.base import SecuredModelView
from app.access import INTAKE_ROLES
from app.access import SUPERVISOR_ROLES
from app.extensions import db
from app.validators import Phone
from models.enums import VOLUNTEER_GROUP_LABELS
from models.enums import VOLUNTEER_STATUS_LABELS
from models.enums import DepartmentKind
from models.enums import choices
from models.org import Department
from models.volunteer import Volunteer


def _communities():
    return (
        db.session.query(Department)
        .filter(Department.kind == DepartmentKind.COMMUNITY)
        .order_by(Department.path)
    )


class VolunteerView(SecuredModelView):
    """The volunteer roster; handlers see the volunteers of their own unit and the units below it."""

    create_roles = INTAKE_ROLES
    edit_roles = INTAKE_ROLES
    export_roles = SUPERVISOR_ROLES

    column_list = ("name", "phone", "group", "community", "joined_on", "status")
    column_details_list = column_list
    column_export_list = column_list
    column_labels = {
        "name": _l("Full name"),
        "phone": _l("Phone"),
        "group": _l("Group"),
        "community": _l("Community"),
        "joined_on": _l("Joined"),
        "status": _l("Status"),
    }
    _formatters = {
        "group": fmt.labelled(VOLUNTEER_GROUP_LABELS),
        "status": fmt.labelled(VOLUNTEER_STATUS_LABELS),
        "phone": fmt.masked("volunteer_phone"),
    }
    column_formatters = _formatters
    column_formatters_detail = _formatters
    column_formatters_export = _formatters
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_type_formatters_export = fmt.EXPORT_TYPE_FORMATTERS
    column_searchable_list = ("name",)
    column_default_sort = ("joined_on", True)
    column_filters = (
        sqla_filters.FilterEqual(Volunteer.group, _l("Group"), options=choices(VOLUNTEER_GROUP_LABELS)),
        sqla_filters.FilterEqual(Volunteer.status, _l("Status"), options=choices(VOLUNTEER_STATUS_LABELS)),
    )
    form_columns = ("name", "phone", "group", "community", "joined_on", "status")
    form_choices = {"group": choices(VOLUNTEER_GROUP_LABELS), "status": choices(VOLUNTEER_STATUS_LABELS)}
    form_args = {
        "name": {"validators": [DataRequired()]},
        "phone": {"validators": [DataRequired(), Phone()]},
        "community": {"validators": [DataRequired()], "query_factory": _communities},
        "joined_on": {"validators": [DataRequired()]},
    }
