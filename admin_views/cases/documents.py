"""Printed case documents (endpoint ``case_documents``): the 办理单, 答复告知书 and 延期告知书 of one case, as a
print page (A4, with a 打印 button) or as a Word file, for staff who may see the case (404 for others)."""

import io

from flask import abort
from flask import flash
from flask import redirect
from flask import send_file
from flask import url_for
from flask_admin import expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from admin_views.base import SecuredView
from admin_views.base import acting_user
from admin_views.cases.columns import LABELS
from app import audit
from app.auth import pii
from app.auth.access import can_see_case
from app.documents import content
from app.documents import word
from app.extensions import db
from models.audit import AuditAction
from models.audit import AuditEntity
from models.case import Case

ID = "int(min=1, max=9223372036854775807)"
NAMES = {
    content.SHEET: _l("Case handling sheet"),
    content.REPLY: _l("Notice of reply"),
    content.EXTENSION: _l("Notice of extension"),
}
MISSING = {
    content.REPLY: _l("This case has no reply yet, so there is no notice of reply to print."),
    content.EXTENSION: _l("No extension of this case has been approved, so there is no notice of extension."),
}


def _visible_case(case_id: int) -> Case:
    case = db.session.get(Case, case_id)
    if case is None or not can_see_case(current_user, case):
        abort(404)
    return case


def _audit_download(case: Case, paper, file_format: str) -> None:
    """An export row in the audit trail for each document shown or downloaded (committed here, at the edge):
    which document of which case, and the personal data it carried unmasked."""
    personal = pii.personal_in_full("Case", paper.personal, current_user)
    after = {
        "view": f"{NAMES[paper.kind]}（{file_format}）",
        "filters": [f"{LABELS['number']} {case.number}"],
        "rows": 1,
        "personal": [str(LABELS[name]) for name in personal],
    }
    audit.record(AuditEntity.EXPORT, "case_documents", AuditAction.EXPORT, acting_user(), None, after)
    db.session.commit()


class CaseDocumentsView(SecuredView):
    """The printable documents of a case, reached from the case page's buttons, not from the menu."""

    def is_visible(self):
        """Not in the menu: every document belongs to one case."""
        return False

    @expose("/")
    def index(self):
        """No page of its own: the documents are listed on each case's page."""
        abort(404)

    def _paper(self, case_id: int, kind: str):
        if kind not in content.KINDS:
            abort(404)
        case = _visible_case(case_id)
        paper = content.build(kind, case, current_user)
        if paper is None:
            flash(MISSING[kind], "warning")
        return case, paper

    @expose(f"/<{ID}:case_id>/<kind>/")
    def page(self, case_id: int, kind: str):
        """The document as an A4 print page with a print button."""
        case, paper = self._paper(case_id, kind)
        if paper is None:
            return redirect(url_for("case.details_view", id=case.id))
        _audit_download(case, paper, "HTML")
        return self.render(
            f"documents/{kind}.html",
            paper=paper,
            docx_url=self.get_url(".docx", case_id=case.id, kind=kind),
            back_url=url_for("case.details_view", id=case.id),
        )

    @expose(f"/<{ID}:case_id>/<kind>.docx")
    def docx(self, case_id: int, kind: str):
        """The document as a Word file."""
        case, paper = self._paper(case_id, kind)
        if paper is None:
            return redirect(url_for("case.details_view", id=case.id))
        data = word.docx(paper)
        _audit_download(case, paper, "Word")
        response = send_file(io.BytesIO(data), mimetype=word.DOCX_MIME, as_attachment=True,
                             download_name=f"{paper.file_stem}.docx", max_age=0)  # fmt: skip
        response.headers["Cache-Control"] = "private, no-store"
        return response


def documents_offered(case) -> list[tuple[str, str]]:
    """The documents the case page offers for ``case``: (kind, name)."""
    return [(kind, str(NAMES[kind])) for kind in content.offered(case)]


def register(admin) -> None:
    """Add the documents view and the case page's list of documents."""
    admin.add_view(CaseDocumentsView(name=_l("Printed documents"), endpoint="case_documents"))
    admin.app.add_template_global(documents_offered, "case_documents_offered")
