"""Separation of duties on rewards: the proposer does not approve, the approver does not record the payment."""

from datetime import date

import pytest
from flask_babel import gettext

from app.extensions import db as _db
from app.timeutil import local_day
from app.timeutil import utcnow
from app.volunteers import rewards
from models.enums import ClueStatus
from models.enums import RewardStatus
from models.enums import Status
from models.volunteer import Clue
from models.volunteer import RewardFund
from models.volunteer import Volunteer
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.factories import make_user

PROPOSER_MESSAGE = "You proposed this reward; another supervisor must approve it."
APPROVER_MESSAGE = "You approved this reward; another supervisor must record its payment."


@pytest.fixture
def reward(db):
    """A reward proposed by the supervisor for a converted clue, with this year's fund."""
    volunteer = Volunteer(name="甲平安员", phone="13700000000", group="grid_worker", community=dept("CA"))
    volunteer.joined_on = date(2025, 1, 1)
    case = make_case(Status.CLOSED, lead="SA")
    clue = Clue(volunteer=volunteer, community=dept("CA"), place="甲小区", description="楼道堆物")
    clue.status, clue.case = ClueStatus.CONVERTED, case
    year = local_day(utcnow()).year
    _db.session.add_all([volunteer, clue, RewardFund(year=year, district=dept("D"), budget=10000)])
    _db.session.flush()
    proposed = rewards.propose(volunteer, 500, "线索属实", make_user("supervisor"), clue=clue)
    make_user("admin")
    _db.session.commit()
    return proposed


def refusal(call, *args) -> str:
    with pytest.raises(rewards.RewardError) as info:
        call(*args)
    _db.session.rollback()
    return info.value.message


def pay(reward, actor):
    return rewards.mark_paid(reward, local_day(utcnow()), "cash", None, actor)


def test_the_proposer_may_not_approve_nor_the_approver_pay(reward, db):
    supervisor, admin = make_user("supervisor"), make_user("admin")
    assert refusal(rewards.approve, reward, supervisor) == gettext(PROPOSER_MESSAGE)
    assert reward.status == RewardStatus.PROPOSED
    rewards.approve(reward, admin)
    db.session.commit()
    assert refusal(pay, reward, admin) == gettext(APPROVER_MESSAGE)
    assert reward.status == RewardStatus.APPROVED
    pay(reward, supervisor)  # the proposer may record the payment: only approval is kept from them
    db.session.commit()
    assert reward.status == RewardStatus.PAID and reward.paid_by == supervisor


def test_the_message_is_chinese(reward, app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert (
            rewards.duty_refusal(reward, "approve", make_user("supervisor"))
            == "本奖励由您提出，须由其他督办人员批准。"
        )


@pytest.mark.parametrize("app_config", [{"REWARD_SEPARATE_PROPOSER_APPROVER": False}])
def test_proposer_and_approver_may_be_one_when_configured_off(reward, db, app_config):
    supervisor = make_user("supervisor")
    rewards.approve(reward, supervisor)
    db.session.commit()
    assert refusal(pay, reward, supervisor) == gettext(APPROVER_MESSAGE)  # the other rule still holds


@pytest.mark.parametrize("app_config", [{"REWARD_SEPARATE_APPROVER_PAYER": False}])
def test_approver_and_payer_may_be_one_when_configured_off(reward, db, app_config):
    admin = make_user("admin")
    rewards.approve(reward, admin)
    pay(reward, admin)
    db.session.commit()
    assert reward.status == RewardStatus.PAID


def test_the_page_offers_only_the_steps_the_user_may_take(reward, client, login_as, db):
    login_as("supervisor")
    page = client.get(f"/admin/reward/details/?id={reward.id}").get_data(as_text=True)
    assert "approve-id" not in page and "reject-id" in page  # may still reject (withdraw) the proposal
    refused = client.post("/admin/reward/step/approve/", data={"approve-id": reward.id})
    assert "本奖励由您提出" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert reward.status == RewardStatus.PROPOSED
    login_as("admin")
    assert "approve-id" in client.get(f"/admin/reward/details/?id={reward.id}").get_data(as_text=True)
    client.post("/admin/reward/step/approve/", data={"approve-id": reward.id})
    db.session.expire_all()
    assert reward.status == RewardStatus.APPROVED
    assert "pay-id" not in client.get(f"/admin/reward/details/?id={reward.id}").get_data(as_text=True)
    login_as("supervisor")
    assert "pay-id" in client.get(f"/admin/reward/details/?id={reward.id}").get_data(as_text=True)
