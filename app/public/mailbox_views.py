"""Public mailbox pages: ``/m/<slug>`` shows the mailbox and takes a letter; ``/m/<slug>/done`` confirms it."""

from flask import abort
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app import metrics
from app import ratelimit
from app.deadlines.promises import mailbox_promises
from app.extensions import db
from app.intake import uploads
from app.intake.submission import CitizenRequest
from app.intake.submission import ban_refusal
from app.intake.submission import existing_case
from app.intake.submission import submit
from app.public.forms import SubmissionForm
from app.validators import normalise_phone
from models.case import Case
from models.enums import Channel
from models.enums import DepartmentKind
from models.org import Category
from models.org import Department
from models.org import Mailbox


def _mailbox(slug: str) -> Mailbox:
    mailbox = db.session.scalar(select(Mailbox).where(Mailbox.slug == slug, Mailbox.active.is_(True)))
    if mailbox is None:
        abort(404)
    return mailbox


def _set_choices(form: SubmissionForm) -> None:
    """Two-level category choices (grouped by level 1), streets, and communities grouped by street."""
    categories = db.session.scalars(
        select(Category).where(Category.active.is_(True)).order_by(Category.sort_order, Category.id)
    ).all()
    groups: dict[str, list] = {}
    for top in (c for c in categories if c.parent_id is None):
        items = [(c.id, c.name) for c in categories if c.parent_id == top.id]
        groups[top.name] = items or [(top.id, top.name)]
    form.category.choices = {"": [("", _("Choose…"))], **groups}
    departments = db.session.scalars(
        select(Department)
        .where(
            Department.active.is_(True),
            Department.kind.in_([DepartmentKind.STREET, DepartmentKind.COMMUNITY]),
        )
        .order_by(Department.sort_order, Department.id)
    ).all()
    streets = [d for d in departments if d.kind == DepartmentKind.STREET]
    form.street.choices = [("", _("Choose…"))] + [(s.id, s.name) for s in streets]
    form.community.choices = {"": [("", _("Not sure / none"))]}
    form.places = {d.id: d for d in departments}
    for street in streets:
        form.community.choices[street.name] = [
            (d.id, d.name) for d in departments if d.parent_id == street.id
        ]


def _refusal(form: SubmissionForm) -> str | None:
    """Honeypot and ban list; a message for the top of the form, or None."""
    if form.website.data:
        metrics.refused("mailbox", "honeypot")
        return _("The letter could not be accepted. Please try again, or call the hotline.")
    refusal = ban_refusal(normalise_phone(form.citizen_phone.data), request.remote_addr or "")
    if refusal is not None:
        metrics.refused("mailbox", "banned")
    return refusal


def _limits(form: SubmissionForm) -> list[tuple[str, str]]:
    """The rate limits a letter counts against: its network, and its phone when it has one."""
    phone = normalise_phone(form.citizen_phone.data)
    checks = [("SUBMIT_LIMIT_PER_IP", request.remote_addr or "")]
    return checks + [("SUBMIT_LIMIT_PER_PHONE", phone)] if phone else checks


def mailbox(slug: str):
    """The mailbox's page and letter form."""
    box = _mailbox(slug)
    form = SubmissionForm(real_name_required=box.real_name_required)
    _set_choices(form)
    refusal = None
    if request.method == "POST":
        valid = form.validate()
        earlier = existing_case(form.submission_key.data) if valid else None
        if earlier is not None and earlier.mailbox_id == box.id:  # a repeat of a letter already sent
            session["submitted_case"] = earlier.id
            return redirect(url_for("public.done", slug=slug))
        refusal = _refusal(form) if valid else None
        files = []
        if valid and refusal is None:
            try:
                files = uploads.check_all(uploads.file_parts(form.attachments))
            except uploads.UploadError as error:
                form.attachments.errors = [str(error)]
                valid = False
        if valid and refusal is None:
            limits = _limits(form)
            if not ratelimit.take(limits):
                metrics.refused("mailbox", "rate_limited")
                refusal = _(
                    "Too many letters have been sent from here in a short time. Please try again later."
                )
            else:
                try:
                    case, created = submit(_citizen_request(form, box, files))
                except BaseException:
                    ratelimit.give_back(limits)
                    raise
                if not created:  # the same letter, sent twice at once: it counts once
                    ratelimit.give_back(limits)
                else:
                    metrics.submitted("mailbox")
                session["submitted_case"] = case.id
                return redirect(url_for("public.done", slug=slug))
        if "csrf_token" in form.errors:
            refusal = _("The page was open too long. Check your letter and send it again.")
            metrics.refused("mailbox", "expired_page")
        elif not valid:
            metrics.refused("mailbox", "bad_file" if form.attachments.errors else "invalid_form")
    return render_template(
        "public/mailbox.html",
        mailbox=box,
        form=form,
        refusal=refusal,
        promises=mailbox_promises(box),
        had_files=request.method == "POST" and uploads.chose_files(form.attachments),
    ), (400 if request.method == "POST" else 200)


def _citizen_request(form: SubmissionForm, box: Mailbox, files) -> CitizenRequest:
    def text(field):
        return (field.data or "").strip() or None

    return CitizenRequest(
        channel=Channel.MAILBOX,
        mailbox=box,
        request_type=form.request_type.data,
        category_id=form.category.data,
        title=form.title.data.strip(),
        content=form.content.data.strip(),
        street_id=form.street.data,
        community_id=form.community.data,
        address=text(form.address),
        people_involved=form.people_involved.data,
        money_involved=form.money_involved.data,
        citizen_name=text(form.citizen_name),
        citizen_phone=text(form.citizen_phone),
        ip=request.remote_addr,
        submission_key=form.submission_key.data,
        files=files,
        # Only a public mailbox asks; a consent posted to any other is not one the citizen was asked for.
        publication_consent=bool(box.is_public and form.publication_consent.data),
    )


def done(slug: str):
    """The confirmation: case number, tracking code and what happens next (for the submitter only)."""
    box = _mailbox(slug)
    case = db.session.get(Case, session.get("submitted_case") or 0)
    if case is None or case.mailbox_id != box.id:
        return redirect(url_for("public.mailbox", slug=slug))
    return render_template("public/done.html", mailbox=box, case=case, promises=mailbox_promises(box))
