"""Forms for 即接即办 (a direct answer at intake): the case-page button's form, the intake form's optional
直接答复 section, and the 标准用语 picker's data on any form with ``uses_reply_templates``."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import escape
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Length
from wtforms.validators import Optional

from admin_views.cases.forms import TransitionForm
from app.cases import direct_answer
from app.cases import wording
from models.enums import ReplyOutcome

OUTCOME_CHOICES = [("", "")] + ReplyOutcome.choices()
SOURCE_LABEL = _l("Knowledge used (e.g. a policy document or an FAQ entry)")


class DirectAnswerForm(TransitionForm):
    """直接答复: the answer, its outcome and the knowledge it rests on; the 标准用语 picker fills the text."""

    uses_reply_templates = True

    outcome = SelectField(_l("Outcome"), choices=OUTCOME_CHOICES)
    text = TextAreaField(_l("Reply to the citizen"))
    source = StringField(SOURCE_LABEL)


FORMS = {"direct_answer": DirectAnswerForm}

# The intake form's 直接答复 section (``CaseView.form_extra_fields``; left out of the edit form).
INTAKE_FIELDS = {
    "direct_text": TextAreaField(_l("Answer to the citizen")),
    "direct_outcome": SelectField(_l("Outcome of the answer"), choices=OUTCOME_CHOICES, default=""),
    "direct_source": StringField(SOURCE_LABEL, validators=[Optional(), Length(max=255)]),
}


def describe_intake_section(form) -> None:
    """Tell the clerk, under the answer field, which kinds of request may be answered on the spot now."""
    allowed = direct_answer.active_scope_labels()
    text = (
        _("Fill in only to answer on the spot; allowed for: %(kinds)s.", kinds="；".join(allowed))
        if allowed
        else _("No kind of request may be answered on the spot at present.")
    )
    form.direct_text.description = escape(text)  # Flask-Admin shows descriptions unescaped


def intake_answer(form) -> dict:
    """The 直接答复 input of a posted intake form (empty values when the section was left blank)."""
    return {
        "text": form.direct_text.data,
        "outcome": form.direct_outcome.data,
        "source": form.direct_source.data,
    }


def offer_reply_templates(form, case, cache: dict) -> None:
    """Give a form with ``uses_reply_templates`` the 标准用语 rendered for ``case`` and the field they fill
    (its ``reply_text_field``, else its first text area); ``cache`` keeps one rendering per page."""
    if not getattr(form, "uses_reply_templates", False):
        return
    if "templates" not in cache:
        cache["templates"] = wording.choices_for(case)
    named = getattr(form, "reply_text_field", None)
    form.reply_templates = cache["templates"]
    form.reply_template_field = named or next(
        (f.short_name for f in form if isinstance(f, TextAreaField)), None
    )
