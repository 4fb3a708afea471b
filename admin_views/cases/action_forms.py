"""Every case-page button's form, by action name: the lifecycle's and the command instruments'."""

from admin_views.cases import direct_forms
from admin_views.cases import forms
from admin_views.cases import instrument_forms
from admin_views.cases import level_forms
from app.cases import parts
from app.org.tree import default_lead_department

FORMS = {
    **forms.FORMS,
    "draft_reply": forms.ReplyForm,
    **instrument_forms.FORMS,
    **level_forms.FORMS,
    **direct_forms.FORMS,
}


def action_defaults(action: str, case) -> dict:
    """What a button's form starts with: the category's usual lead for a dispatch; for a reply, the draft
    awaiting its signature (包案 leader, or the street reviewing its community), else the co-departments'
    answers to build on."""
    if action == "dispatch" and (lead := default_lead_department(case.category)) is not None:
        return {"lead_department": lead.id}
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
