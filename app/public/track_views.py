"""``/track``: the citizen finds their case by tracking code, follows it, and rates the reply."""

from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from app import ratelimit
from app.cases.citizen_rating import is_the_revisit
from app.cases.lifecycle import TransitionError
from app.cases.lifecycle import citizen_may_rate
from app.cases.lifecycle import rate_by_citizen
from app.cases.tracking import find_case
from app.cases.tracking import promised_deadlines
from app.cases.tracking import public_timeline
from app.cases.tracking import status_label
from app.extensions import db
from app.public.forms import RatingForm
from app.public.forms import TrackForm
from models.case import Case


def track():
    """Ask for the tracking code (and phone tail); on a match, show the case."""
    form = TrackForm()
    message, status = None, 200
    if request.method == "POST" and form.validate():
        tries = [("TRACK_FAILURE_LIMIT", request.remote_addr or "")]
        if not ratelimit.take(
            tries
        ):  # a try is counted before the look-up, and given back if it found the case
            message = _("Too many wrong tries. Please wait a quarter of an hour and try again.")
            status = 429
        else:
            case = find_case(form.code.data, form.phone_tail.data)
            if case is not None:
                ratelimit.give_back(tries)
                session["tracked_case"] = case.id
                return redirect(url_for("public.tracked"))
            message = _("No case matches this tracking code and phone number. Check both and try again.")
    elif request.method == "POST" and "csrf_token" in form.errors:
        message = _("The page was open too long. Please try again.")
    return render_template("public/track.html", form=form, message=message), status


def _tracked_case() -> Case | None:
    case_id = session.get("tracked_case")
    return db.session.get(Case, case_id) if case_id else None


def tracked():
    """The case found by :func:`track`: status, public timeline, reply, promised deadlines and the citizen's
    rating (群众评价), also after a staff revisit closed the case."""
    case = _tracked_case()
    if case is None:
        return redirect(url_for("public.track"))
    form = RatingForm()
    if request.method == "POST":
        if form.validate():
            try:
                rate_by_citizen(case, form.satisfaction.data, (form.comment.data or "").strip() or None)
                db.session.commit()
            except TransitionError as error:
                db.session.rollback()
                flash(error.message, "error")
            except StaleDataError:  # another rating (another tab, another device) was saved first
                db.session.rollback()
                if citizen_may_rate(_tracked_case()):
                    flash(_("Someone else has changed this case. Reload the page and try again."), "error")
                else:
                    flash(_("This reply has already been rated."), "error")
            else:
                flash(_("Thank you. Your rating has been recorded."), "info")
            return redirect(url_for("public.tracked"))
    return render_template(
        "public/case.html",
        case=case,
        status=status_label(case),
        timeline=public_timeline(case),
        deadlines=promised_deadlines(case),
        may_rate=citizen_may_rate(case),
        rating_is_revisit=is_the_revisit(case),
        form=form,
    )


def leave():
    """Forget the tracked case on this device."""
    session.pop("tracked_case", None)
    return redirect(url_for("public.track"))
