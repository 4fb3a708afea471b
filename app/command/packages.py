"""包案 to 销案: a named leader takes charge of a case at a level, meets the citizen, and confirms it settled.

One 包案 is in force on a case at a time (a unique index on the active one); a new one hands the old over.
The case's ``owner_leader`` mirrors the 包案 in force, so the deadline ladder's leader rung reaches the
leader who holds the case. 销案 is its own step, after the case is closed or at any time the matter is
settled, with the evidence: the revisit result, the agreement reached, photos. Nothing here writes the
timeline or commits (see :mod:`app.command.orders`).
"""

from datetime import date
from datetime import datetime

from flask_babel import gettext as _

from app.command import authority
from app.extensions import db
from app.refusal import Refusal
from models.command import CasePackage
from models.command import LeaderVisit
from models.command import PackageStatus
from models.command import VisitKind
from models.enums import LeaderRank
from models.enums import Satisfaction

TEXT_MAX = 200


class PackageRefusal(Refusal):
    """A 包案 step was refused (see app.refusal)."""


def assign(case, actor, leader, level, now: datetime) -> CasePackage:
    """Put ``case`` in ``leader``'s hands at ``level``; the 包案 before it, if any, is handed over (flushed)."""
    if reason := authority.package_refusal(actor, leader, level):
        raise PackageRefusal(reason)
    current = authority.active_package(case)
    if current is not None:
        if current.leader_id == leader.id and current.level == level:
            raise PackageRefusal(_("The case is already in %(leader)s's hands.", leader=leader))
        current.status = PackageStatus.HANDED_OVER
        current.ended_at = now
        db.session.flush()  # the unique index allows one active 包案: end the old one first
    package = CasePackage(
        case=case,
        level=LeaderRank(str(level)),
        leader=leader,
        assigned_by=actor,
        assigned_at=now,
        status=PackageStatus.ACTIVE,
    )
    db.session.add(package)
    case.owner_leader = leader
    db.session.flush()
    return package


def settle(
    case, actor, settlement: str, revisit: str | None, agreement: str | None, now: datetime
) -> CasePackage:
    """销案: the 包案 leader (or a supervisor) confirms the matter settled, with the evidence."""
    if reason := authority.package_holder_refusal(actor, case):
        raise PackageRefusal(reason)
    settlement = (settlement or "").strip()
    if not settlement:
        raise PackageRefusal(_("Say how the matter was settled."))
    result = Satisfaction.from_code(revisit) if revisit else None
    if revisit and result is None:
        raise PackageRefusal(_("Choose the citizen's answer at the revisit."))
    package = authority.active_package(case)
    package.status = PackageStatus.SETTLED
    package.settled_at = package.ended_at = now
    package.settled_by = actor
    package.settlement = settlement
    package.evidence = {
        "revisit": str(result) if result else None,
        "agreement": (agreement or "").strip() or None,
    }
    case.owner_leader = None  # no 包案 in force any more: the ladder's leader rung goes to every leader again
    db.session.flush()
    return package


def record_visit(
    case, actor, kind: str, visited_on: date | None, place: str, met_with: str, outcome: str, today: date
) -> LeaderVisit:
    """A 接访 or 下访 by the 包案 leader (recorded by him or by a supervisor for him)."""
    if reason := authority.package_holder_refusal(actor, case):
        raise PackageRefusal(reason)
    visit_kind = VisitKind.from_code(kind)
    if visit_kind is None:
        raise PackageRefusal(_("Choose whether the leader received the citizen or went out to them."))
    if visited_on is None or visited_on > today:
        raise PackageRefusal(_("Give the date of the visit (not in the future)."))
    fields = {"place": place, "met_with": met_with, "outcome": outcome}
    fields = {k: (v or "").strip() for k, v in fields.items()}
    if not all(fields.values()):
        raise PackageRefusal(_("Give the place, whom the leader met and what came of it."))
    if len(fields["place"]) > TEXT_MAX or len(fields["met_with"]) > TEXT_MAX:
        raise PackageRefusal(_("Place and people met: at most %(n)d characters each.", n=TEXT_MAX))
    package = authority.active_package(case)
    visit = LeaderVisit(
        case=case,
        package_id=package.id,
        leader_id=package.leader_id,
        kind=visit_kind,
        visited_on=visited_on,
        recorded_by=actor,
        **fields,
    )
    db.session.add(visit)
    db.session.flush()
    return visit


def unsettled(case) -> bool:
    """A finished case whose 包案 was never settled (销案): shown as such."""
    return case.closed_at is not None and authority.active_package(case) is not None
