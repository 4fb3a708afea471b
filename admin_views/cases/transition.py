"""The POST of a case-page button: parse its form (and any files), take the action, commit, answer."""

from flask import flash
from flask import redirect
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from admin_views.base import acting_user
from admin_views.cases.action_forms import posted_form
from app.cases import lifecycle
from app.extensions import db
from app.intake import evidence
from app.intake import uploads
from app.timeutil import utcnow


def _checked_files(form, params: dict) -> tuple[list, list]:
    """The posted evidence photos (``photos``: photos only) and files (``files``: photos, voice notes or
    documents),
    checked before anything is written; UploadError names the file refused."""
    photos, files = [], []
    if "photos" in params:
        params.pop("photos")
        photos = evidence.checked_photos(form.photos)
    if "files" in params:
        params.pop("files")
        files = uploads.check_all(uploads.file_parts(form.files), documents=True)
    return photos, files


def _file_under(case, event, photos: list, files: list, now, stored: list) -> None:
    """Store the checked files under ``case``: evidence photos under the visit or 包案 the step made (shown
    there), files under the timeline entry ``event`` (shown under it); each stored name is appended to
    ``stored`` at once."""
    data = event.data or {}
    if photos:
        evidence.attach(
            case, photos, now, stored, visit_id=data.get("visit_id"), package_id=data.get("package_id")
        )
    for row in evidence.attach(case, files, now, stored) if files else []:
        row.event_id = event.id


def take_action(view, action_name: str):
    """Take ``action_name`` on the posted case; on refusal show the page again with the input kept (409),
    a refused file 400 (nothing taken); files are stored only once the step succeeded, and removed if its
    commit fails."""
    form = posted_form(action_name)
    case = view.get_one(form.id.data)
    params = form.params()
    try:
        photos, files = _checked_files(form, params)
    except uploads.UploadError as exc:
        flash(str(exc), "error")
        return view.render_case(case, action_name, form), 400
    stored, now = [], utcnow()
    try:
        event = lifecycle.perform(
            case, action_name, acting_user(), now=now, expected_version=form.version.data or None, **params
        )
        _file_under(case, event, photos, files, now, stored)
        db.session.commit()
    except BaseException as exc:
        db.session.rollback()
        uploads.discard(stored)  # however the step failed, no file it stored stays behind
        if isinstance(exc, lifecycle.TransitionError):
            flash(exc.message, "error")
            return view.render_case(view.get_one(case.id), action_name, form), 409
        if isinstance(exc, StaleDataError):
            flash(_("Someone else has changed this case. Reload the page and try again."), "error")
            return redirect(url_for(".details_view", id=case.id))
        raise
    flash(_("%(action)s: done.", action=lifecycle.ACTIONS[action_name].label), "success")
    return redirect(url_for(".details_view", id=case.id))
