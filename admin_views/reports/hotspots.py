"""Hot spot alerts (弱信号预警) in the panel: the list, one alert with its cases (scoped through
app.auth.access), and 已知悉 (acknowledge) by a supervisor or leader."""

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
from app.auth.access import scope_query
from app.extensions import db
from app.refusal import Refusal
from app.reports import hotspots
from app.timeutil import utcnow
from app.validators import safe_next
from models.case import Case
from models.enums import Role
from models.hotspot import HotspotAlert

READERS = frozenset({Role.LEADER, Role.SUPERVISOR, Role.ADMIN})
ACKNOWLEDGERS = frozenset({Role.LEADER, Role.SUPERVISOR, Role.ADMIN})
LISTED = 200


class HotspotsView(SecuredView):
    """Alerts of a category rising at a street or community, for leaders, supervisors and administrators."""

    read_roles = READERS

    def _alert(self, alert_id: int) -> HotspotAlert:
        alert = db.session.get(HotspotAlert, alert_id)
        if alert is None:
            abort(404)
        return alert

    @expose("/")
    def index(self):
        """Every alert, newest first."""
        alerts = db.session.scalars(
            select(HotspotAlert).order_by(HotspotAlert.raised_at.desc(), HotspotAlert.id.desc()).limit(LISTED)
        ).all()
        return self.render("admin/reports/hotspots.html", alerts=alerts, hotspots=hotspots, form=FlaskForm())

    @expose("/<int:alert_id>")
    def alert(self, alert_id: int):
        """One alert: its figures and the cases it counted (those the user may see)."""
        alert = self._alert(alert_id)
        cases = hotspots.alert_cases(alert, scope_query(Case, select(Case), current_user))
        return self.render(
            "admin/reports/hotspot.html",
            alert=alert,
            cases=cases,
            hotspots=hotspots,
            form=FlaskForm(),
            can_acknowledge=current_user.role in ACKNOWLEDGERS,
        )

    @expose("/<int:alert_id>/acknowledge", methods=["POST"])
    def acknowledge(self, alert_id: int):
        """已知悉: the alert has been seen."""
        if current_user.role not in ACKNOWLEDGERS:
            abort(403)
        if not FlaskForm().validate():
            abort(400)
        alert = self._alert(alert_id)
        try:
            hotspots.acknowledge(alert, acting_user(), utcnow())
        except Refusal as refusal:
            db.session.rollback()
            flash(str(refusal), "error")
        else:
            db.session.commit()
            flash(_("The alert is marked as noted."), "success")
        return redirect(safe_next(request.form.get("next")) or url_for(".alert", alert_id=alert_id))
