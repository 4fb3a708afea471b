"""What leaders see of their instruments: 我的批示 (open, answered, overdue, closed, with the 批示办结率),
我的包案, the open orders and 包案 the daily report lists; and the one definition of an order part being
overdue, for the 督办台账 and the reports."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.deadlines import clock
from app.extensions import db
from models.case import Case
from models.command import CaseOrder
from models.command import CasePackage
from models.command import OrderKind
from models.command import OrderStatus
from models.command import OrderTarget
from models.command import PackageStatus
from models.command import TargetStatus
from models.deadline import CaseDeadline

BUCKETS = ("open", "answered", "overdue", "closed")


def part_overdue(now: datetime):
    """SQL: an order part is overdue when its answer came late, or none came and the due time has passed."""
    return (
        exists()
        .where(
            CaseDeadline.target_id == OrderTarget.id,
            clock.late_condition(now),
        )
        .correlate(OrderTarget)
    )


def is_overdue(target: OrderTarget, now: datetime) -> bool:
    """Python twin of :func:`part_overdue` for one loaded part."""
    return clock.is_late(target.deadline, now)


def bucket(order: CaseOrder, now: datetime) -> str:
    """Where an instruction stands for its leader: closed; overdue (a part still owed past its time);
    answered (every part answered, awaiting the check); open."""
    if order.status == OrderStatus.CLOSED:
        return "closed"
    owed = [t for t in order.targets if t.status in (TargetStatus.PENDING, TargetStatus.RETURNED)]
    if any(t.deadline is not None and t.deadline.due_at <= now for t in owed):
        return "overdue"
    return "open" if owed else "answered"


@dataclass
class Summary:
    """A leader's instructions by bucket, and the 批示办结率 (closed / issued)."""

    counts: dict
    issued: int
    closed_on_time: int

    @property
    def rate(self) -> float | None:
        """Closed instructions over those issued; None before the first."""
        return self.counts["closed"] / self.issued if self.issued else None


def my_instructions(leader, now: datetime) -> tuple[Summary, dict[str, list[CaseOrder]]]:
    """The leader's instructions (written by him or on his behalf), newest first, grouped by bucket."""
    rows = db.session.scalars(
        select(CaseOrder)
        .where(CaseOrder.kind == OrderKind.INSTRUCTION, CaseOrder.leader_id == leader.id)
        .options(
            selectinload(CaseOrder.targets).selectinload(OrderTarget.deadline), selectinload(CaseOrder.case)
        )
        .order_by(CaseOrder.issued_at.desc(), CaseOrder.id.desc())
    ).all()
    grouped = {name: [] for name in BUCKETS}
    on_time = 0
    for order in rows:
        grouped[bucket(order, now)].append(order)
        if order.status == OrderStatus.CLOSED and not any(is_overdue(t, now) for t in order.targets):
            on_time += 1
    counts = {name: len(items) for name, items in grouped.items()}
    return Summary(counts, len(rows), on_time), grouped


def my_packages(leader) -> list[CasePackage]:
    """The 包案 a leader holds or held, the ones in hand first, newest first."""
    return list(
        db.session.scalars(
            select(CasePackage)
            .join(Case, Case.id == CasePackage.case_id)
            .where(CasePackage.leader_id == leader.id)
            .options(selectinload(CasePackage.case))
            .order_by((CasePackage.status == PackageStatus.ACTIVE).desc(), CasePackage.assigned_at.desc())
        )
    )


LISTED = 200


def open_orders(now: datetime, limit: int = LISTED) -> tuple[list[dict], int]:
    """Open 批示 and 督办单 for the daily report, overdue first then oldest: ([rows], how many more)."""
    total = db.session.scalar(select(func.count(CaseOrder.id)).where(CaseOrder.status == OrderStatus.OPEN))
    orders = db.session.scalars(
        select(CaseOrder)
        .where(CaseOrder.status == OrderStatus.OPEN)
        .options(
            selectinload(CaseOrder.targets).selectinload(OrderTarget.deadline), selectinload(CaseOrder.case)
        )
        .order_by(CaseOrder.due_at, CaseOrder.id)
        .limit(limit)
    ).all()
    rows = []
    for order in orders:
        owed = [t for t in order.targets if t.status != TargetStatus.ACCEPTED]
        rows.append(
            {
                "number": order.case.number,
                "kind": str(order.kind),
                "level": str(order.level) if order.level else None,
                "content": order.content[:120],
                "departments": "、".join(t.department.name for t in owed),
                "due": order.due_at.isoformat(),
                "overdue": any(is_overdue(t, now) for t in owed),
            }
        )
    rows.sort(key=lambda r: (not r["overdue"], r["due"]))
    return rows, max(0, total - len(rows))


def packages_in_hand(limit: int = LISTED) -> tuple[list[dict], int]:
    """包案 in force, for the daily report: closed-but-not-settled first, then the oldest."""
    where = CasePackage.status == PackageStatus.ACTIVE
    total = db.session.scalar(select(func.count(CasePackage.id)).where(where))
    held = db.session.scalars(
        select(CasePackage)
        .join(Case, Case.id == CasePackage.case_id)
        .where(where)
        .options(selectinload(CasePackage.case), selectinload(CasePackage.leader))
        .order_by(Case.closed_at.is_(None), CasePackage.assigned_at, CasePackage.id)
        .limit(limit)
    ).all()
    rows = [
        {
            "number": p.case.number,
            "title": p.case.title,
            "leader": str(p.leader),
            "level": str(p.level),
            "status": str(p.case.status),
            "unsettled": p.case.closed_at is not None,
        }
        for p in held
    ]
    return rows, max(0, total - len(rows))
