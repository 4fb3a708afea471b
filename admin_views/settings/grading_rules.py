"""分级规则 (grading rules): administrators set the rules that suggest a new case's grade; the same page shows
how often the clerks graded otherwise (app.intake.grading_rules), with links to those cases."""

from flask import g
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from markupsafe import escape
from wtforms import TextAreaField
from wtforms import ValidationError
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional

from admin_views import formatters as fmt
from admin_views.base import SecuredModelView
from admin_views.base import acting_user
from app.auth.access import ADMIN_ROLES
from app.intake import grading_rules
from app.intake.grading import parse_keywords
from app.intake.grading import yuan
from app.timeutil import utcnow
from models.enums import Grade

WINDOWS = (30, 90)  # days of the disagreement figures


class KeywordsField(TextAreaField):
    """The keyword list as a text area: one per line, or separated by 、 or commas."""

    def _value(self):
        return "\n".join(self.data or ())

    def process_formdata(self, valuelist):
        """The typed text as a list of normalised keywords (None when empty)."""
        if valuelist:
            self.data = parse_keywords(valuelist[0]) or None


def _keywords(view, context, model, name):
    return "、".join(model.keywords or ())


def _amount(view, context, model, name):
    return yuan(model.min_amount) if model.min_amount is not None else ""


def _categories(view, context, model, name):
    return Markup("<br>").join(escape(str(c)) for c in model.categories)


class GradingRuleView(SecuredModelView):
    """The grading rules: a rule suggests its grade when all the conditions it sets hold."""

    read_roles = ADMIN_ROLES
    delete_roles = frozenset()  # switch a rule off instead: the suggestions it gave keep pointing at it
    list_template = "admin/grading/rules_list.html"
    column_list = ("name", "grade", "min_people", "min_amount", "keywords", "categories", "min_repeats",
                   "priority", "active")  # fmt: skip
    column_details_list = (*column_list, "note", "updated_at")
    column_labels = {
        "name": _l("Rule name"),
        "grade": _l("Suggested grade"),
        "min_people": _l("People involved, at least"),
        "min_amount": _l("Amount involved (yuan), at least"),
        "keywords": _l("Keywords and phrases"),
        "categories": _l("Categories"),
        "min_repeats": _l("Times it came in before, at least"),
        "priority": _l("Order of reasons"),
        "active": _l("Active"),
        "note": _l("Note"),
        "updated_at": _l("Last changed"),
    }
    column_formatters = {
        "grade": fmt.grade_badge,
        "keywords": _keywords,
        "min_amount": _amount,
        "categories": _categories,
    }
    column_formatters_detail = column_formatters
    column_type_formatters = fmt.LIST_TYPE_FORMATTERS
    column_type_formatters_detail = fmt.LIST_TYPE_FORMATTERS
    column_default_sort = [("active", True), ("priority", True)]
    column_searchable_list = ("name",)
    form_columns = ("name", "grade", "min_people", "min_amount", "keywords", "categories", "min_repeats",
                    "priority", "active", "note")  # fmt: skip
    form_extra_fields = {"keywords": KeywordsField(_l("Keywords and phrases"), render_kw={"rows": 5})}
    form_choices = {"grade": Grade.choices()}
    form_args = {
        "name": {"validators": [InputRequired(), Length(max=100)]},
        "min_people": {"validators": [Optional(), NumberRange(min=1, max=1_000_000)]},
        "min_amount": {"validators": [Optional(), NumberRange(min=0.01, max=999_999_999_999)]},
        "min_repeats": {"validators": [Optional(), NumberRange(min=1, max=1000)]},
        "priority": {"validators": [Optional(), NumberRange(min=0, max=1000)]},
    }
    column_descriptions = {
        "min_people": _l("Leave blank when the number of people does not matter."),
        "min_amount": _l(
            "In yuan: 1000000 is one million yuan (100万元). Leave blank when money does not matter."
        ),
        "keywords": _l(
            "One per line, or separated by 、 or commas; any one of them in the title or the content is enough. "
            "Full-width and half-width characters are treated alike."
        ),
        "categories": _l("A level-1 category also covers all its sub-categories."),
        "min_repeats": _l("How many earlier cases of the same matter (from the repeat search)."),
        "priority": _l(
            "Among rules suggesting the same grade, the reasons of higher numbers are listed first."
        ),
    }

    def on_model_change(self, form, model, is_created):
        """Checked and audited in the same commit."""
        if model.priority is None:
            model.priority = 0
        if reason := grading_rules.check_rule(model):
            raise ValidationError(reason)
        grading_rules.record_rule_change(
            model, acting_user(), None if is_created else g.get("grading_before")
        )

    def update_model(self, form, model):
        """Keep the rule as it was before the form changes it, for the audit trail."""
        g.grading_before = grading_rules.image(model)
        return super().update_model(form, model)

    def render(self, template, **kwargs):
        """The list page also shows how often the clerks disagreed with the rules."""
        if template == self.list_template:
            now = utcnow()
            kwargs["disagreement"] = [grading_rules.disagreement(now, days) for days in WINDOWS]
        return super().render(template, **kwargs)
