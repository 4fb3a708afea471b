"""The reward list's helpers: the clue lookup of the proposal form, and the forms of the decision steps."""

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField
from wtforms import HiddenField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Optional

from admin_views.scoping import ScopedAjaxLoader
from app.auth.access import volunteer_clause
from app.timeutil import local_day
from app.timeutil import utcnow
from models.enums import PayMethod
from models.enums import RewardStatus
from models.volunteer import Clue
from models.volunteer import Volunteer


class ClueLoader(ScopedAjaxLoader):
    """Clue lookups in the form: only clues of volunteers the user may see."""

    def get_query(self):
        """Clues of visible volunteers."""
        query = super().get_query()
        clause = volunteer_clause(current_user)
        if clause is not None:
            query = query.filter(Clue.volunteer_id.in_(select(Volunteer.id).where(clause)))
        return query


class StepForm(FlaskForm):
    """A decision on one reward: which one."""

    id = HiddenField()


class RejectForm(StepForm):
    reason = TextAreaField(_l("Reason for rejecting"), validators=[DataRequired()])


class PayForm(StepForm):
    paid_on = DateField(_l("Date paid"), validators=[DataRequired()], default=lambda: local_day(utcnow()))
    method = SelectField(_l("Paid by"), choices=[("", "")] + PayMethod.choices())
    reference = StringField(_l("Reference (transfer or receipt number)"), validators=[Optional()])


# audited action -> the status it leads to (for the history list)
STEP_STATUS = {"propose": "proposed", "approve": "approved", "reject": "rejected", "pay": "paid"}
# step -> (form, button, the status it starts from, the message when done)
STEPS = {
    "approve": (StepForm, _l("Approve the reward"), RewardStatus.PROPOSED, _l("Reward approved.")),
    "reject": (RejectForm, _l("Reject the reward"), RewardStatus.PROPOSED, _l("Reward rejected.")),
    "pay": (PayForm, _l("Mark paid"), RewardStatus.APPROVED, _l("Reward marked paid.")),
}
