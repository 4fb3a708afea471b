"""A leader's own pages: 我的批示 (open, answered, overdue, closed, and the 批示办结率) and 我的包案."""

from flask import request
from flask_admin import expose
from flask_login import current_user

from admin_views.base import SecuredView
from app.command import ledger
from app.command.packages import unsettled
from app.timeutil import utcnow
from models.enums import Role

LEADERS = frozenset({Role.LEADER})


class MyInstructionsView(SecuredView):
    """我的批示: the leader's instructions by where they stand."""

    read_roles = LEADERS

    @expose("/")
    def index(self):
        """The counts, the rate, and one bucket's instructions (``?show=``; default: the overdue, else open)."""
        now = utcnow()
        summary, grouped = ledger.my_instructions(current_user, now)
        show = request.args.get("show")
        if show not in ledger.BUCKETS:
            show = "overdue" if grouped["overdue"] else "open"
        return self.render(
            "admin/command/my_instructions.html",
            summary=summary,
            show=show,
            orders=grouped[show],
            buckets=ledger.BUCKETS,
            now=now,
            is_overdue=ledger.is_overdue,
        )


class MyPackagesView(SecuredView):
    """我的包案: the cases the leader holds, and those he settled or handed over."""

    read_roles = LEADERS

    @expose("/")
    def index(self):
        """Cases in hand first; a closed case not yet settled (销案) is marked."""
        packages = ledger.my_packages(current_user)
        return self.render("admin/command/my_packages.html", packages=packages, unsettled=unsettled)
