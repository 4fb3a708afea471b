"""个人信息保护 (administrators only): the retention period, and one citizen's data exported or erased on
request. Phone and ID numbers are posted, never put in a URL, so they stay out of logs and history."""

from flask import abort
from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from admin_views.base import SecuredView
from admin_views.base import acting_user
from admin_views.downloads import audited_download
from app import audit
from app.auth.access import ADMIN_ROLES
from app.auth.pii import mask
from app.extensions import db
from app.privacy import citizen
from app.privacy import retention
from app.timeutil import local_day
from app.timeutil import utcnow
from app.validators import ascii_text
from app.validators import visible_text
from app.xlsx import XLSX_MIMETYPE
from models.audit import AuditEntity
from models.enums import OPEN_STATUSES
from models.jobstate import JobRun

JOB = "privacy_retention"
REASON_MAX = 500


def _who() -> tuple[str, str]:
    """The phone or ID number typed (as stored) and its masked form."""
    key = citizen.lookup_key(request.form.get("who"))
    return key, mask(key)


class PrivacyView(SecuredView):
    """The retention period, the job's progress, and a citizen's request to see or erase their data."""

    read_roles = ADMIN_ROLES

    def _page(self, **context):
        now = utcnow()
        return self.render(
            "admin/privacy.html",
            months=retention.retention_months(),
            counts=retention.counts(now),
            last_run=db.session.get(JobRun, JOB),
            max_months=retention.MAX_MONTHS,
            **context,
        )

    @expose("/")
    def index(self):
        """The period form and the citizen lookup."""
        return self._page()

    @expose("/period/", methods=("POST",))
    def period(self):
        """Save the retention period (months; 0 = never), audited."""
        raw = ascii_text(request.form.get("months")).strip()
        if not raw.isdigit() or int(raw) > retention.MAX_MONTHS:
            flash(_("Give a whole number of months from 0 to %(max)d.", max=retention.MAX_MONTHS), "error")
            return self._page(), 400
        row = retention.setting()
        before = {"retention_months": row.retention_months}
        row.retention_months, row.updated_by_id = int(raw), acting_user().id
        fields = ("retention_months",)
        audit.record_change(AuditEntity.PERSONAL_DATA, row, fields, acting_user(), False, before)
        db.session.commit()
        flash(_("Retention period saved."))
        return redirect(url_for(".index"))

    @expose("/lookup/", methods=("POST",))
    def lookup(self):
        """The cases held about the citizen with the phone or ID number typed."""
        key, shown = _who()
        if not key:
            flash(_("Type the citizen's phone number or ID number."), "error")
            return self._page(), 400
        cases = citizen.cases_of(key)
        return self._page(who=key, shown=shown, cases=cases, open_statuses=OPEN_STATUSES)

    @expose("/export/", methods=("POST",))
    def export(self):
        """Everything held about the citizen as an xlsx workbook, audited (the number masked in the trail)."""
        key, shown = _who()
        if not key:
            abort(400)
        cases = citizen.cases_of(key)
        data = citizen.workbook(cases)
        name = f"personal-data-{local_day(utcnow()).isoformat()}.xlsx"
        fields = ("citizen_name", "citizen_phone", "citizen_id_no", "address")
        return audited_download(
            data, XLSX_MIMETYPE, name, view=_("Personal data of one citizen"), rows=len(cases),
            filters=[shown], personal=fields,
        )  # fmt: skip

    @expose("/anonymise/", methods=("POST",))
    def anonymise(self):
        """Erase all the citizen's cases: first a confirmation page, then (confirmed) the erasing, audited."""
        key, shown = _who()
        reason = visible_text(request.form.get("reason"))[:REASON_MAX]
        if not key:
            abort(400)
        cases = citizen.cases_of(key)
        if not reason:
            flash(
                _("Give the reason for erasing (e.g. the citizen's written request and its date)."), "error"
            )
            return self._page(who=key, shown=shown, cases=cases, open_statuses=OPEN_STATUSES), 400
        if request.form.get("confirm") != "yes":
            return self._page(who=key, shown=shown, cases=cases, open_statuses=OPEN_STATUSES, confirm=reason)
        numbers = citizen.anonymise_all(key, reason, acting_user(), utcnow())
        db.session.commit()
        flash(_("Personal data erased from %(count)d cases.", count=len(numbers)))
        return redirect(url_for(".index"))


def register(admin) -> None:
    """The personal-data protection page, under Settings."""
    admin.add_view(
        PrivacyView(name=_l("Personal data protection"), endpoint="privacy", category=_l("Settings"))
    )
