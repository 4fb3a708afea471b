"""The citizen's submission form and the tracking and rating forms, and the fields the public forms share."""

import re
import uuid
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms import DecimalField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import MultipleFileField
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import Regexp
from wtforms.validators import ValidationError

from app.org.tree import place_refusal
from app.validators import Phone
from app.validators import ascii_text
from app.validators import visible_name
from app.validators import visible_text
from models.enums import RequestType
from models.enums import Satisfaction

REQUIRED = _l("This field is required.")


def clean_text(value):
    """The text without control and invisible characters or blanks at either end (line breaks and tabs stay):
    a text of zero-width characters is empty, and fails "required" like an empty one."""
    return visible_text(value) if isinstance(value, str) else value


def clean_name(value):
    """A name without any invisible character (see :func:`clean_text`)."""
    return visible_name(value) if isinstance(value, str) else value


class HoneypotField(StringField):
    """A field hidden from people, so only bots fill it in. Its data is every value sent, joined: a bot that
    sends it twice (``website=&website=bot``) is caught as surely as one that sends it once. Its label tells a
    person who sees it anyway (no style sheet) to leave it empty; it is never in English."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label or _l("Leave this field empty"), **kwargs)

    def process_formdata(self, valuelist):
        self.data = "".join(v for v in valuelist if isinstance(v, str))


class FiniteDecimalField(DecimalField):
    """A DecimalField that refuses NaN and infinities as input errors (``sNaN`` breaks WTForms otherwise)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if isinstance(self.data, Decimal) and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


def people_involved_field() -> IntegerField:
    """How many people the matter involves (optional, 1 to 100,000)."""
    return IntegerField(
        _l("People involved"),
        validators=[
            Optional(),
            NumberRange(min=1, max=100000, message=_l("Enter a number from 1 to 100000.")),
        ],
    )


def money_involved_field() -> FiniteDecimalField:
    """The money at stake in yuan (optional, two decimals)."""
    return FiniteDecimalField(
        _l("Money involved (yuan)"),
        places=2,
        validators=[Optional(), NumberRange(min=0, max=10**11, message=_l("Enter an amount in yuan."))],
    )


def _choice(value) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class SubmissionForm(FlaskForm):
    """A letter to a mailbox. Choices for category, street and community are set per request."""

    request_type = SelectField(
        _l("Type of request"),
        choices=RequestType.choices(),
        validators=[DataRequired(REQUIRED)],
    )
    category = SelectField(_l("What it is about"), coerce=_choice, validate_choice=True)
    title = StringField(
        _l("Title"), filters=[clean_text], validators=[DataRequired(REQUIRED), Length(max=100)]
    )
    content = TextAreaField(
        _l("What happened, and what you ask for"),
        filters=[clean_text],
        validators=[DataRequired(REQUIRED), Length(min=10, max=5000)],
    )
    street = SelectField(_l("Street"), coerce=_choice, validate_choice=True)
    community = SelectField(_l("Community"), coerce=_choice, validate_choice=True)
    address = StringField(_l("Address"), filters=[clean_text], validators=[Optional(), Length(max=200)])
    people_involved = people_involved_field()
    money_involved = money_involved_field()
    citizen_name = StringField(_l("Your name"), filters=[clean_name], validators=[Length(max=50)])
    citizen_phone = StringField(_l("Your phone"), validators=[Phone()])
    attachments = MultipleFileField(_l("Photos or voice notes"))
    # Asked only on a public mailbox's page (the view ignores it elsewhere); unticked unless the citizen ticks it.
    publication_consent = BooleanField(
        _l("I agree that this letter may be published on the public platform (my name, phone and other "
           "personal details are never published)"),
        default=False,
    )  # fmt: skip
    website = HoneypotField()
    submission_key = HiddenField()

    def __init__(self, *args, real_name_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.real_name_required = real_name_required
        if not re.fullmatch(r"[0-9a-f]{32}", self.submission_key.data or ""):
            self.submission_key.data = uuid.uuid4().hex  # missing or tampered: a fresh one

    def validate_citizen_name(self, field):
        if self.real_name_required and not (field.data or "").strip():
            raise ValidationError(_l("This mailbox takes real-name letters: enter your name."))

    def validate_citizen_phone(self, field):
        if self.real_name_required and not (field.data or "").strip():
            raise ValidationError(_l("This mailbox takes real-name letters: enter your phone number."))

    def validate_community(self, field):
        """The same rule as the staff form: the community must lie in the chosen street."""
        message = place_refusal(self.places.get(self.street.data), self.places.get(field.data))
        if message is not None:
            raise ValidationError(message)

    places: dict = {}  # id -> the street or community offered, set with the choices


class TrackForm(FlaskForm):
    """Tracking code, and the last four digits of the phone for real-name cases."""

    code = StringField(
        _l("Tracking code"), filters=[ascii_text], validators=[DataRequired(REQUIRED), Length(max=20)]
    )
    phone_tail = StringField(
        _l("Last 4 digits of your phone"),
        filters=[lambda value: ascii_text(value).strip() if value else value],
        validators=[Optional(), Regexp(r"^[0-9]{4}$", message=_l("Enter the last 4 digits."))],
    )


class RatingForm(FlaskForm):
    """The citizen's satisfaction with the reply."""

    satisfaction = RadioField(
        _l("How satisfied are you with the reply?"),
        choices=Satisfaction.choices(),
        validators=[DataRequired(_l("Choose one."))],
    )
    comment = TextAreaField(_l("Comment"), filters=[clean_text], validators=[Optional(), Length(max=1000)])
    code = HiddenField()
    phone_tail = HiddenField()
