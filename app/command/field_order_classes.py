"""Classes of 令 (e.g. 紧急, 一般): the defaults a district starts with, and the audit of an administrator's
changes. The rules of an order itself are :mod:`app.command.field_orders`."""

from sqlalchemy import select

from app import audit
from app.extensions import db
from models.audit import AuditEntity
from models.deadline import Unit
from models.field_order import AttendeeLevel
from models.field_order import FieldOrderClass

CLASS_AUDITED = ("name", "ack_amount", "ack_unit", "check_in_amount", "check_in_unit", "feedback_amount",
                 "feedback_unit", "min_level", "min_headcount", "active", "sort_order")  # fmt: skip
# name, (接令, 报到, 反馈) as (amount, unit), min level, min headcount
DEFAULT_CLASSES = (
    ("紧急", ((30, Unit.MINUTES), (2, Unit.HOURS), (1, Unit.WORKING_DAYS)), AttendeeLevel.SECTION_CHIEF, 2),
    ("一般", ((2, Unit.HOURS), (1, Unit.WORKING_DAYS), (3, Unit.WORKING_DAYS)), AttendeeLevel.STAFF, 1),
)


def record_class_change(order_class: FieldOrderClass, actor, created: bool) -> None:
    """Audit a class's creation or edit (the caller commits it with the change)."""
    audit.record_change(AuditEntity.FIELD_ORDER_CLASS, order_class, CLASS_AUDITED, actor, created)


def seed_default_classes() -> int:
    """Create the default classes 紧急 and 一般 when missing (by name); return how many were added."""
    existing = set(db.session.scalars(select(FieldOrderClass.name)))
    added = 0
    for index, (name, limits, level, headcount) in enumerate(DEFAULT_CLASSES):
        if name in existing:
            continue
        (ack, ack_unit), (check_in, check_in_unit), (feedback, feedback_unit) = limits
        db.session.add(FieldOrderClass(name=name, ack_amount=ack, ack_unit=ack_unit, check_in_amount=check_in,
                                       check_in_unit=check_in_unit, feedback_amount=feedback,
                                       feedback_unit=feedback_unit, min_level=level, min_headcount=headcount,
                                       active=True, sort_order=index + 1))  # fmt: skip
        added += 1
    db.session.flush()
    return added
