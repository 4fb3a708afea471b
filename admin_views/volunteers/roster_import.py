"""The roster import pages of the volunteer view: upload, preview with every row's fate, confirm.

The rules are :mod:`app.volunteers.roster.importer`; the parsed upload waits on the server between the
preview and the confirm (:mod:`app.volunteers.roster.pending`). The confirm commits all rows or none.
"""

import io

from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import send_file
from flask import url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from sqlalchemy.exc import SQLAlchemyError
from wtforms import HiddenField

from admin_views.base import acting_user
from app.extensions import db
from app.volunteers.roster import importer
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

PREVIEW_ROWS_SHOWN = 1000  # per section; the counts always cover the whole file


class UploadForm(FlaskForm):
    """The roster file to check."""

    file = FileField(_l("Roster file (xlsx or csv)"), validators=[FileRequired()])


class ConfirmForm(FlaskForm):
    """Confirm the preview the user saw (its fingerprint)."""

    fingerprint = HiddenField()


class RosterImportMixin:
    """Roster import routes for :class:`admin_views.volunteers.roster.VolunteerView` (needs ``import_roles``)."""

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
            db.session.commit()
        except importer.ImportFailed as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return back
        except SQLAlchemyError:
            db.session.rollback()
            flash(str(importer.CONFLICT), "error")
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
