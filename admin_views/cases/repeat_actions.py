"""The 重复件 panel's buttons (endpoint ``case_repeats``): mark the case a repeat of an earlier one (an audited
edit of its registered details, :func:`app.cases.staff_intake.update_registered`) or merge it into one
(并单, the state machine's ``merge``). Intake roles only; both cases must be ones the user may see (404)."""

from flask import abort
from flask import flash
from flask import redirect
from flask import request
from flask import url_for
from flask_admin import expose
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from admin_views.base import SecuredView
from admin_views.base import acting_user
from app.auth.access import INTAKE_ROLES
from app.auth.access import can_see_case
from app.cases import lifecycle
from app.cases import staff_intake
from app.extensions import db
from app.validators import parse_id
from models.case import Case


def _visible(field: str) -> Case:
    """The posted case ``field`` names, if the user may see it; 404 otherwise."""
    case_id = parse_id(request.form.get(field))
    case = db.session.get(Case, case_id) if case_id is not None else None
    if case is None or not can_see_case(current_user, case):
        abort(404)
    return case


def _version() -> int | None:
    return parse_id(request.form.get("version"))


class RepeatActionsView(SecuredView):
    """标记重复件 and 并单 from the case page; not in the menu."""

    read_roles = INTAKE_ROLES

    def is_visible(self):
        """Reached from the case page's buttons only."""
        return False

    @expose("/")
    def index(self):
        """No page of its own."""
        abort(404)

    @expose("/mark/", methods=("POST",))
    def mark_view(self):
        """Link the case to the earlier case it repeats (``repeat_of``; ``is_repeat`` follows)."""
        case, target = _visible("id"), _visible("target")

        def mark():
            with db.session.no_autoflush:  # the edit's history must last until it is recorded
                case.repeat_of = target
                staff_intake.update_registered(case, _version(), acting_user())

        _commit(
            mark, staff_intake.IntakeRefusal, _("Marked as a repeat of %(number)s.", number=target.number)
        )
        return redirect(url_for("case.details_view", id=case.id))

    @expose("/merge/", methods=("POST",))
    def merge_view(self):
        """并单: merge the case into the earlier case, where the state machine allows it."""
        case, target = _visible("id"), _visible("target")
        _commit(
            lambda: lifecycle.perform(
                case, "merge", acting_user(), expected_version=_version(), target=target
            ),
            lifecycle.TransitionError,
            _("%(action)s: done.", action=lifecycle.ACTIONS["merge"].label),
        )
        return redirect(url_for("case.details_view", id=case.id))


def _commit(step, refusal: type[Exception], done: str) -> None:
    """Run ``step`` and commit, flashing ``done``; a refusal or someone else's edit is rolled back and said."""
    try:
        step()
        db.session.commit()
    except refusal as error:
        db.session.rollback()
        flash(error.message, "error")
    except StaleDataError:
        db.session.rollback()
        flash(_("Someone else has changed this case. Reload the page and try again."), "error")
    else:
        flash(done, "success")
