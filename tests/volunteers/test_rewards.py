"""Rewards (平安奖励金): bounds, tiers, one granted reward per clue, the steps and their audit, a fund that is
never overspent (also by two approvals at the same moment, on SQLite and PostgreSQL), and the views.
"""

import re
import threading
import time
from datetime import date
from datetime import timedelta
from decimal import Decimal

import pytest
from flask_babel import gettext
from sqlalchemy import event
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from app.extensions import db as _db
from app.timeutil import local_day
from app.timeutil import utcnow
from app.volunteers import reward_amounts
from app.volunteers import rewards
from models.audit import ConfigChange
from models.case import CaseEvent
from models.enums import Channel
from models.enums import ClueStatus
from models.enums import Grade
from models.enums import RewardStatus
from models.enums import Status
from models.volunteer import Clue
from models.volunteer import RewardFund
from models.volunteer import RewardPayout
from models.volunteer import Volunteer
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.factories import user
from tests.support.pg_server import pg_app_fixture  # noqa: F401  (fixture: the app on a fresh PostgreSQL copy)
from tests.support.pg_server import pg_template_fixture  # noqa: F401
from tests.support.pg_server import pg_url_fixture  # noqa: F401  (provides the pg_url fixture)

YEAR = local_day(utcnow()).year


@pytest.fixture
def app_config():
    """One supervisor approves and pays here; the separation of duties: tests/volunteers/test_reward_duties.py."""
    return {"REWARD_SEPARATE_APPROVER_PAYER": False}


def volunteer(name: str, community: str, group: str = "grid_worker") -> Volunteer:
    row = Volunteer(
        name=name, phone="13700000000", group=group, community=dept(community), joined_on=date(2025, 1, 1)
    )
    _db.session.add(row)
    _db.session.flush()
    return row


def clue(vol: Volunteer, case=None, status=ClueStatus.NEW, **fields) -> Clue:
    row = Clue(
        volunteer=vol, community=vol.community, place="甲小区3栋", description="楼道堆放杂物", status=status
    )
    row.case = case
    for key, value in fields.items():
        setattr(row, key, value)
    _db.session.add(row)
    _db.session.flush()
    return row


def fund(budget=10000, approved=0, paid=0, year=YEAR) -> RewardFund:
    row = RewardFund(year=year, district=dept("D"), budget=Decimal(budget))
    row.approved_total, row.paid_total = Decimal(approved), Decimal(paid)
    _db.session.add(row)
    _db.session.commit()
    return row


def propose(vol, amount=500, actor=None, **links) -> RewardPayout:
    reward = rewards.propose(vol, amount, "线索属实，建议奖励", actor or user("clerk"), **links)
    _db.session.commit()
    return reward


def refused(call, *args, **kwargs) -> str:
    with pytest.raises(rewards.RewardError) as info:
        call(*args, **kwargs)
    _db.session.rollback()
    return info.value.message


def audit(reward) -> list[str]:
    query = select(ConfigChange.action).where(
        ConfigChange.entity == "reward", ConfigChange.entity_key == str(reward.id)
    )
    return list(_db.session.scalars(query.order_by(ConfigChange.id)))


@pytest.fixture
def world(db):
    """Volunteers in communities CA (street SA) and CB (street SB), a converted clue each, and a fund."""
    vol_a, vol_b = volunteer("甲平安员", "CA"), volunteer("乙平安员", "CB", "shop_manager")
    case_a = make_case(
        Status.CLOSED, lead="SA", grade=Grade.YELLOW, channel=Channel.VOLUNTEER, title="甲线索案件"
    )
    case_b = make_case(
        Status.CLOSED, lead="SB", grade=Grade.RED, channel=Channel.VOLUNTEER, title="乙线索案件"
    )
    clue_a, clue_b = clue(vol_a, case_a, ClueStatus.CONVERTED), clue(vol_b, case_b, ClueStatus.CONVERTED)
    _db.session.commit()
    return {"vol_a": vol_a, "vol_b": vol_b, "clue_a": clue_a, "clue_b": clue_b, "fund": fund()}


# --- proposing: bounds, links, tiers --------------------------------------------------------------------


def test_amount_bounds(world):
    vol, target = world["vol_a"], world["clue_a"]
    for amount in ("49", "5001", "49.99", "abc", None, "100.001"):
        assert refused(rewards.propose, vol, amount, "理由", user("clerk"), clue=target)
    assert "50" in refused(rewards.propose, vol, 49, "理由", user("clerk"), clue=target)
    assert propose(vol, 50, clue=target).amount == Decimal("50.00")
    assert propose(vol, "5000", clue=target).amount == Decimal("5000.00")
    assert _db.session.scalar(select(RewardPayout.id).where(RewardPayout.amount == 49)) is None


def test_bounds_are_configurable(app, world):
    vol, target = world["vol_a"], world["clue_a"]
    app.config.update(REWARD_MIN_YUAN=100, REWARD_MAX_YUAN=200)
    message = refused(rewards.propose, vol, 99, "理由", user("clerk"), clue=target)
    assert "100" in message and "200" in message
    refused(rewards.propose, vol, 201, "理由", user("clerk"), clue=target)
    assert propose(vol, 100, clue=target) and propose(vol, 200, clue=target)
    del app.config["REWARD_MIN_YUAN"], app.config["REWARD_MAX_YUAN"]  # absent: the defaults
    assert reward_amounts.amount_bounds() == (Decimal(50), Decimal(5000))


def test_proposal_needs_a_clue_or_case_of_a_visible_volunteer(world, db):
    vol_a, vol_b = world["vol_a"], world["vol_b"]
    clerk = user("clerk")
    assert refused(rewards.propose, vol_a, 500, "理由", clerk) == gettext(
        "Choose the clue or the case the reward is for."
    )
    assert refused(rewards.propose, vol_a, 500, "  ", clerk, clue=world["clue_a"]) == gettext(
        "Give the reason for the reward."
    )
    assert refused(rewards.propose, vol_a, 500, "理由", clerk, clue=world["clue_b"]) == gettext(
        "This clue was reported by another volunteer."
    )
    assert refused(
        rewards.propose, vol_b, 500, "理由", user("handler", "SA"), clue=world["clue_b"]
    ) == gettext("This volunteer is not in your area.")
    assert refused(rewards.propose, vol_a, 500, "理由", user("leader"), clue=world["clue_a"]) == gettext(
        "Your role may not propose rewards."
    )
    dismissed = clue(vol_a, status=ClueStatus.DISMISSED, dismiss_reason="不属实")
    assert refused(rewards.propose, vol_a, 500, "理由", clerk, clue=dismissed) == gettext(
        "A dismissed clue cannot be rewarded."
    )
    assert db.session.scalar(select(RewardPayout.id)) is None
    # a handler of the street proposes for its own community's volunteer; the clue's case comes along
    reward = propose(vol_a, actor=user("handler", "SA"), clue=world["clue_a"])
    assert reward.case == world["clue_a"].case and reward.status == RewardStatus.PROPOSED
    assert reward.proposed_by.username == "handler_SA" and audit(reward) == ["propose"]


def test_a_community_handler_proposing_on_another_departments_case_still_leaves_the_note(world, db):
    """The case of CA's volunteer is led by street SA: CA's handler may not comment on it, the step still notes."""
    reward = propose(world["vol_a"], 300, actor=user("handler", "CA"), clue=world["clue_a"])
    event = db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == reward.case_id, CaseEvent.action == "comment")
    ).one()
    assert (
        event.actor.username == "handler_CA" and event.data == {"reward": reward.id} and "300" in event.note
    )
    assert event.from_status == event.to_status == Status.CLOSED


def test_tier_follows_the_case_grade(world):
    assert reward_amounts.suggest_tier(world["clue_a"]).code == "significant"  # yellow
    assert reward_amounts.suggest_tier(world["clue_b"]).code == "major"  # red
    assert reward_amounts.suggest_tier(make_case(grade=Grade.GREEN)).code == "general"
    assert reward_amounts.suggest_tier(clue(world["vol_a"])).code == "general"  # a clue without a case
    assert [reward_amounts.tier_range(t) for t in reward_amounts.TIERS.values()] == [
        (Decimal(1000), Decimal(5000)),
        (Decimal(200), Decimal(1000)),
        (Decimal(50), Decimal(200)),
    ]
    assert propose(world["vol_b"], 3000, clue=world["clue_b"]).tier == "major"


# --- the steps, their audit and their notes ----------------------------------------------------------


def test_approve_reject_and_pay_transitions_with_audit_and_notes(world, db):
    supervisor = user("supervisor")
    first, second = (
        propose(world["vol_a"], 800, clue=world["clue_a"]),
        propose(world["vol_b"], 300, clue=world["clue_b"]),
    )
    assert refused(rewards.approve, first, user("clerk")) == gettext("Only supervisors may approve rewards.")
    assert refused(rewards.mark_paid, first, date.today(), "cash", "", supervisor) == gettext(
        "Only an approved reward can be marked paid."
    )
    rewards.approve(first, supervisor)
    db.session.commit()
    assert first.status == RewardStatus.APPROVED and first.approved_by == supervisor and first.approved_at
    assert first.fund == world["fund"] and world["fund"].approved_total == Decimal(800)
    assert refused(rewards.reject, second, " ", supervisor) == gettext(
        "Give the reason for rejecting the reward."
    )
    rewards.reject(second, "线索重复报送", supervisor)
    db.session.commit()
    assert second.status == RewardStatus.REJECTED and second.rejection_reason == "线索重复报送"
    assert second.rejected_by == supervisor and second.fund_id is None
    today = local_day(utcnow())
    for bad in ((today + timedelta(days=1), "cash", ""), (today, "mail", "x"), (today, "bank_transfer", "")):
        refused(rewards.mark_paid, first, *bad, supervisor)
    assert first.status == RewardStatus.APPROVED and world["fund"].paid_total == 0
    rewards.mark_paid(first, today, "bank_transfer", "ZZ20260001", supervisor)
    db.session.commit()
    assert first.status == RewardStatus.PAID and (first.paid_on, first.pay_method) == (today, "bank_transfer")
    assert first.pay_reference == "ZZ20260001" and first.paid_by == supervisor and first.paid_at
    assert (world["fund"].approved_total, world["fund"].paid_total) == (Decimal(800), Decimal(800))
    assert audit(first) == ["propose", "approve", "pay"] and audit(second) == ["propose", "reject"]
    row = db.session.scalars(select(ConfigChange).where(ConfigChange.action == "pay")).one()
    assert (
        row.actor_id == supervisor.id and row.before["status"] == "approved" and row.after["status"] == "paid"
    )
    notes = db.session.scalars(
        select(CaseEvent.note).where(CaseEvent.case_id == first.case_id, CaseEvent.action == "comment")
    )
    assert len(notes.all()) == 3  # proposed, approved, paid: on the case's timeline


def test_rejected_or_paid_rewards_cannot_be_approved(world, db):
    supervisor = user("supervisor")
    rejected, paid = (
        propose(world["vol_a"], clue=world["clue_a"]),
        propose(world["vol_b"], clue=world["clue_b"]),
    )
    rewards.reject(rejected, "不属实", supervisor)
    rewards.approve(paid, supervisor)
    rewards.mark_paid(paid, local_day(utcnow()), "cash", None, supervisor)
    db.session.commit()
    only_proposed = gettext("Only a proposed reward can be approved.")
    assert refused(rewards.approve, rejected, supervisor) == only_proposed
    assert refused(rewards.approve, paid, supervisor) == only_proposed
    assert refused(rewards.reject, paid, "x", supervisor) == gettext(
        "Only a proposed reward can be rejected."
    )
    assert world["fund"].approved_total == paid.amount == world["fund"].paid_total


def test_a_reward_approved_before_funds_existed_is_not_paid_from_one(world, db):
    legacy = RewardPayout(
        volunteer=world["vol_a"], clue=world["clue_a"], amount=100, reason="旧数据", status="approved"
    )
    db.session.add(legacy)
    db.session.commit()
    message = refused(rewards.mark_paid, legacy, local_day(utcnow()), "cash", None, user("supervisor"))
    assert message == gettext("This reward was approved without a fund, so it cannot be paid from one.")
    assert legacy.status == RewardStatus.APPROVED and world["fund"].paid_total == 0


def test_a_decision_taken_meanwhile_by_someone_else_wins(world, db):
    """The in-memory reward still says proposed; the row was rejected meanwhile: nothing is charged."""
    reward = propose(world["vol_a"], 700, clue=world["clue_a"])
    with db.engine.begin() as other:
        other.execute(
            update(RewardPayout.__table__).where(RewardPayout.id == reward.id).values(status="rejected")
        )
    assert reward.status == RewardStatus.PROPOSED  # stale, as on a page opened before the other decision
    assert refused(rewards.approve, reward, user("supervisor")) == gettext(
        "Someone else has already decided on this reward. Reload the page."
    )
    assert world["fund"].approved_total == 0 and audit(reward) == ["propose"]


# --- one granted reward per clue ------------------------------------------------------------------


def test_one_approved_reward_per_clue(world, db, monkeypatch):
    supervisor, target = user("supervisor"), world["clue_a"]
    first, second, third = (propose(world["vol_a"], 400, clue=target) for _ in range(3))
    rewards.approve(first, supervisor)
    db.session.commit()
    assert str(first.id) in refused(rewards.approve, second, supervisor)
    assert refused(rewards.propose, world["vol_a"], 100, "再报", user("clerk"), clue=target) == gettext(
        "This clue has already been rewarded."
    )
    # Without the check in Python, the partial unique index still refuses, and the charge is rolled back.
    monkeypatch.setattr(rewards, "granted_reward_id", lambda *args, **kwargs: None)
    assert refused(rewards.approve, third, supervisor) == gettext("This clue has already been rewarded.")
    assert world["fund"].approved_total == Decimal(400)
    assert {r.status for r in (second, third)} == {RewardStatus.PROPOSED}
    rewards.reject(second, "重复", supervisor)  # a rejected one beside the approved one is fine
    db.session.commit()


def test_the_database_refuses_a_second_granted_reward_for_a_clue(world, db):
    vol, target = world["vol_a"], world["clue_a"]
    db.session.add(RewardPayout(volunteer=vol, clue=target, amount=100, reason="直接写入", status="approved"))
    db.session.commit()
    db.session.add(RewardPayout(volunteer=vol, clue=target, amount=100, reason="直接写入", status="paid"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(RewardPayout(volunteer=vol, clue=target, amount=100, reason="驳回的", status="rejected"))
    db.session.commit()


# --- the fund is never overspent ------------------------------------------------------------------


def test_fund_left_for_one_refuses_the_second_and_says_how_much_is_left(db):
    vol = volunteer("丙平安员", "CA")
    budget = fund(budget=1000)
    first, second = (propose(vol, 600, clue=clue(vol)) for _ in range(2))
    rewards.approve(first, user("supervisor"))
    db.session.commit()
    message = refused(rewards.approve, second, user("supervisor"))
    assert "400" in message and "600" in message and str(YEAR) in message
    assert (
        budget.approved_total == 600
        and second.status == RewardStatus.PROPOSED
        and audit(second) == ["propose"]
    )
    with pytest.raises(IntegrityError):  # the CHECK constraint is the last guard
        db.session.execute(update(RewardFund).where(RewardFund.id == budget.id).values(approved_total=1001))
        db.session.flush()
    db.session.rollback()


def test_no_fund_for_the_year_refuses(db):
    vol = volunteer("丁平安员", "CA")
    reward = propose(vol, 100, clue=clue(vol))
    assert str(YEAR) in refused(rewards.approve, reward, user("supervisor"))


def approve_at_once(app, reward_ids: list[int], hold: float = 0.5) -> dict:
    """Approve each reward in its own thread and transaction, all released by one barrier.

    A winner keeps its transaction open for ``hold`` seconds after its UPDATE, so the other approval's
    UPDATE runs while it is open (and waits for it). Returns per reward: ``ok`` or the refusal, and times.
    """
    barrier, lock = threading.Barrier(len(reward_ids)), threading.Lock()
    outcome, fund_update_at, commit_at, errors = {}, {}, {}, []

    def note_fund_update(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE REWARD_FUND"):
            fund_update_at.setdefault(threading.current_thread().name, time.monotonic())

    def worker(reward_id: int) -> None:
        name = threading.current_thread().name
        try:
            with app.app_context():
                reward = _db.session.get(RewardPayout, reward_id)
                supervisor = user("supervisor")
                assert reward.volunteer.community is not None  # loaded before the race
                barrier.wait(timeout=30)
                try:
                    rewards.approve(reward, supervisor)
                except rewards.RewardError as exc:
                    result = exc.message
                else:
                    time.sleep(hold)
                    commit_at[name] = time.monotonic()
                    _db.session.commit()
                    result = "ok"
            with lock:
                outcome[name] = result
        except BaseException as exc:  # reported below
            with lock:
                errors.append(exc)

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", note_fund_update)
    threads = [threading.Thread(target=worker, args=(rid,), name=f"approver-{rid}") for rid in reward_ids]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        event.remove(engine, "before_cursor_execute", note_fund_update)
    assert not errors, errors
    return {"outcome": outcome, "fund_update_at": fund_update_at, "commit_at": commit_at}


def assert_exactly_one_approved(app):
    vol = volunteer("并发平安员", "CA")
    budget = fund(budget=1000)
    first, second = (propose(vol, 600, clue=clue(vol)) for _ in range(2))
    race = approve_at_once(app, [first.id, second.id])
    outcome = race["outcome"]
    winners = [name for name, result in outcome.items() if result == "ok"]
    assert len(winners) == 1, outcome
    (loser,) = set(outcome) - set(winners)
    assert "400" in outcome[loser]  # the refusal says what is left
    # the loser's UPDATE was sent while the winner's transaction was still open
    assert race["fund_update_at"][loser] < race["commit_at"][winners[0]]
    _db.session.expire_all()
    assert budget.approved_total == 600 <= budget.budget
    assert sorted(r.status for r in (first, second)) == [RewardStatus.APPROVED, RewardStatus.PROPOSED]
    assert len(_db.session.scalars(select(ConfigChange).where(ConfigChange.action == "approve")).all()) == 1


def test_two_approvals_at_once_on_sqlite(app):
    assert_exactly_one_approved(app)


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
def test_two_approvals_at_once_on_postgres(pg_app):
    assert pg_app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    assert_exactly_one_approved(pg_app)


# --- the views ------------------------------------------------------------------------------------


def fund_cells(html: str) -> dict:
    block = html[html.index('id="fund-status"') :]
    return {
        k: re.search(rf'data-field="{k}"[^>]*>\s*([^<]+?)\s*<', block).group(1)
        for k in ("budget", "approved", "paid", "remaining")
    }


def test_fund_status_block_shows_the_numbers(client, login_as, db):
    fund(budget=10000, approved=1200, paid=200)
    login_as("supervisor")
    html = client.get("/admin/reward/").get_data(as_text=True)
    assert fund_cells(html) == {"budget": "10,000", "approved": "1,200", "paid": "200", "remaining": "8,800"}
    assert "12.0%" in html
    other = client.get(f"/admin/reward/?fund_year={YEAR - 1}").get_data(as_text=True)
    assert 'id="fund-missing"' in other and 'data-field="budget"' not in other


def test_supervisor_decides_on_the_reward_page(client, login_as, world, db):
    reward = propose(world["vol_a"], 900, clue=world["clue_a"])
    login_as("supervisor")
    page = client.get(f"/admin/reward/details/?id={reward.id}").get_data(as_text=True)
    assert 'id="form-approve"' in page and 'id="form-reject"' in page and 'id="form-pay"' not in page
    assert client.post("/admin/reward/step/approve/", data={"approve-id": reward.id}).status_code == 302
    page = client.get(f"/admin/reward/details/?id={reward.id}").get_data(as_text=True)
    assert 'id="form-pay"' in page and 'id="form-approve"' not in page
    data = {"pay-id": reward.id, "pay-paid_on": local_day(utcnow()).isoformat(), "pay-method": "wechat"}
    assert client.post("/admin/reward/step/pay/", data=data).status_code == 409  # no reference for WeChat
    assert (
        client.post("/admin/reward/step/pay/", data={**data, "pay-reference": "4200001"}).status_code == 302
    )
    db.session.expire_all()
    assert reward.status == RewardStatus.PAID and reward.pay_reference == "4200001"
    assert world["fund"].paid_total == 900 and audit(reward) == ["propose", "approve", "pay"]


def test_a_refusal_is_shown_on_the_page_and_changes_nothing(client, login_as, db):
    vol = volunteer("戊平安员", "CA")
    fund(budget=100)
    reward = propose(vol, 300, clue=clue(vol))
    login_as("supervisor")
    response = client.post("/admin/reward/step/approve/", data={"approve-id": reward.id})
    assert response.status_code == 409 and "100" in response.get_data(as_text=True)
    db.session.expire_all()
    assert reward.status == RewardStatus.PROPOSED
    response = client.post("/admin/reward/step/reject/", data={"reject-id": reward.id, "reject-reason": ""})
    assert response.status_code == 400 and reward.status == RewardStatus.PROPOSED


def test_proposing_from_the_list_goes_through_the_rules(client, login_as, world, db):
    login_as("clerk")
    form = {"volunteer": world["vol_a"].id, "clue": world["clue_a"].id, "reason": "线索属实"}
    assert client.get(f"/admin/reward/new/?clue={world['clue_a'].id}").status_code == 200
    assert client.post("/admin/reward/new/", data={**form, "amount": "40"}).status_code == 200
    assert db.session.scalar(select(RewardPayout.id)) is None
    response = client.post("/admin/reward/new/", data={**form, "amount": "600", "status": "paid"})
    assert response.status_code == 302
    reward = db.session.scalars(select(RewardPayout)).one()
    assert reward.status == RewardStatus.PROPOSED and reward.case == world["clue_a"].case
    assert reward.tier == "significant" and audit(reward) == ["propose"]
    assert client.get(f"/admin/reward/edit/?id={reward.id}").status_code == 403


@pytest.mark.parametrize("role", ["leader", "handler", "clerk"])
def test_only_supervisors_decide(client, login_as, world, db, role):
    reward = propose(world["vol_a"], clue=world["clue_a"])
    login_as(role, "SA" if role == "handler" else None)
    assert client.get("/admin/reward/").status_code == 200
    page = client.get(f"/admin/reward/details/?id={reward.id}")
    assert page.status_code == 200 and 'id="form-approve"' not in page.get_data(as_text=True)
    assert client.post("/admin/reward/step/approve/", data={"approve-id": reward.id}).status_code == 403
    assert client.get("/admin/reward/new/").status_code == (403 if role == "leader" else 200)
    assert client.get("/admin/reward_fund/").status_code == (200 if role == "leader" else 403)
    assert client.get("/admin/reward_fund/new/").status_code == 403
    assert (
        client.get("/admin/volunteer_totals/").status_code
        == client.get("/admin/leaderboard/").status_code
        == 200
    )
    db.session.expire_all()
    assert reward.status == RewardStatus.PROPOSED and world["fund"].approved_total == 0


def test_fund_view_creates_and_edits_but_never_below_approved(client, login_as, db):
    login_as("supervisor")
    response = client.post(
        "/admin/reward_fund/new/", data={"year": YEAR, "district": dept("D").id, "budget": "5000"}
    )
    assert response.status_code == 302
    created = db.session.scalars(select(RewardFund)).one()
    assert (created.year, created.budget, created.approved_total) == (YEAR, 5000, 0)
    client.post("/admin/reward_fund/new/", data={"year": YEAR, "district": dept("D").id, "budget": "1"})
    assert len(db.session.scalars(select(RewardFund)).all()) == 1
    vol = volunteer("己平安员", "CA")
    rewards.approve(propose(vol, 3000, clue=clue(vol)), user("supervisor"))
    db.session.commit()
    client.post(f"/admin/reward_fund/edit/?id={created.id}", data={"budget": "2999"})
    db.session.expire_all()
    assert created.budget == 5000
    client.post(f"/admin/reward_fund/edit/?id={created.id}", data={"budget": "3000", "year": 1999})
    db.session.expire_all()
    assert (created.budget, created.year) == (3000, YEAR)
    changes = db.session.scalars(
        select(ConfigChange.action).where(ConfigChange.entity == "reward_fund")
    ).all()
    assert changes == ["create", "update"]
    html = client.get("/admin/reward_fund/").get_data(as_text=True)
    assert "3,000" in html and "100.0%" in html


# --- scoping: a community handler sees its own volunteers' rewards and figures ------------------------


def board(html: str, table: str) -> list[str]:
    """The names in one leaderboard table, in rank order."""
    if f'id="{table}"' not in html:
        return []
    part = html[html.index(f'id="{table}"') :].split("</table>")[0]
    return re.findall(r'data-field="name">([^<]*)<', part)


@pytest.fixture
def figures(world, db):
    """Rewards on both sides (approved in CA, paid in CB) and a second clue in CA that stayed new."""
    supervisor = user("supervisor")
    own, foreign = (
        propose(world["vol_a"], 500, clue=world["clue_a"]),
        propose(world["vol_b"], 2000, clue=world["clue_b"]),
    )
    rewards.approve(own, supervisor)
    rewards.approve(foreign, supervisor)
    rewards.mark_paid(foreign, local_day(utcnow()), "cash", None, supervisor)
    clue(world["vol_a"])
    db.session.commit()
    return {"own": own.id, "foreign": foreign.id}


def test_community_handler_sees_only_its_own_volunteers(client, login_as, world, figures):
    login_as("handler", "CA")
    html = client.get("/admin/reward/").get_data(as_text=True)
    assert "甲平安员" in html and "乙平安员" not in html
    assert client.get(f"/admin/reward/details/?id={figures['own']}").status_code == 200
    assert client.get(f"/admin/reward/details/?id={figures['foreign']}").status_code == 404
    totals = client.get("/admin/volunteer_totals/").get_data(as_text=True)
    assert f'data-volunteer="{world["vol_a"].id}"' in totals and "乙平安员" not in totals
    html = client.get("/admin/leaderboard/").get_data(as_text=True)
    assert board(html, "board-community") == ["甲一社区"] and len(board(html, "board-group")) == 1
    lookup = client.get("/admin/reward/ajax/lookup/?name=clue&query=甲").get_data(as_text=True)
    assert str(world["clue_a"].id) in lookup and f"[{world['clue_b'].id}," not in lookup.replace(" ", "")


def test_totals_and_leaderboard_count_for_the_supervisor(client, login_as, world, figures):
    login_as("supervisor")
    totals = client.get(f"/admin/volunteer_totals/?year={YEAR}").get_data(as_text=True)
    row = totals[totals.index(f'data-volunteer="{world["vol_a"].id}"') :].split("</tr>")[0]
    cells = dict(re.findall(r'data-field="(\w+)">([^<]*)<', row))
    assert cells == {"clues": "2", "converted": "1", "rewards": "1", "approved": "500", "paid": "0"}
    assert "乙平安员" in totals
    only_b = client.get(f"/admin/volunteer_totals/?community={dept('CB').id}").get_data(as_text=True)
    assert "乙平安员" in only_b and "甲平安员" not in only_b
    html = client.get("/admin/leaderboard/").get_data(as_text=True)
    assert board(html, "board-community") == ["甲一社区", "乙一社区"]  # 2 clues before 1
    html = client.get("/admin/leaderboard/?group=shop_manager").get_data(as_text=True)
    assert board(html, "board-community") == ["乙一社区"] and "2,000" in html
    assert "甲平安员" not in client.get(f"/admin/volunteer_totals/?year={YEAR - 1}").get_data(as_text=True)
    month = local_day(utcnow()).month
    this_month = client.get(f"/admin/volunteer_totals/?year={YEAR}&month={month}").get_data(as_text=True)
    other = client.get(f"/admin/volunteer_totals/?year={YEAR}&month={month % 12 + 1}").get_data(as_text=True)
    assert "甲平安员" in this_month and "甲平安员" not in other


def test_reward_list_filters(client, login_as, world, figures):
    login_as("supervisor")
    month = local_day(utcnow()).strftime("%Y-%m")
    cases = {
        f"?flt0_month_proposed_is={month}": ("甲平安员", "乙平安员"),
        f"?flt0_community_is={dept('CA').id}": ("甲平安员",),
        "?flt0_group_is=shop_manager": ("乙平安员",),
        "?flt0_status_equals=paid": ("乙平安员",),
    }
    for query, expected in cases.items():
        html = client.get(f"/admin/reward/{query}").get_data(as_text=True)
        list_html = html[html.index("model-list") :]
        assert {name for name in ("甲平安员", "乙平安员") if name in list_html} == set(expected), query


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_decisions_need_the_csrf_token_from_the_page(client, world, db, app_config):
    from tests.support.web import logged_in

    reward = propose(world["vol_a"], clue=world["clue_a"])
    logged_in(client, "supervisor")
    assert client.post("/admin/reward/step/approve/", data={"approve-id": reward.id}).status_code == 400
    page = client.get(f"/admin/reward/details/?id={reward.id}").get_data(as_text=True)
    form = re.search(r'<form method="post"[^>]*id="form-approve".*?</form>', page, re.S).group(0)
    token = re.search(r'name="approve-csrf_token"[^>]*value="([^"]+)"', form).group(1)
    data = {"approve-id": reward.id, "approve-csrf_token": token}
    assert client.post("/admin/reward/step/approve/", data=data).status_code == 302
    db.session.expire_all()
    assert reward.status == RewardStatus.APPROVED


def test_supervisor_exports_the_rewards(client, login_as, world, figures):
    import io

    import openpyxl

    login_as("supervisor")
    response = client.get("/admin/reward/export/xlsx/")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "甲平安员" in values and "乙平安员" in values
