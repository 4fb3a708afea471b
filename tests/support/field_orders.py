"""令 test helpers: the default classes, an order issued at a chosen instant, its parts and check-ins."""

from datetime import timedelta

from sqlalchemy import select

from app.command import field_order_classes
from app.command import field_orders
from app.extensions import db
from models.deadline import CaseDeadline
from models.deadline import DeadlineFire
from models.field_order import FieldOrder
from models.field_order import FieldOrderClass
from models.notification import Notification
from models.user import User
from tests.support.deadlines import T0
from tests.support.factories import dept
from tests.support.factories import user

MINUTE = timedelta(minutes=1)
HOUR = 60 * MINUTE
CHIEF = {"name": "王科长", "level": "section_chief"}
STAFF = {"name": "李干事", "level": "staff"}


def order_class(name: str = "紧急") -> FieldOrderClass:
    """One of the default classes (紧急, 一般), seeded on first use (committed)."""
    field_order_classes.seed_default_classes()
    db.session.commit()
    return db.session.scalars(select(FieldOrderClass).where(FieldOrderClass.name == name)).one()


def issue_order(
    now=T0, by="CA", to=("BA",), name="紧急", cases=(), matter="东门路口占道经营联合整治"
) -> FieldOrder:
    """An order issued at ``now`` by the handler of ``by`` to the bureaus ``to`` (committed)."""
    order = field_orders.issue(
        user("handler", by),
        order_class=order_class(name),
        matter=matter,
        place="东门路与建设路交叉口",
        bureaus=[dept(code) for code in to],
        cases=list(cases),
        now=now,
    )
    db.session.commit()
    return order


def part(order: FieldOrder, code: str):
    """The part of ``order`` addressed to the bureau ``code``."""
    return next(t for t in order.targets if t.department.code == code)


def clock(target, stage: str) -> CaseDeadline:
    """The part's deadline of ``stage``."""
    return next(d for d in target.deadlines if d.stage == stage)


def acknowledge(order, code="BA", now=T0 + 10 * MINUTE):
    """The bureau's handler acknowledges its part (committed)."""
    field_orders.acknowledge(part(order, code), user("handler", code), now)
    db.session.commit()


def check_in(order, code="BA", people=(CHIEF, STAFF), at=T0 + HOUR, now=None) -> bool:
    """The bureau's handler checks in who came at ``at`` (recorded at ``now``, default ``at``; committed)."""
    staffed = field_orders.check_in(
        part(order, code), user("handler", code), attendees=list(people), arrived_at=at, now=now or at
    )
    db.session.commit()
    return staffed


def report(order, code="BA", now=T0 + 3 * HOUR, outcome="已清理摊点 6 处，设置隔离栏。"):
    """The bureau's handler reports the outcome (committed)."""
    field_orders.report(part(order, code), user("handler", code), outcome, now)
    db.session.commit()


def rate(order, code="BA", rating="satisfied", reason=None, now=T0 + 4 * HOUR, by="CA") -> bool:
    """The issuer rates the bureau's part (committed); True when that closed the order."""
    closed = field_orders.rate(part(order, code), user("handler", by), rating, reason, now)
    db.session.commit()
    return closed


def inbox(kind: str) -> list[str]:
    """Usernames with an inbox row of ``kind``, sorted, repeats kept."""
    query = select(User.username).join(Notification, Notification.user_id == User.id)
    return sorted(db.session.scalars(query.where(Notification.kind == kind, Notification.channel == "inbox")))


def fires(target, stage: str) -> list[str]:
    """The rungs fired on the part's clock of ``stage``, in order."""
    query = (
        select(DeadlineFire.step)
        .join(CaseDeadline, CaseDeadline.id == DeadlineFire.deadline_id)
        .where(CaseDeadline.field_target_id == target.id, CaseDeadline.stage == stage)
        .order_by(DeadlineFire.id)
    )
    return [str(step) for step in db.session.scalars(query)]
