"""Volunteers' personal links (endpoint ``volunteer_link``): the address of each one's clue page and its QR code.

A volunteer reports clues at ``/v/<token>`` without an account. Staff who may triage clues create or
replace the link here (replacing makes the old link answer 404 at once) and hand it over as a URL or
a QR code. Only volunteers the user may see are listed or reachable (``app.auth.access``).
"""

from io import BytesIO

from flask import abort
from flask import flash
from flask import redirect
from flask import request
from flask import send_file
from flask import url_for
from flask_admin import expose
from flask_admin.model.template import EndpointLinkRowAction
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func
from sqlalchemy import select
from wtforms import HiddenField

from admin_views.base import SecuredView
from admin_views.base import acting_user
from admin_views.settings.mailbox_qr import code_bytes
from admin_views.settings.mailbox_qr import inline_svg
from admin_views.settings.mailbox_qr import make_code
from app.auth.access import scope_query
from app.auth.pii import may_search
from app.auth.pii import reveal
from app.extensions import db
from app.validators import parse_id
from app.volunteers import links as volunteer_links
from app.volunteers.clues import TRIAGE_ROLES
from app.volunteers.clues import ClueError
from app.volunteers.roster.files import XLSX_MIMETYPE
from app.volunteers.roster.files import write_sheet
from models.enums import VolunteerStatus
from models.volunteer import Volunteer

LISTED = 50


class RegenerateForm(FlaskForm):
    """Create or replace one volunteer's link."""

    id = HiddenField()


def row_actions() -> list:
    """The roster's per-row link to a volunteer's personal-link page, for those who may open it."""
    if current_user.is_authenticated and current_user.role in TRIAGE_ROLES:
        return [EndpointLinkRowAction("fa fa-qrcode", "volunteer_link.index", title=_l("Personal link"))]
    return []


class VolunteerLinkView(SecuredView):
    """Find a volunteer, see or replace their personal link, download its QR code."""

    read_roles = TRIAGE_ROLES  # leaders do not hand out links

    def _volunteers(self):
        return scope_query(Volunteer, select(Volunteer), current_user)

    def _volunteer(self, value) -> Volunteer:
        """A volunteer the user may see, else 404."""
        pk = parse_id(value)
        if pk is None:
            abort(404)
        volunteer = db.session.scalar(self._volunteers().where(Volunteer.id == pk))
        if volunteer is None:
            abort(404)
        return volunteer

    @expose("/")
    def index(self):
        """Without ``?id=``: find a volunteer by name or phone; with it: that volunteer's link."""
        if request.args.get("id"):
            volunteer = self._volunteer(request.args.get("id"))
            url = volunteer_links.link_url(volunteer)
            return self.render(
                "admin/clue/volunteer_link.html",
                volunteer=volunteer,
                url=url,
                qr=inline_svg(make_code(url)) if url else None,
                form=RegenerateForm(id=volunteer.id),
            )
        term = (request.args.get("q") or "").strip()[:50]
        query = self._volunteers()
        if term:
            like = f"%{term}%"
            phone = may_search("Volunteer", "phone", current_user)
            query = query.where(
                Volunteer.name.like(like) | Volunteer.phone.like(like) if phone else Volunteer.name.like(like)
            )
        rows = db.session.scalars(query.order_by(Volunteer.name, Volunteer.id).limit(LISTED)).all()
        missing = db.session.scalar(
            select(func.count()).select_from(
                self._volunteers()
                .where(Volunteer.status == VolunteerStatus.ACTIVE, Volunteer.link_token.is_(None))
                .subquery()
            )
        )
        return self.render(
            "admin/clue/volunteer_links.html",
            volunteers=rows,
            term=term,
            limit=LISTED,
            missing=missing,
            bulk_form=FlaskForm(),
        )

    @expose("/regenerate/", methods=("POST",))
    def regenerate(self):
        """Create or replace the link; the old one stops working at once."""
        form = RegenerateForm()
        volunteer = self._volunteer(form.id.data)
        if not form.validate():
            abort(400)
        try:
            replaced = volunteer.link_token is not None
            volunteer_links.regenerate_link(volunteer, acting_user())
            db.session.commit()
        except ClueError as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return redirect(url_for(".index", id=volunteer.id))
        if replaced:
            flash(_("A new personal link was made; the old one no longer works."), "success")
        else:
            flash(_("The personal link was made."), "success")
        return redirect(url_for(".index", id=volunteer.id))

    @expose("/create-missing/", methods=("POST",))
    def create_missing(self):
        """Give every active volunteer of the user's area who has no link one."""
        if not FlaskForm().validate():
            abort(400)
        made = volunteer_links.create_missing_links(acting_user())
        db.session.commit()
        flash(_("%(num)d personal links were made.", num=made), "success")
        return redirect(url_for(".index"))

    @expose("/links.xlsx")
    def links_workbook(self):
        """The active volunteers' links of the user's area as a workbook, to hand out (e.g. by SMS)."""
        volunteers = volunteer_links.links_for_handing_out(acting_user())
        db.session.commit()  # the export's audit row
        header = [_("Volunteer"), _("Community"), _("Phone"), _("Personal link")]
        rows = [
            [
                v.name,
                v.community.name,
                reveal("volunteer_phone", v.phone, current_user),
                volunteer_links.link_url(v),
            ]
            for v in volunteers
        ]
        data = write_sheet(_("Personal links"), header, rows, [12, 16, 15, 80])
        response = send_file(
            BytesIO(data),
            mimetype=XLSX_MIMETYPE,
            as_attachment=True,
            download_name="personal-links.xlsx",
            max_age=0,
        )
        response.headers["Cache-Control"] = "private, no-store"
        return response

    @expose("/qr.png")
    def qr_png(self):
        """The link as a QR code (PNG download)."""
        volunteer = self._volunteer(request.args.get("id"))
        url = volunteer_links.link_url(volunteer)
        if url is None:
            abort(404)
        response = send_file(
            BytesIO(code_bytes(make_code(url), "png")),
            mimetype="image/png",
            as_attachment=True,
            download_name=f"volunteer-{volunteer.id}-link.png",
            max_age=0,
        )
        response.headers["Cache-Control"] = "private, no-store"
        return response
