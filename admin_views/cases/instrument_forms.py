"""The forms behind the command and accountability buttons on the case page (批示, 督办, answers and checks,
包案, 销案, visits, 提级). Like the lifecycle forms they only carry the input; :mod:`app.command` decides."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms import MultipleFileField
from wtforms import SelectField
from wtforms import SelectMultipleField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.validators import Optional

from admin_views.cases.forms import TransitionForm
from admin_views.cases.forms import department_choices
from admin_views.cases.forms import optional_int
from app.command import orders
from app.extensions import db
from models.command import SupervisionLevel
from models.command import VisitKind
from models.enums import HandlingLevel
from models.enums import LeaderRank
from models.enums import Role
from models.enums import Satisfaction
from models.user import User


def leader_choices() -> list:
    """Active leaders with their rank, for the 包案 and 批示 selects."""
    leaders = db.session.query(User).filter(User.role == Role.LEADER, User.active.is_(True)).order_by(User.id)
    return [
        (
            u.id,
            f"{u.display_name}（{LeaderRank.label_of(u.leader_rank, '')}）"
            if u.leader_rank
            else u.display_name,
        )
        for u in leaders
    ]


class OrderForm(TransitionForm):
    """批示 and 督办单: what is asked, of whom, by when."""

    content = TextAreaField(_l("Instruction"))
    departments = SelectMultipleField(_l("Addressed departments"), coerce=optional_int, validate_choice=False)
    due_date = DateField(_l("Answer by (default: the policy's limit)"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.departments.choices = department_choices()


class InstructForm(OrderForm):
    on_behalf_of = SelectField(
        _l("On behalf of (supervisors only)"), coerce=optional_int, validate_choice=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.on_behalf_of.choices = [("", "")] + leader_choices()


class SuperviseForm(OrderForm):
    content = TextAreaField(_l("Requirement"))
    level = SelectField(_l("Supervision level"), choices=SupervisionLevel.choices())


class AnswerForm(TransitionForm):
    text = TextAreaField(_l("What has been done (落实情况)"))


class CheckForm(TransitionForm):
    """Accept or return one answered part; the choices are the case's parts awaiting a check."""

    target = SelectField(_l("Answer"), validate_choice=False)

    def for_case(self, case):
        """Offer the parts of ``case`` awaiting a check."""
        self.target.choices = [
            (str(t.id), f"{t.order.kind.label} · {t.department.name}：{(t.answer or '')[:40]}")
            for t in orders.parts_awaiting_check(case)
        ]
        return self


class AcceptForm(CheckForm):
    note = TextAreaField(_l("Note"))


class ReturnForm(CheckForm):
    reason = TextAreaField(_l("Reason"))


class PackageForm(TransitionForm):
    leader = SelectField(_l("Leader"), coerce=optional_int, validate_choice=False)
    level = SelectField(_l("Level"), choices=LeaderRank.choices())
    note = TextAreaField(_l("Note"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.leader.choices = [("", "")] + leader_choices()


class SettleForm(TransitionForm):
    settlement = TextAreaField(_l("How the matter was settled"))
    revisit = SelectField(_l("The citizen at the revisit"), choices=[("", "")] + Satisfaction.choices())
    agreement = TextAreaField(_l("Agreement reached"))
    photos = MultipleFileField(_l("Photos"))


class VisitForm(TransitionForm):
    kind = SelectField(_l("Visit"), choices=VisitKind.choices())
    visited_on = DateField(_l("Date"), validators=[Optional()])
    place = StringField(_l("Place"))
    met_with = StringField(_l("Met with"))
    outcome = TextAreaField(_l("Outcome"))
    photos = MultipleFileField(_l("Photos"))


class RaiseForm(TransitionForm):
    level = SelectField(_l("Handle at"), choices=HandlingLevel.choices(tuple(HandlingLevel)[1:]))
    leader = SelectField(_l("包案 leader (when none of the rank holds the case)"), coerce=optional_int,
                         validate_choice=False)  # fmt: skip
    reason = TextAreaField(_l("Reason"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.leader.choices = [("", "")] + leader_choices()


class LowerForm(TransitionForm):
    level = SelectField(_l("Handle at"), choices=HandlingLevel.choices(tuple(HandlingLevel)[:-1]))
    reason = TextAreaField(_l("Reason"))


FORMS = {
    "instruct": InstructForm,
    "supervise": SuperviseForm,
    "answer_order": AnswerForm,
    "accept_order": AcceptForm,
    "return_order": ReturnForm,
    "package": PackageForm,
    "settle": SettleForm,
    "visit": VisitForm,
    "raise_level": RaiseForm,
    "lower_level": LowerForm,
}
