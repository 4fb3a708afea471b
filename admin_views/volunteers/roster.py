"""平安员 volunteers: the roster, its xlsx export and template, and the import with a preview.

The import is three steps: upload (the rows are checked and kept on the server), preview (what would be
added, updated and rejected; nothing is written), confirm (everything in one transaction, or nothing).
The rules live in :mod:`app.volunteers.roster.importer`; this module only wires them to pages.
"""

import io

from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import send_file
from flask import url_for
from flask_admin import expose
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from sqlalchemy import select
from wtforms import HiddenField
from wtforms import ValidationError
from wtforms.validators import DataRequired

from admin_views import formatters as fmt
from admin_views.base import LazyOptions
from admin_views.base import SecuredModelView
from admin_views.base import acting_user
from admin_views.volunteers import links
from admin_views.volunteers.stats import community_options
from app import audit
from app.auth.access import INTAKE_ROLES
from app.auth.access import SUPERVISOR_ROLES
from app.auth.pii import reveal
from app.extensions import db
from app.validators import IdNumber
from app.validators import Phone
from app.volunteers.roster import importer
from app.volunteers.roster.export import export_row
from app.volunteers.roster.export import shown
from app.volunteers.roster.export import template_rows
from app.volunteers.roster.files import XLSX_MIMETYPE
from app.volunteers.roster.files import RosterFileError
from app.volunteers.roster.files import read_roster
from app.volunteers.roster.files import write_roster
from app.volunteers.roster.pending import discard_pending
from app.volunteers.roster.pending import load_pending
from app.volunteers.roster.pending import save_pending
from app.volunteers.roster.rules import Communities
from models.enums import VOLUNTEER_GROUP_LABELS
from models.enums import VOLUNTEER_STATUS_LABELS
from models.enums import DepartmentKind
from models.enums import Role
from models.enums import choices
from models.org import Department
from models.volunteer import Volunteer

ROSTER_FIELDS = (
    "name",
    "phone",
    "id_number",
    "group",
    "community_id",
    "joined_on",
    "status",
    "patrol_area",
    "notes",
)
MASKED = ("phone", "id_number")  # the audit trail keeps personal numbers masked
IMPORT_ROLES = INTAKE_ROLES | {Role.HANDLER}  # handlers import into their own communities only
PREVIEW_ROWS_SHOWN = 1000  # per section; the counts always cover the whole file


def _communities():
    return (
        db.session.query(Department)
        .filter(Department.kind == DepartmentKind.COMMUNITY)
        .order_by(Department.path)
    )


def _sees_full_id(volunteer) -> bool:
    return reveal("volunteer_id_number", volunteer.id_number, current_user) == (volunteer.id_number or "")


class UploadForm(FlaskForm):
    """The roster file to check."""

    file = FileField(_l("Roster file (xlsx or csv)"), validators=[FileRequired()])


class ConfirmForm(FlaskForm):
    """Confirm the preview the user saw (its fingerprint)."""

    fingerprint = HiddenField()


class VolunteerView(SecuredModelView):
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
        "group": fmt.labelled(VOLUNTEER_GROUP_LABELS),
        "status": fmt.labelled(VOLUNTEER_STATUS_LABELS),
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
        sqla_filters.FilterEqual(Volunteer.group, _l("Group"), options=choices(VOLUNTEER_GROUP_LABELS)),
        sqla_filters.FilterEqual(Volunteer.status, _l("Status"), options=choices(VOLUNTEER_STATUS_LABELS)),
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
    form_choices = {"group": choices(VOLUNTEER_GROUP_LABELS), "status": choices(VOLUNTEER_STATUS_LABELS)}
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
        """One volunteer per ID number, said in words rather than as a database error."""
        if model.id_number:
            with db.session.no_autoflush:
                clash = db.session.scalar(
                    select(Volunteer.id).where(
                        Volunteer.id_number == model.id_number, Volunteer.id != model.id
                    )
                )
            if clash is not None:
                raise ValidationError(_("This ID number is already on the roster."))
        before = None if is_created else audit.snapshot(model, ROSTER_FIELDS, old=True, masked=MASKED)
        db.session.flush()  # the new volunteer's id, for the audit row (same transaction)
        after = audit.snapshot(model, ROSTER_FIELDS, masked=MASKED)
        if before != after:
            audit.record(
                "volunteer", model.id, "create" if is_created else "update", acting_user(), before, after
            )

    def on_model_delete(self, model):
        """Deleting a volunteer is in the audit trail too."""
        before = audit.snapshot(model, ROSTER_FIELDS, masked=MASKED)
        audit.record("volunteer", model.id, "delete", acting_user(), before, None)

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

    @expose("/import/template/")
    def import_template(self):
        """A blank roster with the header row, one example row and a sheet explaining the columns."""
        self._require_import()
        rows, notes = template_rows(current_user, Communities())
        return self._xlsx(write_roster(rows, notes), "suqiu_volunteer_template.xlsx")

    @staticmethod
    def _xlsx(data: bytes, name: str):
        return send_file(io.BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=name)

    # --- import ----------------------------------------------------------------------------------
    def _require_import(self):
        if not self.can_import:
            abort(403)

    @staticmethod
    def _limits() -> tuple[int, int]:
        config = current_app.config
        return (
            config["ROSTER_IMPORT_MAX_BYTES"],
            config["ROSTER_IMPORT_MAX_ROWS"],
        )

    @expose("/import/", methods=("GET", "POST"))
    def import_view(self):
        """Upload a roster file; a readable one is kept on the server and its preview shown."""
        self._require_import()
        form, error = UploadForm(), None
        max_bytes, max_rows = self._limits()
        if form.validate_on_submit():
            upload = form.file.data
            data = upload.stream.read(max_bytes + 1)
            try:
                if len(data) > max_bytes:
                    raise RosterFileError(
                        _("The file is larger than %(size)d MB.", size=max_bytes // (1024 * 1024) or 1)
                    )
                sheet = read_roster(data, max_rows)
            except RosterFileError as exc:
                error = str(exc)
            else:
                token = save_pending(sheet, acting_user(), upload.filename or "")
                return redirect(url_for(".import_preview", token=token))
        return self.render(
            "admin/volunteer/import.html",
            form=form,
            error=error,
            max_mb=max_bytes // (1024 * 1024) or 1,
            max_rows=max_rows,
        )

    def _pending_or_restart(self, token):
        pending = load_pending(token, acting_user())
        if pending is None:
            flash(_("This import has expired or does not exist; upload the file again."), "error")
        return pending

    @expose("/import/<token>/")
    def import_preview(self, token):
        """What confirming would do, row by row; writes nothing."""
        self._require_import()
        pending = self._pending_or_restart(token)
        if pending is None:
            return redirect(url_for(".import_view"))
        plan = importer.build_plan(pending["records"], acting_user())
        return self.render(
            "admin/volunteer/import_preview.html",
            plan=plan,
            pending=pending,
            token=token,
            form=ConfirmForm(fingerprint=plan.fingerprint),
            shown=lambda name, value: shown(name, value, current_user, plan.communities),
            fields=importer.FIELDS,
            labels=self.column_labels,
            limit=PREVIEW_ROWS_SHOWN,
        )

    @expose("/import/<token>/confirm/", methods=("POST",))
    def import_confirm(self, token):
        """Write the previewed import in one transaction; refused while any row is rejected."""
        self._require_import()
        form = ConfirmForm()
        if not form.validate_on_submit():
            abort(400)
        pending = self._pending_or_restart(token)
        if pending is None:
            return redirect(url_for(".import_view"))
        back = redirect(url_for(".import_preview", token=token))
        plan = importer.build_plan(pending["records"], acting_user())
        if plan.of(importer.REJECTED):
            flash(_("Nothing was imported: fix the rejected rows in the file and upload it again."), "error")
            return back
        if form.fingerprint.data != plan.fingerprint:
            flash(
                _(
                    "The roster changed since the preview; nothing was imported. Check this preview and confirm again."
                ),
                "error",
            )
            return back
        try:
            counts = importer.apply_plan(plan, acting_user(), pending["filename"], token)
        except importer.ImportFailed as exc:
            flash(str(exc), "error")
            return back
        discard_pending(token)
        flash(
            _(
                "Roster imported: %(added)d added, %(updated)d updated, %(unchanged)d unchanged.",
                added=counts[importer.ADDED],
                updated=counts[importer.UPDATED],
                unchanged=counts[importer.UNCHANGED],
            ),
            "success",
        )
        return redirect(url_for(".index_view"))
