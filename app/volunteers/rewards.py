"""The reward rules (平安奖励金): propose, approve, mark paid and reject; the one place they live.

Amounts, tiers and funds are in :mod:`app.volunteers.reward_amounts`.

Each step checks the role, the status and the separation of duties (:func:`duty_refusal`: the proposer
does not approve, the approver does not record the payment; ``REWARD_SEPARATE_*`` settings), writes in
the caller's transaction (the caller commits; it rolls back on a refusal), and leaves an audit row
(entity ``reward``, through :func:`app.audit.record`) and, when the reward has a case, a note on the
case's timeline. A refusal raises :class:`RewardError`.

The fund is never overspent: an approval charges the fund row with one conditional UPDATE
(``approved_total + amount <= budget``), which PostgreSQL serialises on the row lock and SQLite on
its write lock; the CHECK constraints of ``reward_fund`` are the last guard.
"""

from datetime import date
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from app import audit
from app.auth.access import STAFF_ROLES
from app.auth.access import SUPERVISOR_ROLES
from app.auth.access import can_see_case
from app.auth.access import volunteer_clause
from app.cases import lifecycle
from app.extensions import db
from app.refusal import Refusal
from app.timeutil import local_day
from app.timeutil import utcnow
from app.volunteers.reward_amounts import CENT
from app.volunteers.reward_amounts import REFERENCE_REQUIRED
from app.volunteers.reward_amounts import amount_bounds
from app.volunteers.reward_amounts import district_of
from app.volunteers.reward_amounts import fund_for
from app.volunteers.reward_amounts import fund_year
from app.volunteers.reward_amounts import suggest_tier
from app.volunteers.reward_amounts import yuan
from models.audit import AuditEntity
from models.enums import ClueStatus
from models.enums import PayMethod
from models.enums import RewardStatus
from models.enums import RewardTier
from models.enums import Role
from models.volunteer import RewardFund
from models.volunteer import RewardPayout
from models.volunteer import Volunteer

PROPOSE_ROLES = STAFF_ROLES - {Role.LEADER}
DECIDE_ROLES = SUPERVISOR_ROLES
GRANTED = (RewardStatus.APPROVED, RewardStatus.PAID)
FUNDS = RewardFund.__table__
PAYOUTS = RewardPayout.__table__
AUDITED = "status amount volunteer_id clue_id case_id fund_id tier paid_on pay_method pay_reference".split()
AUDITED.append("rejection_reason")


class RewardError(Refusal):
    """A reward step was refused (see app.refusal)."""


def volunteer_visible(actor, volunteer: Volunteer) -> bool:
    """Whether ``actor`` may see ``volunteer`` (handlers: their own unit and below)."""
    clause = volunteer_clause(actor)
    if clause is None:
        return True
    return db.session.scalar(select(Volunteer.id).where(Volunteer.id == volunteer.id, clause)) is not None


def granted_reward_id(clue_id: int, except_id: int | None = None) -> int | None:
    """The id of the clue's approved or paid reward, if any."""
    query = select(RewardPayout.id).where(RewardPayout.clue_id == clue_id, RewardPayout.status.in_(GRANTED))
    if except_id is not None:
        query = query.where(RewardPayout.id != except_id)
    return db.session.scalars(query.limit(1)).first()


def _require_role(actor, roles, message: str) -> None:
    if actor is None or getattr(actor, "role", None) not in roles:
        raise RewardError(message)


def duty_refusal(reward: RewardPayout, step: str, actor) -> str | None:
    """Why ``actor`` may not take ``step`` on ``reward`` under the separation of duties (configurable), or None:
    the proposer does not approve, the approver does not record the payment."""
    config, actor_id = current_app.config, getattr(actor, "id", None)
    if (
        step == "approve"
        and config["REWARD_SEPARATE_PROPOSER_APPROVER"]
        and reward.proposed_by_id == actor_id
    ):
        return _("You proposed this reward; another supervisor must approve it.")
    if step == "pay" and config["REWARD_SEPARATE_APPROVER_PAYER"] and reward.approved_by_id == actor_id:
        return _("You approved this reward; another supervisor must record its payment.")
    return None


def _check_duty(reward: RewardPayout, step: str, actor) -> None:
    if (reason := duty_refusal(reward, step, actor)) is not None:
        raise RewardError(reason)


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).strip()) if value is not None else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise RewardError(_("Enter the amount in yuan."))
    low, high = amount_bounds()
    if not low <= amount <= high:
        raise RewardError(
            _("The amount must be between %(low)s and %(high)s yuan.", low=yuan(low), high=yuan(high))
        )
    if amount != amount.quantize(CENT):
        raise RewardError(_("The amount can have at most two decimals."))
    return amount.quantize(CENT)


def _finish(reward: RewardPayout, action: str, actor, now: datetime, before: dict | None, note: str) -> None:
    """Reload the moved row, then write the audit row and the note on the case's timeline."""
    db.session.expire(reward)
    audit.record(AuditEntity.REWARD, reward.id, action, actor, before, _snapshot(reward), at=now)
    case = reward.case
    if case is None:
        return
    if lifecycle.refusal(case, "comment", actor) is None:
        lifecycle.perform(case, "comment", actor, now=now, note=note)
        return
    # e.g. a community handler rewarding its volunteer's clue that another department's case handles
    lifecycle.add_note(case, actor, note, now=now, data={"reward": reward.id})


def _move(reward: RewardPayout, source: str, values: dict) -> int:
    """Move the reward's status only if it is still ``source``; the number of rows moved (0 or 1)."""
    statement = update(PAYOUTS).where(PAYOUTS.c.id == reward.id, PAYOUTS.c.status == source).values(**values)
    return db.session.execute(statement).rowcount


def _charge(column, limit, fund_id: int, amount: Decimal) -> bool:
    """Add ``amount`` to a fund total only while it stays within ``limit``: one conditional UPDATE."""
    new_total = func.round(column + amount, 2)  # ROUND: SQLite adds NUMERIC values as floats
    statement = update(FUNDS).where(FUNDS.c.id == fund_id, new_total <= limit).values({column: new_total})
    return db.session.execute(statement).rowcount == 1


def propose(volunteer, amount, reason, actor, clue=None, case=None, *, tier=None, now=None) -> RewardPayout:
    """Propose a reward for ``volunteer``'s clue or case; returns the new (flushed) proposal."""
    _require_role(actor, PROPOSE_ROLES, _("Your role may not propose rewards."))
    if volunteer is None:
        raise RewardError(_("Choose the volunteer."))
    if not volunteer_visible(actor, volunteer):
        raise RewardError(_("This volunteer is not in your area."))
    if clue is None and case is None:
        raise RewardError(_("Choose the clue or the case the reward is for."))
    if clue is not None:
        if clue.volunteer_id != volunteer.id:
            raise RewardError(_("This clue was reported by another volunteer."))
        if clue.status == ClueStatus.DISMISSED:
            raise RewardError(_("A dismissed clue cannot be rewarded."))
        if case is not None and clue.case_id not in (None, case.id):
            raise RewardError(_("The clue belongs to another case."))
        if granted_reward_id(clue.id) is not None:
            raise RewardError(_("This clue has already been rewarded."))
    elif not can_see_case(actor, case):
        raise RewardError(_("This case is not assigned to your department."))
    case = case if case is not None else clue.case
    amount = _amount(amount)
    reason = (reason or "").strip()
    if not reason:
        raise RewardError(_("Give the reason for the reward."))
    if tier not in (None, "", *RewardTier):
        raise RewardError(_("Unknown reward tier."))
    now = now or utcnow()
    tier = tier or suggest_tier(clue if clue is not None else case).code
    reward = RewardPayout(volunteer=volunteer, clue=clue, case=case, amount=amount, reason=reason, tier=tier)
    reward.status, reward.proposed_by, reward.proposed_at = RewardStatus.PROPOSED, actor, now
    db.session.add(reward)
    db.session.flush()
    note = _("Reward of %(amount)s yuan proposed: %(reason)s", amount=yuan(amount), reason=reason)
    _finish(reward, "propose", actor, now, None, note)
    return reward


def approve(reward: RewardPayout, actor, *, now=None) -> RewardPayout:
    """Approve a proposed reward and charge it to its year's district fund, never beyond the budget."""
    _require_role(actor, DECIDE_ROLES, _("Only supervisors may approve rewards."))
    if reward.status != RewardStatus.PROPOSED:
        raise RewardError(_("Only a proposed reward can be approved."))
    _check_duty(reward, "approve", actor)
    if reward.clue_id is not None and (other := granted_reward_id(reward.clue_id, reward.id)) is not None:
        raise RewardError(_("This clue has already been rewarded (reward #%(id)s).", id=other))
    year = fund_year(reward)
    fund = fund_for(year, district_of(reward.volunteer.community))
    if fund is None:
        raise RewardError(
            _("There is no reward fund for %(year)s yet; create it under Reward funds first.", year=year)
        )
    now, amount, fund_id, before = now or utcnow(), reward.amount, fund.id, _snapshot(reward)
    if not _charge(FUNDS.c.approved_total, FUNDS.c.budget, fund_id, amount):
        left = db.session.scalar(select(FUNDS.c.budget - FUNDS.c.approved_total).where(FUNDS.c.id == fund_id))
        message = _(
            "The %(year)s fund has only %(left)s yuan left; this reward needs %(amount)s yuan.",
            year=year,
            left=yuan(left),
            amount=yuan(amount),
        )
        raise RewardError(message)
    values = dict(status=RewardStatus.APPROVED, approved_by_id=actor.id, approved_at=now, fund_id=fund_id)
    try:
        moved = _move(reward, RewardStatus.PROPOSED, values)
    except IntegrityError:  # the partial unique index: another reward of this clue was approved meanwhile
        raise RewardError(_("This clue has already been rewarded.")) from None
    if moved != 1:
        raise RewardError(_("Someone else has already decided on this reward. Reload the page."))
    db.session.expire(fund)
    note = _("Reward of %(amount)s yuan approved.", amount=yuan(amount))
    _finish(reward, "approve", actor, now, before, note)
    return reward


def mark_paid(reward: RewardPayout, paid_on, method, reference, actor, *, now=None) -> RewardPayout:
    """Record that an approved reward was paid (date, method, reference) and add it to the fund's paid total."""
    _require_role(actor, DECIDE_ROLES, _("Only supervisors may mark rewards paid."))
    if reward.status != RewardStatus.APPROVED:
        raise RewardError(_("Only an approved reward can be marked paid."))
    _check_duty(reward, "pay", actor)
    if reward.fund_id is None:  # approved before funds existed
        raise RewardError(_("This reward was approved without a fund, so it cannot be paid from one."))
    now = now or utcnow()
    if not isinstance(paid_on, date) or paid_on > local_day(now):
        raise RewardError(_("Give the date of payment; it cannot be in the future."))
    if reward.approved_at is not None and paid_on < local_day(reward.approved_at):
        raise RewardError(_("The date of payment cannot be before the approval."))
    if method not in set(PayMethod):
        raise RewardError(_("Choose how the reward was paid."))
    reference = (reference or "").strip() or None
    if reference is None and method in REFERENCE_REQUIRED:
        raise RewardError(_("Give the transfer reference."))
    if reference is not None and len(reference) > 100:
        raise RewardError(_("The reference is too long."))
    before, amount = _snapshot(reward), reward.amount
    # The fund row first, then the reward row: the same lock order as an approval.
    if not _charge(FUNDS.c.paid_total, FUNDS.c.approved_total, reward.fund_id, amount):
        raise RewardError(_("The fund's paid total would exceed its approved total; nothing was recorded."))
    values = dict(status=RewardStatus.PAID, paid_by_id=actor.id, paid_at=now, paid_on=paid_on)
    values.update(pay_method=method, pay_reference=reference)
    if _move(reward, RewardStatus.APPROVED, values) != 1:
        raise RewardError(_("Someone else has already changed this reward. Reload the page."))
    note = _(
        "Reward of %(amount)s yuan paid on %(day)s (%(method)s).",
        amount=yuan(amount),
        day=paid_on.isoformat(),
        method=PayMethod(method).label,
    )
    _finish(reward, "pay", actor, now, before, note)
    return reward


def reject(reward: RewardPayout, reason, actor, *, now=None) -> RewardPayout:
    """Reject a proposed reward, with the reason."""
    _require_role(actor, DECIDE_ROLES, _("Only supervisors may reject rewards."))
    if reward.status != RewardStatus.PROPOSED:
        raise RewardError(_("Only a proposed reward can be rejected."))
    reason = (reason or "").strip()
    if not reason:
        raise RewardError(_("Give the reason for rejecting the reward."))
    now, before = now or utcnow(), _snapshot(reward)
    values = {"status": RewardStatus.REJECTED, "rejected_by_id": actor.id, "rejected_at": now}
    if _move(reward, RewardStatus.PROPOSED, {**values, "rejection_reason": reason}) != 1:
        raise RewardError(_("Someone else has already decided on this reward. Reload the page."))
    note = _("Reward of %(amount)s yuan rejected: %(reason)s", amount=yuan(reward.amount), reason=reason)
    _finish(reward, "reject", actor, now, before, note)
    return reward


def _snapshot(reward: RewardPayout) -> dict:
    """The audited fields of a reward, as JSON values."""
    return audit.snapshot(reward, AUDITED)
