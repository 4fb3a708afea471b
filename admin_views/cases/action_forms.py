"""Every case-page button's form, by action name: the lifecycle's and the command instruments'."""

from admin_views.cases import direct_forms
from admin_views.cases import forms
from admin_views.cases import instrument_forms
from admin_views.cases import level_forms

FORMS = {
    **forms.FORMS,
    "draft_reply": forms.ReplyForm,
    **instrument_forms.FORMS,
    **level_forms.FORMS,
    **direct_forms.FORMS,
}


def blank_form(action: str, case, **defaults):
    """A fresh form for ``action`` on ``case``, not bound to the request."""
    form = FORMS[action](formdata=None, prefix=action, id=case.id, version=case.version, **defaults)
    return form.for_case(case) if hasattr(form, "for_case") else form


def posted_form(action: str):
    """The form for ``action`` bound to the posted data."""
    return FORMS[action](prefix=action)
