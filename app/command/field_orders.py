"""社区发令 · 部门报到: a street or community orders district bureaus to turn up; each bureau acknowledges
(接令), checks in with who came (报到) and reports the outcome (反馈); the issuer rates each response.

Life of one bureau's part: issued → acknowledged → checked in → reported → rated, or withdrawn by the
issuer before any check-in. The 接令 and 报到 clocks run from the issue, the 反馈 clock from the first
check-in (:mod:`app.deadlines.field_clocks`). A check-in below the class's headcount or level
(under-staffed) tells the issuer at once and leaves the 报到 clock running, so the ladder escalates unless
a supplementary check-in completes the attendance by the due time. The order closes when every part is
rated or withdrawn. Every step is a compare-and-set on the part's status and version: of two people
acting at once, one wins and the other is refused. Nothing here commits; the request does.
"""

import re
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import String
from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy import update

from app.auth.access import can_see_case
from app.auth.access import scope_query
from app.deadlines import field_clocks
from app.extensions import db
from app.extensions import dialect_insert
from app.i18n import office_language
from app.notifications.links import link
from app.notifications.outbox import notify_department
from app.refusal import Refusal
from app.timeutil import format_local
from app.timeutil import local_day
from models.case import Case
from models.case import Counter
from models.deadline import Stage
from models.enums import DepartmentKind
from models.enums import Role
from models.enums import Satisfaction
from models.field_order import AttendeeLevel
from models.field_order import FieldOrder
from models.field_order import FieldOrderStatus
from models.field_order import FieldOrderTarget
from models.field_order import FieldTargetStatus as S

ISSUER_KINDS = (DepartmentKind.STREET, DepartmentKind.COMMUNITY)
LEVELS = tuple(AttendeeLevel)
MAX_ATTENDEES = 50
MAX_CASES = 20
# step -> (who takes it, the part's statuses it starts from)
STEPS = {
    "acknowledge": ("bureau", (S.ISSUED,)),
    "check_in": ("bureau", (S.ACKNOWLEDGED,)),
    "add_check_in": ("bureau", (S.CHECKED_IN, S.REPORTED)),  # only while under-staffed
    "report": ("bureau", (S.CHECKED_IN,)),
    "rate": ("issuer", (S.REPORTED,)),
    "withdraw": ("issuer", (S.ISSUED, S.ACKNOWLEDGED)),
}


class FieldOrderRefusal(Refusal):
    """A step of a 令 was refused (see app.refusal)."""


def may_issue(user) -> bool:
    """A handler of an active street or community may issue orders."""
    department = getattr(user, "department", None)
    return (
        user.role == Role.HANDLER and department is not None and department.active
        and department.kind in ISSUER_KINDS
    )  # fmt: skip


def cases_by_number(user, text: str | None) -> list[Case]:
    """The cases named in ``text`` (numbers separated by spaces or commas) that ``user`` may see."""
    numbers = list(dict.fromkeys(n for n in re.split(r"[\s,，、;；]+", (text or "").strip()) if n))
    if len(numbers) > MAX_CASES:
        raise FieldOrderRefusal(_("Link at most %(count)d cases.", count=MAX_CASES))
    found = {
        c.number: c for c in scope_query(Case, db.session.query(Case), user).filter(Case.number.in_(numbers))
    }
    for number in numbers:
        if number not in found:
            raise FieldOrderRefusal(_("Case %(number)s was not found.", number=number))
    return [found[n] for n in numbers]


def rules_of(order_class) -> dict:
    """The class's rules as the order keeps them (a later edit of the class changes no issued order)."""
    rules = {"class_id": order_class.id, "name": order_class.name, "min_level": str(order_class.min_level),
             "min_headcount": order_class.min_headcount}  # fmt: skip
    for key in ("ack", "check_in", "feedback"):
        unit = getattr(order_class, f"{key}_unit")
        rules[key] = {"amount": getattr(order_class, f"{key}_amount"), "unit": str(unit)}
    return rules


def next_number(now: datetime) -> str:
    """``L`` + the Beijing day + a 3-digit sequence of that day, from an atomic counter upsert."""
    day = local_day(now).strftime("%Y%m%d")
    table = Counter.__table__
    stmt = dialect_insert(table).values(name=bindparam("counter_name", type_=String), value=1)
    stmt = stmt.on_conflict_do_update(index_elements=[table.c.name], set_={"value": table.c.value + 1})
    value = db.session.execute(
        stmt.returning(table.c.value), {"counter_name": f"field_order:{day}"}
    ).scalar_one()
    return f"L{day}{value:03d}"


def issue(
    actor, *, order_class, matter: str, place: str, bureaus: list, cases=(), now: datetime
) -> FieldOrder:
    """A new 令 from the actor's street or community to ``bureaus``, each part's 接令 and 报到 clocks running."""
    if not may_issue(actor):
        raise FieldOrderRefusal(_("Only a handler of a street or community may issue orders."))
    matter, place = (matter or "").strip(), (place or "").strip()
    if order_class is None or not order_class.active:
        raise FieldOrderRefusal(_("Choose an active class of order."))
    if not matter or not place:
        raise FieldOrderRefusal(_("Write the matter and the place."))
    if len(place) > 200:
        raise FieldOrderRefusal(_("The place is at most 200 characters."))
    unique = list({b.id: b for b in bureaus if b is not None}.values())
    if not unique:
        raise FieldOrderRefusal(_("Choose at least one bureau."))
    if any(b.kind != DepartmentKind.BUREAU or not b.active for b in unique):
        raise FieldOrderRefusal(_("Orders go to active district bureaus only."))
    if any(not can_see_case(actor, case) for case in cases):
        raise FieldOrderRefusal(_("You may only link cases you can see."))
    order = FieldOrder(number=next_number(now), order_class=order_class, matter=matter, place=place,
                       issuing_department=actor.department, issued_by=actor, issued_at=now,
                       rules=rules_of(order_class), status=FieldOrderStatus.OPEN, cases=list(cases))  # fmt: skip
    order.targets = [FieldOrderTarget(department=b, status=S.ISSUED) for b in unique]
    db.session.add(order)
    db.session.flush()
    for target in order.targets:
        field_clocks.start(target, Stage.ORDER_ACK, order.rules, now)
        due = field_clocks.start(target, Stage.CHECK_IN, order.rules, now).due_at
        _tell(order, target.department, _l("New order %(number)s from %(issuer)s: check in by %(due)s"), now,
              issuer=order.issuing_department.name, due=format_local(due))  # fmt: skip
    db.session.flush()
    return order


def refusal(step: str, target: FieldOrderTarget, user) -> str | None:
    """Why ``user`` may not take ``step`` on the part now, or None (drives the buttons and the checks)."""
    who, sources = STEPS[step]
    department_id = target.department_id if who == "bureau" else target.order.issuing_department_id
    if user.role != Role.HANDLER or user.department_id != department_id:
        if who == "bureau":
            return _("Only the addressed bureau acts on its part.")
        return _("Only the issuing street or community may do this.")
    if target.status not in sources or (step == "add_check_in" and target.staffed is not False):
        return _("This part of the order is not at that step. Reload the page.")
    return None


def steps_for(order: FieldOrder, user) -> list[tuple[str, FieldOrderTarget]]:
    """The (step, part) pairs ``user`` may take on the order now, part by part."""
    return [(step, t) for t in order.targets for step in STEPS if refusal(step, t, user) is None]


def is_staffed(attendees: list[dict], rules: dict) -> bool:
    """Enough people came (the class's headcount), at least one of them at the class's level or above."""
    floor = LEVELS.index(AttendeeLevel(rules["min_level"]))
    ranks = [LEVELS.index(AttendeeLevel(a["level"])) for a in attendees]
    return len(attendees) >= int(rules["min_headcount"]) and any(rank >= floor for rank in ranks)


def acknowledge(target: FieldOrderTarget, actor, now: datetime, version=None) -> None:
    """接令: the bureau has the order; the 接令 clock stops."""
    _move("acknowledge", target, actor, version, status=S.ACKNOWLEDGED, acknowledged_at=now,
          acknowledged_by_id=actor.id)  # fmt: skip
    field_clocks.meet(target, Stage.ORDER_ACK, now)


def _attendees(rows, arrived_at: datetime) -> list[dict]:
    """The named attendees of a check-in, checked; blank rows are skipped."""
    clean = []
    for row in rows or []:
        name, level = (row.get("name") or "").strip(), AttendeeLevel.from_code(row.get("level"))
        if not name:
            continue
        if level is None or len(name) > 50:
            raise FieldOrderRefusal(_("Give each attendee's name and level."))
        clean.append({"name": name, "level": str(level), "at": arrived_at.isoformat()})
    if not clean:
        raise FieldOrderRefusal(_("Name at least one person who turned up."))
    return clean


def check_in(
    target, actor, *, attendees, arrived_at: datetime, note=None, now: datetime, version=None
) -> bool:
    """报到 (or a supplementary check-in while under-staffed): who turned up and when; True when staffed.

    The first check-in starts the 反馈 clock. A staffed attendance stops the 报到 clock at the arrival
    time; an under-staffed one leaves it running and tells the issuer at once."""
    if arrived_at > now:
        raise FieldOrderRefusal(_("The arrival time cannot be in the future."))
    if arrived_at < target.order.issued_at:
        raise FieldOrderRefusal(_("The arrival time cannot be before the order was issued."))
    first = target.status == S.ACKNOWLEDGED
    before = [] if first else list(target.attendees or [])
    people = before + _attendees(attendees, arrived_at)
    if len(people) > MAX_ATTENDEES:
        raise FieldOrderRefusal(_("At most %(count)d attendees.", count=MAX_ATTENDEES))
    rules, note = target.order.rules, (note or "").strip()
    staffed = is_staffed(people, rules)
    notes = "\n".join(n for n in ("" if first else target.check_in_note or "", note) if n) or None
    values = {"attendees": people, "headcount": len(people), "staffed": staffed, "check_in_note": notes}
    if first:
        values.update(status=S.CHECKED_IN, checked_in_at=arrived_at, checked_in_by_id=actor.id)
    _move("check_in" if first else "add_check_in", target, actor, version, **values)
    if first:
        field_clocks.start(target, Stage.FEEDBACK, rules, arrived_at)
    if staffed:
        field_clocks.meet(target, Stage.CHECK_IN, arrived_at)
    else:
        _tell(target.order, target.order.issuing_department,
              _l("Order %(number)s: %(bureau)s checked in under-staffed (%(count)d of %(min)d, at least one %(level)s)"),
              now, bureau=target.department.name, count=len(people), min=rules["min_headcount"],
              level=AttendeeLevel.label_of(rules["min_level"]))  # fmt: skip
    return staffed


def report(target: FieldOrderTarget, actor, outcome: str, now: datetime, version=None) -> None:
    """反馈: the bureau reports the outcome; the 反馈 clock stops; the issuer is asked to rate it."""
    outcome = (outcome or "").strip()
    if not outcome:
        raise FieldOrderRefusal(_("Write the outcome."))
    _move("report", target, actor, version, status=S.REPORTED, reported_at=now, reported_by_id=actor.id,
          outcome=outcome)  # fmt: skip
    field_clocks.meet(target, Stage.FEEDBACK, now)
    _tell(target.order, target.order.issuing_department, _l("Order %(number)s: %(bureau)s reported the outcome"),
          now, bureau=target.department.name)  # fmt: skip


def rate(target: FieldOrderTarget, actor, rating, reason: str | None, now: datetime, version=None) -> bool:
    """The issuer rates the bureau's response (a reason for 不满意); True when that closed the order."""
    member, reason = Satisfaction.from_code(str(rating or "")), (reason or "").strip()
    if member is None:
        raise FieldOrderRefusal(_("Choose the rating."))
    if member == Satisfaction.UNSATISFIED and not reason:
        raise FieldOrderRefusal(_("Give the reason for an unsatisfied rating."))
    _move("rate", target, actor, version, status=S.RATED, rating=member, rating_reason=reason or None,
          rated_at=now, rated_by_id=actor.id)  # fmt: skip
    _tell(target.order, target.department, _l("Order %(number)s: the response was rated %(rating)s"), now,
          rating=member.label)  # fmt: skip
    return _close_if_done(target.order, now)


def withdraw(order: FieldOrder, actor, now: datetime, target=None, version=None) -> None:
    """The issuer withdraws one part, or the whole order, before any check-in: the clocks are cancelled."""
    parts = [target] if target is not None else [t for t in order.targets if t.status != S.WITHDRAWN]
    if not parts:
        raise FieldOrderRefusal(_("This part of the order is not at that step. Reload the page."))
    if target is None and any(t.status not in STEPS["withdraw"][1] for t in parts):
        raise FieldOrderRefusal(_("A bureau has already checked in: the order can no longer be withdrawn."))
    for part in parts:
        _move("withdraw", part, actor, version if target is not None else None, status=S.WITHDRAWN)
        field_clocks.cancel_all(part)
        _tell(order, part.department, _l("Order %(number)s was withdrawn"), now)
    _close_if_done(order, now)


def _close_if_done(order: FieldOrder, now: datetime) -> bool:
    """Close the order once every part is rated or withdrawn (withdrawn when none was rated).

    The order's row is updated first: two parts decided at once are counted one after the other."""
    locked = update(FieldOrder).where(FieldOrder.id == order.id, FieldOrder.status == FieldOrderStatus.OPEN)
    db.session.execute(
        locked.values(version=FieldOrder.version + 1).execution_options(synchronize_session=False)
    )
    db.session.expire(order)
    statuses = set(
        db.session.scalars(select(FieldOrderTarget.status).where(FieldOrderTarget.order_id == order.id))
    )
    if not statuses <= {S.RATED, S.WITHDRAWN}:
        return False
    done = FieldOrderStatus.CLOSED if S.RATED in statuses else FieldOrderStatus.WITHDRAWN
    db.session.execute(update(FieldOrder).where(FieldOrder.id == order.id, FieldOrder.status == FieldOrderStatus.OPEN)
                       .values(status=done, closed_at=now, version=FieldOrder.version + 1)
                       .execution_options(synchronize_session=False))  # fmt: skip
    db.session.expire(order)
    return done == FieldOrderStatus.CLOSED


def _move(step: str, target: FieldOrderTarget, actor, version, **values) -> None:
    """Compare-and-set the part from the version read (and the step's statuses); refuse when someone was first."""
    if reason := refusal(step, target, actor):
        raise FieldOrderRefusal(reason)
    seen = target.version
    if version not in (None, "") and str(version) != str(seen):
        raise FieldOrderRefusal(_("Someone else has just acted on this order. Reload the page."))
    db.session.flush()  # pending clocks first: the UPDATE below must not be overtaken by an autoflush
    moved = db.session.execute(
        update(FieldOrderTarget)
        .where(FieldOrderTarget.id == target.id, FieldOrderTarget.version == seen,
               FieldOrderTarget.status.in_([str(s) for s in STEPS[step][1]]))
        .values(version=FieldOrderTarget.version + 1, **values)
        .execution_options(synchronize_session=False)
    ).rowcount  # fmt: skip
    db.session.expire(target)  # read back the new status and version
    if moved != 1:
        raise FieldOrderRefusal(_("Someone else has just acted on this order. Reload the page."))


def _tell(order: FieldOrder, department, subject, now: datetime, **values) -> None:
    """Tell of a step of ``order`` in the office's language, whatever the page's language."""
    with office_language():
        _tell_now(order, department, subject, now, **values)


def _tell_now(order: FieldOrder, department, subject: str, now: datetime, **values) -> None:
    """Notify ``department`` of a step of ``order``, with the order's matter, place and link."""
    body = "\n".join([
        _("Order %(number)s from %(issuer)s: %(matter)s", number=order.number,
          issuer=order.issuing_department.name, matter=order.matter),
        _("Place: %(place)s", place=order.place),
    ])  # fmt: skip
    data = {
        "field_order_id": order.id,
        "links": [link(f"/admin/field_order/details/?id={order.id}", order.number)],
    }
    notify_department(department, subject % {"number": order.number, **values}, body, kind="field_order",
                      now=now, data=data)  # fmt: skip
