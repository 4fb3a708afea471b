"""What a mailbox promises its citizens: the deadlines its policies give a new, ordinary case, counted from
the event each policy's clock starts from (收到后 10 分钟内签收)."""

from dataclasses import dataclass
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import select

from app.deadlines.policies import choose_policy
from app.extensions import db
from models.deadline import ClockAnchor
from models.deadline import DeadlinePolicy
from models.deadline import Stage
from models.deadline import Unit
from models.enums import Grade

# The steps a citizen cares about, in the order they happen.
PROMISED_STAGES = (Stage.SIGN, Stage.CONTACT, Stage.FIRST_REPLY, Stage.RESOLVE)


@dataclass(frozen=True)
class Promise:
    """One promised step: its label and how long it may take (e.g. 签收 · 10 分钟)."""

    stage: str
    label: str
    amount: int
    unit: str
    starts_from: str | None = None  # models.deadline.ClockAnchor; None: from the step's own start

    @property
    def text(self) -> str:
        """The limit in words with what it counts from, e.g. "within 10 minutes of receipt" (收到后 10 分钟内)."""
        limit = self.limit
        if self.starts_from == ClockAnchor.RECEIVED:
            return _("within %(limit)s of receipt", limit=limit)
        if self.starts_from == ClockAnchor.REGISTERED:
            return _("within %(limit)s of registration", limit=limit)
        if self.starts_from == ClockAnchor.DISPATCHED:
            return _("within %(limit)s of dispatch", limit=limit)
        if self.starts_from == ClockAnchor.SIGNED:
            return _("within %(limit)s of signing for it", limit=limit)
        if self.starts_from == ClockAnchor.CONTACTED:
            return _("within %(limit)s of contacting you", limit=limit)
        return limit

    @property
    def limit(self) -> str:
        """The limit in words, e.g. "4 working days" (4 个工作日)."""
        if self.unit == Unit.MINUTES:
            return _("%(n)s minutes", n=self.amount)
        if self.unit == Unit.HOURS:
            return _("%(n)s hours", n=self.amount)
        if self.unit == Unit.NATURAL_DAYS:
            return _("%(n)s natural days", n=self.amount)
        if self.unit == Unit.WORKING_DAYS:
            return _("%(n)s working days", n=self.amount)
        return f"{self.amount} {Unit.label_of(self.unit)}"


def mailbox_promises(mailbox, request_type: str | None = None) -> list[Promise]:
    """The limits the most specific active policies set for an ordinary (green) case sent to ``mailbox``."""
    probe = SimpleNamespace(
        grade=Grade.GREEN,
        mailbox_id=mailbox.id if mailbox is not None else None,
        request_type=request_type,
        category_id=None,
        category=None,
    )
    policies = db.session.scalars(select(DeadlinePolicy).where(DeadlinePolicy.active.is_(True))).all()
    promises = []
    for stage in PROMISED_STAGES:
        policy = choose_policy(probe, stage, [p for p in policies if p.stage == stage])
        if policy is not None:
            anchor = str(policy.starts_from) if policy.starts_from else None
            label = str(Stage.label_of(stage))
            promises.append(Promise(str(stage), label, policy.amount, str(policy.unit), anchor))
    return promises
