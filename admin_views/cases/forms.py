"""The small forms behind each lifecycle button on the case page.

The forms only carry the input; :mod:`app.cases.lifecycle` decides whether it is acceptable, so the
rules and their messages live in one place.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Optional

from app.extensions import db
from app.validators import parse_id
from models.deadline import Stage
from models.enums import ReplyOutcome
from models.enums import Satisfaction
from models.org import Department


class TransitionForm(FlaskForm):
    """Fields every action posts: the case and the version the user saw."""

    id = HiddenField()
    version = HiddenField()

    def params(self) -> dict:
        """Keyword arguments for :func:`app.cases.lifecycle.perform`."""
        skip = {"id", "version", "csrf_token"}
        return {name: field.data for name, field in self._fields.items() if name not in skip}


class NoteForm(TransitionForm):
    note = TextAreaField(_l("Note"))


class ReasonForm(TransitionForm):
    reason = TextAreaField(_l("Reason"))


class ContactForm(TransitionForm):
    note = TextAreaField(_l("What was said to the citizen"))


def optional_int(value):
    """Coerce a posted id to int; the empty choice, and anything that is no id, becomes None."""
    return parse_id(value)


def department_choices() -> list:
    """Active departments as (id, indented name), in tree order."""
    rows = db.session.query(Department).filter(Department.active.is_(True)).order_by(Department.path).all()
    return [(d.id, f"{'　' * max(d.path.count('/') - 2, 0)}{d.name}") for d in rows]


class DispatchForm(TransitionForm):
    lead_department = SelectField(_l("Lead department"), coerce=optional_int, validate_choice=False)
    co_departments = SelectMultipleField(_l("Co-departments"), coerce=optional_int, validate_choice=False)
    note = TextAreaField(_l("Dispatch instructions"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        options = department_choices()
        self.lead_department.choices = [("", "")] + options
        self.co_departments.choices = options


class ReplyForm(TransitionForm):
    uses_reply_templates = True  # the 标准用语 picker fills ``text`` (admin/_action_form.html)

    outcome = SelectField(_l("Outcome"), choices=[("", "")] + ReplyOutcome.choices())
    text = TextAreaField(_l("Reply to the citizen"))


class RevisitForm(TransitionForm):
    satisfaction = SelectField(_l("Satisfaction"), choices=[("", "")] + Satisfaction.choices())
    note = TextAreaField(_l("Revisit notes"))


class ExtensionRequestForm(TransitionForm):
    stage = SelectField(_l("Deadline"), choices=[("", "")] + Stage.choices())
    amount = IntegerField(_l("Extra time (in the deadline's unit)"), validators=[Optional()])
    reason = TextAreaField(_l("Reason"))


class MergeForm(TransitionForm):
    target = StringField(_l("Number of the original case"))
    note = TextAreaField(_l("Note"))


FORMS = {
    "register": NoteForm,
    "reject": ReasonForm,
    "dispatch": DispatchForm,
    "return": ReasonForm,
    "sign": NoteForm,
    "contact": ContactForm,
    "reply": ReplyForm,
    "revisit": RevisitForm,
    "reopen": ReasonForm,
    "merge": MergeForm,
    "comment": NoteForm,
    "request_extension": ExtensionRequestForm,
    "approve_extension": NoteForm,
    "reject_extension": ReasonForm,
}
