"""The forms of the order pages: the issue form and one small form per step. They only carry the input;
:mod:`app.command.field_orders` decides."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateTimeLocalField
from wtforms import FieldList
from wtforms import Form
from wtforms import FormField
from wtforms import HiddenField
from wtforms import MultipleFileField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Optional

from app.extensions import db
from app.timeutil import LOCAL_TZ
from app.timeutil import as_utc
from app.validators import parse_id
from models.enums import DepartmentKind
from models.enums import Satisfaction
from models.field_order import AttendeeLevel
from models.field_order import FieldOrderClass
from models.org import Department

ATTENDEE_ROWS = 4


def bureau_choices() -> list:
    """Active district bureaus, in tree order."""
    query = select(Department).where(Department.active.is_(True), Department.kind == DepartmentKind.BUREAU)
    return [
        (d.id, d.name) for d in db.session.scalars(query.order_by(Department.sort_order, Department.path))
    ]


def class_choices() -> list:
    """Active classes of order, in their order."""
    query = select(FieldOrderClass).where(FieldOrderClass.active.is_(True))
    return [
        (c.id, c.name)
        for c in db.session.scalars(query.order_by(FieldOrderClass.sort_order, FieldOrderClass.id))
    ]


class IssueForm(FlaskForm):
    """发令: the class, the matter and place, the bureaus, and any cases it concerns."""

    order_class = SelectField(_l("Class of order"), coerce=parse_id, validate_choice=False)
    matter = TextAreaField(_l("Matter"))
    place = StringField(_l("Place"))
    bureaus = SelectMultipleField(_l("Bureaus ordered to turn up"), coerce=parse_id, validate_choice=False)
    cases = StringField(_l("Linked case numbers (optional, separated by spaces)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_class.choices = class_choices()
        self.bureaus.choices = bureau_choices()


class StepForm(FlaskForm):
    """Every step posts the version of the part the user saw."""

    version = HiddenField()


class AttendeeForm(Form):
    """One person who turned up (a blank row is skipped)."""

    name = StringField(_l("Attendee's name"))
    level = SelectField(
        _l("Attendee's level"), choices=[("", "")] + AttendeeLevel.choices(), validate_choice=False
    )


class CheckInForm(StepForm):
    """报到 and a supplementary check-in: when, who, a note and photos."""

    arrived_at = DateTimeLocalField(
        _l("Arrived at (default: now)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    attendees = FieldList(FormField(AttendeeForm), min_entries=ATTENDEE_ROWS, max_entries=50)
    note = TextAreaField(_l("Note"))
    photos = MultipleFileField(_l("Photos"))

    def arrival(self, now):
        """The arrival time as aware UTC (the form's time is Beijing time), else ``now``."""
        value = self.arrived_at.data
        return now if value is None else as_utc(value.replace(tzinfo=LOCAL_TZ))

    def people(self) -> list[dict]:
        """The rows of attendees as entered."""
        return [{"name": row.form.name.data, "level": row.form.level.data} for row in self.attendees]


class ReportForm(StepForm):
    """反馈: the outcome on site."""

    outcome = TextAreaField(_l("Outcome on site"))


class RateForm(StepForm):
    """The issuer's rating of one bureau's response."""

    rating = SelectField(_l("Rating"), choices=Satisfaction.choices())
    reason = TextAreaField(_l("Reason (required when unsatisfied)"))


FORMS = {
    "acknowledge": StepForm,
    "check_in": CheckInForm,
    "add_check_in": CheckInForm,
    "report": ReportForm,
    "rate": RateForm,
    "withdraw": StepForm,
}
LABELS = {
    "acknowledge": _l("Acknowledge (接令)"),
    "check_in": _l("Check in (报到)"),
    "add_check_in": _l("Add to the check-in"),
    "report": _l("Report the outcome (反馈)"),
    "rate": _l("Rate the response"),
    "withdraw": _l("Withdraw this part"),
}


def step_form(step: str, target_id: int, version=None, posted: bool = False):
    """The form of ``step`` on part ``target_id`` (0: the whole order), bound to the POST when ``posted``."""
    kwargs = {} if posted else {"formdata": None, "version": version}
    return FORMS[step](prefix=f"{step}-{target_id}", **kwargs)
