"""Demo 平安员 volunteers, their clues (线索) in every state, and rewards (平安奖励金) in every status from a fund.

Rewards go through ``app.volunteers.rewards`` with past times, so the fund totals, the audit rows and the case
timelines agree with them exactly as they would in real use.
"""

from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

from app.demo import texts
from app.demo.org import DISTRICT_CODE
from app.demo.org import Org
from app.timeutil import local_day
from app.timeutil import to_local
from app.volunteers import reward_amounts
from app.volunteers import rewards
from app.volunteers.links import new_link_token
from models.case import Case
from models.enums import ClueStatus
from models.enums import DepartmentKind
from models.enums import RewardStatus
from models.enums import Status
from models.enums import VolunteerGroup
from models.enums import VolunteerStatus
from models.volunteer import Clue
from models.volunteer import RewardFund
from models.volunteer import Volunteer

VOLUNTEERS = 50
# Clues beside the ones that became volunteer-channel cases: merged into closed cases (these are
# rewarded first, so every reward status shows up whatever the case count), dismissed, and new.
MERGED_CLUES, DISMISSED_CLUES, NEW_CLUES = 12, 4, 4
# A merged clue's case closed at least this long ago (room for approval and payment), and among the latest
# such cases (MERGED_POOL per merged clue), so the rewards that show every status are recent.
MERGED_TARGET_AGE = timedelta(days=20)
MERGED_POOL = 3
SETTLED_AFTER = timedelta(days=60)  # any other reward proposed this long ago is decided and paid by now
FUND_BUDGET = Decimal(1_000_000)
COVER = (RewardStatus.PAID, RewardStatus.APPROVED, RewardStatus.REJECTED, RewardStatus.PROPOSED)
STATUS_WEIGHTS = {
    RewardStatus.PROPOSED: 2,
    RewardStatus.APPROVED: 2,
    RewardStatus.PAID: 5,
    RewardStatus.REJECTED: 1,
}
DISMISS_REASONS = (
    "经核实，反映的情况不属实。",
    "与此前报送的线索为同一事项，不重复受理。",
    "属个人政策咨询，不属于矛盾纠纷线索，已告知其拨打12345热线。",
)


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
    volunteers, id_numbers = [], set()
    for i, group in enumerate(groups):
        community = order[i % len(order)]
        id_number = gen.id_number(today)
        while id_number in id_numbers:
            id_number = gen.id_number(today)
        id_numbers.add(id_number)
        volunteer = Volunteer(
            name=gen.name(),
            phone=gen.mobile(),
            id_number=id_number,
            group=group,
            community=community,
            patrol_area=f"{gen.estate(community.name)}及周边",
            joined_on=today - timedelta(days=rng.randint(0, 3 * 365)),
            status=VolunteerStatus.ACTIVE
            if rng.random() < 0.92
            else rng.choice([VolunteerStatus.SUSPENDED, VolunteerStatus.LEFT]),
        )
        if volunteer.active:
            volunteer.link_token = new_link_token()  # from secrets, not the seeded generator: never guessable
        session.add(volunteer)
        volunteers.append(volunteer)
    session.flush()
    return volunteers


def _clue(volunteer: Volunteer, place: str, description: str, reported: datetime, **fields) -> Clue:
    return Clue(
        volunteer=volunteer,
        community=volunteer.community,
        place=place[:200],
        description=description,
        reported_at=reported,
        occurred_at=reported - timedelta(hours=2),
        **fields,
    )


def _place(case: Case) -> str:
    """The case's address without the district, street and community it starts with."""
    prefix = f"深圳市光明区{case.street.name}{case.community.name}"
    return (case.address or case.title).removeprefix(prefix) or case.title


def _triage(clue: Clue, status: str, by, at: datetime, case: Case | None = None, reason: str | None = None):
    clue.status, clue.case, clue.dismiss_reason, clue.triaged_by, clue.triaged_at = (
        status,
        case,
        reason,
        by,
        at,
    )


def build_clues(
    session, gen: texts.Gen, org: Org, volunteers: list, plans: list, now: datetime
) -> list[Clue]:
    """Clues in every state: converted (each volunteer-channel case), merged, dismissed with a reason, new."""
    rng, clerk = gen.rng, org.users["clerk"]
    clues = []
    for p in plans:
        if p.volunteer is None or p.case is None:
            continue
        case = p.case
        entered_by = (
            org.handler(p.volunteer.community) if rng.random() < 0.5 else None
        )  # else the volunteer's link
        reported = case.received_at - timedelta(minutes=rng.randint(10, 360))
        clue = _clue(p.volunteer, _place(case), case.content, reported, entered_by=entered_by)
        clue.people_involved, clue.money_involved = case.people_involved, case.money_involved
        _triage(clue, ClueStatus.CONVERTED, clerk, case.received_at, case)
        clues.append(clue)
    # From the plans, not the cases: a case's closing time is its plan's last step (no reload per case).
    closed = sorted(
        (
            (p.received_at + p.duration, p.index, p.case)
            for p in plans
            if p.volunteer is None and p.case is not None and p.status == Status.CLOSED
            and p.received_at + p.duration < now - MERGED_TARGET_AGE
        ),
        reverse=True,
    )  # fmt: skip
    old = [case for _closed, _index, case in closed[: MERGED_POOL * MERGED_CLUES]]
    for case in rng.sample(old, min(MERGED_CLUES, len(old))):
        volunteer = rng.choice([v for v in volunteers if v.community_id == case.community_id] or volunteers)
        reported = case.received_at + timedelta(hours=rng.uniform(1, 48))
        clue = _clue(volunteer, _place(case), f"巡查发现：{case.title}。", reported)
        _triage(clue, ClueStatus.MERGED, clerk, reported + timedelta(hours=rng.uniform(1, 24)), case)
        clues.append(clue)
    for i in range(DISMISSED_CLUES + NEW_CLUES):
        volunteer = rng.choice(volunteers)
        place = gen.estate(volunteer.community.name)
        text = rng.choice(texts.REWARD_CLUES).format(place=place) + "。"
        if i < DISMISSED_CLUES:
            clue = _clue(volunteer, place, text, now - timedelta(days=rng.uniform(3, 60)))
            at = clue.reported_at + timedelta(hours=rng.uniform(1, 48))
            _triage(clue, ClueStatus.DISMISSED, clerk, at, reason=DISMISS_REASONS[i % len(DISMISS_REASONS)])
        else:
            clue = _clue(volunteer, place, text, now - timedelta(hours=rng.uniform(1, 40)))
            clue.status = ClueStatus.NEW
        clues.append(clue)
    session.add_all(clues)
    session.flush()
    return clues


@dataclass
class _Plan:
    clue: Clue
    status: str
    proposed: datetime
    decided: datetime
    paid: datetime
    reward: object = None


def _plan(rng, clue: Clue, status: str, now: datetime, settle: bool = False) -> _Plan:
    """Times after the case's last event, never later than ``now`` (a step that would be is not taken yet);
    with ``settle``, a reward proposed long ago has been decided and paid (unless rejected)."""
    start = max(clue.case.events[-1].at, clue.triaged_at)
    if settle and start < now - SETTLED_AFTER and status != RewardStatus.REJECTED:
        status = RewardStatus.PAID
    proposed = start + timedelta(hours=rng.uniform(2, 72))
    decided = proposed + timedelta(hours=rng.uniform(20, 120))
    paid = decided + timedelta(hours=rng.uniform(24, 240))
    if status == RewardStatus.PAID and paid > now:
        status = RewardStatus.APPROVED
    if status != RewardStatus.PROPOSED and decided > now:
        status = RewardStatus.PROPOSED
    return _Plan(clue, status, proposed, decided, paid)


def _amount(rng, clue: Clue) -> Decimal:
    low, high = (int(v) for v in reward_amounts.tier_range(reward_amounts.suggest_tier(clue)))
    return Decimal(rng.randrange(low, high + 1, 10 if high <= 1000 else 100))


def _reason(clue: Clue) -> str:
    if clue.status == ClueStatus.MERGED:
        return f"平安员报送线索，与诉求{clue.case.number}为同一事项，协助核实了现场情况，建议给予奖励。"
    return f"平安员报送线索“{clue.case.title}”，经核实属实并已办结，建议给予奖励。"


def _pay(rng, plan: _Plan, supervisor) -> None:
    method = rng.choice(("bank_transfer", "bank_transfer", "wechat", "cash"))
    reference = {
        "bank_transfer": f"ZZ{local_day(plan.paid):%Y%m%d}{rng.randrange(10**6):06d}",
        "wechat": f"4200{rng.randrange(10**16):016d}",
        "cash": f"收据第{rng.randrange(10**4):04d}号",
    }[method]
    rewards.mark_paid(plan.reward, local_day(plan.paid), method, reference, supervisor, now=plan.paid)


def build_payouts(session, gen: texts.Gen, org: Org, clues: list, now: datetime) -> tuple[int, int]:
    """The district's fund for each year rewards fall in, and rewards for clues that led to closed cases.

    Returns (rewards, funds). The rewards on merged clues come first and cover every status.
    """
    rng, supervisor = gen.rng, org.users["supervisor"]
    useful = [c for c in clues if c.status in (ClueStatus.CONVERTED, ClueStatus.MERGED)]
    useful = [c for c in useful if c.case.status == Status.CLOSED]
    useful.sort(key=lambda c: (c.status != ClueStatus.MERGED, c.id))
    statuses = list(COVER[: len(useful)])
    statuses += rng.choices(
        list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()), k=len(useful) - len(statuses)
    )
    plans = [
        _plan(rng, clue, status, now, settle=i >= len(COVER))
        for i, (clue, status) in enumerate(zip(useful, statuses, strict=True))
    ]
    plans = [plan for plan in plans if plan.proposed <= now]
    district = org.departments[DISTRICT_CODE]
    years = sorted({local_day(plan.proposed).year for plan in plans})
    for year in years:
        session.add(RewardFund(year=year, district=district, budget=FUND_BUDGET, note="区平安奖励金"))
    session.flush()
    steps = [(plan.proposed, 0, i) for i, plan in enumerate(plans)]
    steps += [(plan.decided, 1, i) for i, plan in enumerate(plans) if plan.status != RewardStatus.PROPOSED]
    steps += [(plan.paid, 2, i) for i, plan in enumerate(plans) if plan.status == RewardStatus.PAID]
    for at, step, i in sorted(steps):
        plan = plans[i]
        if step == 0:
            volunteer = plan.clue.volunteer
            proposer = org.handler(volunteer.community)
            amount = _amount(rng, plan.clue)
            plan.reward = rewards.propose(
                volunteer, amount, _reason(plan.clue), proposer, clue=plan.clue, now=at
            )
        elif step == 1 and plan.status == RewardStatus.REJECTED:
            rewards.reject(plan.reward, rng.choice(texts.REWARD_REJECT_NOTES), supervisor, now=at)
        elif step == 1:
            rewards.approve(plan.reward, supervisor, now=at)
        else:
            _pay(rng, plan, org.users["admin"])  # not the approver: separation of duties
    session.flush()
    return len(plans), len(years)


def print_volunteer_link(echo) -> None:
    """Print one demo volunteer's personal clue page (the public /v/<token> page), if there is one."""
    from sqlalchemy import select

    from app.config import public_url
    from app.extensions import db

    volunteer = db.session.scalars(
        select(Volunteer).where(Volunteer.link_token.is_not(None)).order_by(Volunteer.id).limit(1)
    ).first()
    if volunteer is not None:
        echo(
            f"A volunteer's clue page 平安员报线索页面 ({volunteer.name}): {public_url('/v/' + volunteer.link_token)}"
        )
