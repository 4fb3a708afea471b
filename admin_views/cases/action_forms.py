"""Every case-page button's form, by action name: the lifecycle's and the command instruments'.

The handler's contact record (lead and co-department) is structured here (when, how, with whom, outcome),
and it and the reply carry files (``files``): photos, voice notes and documents, checked and stored by
:mod:`admin_views.cases.transition` and shown under their timeline entry.
"""

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField
from wtforms import MultipleFileField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Optional

from admin_views.cases import direct_forms
from admin_views.cases import forms
from admin_views.cases import instrument_forms
from admin_views.cases import level_forms
from app.cases import parts
from app.org.tree import default_lead_department
from app.timeutil import LOCAL_TZ
from app.timeutil import as_utc
from models.enums import ContactMethod
from models.enums import Satisfaction

FILES_LABEL = _l("Photos, voice notes or documents (PDF, Word, Excel)")
REVISIT_RESOLVED = [("yes", _l("Resolved")), ("no", _l("Not resolved"))]


class ContactRecordForm(forms.TransitionForm):
    """联系记录: when, how, with whom, the outcome, and photos, voice notes or documents."""

    method = SelectField(_l("Contact method"), choices=ContactMethod.choices(), default=ContactMethod.PHONE)
    contact_time = DateTimeLocalField(
        _l("Time of contact (default: now)"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    person = StringField(_l("Person spoken to"))
    note = TextAreaField(_l("Outcome of the contact"))
    files = MultipleFileField(FILES_LABEL)

    def params(self) -> dict:
        """The record, its time as aware UTC (the form's time is Beijing time)."""
        params = super().params()
        value, raw = params.get("contact_time"), (self.contact_time.raw_data or [""])[0]
        if value is None:  # left empty: now; not a time (a hand-made post): refused by the domain
            params["contact_time"] = raw.strip() or None
        else:
            params["contact_time"] = as_utc(value.replace(tzinfo=LOCAL_TZ))
        return params


class RevisitOutcomeForm(forms.RevisitForm):
    """回访: how the citizen was reached (未接通 keeps the case waiting), 是否解决, and the satisfaction."""

    method = SelectField(_l("Revisit by"), choices=ContactMethod.choices(), default=ContactMethod.PHONE)
    resolved = SelectField(_l("Problem resolved?"), choices=[("", ""), *REVISIT_RESOLVED])
    satisfaction = SelectField(_l("Satisfaction"), choices=[("", ""), *Satisfaction.choices()])
    note = TextAreaField(_l("Revisit notes"))


class ReplyWithFilesForm(forms.ReplyForm):
    files = MultipleFileField(FILES_LABEL)


class NoteOfUrgeForm(forms.TransitionForm):
    note = TextAreaField(_l("What the department is reminded of"))


class ProgressUpdateForm(forms.TransitionForm):
    """动态更新 of a red case (app.cases.progress_updates)."""

    note = TextAreaField(_l("Progress since the last update"))


class ReassignForm(forms.DispatchForm):
    """改派: the new lead and co-departments, as at dispatch, and why (app.cases.redispatch)."""

    reason = TextAreaField(_l("Reason for the re-dispatch"))
    note = TextAreaField(_l("Dispatch instructions"))  # again, so that it follows the reason


FORMS = {
    **forms.FORMS,
    "contact": ContactRecordForm,
    "reply": ReplyWithFilesForm,
    "draft_reply": ReplyWithFilesForm,
    "revisit": RevisitOutcomeForm,
    **instrument_forms.FORMS,
    **level_forms.FORMS,
    "contact_part": ContactRecordForm,
    **direct_forms.FORMS,
    "urge": NoteOfUrgeForm,
    "reassign": ReassignForm,
    "recall": forms.ReasonForm,
    "progress_update": ProgressUpdateForm,
}


def action_defaults(action: str, case) -> dict:
    """What a button's form starts with: the category's usual lead for a dispatch; for a reply, the draft
    awaiting its signature (包案 leader, or the street reviewing its community), else the co-departments'
    answers to build on."""
    if action == "dispatch" and (lead := default_lead_department(case.category)) is not None:
        return {"lead_department": lead.id}
    if action == "reassign":  # the co-departments stay unless the clerk changes them
        return {"co_departments": [d.id for d in case.co_departments]}
    if action == "reply" and case.reply_text:
        return {"text": case.reply_text, "outcome": case.reply_outcome}
    if action == "reply" and (draft := parts.reply_draft(case)):
        return {"text": draft}
    return {}


def blank_form(action: str, case, **defaults):
    """A fresh form for ``action`` on ``case``, not bound to the request."""
    form = FORMS[action](formdata=None, prefix=action, id=case.id, version=case.version, **defaults)
    return form.for_case(case) if hasattr(form, "for_case") else form


def posted_form(action: str):
    """The form for ``action`` bound to the posted data."""
    return FORMS[action](prefix=action)
