"""Demo 平安员 volunteers across the communities, and reward payouts (平安奖励金) in every status."""

from datetime import datetime
from datetime import timedelta
from decimal import Decimal

from app.demo import texts
from app.demo.org import Org
from app.timeutil import to_local
from models.enums import DepartmentKind
from models.enums import Grade
from models.enums import RewardStatus
from models.enums import Status
from models.enums import VolunteerGroup
from models.enums import VolunteerStatus
from models.volunteer import RewardPayout
from models.volunteer import Volunteer

VOLUNTEERS = 50
# Payouts not tied to a case, per status, so every status shows up whatever the case count.
UNLINKED_PER_STATUS = {
    RewardStatus.PROPOSED: 3,
    RewardStatus.APPROVED: 3,
    RewardStatus.PAID: 5,
    RewardStatus.REJECTED: 2,
}
AMOUNTS = {Grade.RED: (1000, 5000), Grade.YELLOW: (200, 1000), Grade.GREEN: (50, 300)}


def build_volunteers(
    session, gen: texts.Gen, org: Org, now: datetime, count: int = VOLUNTEERS
) -> list[Volunteer]:
    """Create ``count`` volunteers covering every group and spread over the communities."""
    rng = gen.rng
    communities = org.of_kind(DepartmentKind.COMMUNITY)
    groups = list(VolunteerGroup)
    groups = groups[:count] + rng.choices(groups, k=max(0, count - len(groups)))
    rng.shuffle(groups)
    order = rng.sample(communities, len(communities))
    today = to_local(now).date()
    volunteers = []
    for i, group in enumerate(groups):
        volunteer = Volunteer(
            name=gen.name(),
            phone=gen.mobile(),
            group=group,
            community=order[i % len(order)],
            joined_on=today - timedelta(days=rng.randint(0, 3 * 365)),
            status=VolunteerStatus.ACTIVE
            if rng.random() < 0.92
            else rng.choice([VolunteerStatus.SUSPENDED, VolunteerStatus.LEFT]),
        )
        session.add(volunteer)
        volunteers.append(volunteer)
    session.flush()
    return volunteers


def _amount(rng, grade: str) -> Decimal:
    low, high = AMOUNTS[grade]
    return Decimal(rng.randrange(low, high + 1, 10 if high <= 1000 else 100))


def _stamp(payout: RewardPayout, status: str, proposed: datetime, rng, org: Org, now: datetime) -> None:
    """Set the status and the approval and payment times, never later than ``now``."""
    supervisor = org.users["supervisor"]
    approved = proposed + timedelta(hours=rng.uniform(20, 120))
    paid = approved + timedelta(hours=rng.uniform(24, 240))
    if status == RewardStatus.PAID and paid > now:
        status = RewardStatus.APPROVED
    if status == RewardStatus.APPROVED and approved > now:
        status = RewardStatus.PROPOSED
    payout.status = status
    payout.proposed_at = proposed
    if status in (RewardStatus.APPROVED, RewardStatus.PAID):
        payout.approved_by, payout.approved_at = supervisor, approved
    if status == RewardStatus.PAID:
        payout.paid_at = paid
    if status == RewardStatus.REJECTED:
        payout.reason += f"（{rng.choice(texts.REWARD_REJECT_NOTES)}）"


def build_payouts(session, gen: texts.Gen, org: Org, volunteers: list, plans: list, now: datetime) -> int:
    """Reward payouts for closed volunteer-clue cases, plus a few unlinked ones in each status; return how many."""
    rng = gen.rng
    added = 0
    statuses = list(RewardStatus)
    for p in plans:
        case = p.case
        if p.volunteer is None or case is None or case.status != Status.CLOSED:
            continue
        payout = RewardPayout(
            volunteer=p.volunteer,
            case=case,
            amount=_amount(rng, case.grade),
            reason=f"平安员报送线索“{case.title}”，经核实属实并已办结，建议给予奖励。",
            proposed_by=org.handler(p.volunteer.community),
        )
        status = rng.choices(statuses, weights=(2, 2, 5, 1))[0]
        _stamp(payout, status, case.closed_at + timedelta(hours=rng.uniform(2, 72)), rng, org, now)
        if payout.proposed_at > now:
            continue
        session.add(payout)
        added += 1
    for status, count in UNLINKED_PER_STATUS.items():
        for _ in range(count):
            volunteer = rng.choice(volunteers)
            place = gen.estate(volunteer.community.name)
            grade = rng.choices(list(AMOUNTS), weights=(1, 3, 6))[0]
            payout = RewardPayout(
                volunteer=volunteer,
                amount=_amount(rng, grade),
                reason=rng.choice(texts.REWARD_CLUES).format(place=place) + "。",
                proposed_by=org.handler(volunteer.community),
            )
            earliest = 20 if status == RewardStatus.PAID else 8
            _stamp(payout, status, now - timedelta(days=rng.uniform(earliest, 80)), rng, org, now)
            session.add(payout)
            added += 1
    session.flush()
    return added
