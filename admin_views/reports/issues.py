"""民情日报 and the weekly, monthly and quarterly reports in the panel: every issue by date; one issue as a page, Word and xlsx; the editor's note
(supervisors, before it is sent), 已阅 with a comment (leaders), build and send now (supervisors)."""

from datetime import timedelta

from flask import abort
from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from admin_views.base import SecuredView
from admin_views.base import acting_user
from admin_views.downloads import audited_download
from app.auth.access import SUPERVISOR_ROLES
from app.extensions import db
from app.refusal import Refusal
from app.reports import documents
from app.reports import issues
from app.timeutil import local_day
from app.timeutil import utcnow
from app.xlsx import XLSX_MIMETYPE
from app.xlsx import write_sheets
from models.enums import Role
from models.report import ReportIssue
from models.report import ReportReading

READERS = frozenset({Role.LEADER, Role.SUPERVISOR, Role.ADMIN})
LISTED = 400


class ReportsView(SecuredView):
    """The periodic reports for leaders, supervisors and administrators."""

    read_roles = READERS

    def _issue(self, issue_id: int) -> ReportIssue:
        issue = db.session.get(ReportIssue, issue_id)
        if issue is None:
            abort(404)
        return issue

    def _checked(self, roles) -> None:
        if current_user.role not in roles:
            abort(403)
        if not FlaskForm().validate():
            abort(400)

    @expose("/")
    def index(self):
        """Every issue, newest first, with whether the current user has read it."""
        rows = db.session.scalars(
            select(ReportIssue).order_by(ReportIssue.first_day.desc()).limit(LISTED)
        ).all()
        read = set(
            db.session.scalars(select(ReportReading.issue_id).where(ReportReading.user_id == current_user.id))
        )
        titles = {issue.id: documents.title(issue) for issue in rows}
        return self.render(
            "admin/reports/issues.html", issues=rows, read=read, titles=titles, form=FlaskForm()
        )

    @expose("/<int:issue_id>")
    def issue(self, issue_id: int):
        """One issue as a page."""
        issue = self._issue(issue_id)
        return self.render(
            "admin/reports/issue.html",
            issue=issue,
            sections=documents.sections(issue),
            title=documents.title(issue),
            readings=issues.readings(issue),
            form=FlaskForm(),
            can_edit=current_user.role in SUPERVISOR_ROLES,
            can_read=current_user.role == Role.LEADER,
        )

    @expose("/<int:issue_id>.docx")
    def docx(self, issue_id: int):
        """The issue as Word."""
        issue = self._issue(issue_id)
        data, name = documents.docx(issue), documents.file_name(issue, "docx")
        return audited_download(
            data, documents.DOCX_MIME, name, view=f"{documents.title(issue)}（Word）", rows=1
        )

    @expose("/<int:issue_id>.xlsx")
    def xlsx(self, issue_id: int):
        """The issue's tables as a workbook, one sheet each."""
        issue = self._issue(issue_id)
        sheets = [
            (part.heading, part.header, part.rows, [24] * len(part.header))
            for part in documents.sections(issue)
        ]
        name, rows = documents.file_name(issue, "xlsx"), sum(len(sheet[2]) for sheet in sheets)
        view = f"{documents.title(issue)}（Excel）"
        return audited_download(write_sheets(sheets), XLSX_MIMETYPE, name, view=view, rows=rows)

    @expose("/<int:issue_id>/note", methods=["POST"])
    def note(self, issue_id: int):
        """The 编者按, before the issue goes out."""
        self._checked(SUPERVISOR_ROLES)
        issue = self._issue(issue_id)
        try:
            issues.add_note(issue, request.form.get("note", ""), acting_user(), utcnow())
        except Refusal as refusal:
            db.session.rollback()
            flash(str(refusal), "error")
        else:
            db.session.commit()
            flash(_("The editor's note is saved."), "success")
        return redirect(url_for(".issue", issue_id=issue_id))

    @expose("/<int:issue_id>/read", methods=["POST"])
    def read(self, issue_id: int):
        """已阅, with an optional comment."""
        self._checked({Role.LEADER})
        issue = self._issue(issue_id)
        issues.mark_read(issue, acting_user(), request.form.get("comment", ""), utcnow())
        db.session.commit()
        flash(_("Marked as read."), "success")
        return redirect(url_for(".issue", issue_id=issue_id))

    @expose("/<int:issue_id>/send", methods=["POST"])
    def send(self, issue_id: int):
        """Send the issue now (once)."""
        self._checked(SUPERVISOR_ROLES)
        count = issues.send(self._issue(issue_id), utcnow())
        db.session.commit()
        if count:
            flash(_("Sent to %(num)d leaders and supervisors.", num=count), "success")
        else:
            flash(_("This issue has been sent already."), "error")
        return redirect(url_for(".issue", issue_id=issue_id))

    @expose("/build", methods=["POST"])
    def build(self):
        """Build yesterday's issue now, if it is not built yet."""
        self._checked(SUPERVISOR_ROLES)
        now = utcnow()
        built = issues.build_daily(now)
        db.session.commit()
        if built is None:
            flash(_("Yesterday's issue exists already."), "error")
            built = issues.issue_of(local_day(now) - timedelta(days=1))
        return redirect(url_for(".issue", issue_id=built.id) if built else url_for(".index"))
