"""Forms of the case-page buttons for working across levels: 下派 and 收回, and a co-department's part.
Like the lifecycle forms they only carry the input; :mod:`app.cases.handdown` and :mod:`app.cases.parts`
decide."""

from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms import TextAreaField

from admin_views.cases.forms import NoteForm
from admin_views.cases.forms import TransitionForm
from admin_views.cases.forms import optional_int
from app.cases import handdown
from app.cases import parts
from app.extensions import db
from models.org import Department


class HandDownForm(TransitionForm):
    community = SelectField(_l("Community"), coerce=optional_int, validate_choice=False)
    note = TextAreaField(_l("What the community should do"))

    def for_case(self, case):
        """Offer the active communities and stations under the case's lead street."""
        lead = case.lead_department
        units = []
        if lead is not None:
            units = (
                db.session.query(Department)
                .filter(
                    Department.path.startswith(lead.path, autoescape=True),
                    Department.id != lead.id,
                    Department.kind.in_([str(k) for k in handdown.RECEIVING_KINDS]),
                    Department.active.is_(True),
                )
                .order_by(Department.path)
                .all()
            )
        self.community.choices = [("", "")] + [(d.id, d.name) for d in units]
        return self


class TakeBackForm(TransitionForm):
    reason = TextAreaField(_l("Reason"))


class ContactPartForm(TransitionForm):
    note = TextAreaField(_l("What was said to the citizen"))


class AnswerPartForm(TransitionForm):
    uses_reply_templates = True
    text = TextAreaField(_l("Our department's answer"))


class WaivePartForm(TransitionForm):
    part = SelectField(_l("Co-handled part"), coerce=optional_int, validate_choice=False)
    reason = TextAreaField(_l("Reason"))

    def for_case(self, case):
        """Offer the parts still open."""
        self.part.choices = [("", "")] + [
            (p.id, f"{p.department.name} · {p.status.label}") for p in parts.open_parts(case)
        ]
        return self


FORMS = {
    "hand_down": HandDownForm,
    "take_back": TakeBackForm,
    "sign_part": NoteForm,
    "contact_part": ContactPartForm,
    "answer_part": AnswerPartForm,
    "waive_part": WaivePartForm,
}
