"""The panel's home page: the current user's work queues (one pass over the open cases); for leaders,
supervisors and administrators the whole picture (app.reports.dashboard), for the others their own rates."""

from flask import g
from flask import redirect
from flask import request
from flask import url_for
from flask_admin import AdminIndexView
from flask_admin import expose
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from admin_views.reports import home_charts
from admin_views.settings.mailbox_qr import public_url_warning
from app.auth.access import INTAKE_ROLES
from app.deadlines.calendar_seed import calendar_health
from app.reports import hotspots
from app.reports.dashboard import headline_rates
from app.reports.dashboard import month_so_far
from app.reports.dashboard import picture
from app.reports.dashboard import queue_counts
from app.timeutil import local_day
from app.timeutil import utcnow
from models.enums import Role
from models.enums import Status

LEADERS_PICTURE = frozenset({Role.LEADER, Role.SUPERVISOR, Role.ADMIN})
# (status, label, roles that work this queue)
QUEUES = (
    (Status.NEW, _l("Awaiting intake"), INTAKE_ROLES),
    (Status.REGISTERED, _l("Awaiting dispatch"), INTAKE_ROLES),
    (Status.DISPATCHED, _l("Awaiting sign-off"), frozenset({Role.HANDLER, Role.SUPERVISOR, Role.LEADER})),
    (Status.IN_PROGRESS, _l("In progress"), frozenset(Role)),
    (Status.REPLIED, _l("Replied, awaiting revisit"), INTAKE_ROLES | {Role.LEADER}),
)


class Dashboard(AdminIndexView):
    """Home: one tile per work queue, linking to the filtered case list."""

    def is_accessible(self):
        """Logged-in staff only."""
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        """Send anonymous visitors to the login page."""
        return redirect(url_for("auth.login", next=request.full_path))

    @expose("/")
    def index(self):
        """Counts per queue for the user's scope, and a warning when the work calendar lacks a year."""
        tiles, counts = [], queue_counts(current_user, utcnow())
        for status, label, roles in QUEUES:
            if current_user.role not in roles:
                continue
            url = url_for("case.index_view", flt0_status_equals=str(status))
            tiles.append({"label": label, "count": counts.get(status, 0), "url": url, "status": str(status)})
        health = calendar_health(local_day(utcnow()))
        # Administrators set PUBLIC_BASE_URL: they are told while it would make QR codes and posters useless.
        g.public_url_warning = public_url_warning() if current_user.role == Role.ADMIN else None
        if current_user.role in LEADERS_PICTURE:
            shown = picture(current_user, utcnow())
            return self.render(
                "admin/dashboard.html",
                tiles=tiles,
                calendar_health=health,
                picture=shown,
                charts=home_charts.charts(shown),
                rate_tiles=home_charts.rate_tiles(shown.rates, shown.month),
                area_url=home_charts.area_url,
                hotspot_alerts=hotspots.live_alerts(),
                hotspot_place=hotspots.place_text,
                hotspot_window=hotspots.window_text,
                hotspot_expected=hotspots.expected_text,
                hotspot_form=FlaskForm(),
            )
        month = month_so_far(current_user, utcnow())
        rates = home_charts.rate_tiles(headline_rates(month, utcnow()), month)
        return self.render("admin/index.html", tiles=tiles, calendar_health=health, rate_tiles=rates)
