"""The POST route of detail pages with step forms (clue triage, reward decisions): one shape for both."""

from flask import abort
from flask import flash
from flask import redirect
from flask import url_for
from flask_babel import gettext as _

from admin_views.base import acting_user
from admin_views.base import form_errors
from app.extensions import db
from app.refusal import Refusal


def run_step(view, step: str, form_class, roles, render, perform, done):
    """Check the role and the form, then ``perform(record, form, actor)``; answer with the record's page.

    ``perform`` calls the domain step, which only flushes; this commits once. ``render(record, step, form)``
    shows the page with the step's form open: 400 for a form error, 409 when ``perform`` raises a
    :class:`~app.refusal.Refusal` (its ``message`` is flashed and the session rolled back). ``done`` is
    flashed on success, before the redirect to the record's page.
    """
    if not view._user_in(roles):
        abort(403)
    form = form_class(prefix=step)
    record = view.get_one(form.id.data)
    record_id = record.id
    if not form.validate():
        flash(_("Check the form: %(errors)s", errors=form_errors(form)), "error")
        return render(record, step, form), 400
    try:
        perform(record, form, acting_user())
        db.session.commit()
    except Refusal as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return render(view.get_one(record_id), step, form), 409
    flash(str(done), "success")
    return redirect(url_for(".details_view", id=record_id))
