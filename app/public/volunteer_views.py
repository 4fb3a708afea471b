"""A volunteer's clue page: ``/v/<token>`` takes a clue, ``/v/<token>/done`` confirms it with its number.

The token is the volunteer's personal link (no account). An unknown token, a replaced one and a volunteer
who is not on active duty all get the same 404 page, so links cannot be guessed or probed. The page
shows only the volunteer's own initial and own recent clues.
"""

import re
import uuid

from flask import abort
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField
from wtforms import HiddenField
from wtforms import MultipleFileField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from app import metrics
from app import ratelimit
from app.extensions import db
from app.intake import uploads
from app.intake.submission import ban_refusal
from app.public.forms import REQUIRED
from app.public.forms import HoneypotField
from app.public.forms import clean_text
from app.public.forms import money_involved_field
from app.public.forms import people_involved_field
from app.timeutil import utcnow
from app.volunteers import clue_intake
from app.volunteers import links as volunteer_links
from app.volunteers.clues import PLACE_MAX
from app.volunteers.clues import ClueError
from models.volunteer import Clue
from models.volunteer import Volunteer


class ClueForm(FlaskForm):
    """What the volunteer saw: when, where, what, people and money involved, photos or voice notes."""

    occurred_at = DateTimeLocalField(_l("When it happened"), validators=[Optional()])
    place = StringField(
        _l("Where it happened"),
        filters=[clean_text],
        validators=[DataRequired(REQUIRED), Length(max=PLACE_MAX)],
    )
    description = TextAreaField(
        _l("What happened"),
        filters=[clean_text],
        validators=[
            DataRequired(REQUIRED),
            Length(min=5, max=clue_intake.DESCRIPTION_MAX, message=_l("Write at least 5 characters.")),
        ],
    )
    people_involved = people_involved_field()
    money_involved = money_involved_field()
    attachments = MultipleFileField(_l("Photos or voice notes"))
    website = HoneypotField()
    submission_key = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not re.fullmatch(r"[0-9a-f]{32}", self.submission_key.data or ""):
            self.submission_key.data = uuid.uuid4().hex  # missing or tampered: a fresh one

    def validate_occurred_at(self, field):
        when = clue_intake.from_local(field.data)
        if when is not None and when > utcnow() + clue_intake.FUTURE_SLACK:
            raise ValidationError(_l("The time it happened cannot be in the future."))


def _volunteer(token: str) -> Volunteer:
    """The active volunteer of this link; the same 404 for every other case."""
    volunteer = volunteer_links.volunteer_by_token(token)
    if volunteer is None:
        abort(404)
    return volunteer


def initial(name: str | None) -> str:
    """The first character of a name, the rest starred (张**)."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def _refusal(form: ClueForm, volunteer: Volunteer) -> str | None:
    """Honeypot and ban list; a message for the top of the form, or None."""
    if form.website.data:
        return _("The clue could not be accepted. Please try again, or call the hotline.")
    ip = request.remote_addr or ""
    return ban_refusal(None, ip)


def _report(form: ClueForm, files) -> clue_intake.ClueReport:
    return clue_intake.ClueReport(
        place=form.place.data,
        description=form.description.data,
        occurred_at=clue_intake.from_local(form.occurred_at.data),
        people_involved=form.people_involved.data,
        money_involved=form.money_involved.data,
        files=files,
        submission_key=form.submission_key.data,
    )


def volunteer_clue(token: str):
    """The volunteer's clue form and their latest clues."""
    volunteer = _volunteer(token)
    form = ClueForm()
    refusal = None
    if request.method == "POST":
        valid = form.validate()
        earlier = clue_intake.existing_clue(form.submission_key.data) if valid else None
        if earlier is not None and earlier.volunteer_id == volunteer.id:  # a repeat of a clue already sent
            session["submitted_clue"] = earlier.id
            return redirect(url_for("public.volunteer_done", token=token))
        refusal = _refusal(form, volunteer) if valid else None
        files = []
        if valid and refusal is None:
            try:
                files = uploads.check_all(uploads.file_parts(form.attachments))
            except uploads.UploadError as error:
                form.attachments.errors = [str(error)]
                valid = False
        if valid and refusal is None:
            limits = [
                ("CLUE_LIMIT_PER_IP", request.remote_addr or ""),
                ("CLUE_LIMIT_PER_VOLUNTEER", str(volunteer.id)),
            ]
            if not ratelimit.take(limits):
                metrics.refused("clue", "rate_limited")
                refusal = _("Too many clues have been sent in a short time. Please try again later.")
            else:
                try:
                    clue, created = clue_intake.create_clue(volunteer, _report(form, files))
                except ClueError as error:
                    ratelimit.give_back(limits)
                    refusal = error.message
                except BaseException:
                    ratelimit.give_back(limits)
                    raise
                else:
                    if not created:  # the same clue, sent twice at once: it counts once
                        ratelimit.give_back(limits)
                    else:
                        metrics.submitted("clue")
                    session["submitted_clue"] = clue.id
                    return redirect(url_for("public.volunteer_done", token=token))
        if "csrf_token" in form.errors:
            refusal = _("The page was open too long. Check your clue and send it again.")
    return render_template(
        "public/volunteer_clue.html",
        form=form,
        token=token,
        who=initial(volunteer.name),
        refusal=refusal,
        recent=clue_intake.recent_clues(volunteer),
        had_files=request.method == "POST" and uploads.chose_files(form.attachments),
    ), (400 if request.method == "POST" else 200)


def volunteer_done(token: str):
    """The confirmation with the clue number (for the volunteer who just sent it)."""
    volunteer = _volunteer(token)
    clue = db.session.get(Clue, session.get("submitted_clue") or 0)
    if clue is None or clue.volunteer_id != volunteer.id:
        return redirect(url_for("public.volunteer_clue", token=token))
    return render_template(
        "public/volunteer_done.html",
        clue=clue,
        token=token,
        who=initial(volunteer.name),
        recent=clue_intake.recent_clues(volunteer),
    )
