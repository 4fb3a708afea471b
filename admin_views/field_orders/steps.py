"""The steps on the order page: which forms the viewer gets, and the POST of one (parse, call the domain,
store any check-in photos, commit, answer)."""

from flask import abort
from flask import flash
from flask import redirect
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from admin_views.base import acting_user
from admin_views.base import form_errors
from admin_views.field_orders.forms import LABELS
from admin_views.field_orders.forms import CheckInForm
from admin_views.field_orders.forms import step_form
from app.command import field_orders
from app.extensions import db
from app.intake import evidence
from app.intake import uploads
from app.timeutil import utcnow
from models.deadline import Unit
from models.field_order import AttendeeLevel
from models.field_order import FieldTargetStatus


def rules_lines(rules: dict) -> list[tuple[str, str]]:
    """The order's rules as (what, limit) lines for its page."""

    def limit(key):
        return f"{rules[key]['amount']} {Unit.label_of(rules[key]['unit'])}"

    who = _("at least %(count)d people, one of them %(level)s or above", count=int(rules["min_headcount"]),
            level=AttendeeLevel.label_of(rules["min_level"]))  # fmt: skip
    return [
        (_("Acknowledge within"), limit("ack")),
        (_("Check in within"), limit("check_in")),
        (_("Report within (from the check-in)"), limit("feedback")),
        (_("Who must turn up"), who),
    ]


def forms_for(order, user, open_form=None) -> list[tuple]:
    """(step, part or None, label, form) for each step ``user`` may take now; None: the whole order."""
    forms = []
    live = [t for t in order.targets if t.status != FieldTargetStatus.WITHDRAWN]
    for step, target in field_orders.steps_for(order, user):
        if step == "withdraw" and len(live) < 2:
            continue  # the only part left: withdrawing it is withdrawing the order, offered below
        forms.append((step, target, LABELS[step], _form(step, target.id, target.version, open_form)))
    if live and all(field_orders.refusal("withdraw", t, user) is None for t in live):
        forms.append(("withdraw", None, _("Withdraw the order"), _form("withdraw", 0, None, open_form)))
    return forms


def _form(step, target_id, version, open_form):
    if open_form is not None and open_form[:2] == (step, target_id):
        return open_form[2]
    return step_form(step, target_id, version)


def take(view, order, step: str, target_id: int):
    """Take ``step`` on part ``target_id`` of ``order`` as posted; 409 with the input kept when refused."""
    target = next((t for t in order.targets if t.id == target_id), None)
    if target is None and not (target_id == 0 and step == "withdraw"):
        abort(404)
    form = step_form(step, target_id, posted=True)
    if not form.validate():
        flash(form_errors(form), "error")
        return view.render_order(order, (step, target_id, form)), 400
    photos = []
    if isinstance(form, CheckInForm):
        try:
            photos = evidence.checked_photos(form.photos)
        except uploads.UploadError as exc:
            flash(str(exc), "error")
            return view.render_order(order, (step, target_id, form)), 400
    stored, now, staffed = [], utcnow(), True
    try:
        staffed = _perform(order, target, step, form, now)
        for row in uploads.store_attachments(photos, now, stored):
            row.field_target_id = target.id
            db.session.add(row)
        db.session.commit()
    except BaseException as exc:
        db.session.rollback()
        uploads.discard(stored)  # however the step failed, no photo it stored stays behind
        if isinstance(exc, field_orders.FieldOrderRefusal):
            flash(exc.message, "error")
            return view.render_order(view.get_one(order.id), (step, target_id, form)), 409
        if isinstance(exc, StaleDataError):
            flash(_("Someone else has just acted on this order. Reload the page."), "error")
            return redirect(url_for(".details_view", id=order.id))
        raise
    label = _("Withdraw the order") if target is None else LABELS[step]
    flash(_("%(action)s: done.", action=label), "success")
    if not staffed:
        flash(_("The attendance is below the class's standard: the issuer has been told, and the check-in clock "
                "runs on until the attendance is completed."), "warning")  # fmt: skip
    return redirect(url_for(".details_view", id=order.id))


def _perform(order, target, step: str, form, now) -> bool:
    """Call the domain for ``step``; False only for an under-staffed check-in."""
    user, version = acting_user(), form.version.data
    if step == "acknowledge":
        field_orders.acknowledge(target, user, now, version)
    elif step in ("check_in", "add_check_in"):
        return field_orders.check_in(target, user, attendees=form.people(), arrived_at=form.arrival(now),
                                     note=form.note.data, now=now, version=version)  # fmt: skip
    elif step == "report":
        field_orders.report(target, user, form.outcome.data, now, version)
    elif step == "rate":
        field_orders.rate(target, user, form.rating.data, form.reason.data, now, version)
    else:
        field_orders.withdraw(order, user, now, target=target, version=version)
    return True
