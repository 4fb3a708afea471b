"""Forms and filters of the clue desk (endpoint ``clue``): the triage steps and the list filters."""

from flask_admin.contrib.sqla import filters as sqla_filters
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from admin_views.category_choices import category_select_choices
from app.validators import parse_id
from app.volunteers.clues import REASON_MAX
from app.volunteers.clues import TITLE_MAX
from models.enums import RequestType
from models.volunteer import Clue
from models.volunteer import Volunteer


def _optional_int(value) -> int | None:
    return parse_id(value)


class StepForm(FlaskForm):
    """A triage step on one clue: which one."""

    id = HiddenField()


class ConvertForm(StepForm):
    """Convert into a new case: type, category (optional) and the case title."""

    request_type = SelectField(
        _l("Type of request"), choices=RequestType.choices(), default=str(RequestType.REPORT)
    )
    category = SelectField(_l("Category"), coerce=_optional_int, validate_choice=True)
    title = StringField(_l("Case title"), validators=[DataRequired(), Length(max=TITLE_MAX)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = category_select_choices(blank=str(_l("(leave to the clerk)")))


class MergeForm(StepForm):
    """Merge with an existing case, by its number."""

    case_number = StringField(_l("Case number"), validators=[DataRequired(), Length(max=40)])


class DismissForm(StepForm):
    """Dismiss, with the reason."""

    reason = TextAreaField(_l("Reason for dismissing"), validators=[DataRequired(), Length(max=REASON_MAX)])


# step -> (form, button, message when done)
STEPS = {
    "convert": (ConvertForm, _l("Convert into a case"), _l("The clue is now a case.")),
    "merge": (MergeForm, _l("Merge with an existing case"), _l("The clue was merged with the case.")),
    "dismiss": (DismissForm, _l("Dismiss the clue"), _l("The clue was dismissed.")),
}


class IntEqualFilter(sqla_filters.FilterEqual):
    """Equality on an id column (the value compared as a number on every database)."""

    def validate(self, value):
        """A record id (a 64-bit whole number)."""
        return parse_id(value) is not None

    def clean(self, value):
        """The value as a number."""
        return int(value)


class GroupFilter(sqla_filters.BaseSQLAFilter):
    """Clues of the volunteers in one group (a subquery: no join, no duplicate rows)."""

    def __init__(self, name, options):
        super().__init__(Clue.volunteer_id, name, options=options)
        self.attribute = Volunteer.group  # what the value is compared with (list_args checks it)

    def apply(self, query, value, alias=None):
        """Volunteers of group ``value``."""
        return query.filter(Clue.volunteer_id.in_(select(Volunteer.id).where(Volunteer.group == value)))

    def operation(self):
        return _l("is")
