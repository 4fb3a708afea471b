"""The demo loader: a consistent district, cases in every status with sane timelines, idempotent, CLI."""

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import flask_migrate
import pytest
from sqlalchemy import func
from sqlalchemy import select

from app import create_app
from app.auth.passwords import check_password
from app.command import authority
from app.command import packages as package_rules
from app.deadlines.workcalendar import is_workday
from app.demo import DEMO_PASSWORD
from app.demo import print_logins
from app.demo import seed_demo
from app.demo.org import account_rows
from app.demo.plan import HISTORY_DAYS
from app.demo.season import Season
from app.demo.steps import EXCELLENT_BUREAU
from app.demo.steps import SLOW_BUREAUS
from app.extensions import db
from app.org.catalogue import BUREAUS
from app.org.catalogue import CATEGORIES
from app.org.catalogue import category_rows
from app.org.catalogue import ensure_categories
from app.org.tree import department_placement_refusal
from app.timeutil import local_day
from app.validators import is_valid_id_number
from app.validators import is_valid_phone
from models.audit import ConfigChange
from models.case import Case
from models.case import CaseEvent
from models.command import CaseOrder
from models.command import CasePackage
from models.command import LeaderVisit
from models.command import OrderKind
from models.command import OrderStatus
from models.command import PackageStatus
from models.command import RuleTrigger
from models.command import SupervisionLevel
from models.command import SupervisionRule
from models.command import TargetStatus
from models.deadline import CaseDeadline
from models.deadline import DeadlinePolicy
from models.deadline import Stage
from models.enums import OPEN_STATUSES
from models.enums import Channel
from models.enums import ClueStatus
from models.enums import DepartmentKind
from models.enums import Grade
from models.enums import HandlingLevel
from models.enums import LeaderRank
from models.enums import RequestType
from models.enums import RewardStatus
from models.enums import Role
from models.enums import Satisfaction
from models.enums import Status
from models.enums import VolunteerGroup
from models.field_order import FieldOrder
from models.notification import Notification
from models.org import Category
from models.org import Department
from models.org import Mailbox
from models.user import User
from models.volunteer import Clue
from models.volunteer import RewardFund
from models.volunteer import RewardPayout
from models.volunteer import Volunteer
from tests.conftest import make_config

NOW = datetime(2026, 11, 22, 2, 30, tzinfo=UTC)
CASES = 200  # enough for the burst (one case in ten, at most 12) and a dozen cases of the bureaus compared


def fresh_app(path):
    """An app on a new, empty database built through the real migrations."""
    application = create_app(make_config(path))
    with application.app_context():
        flask_migrate.upgrade()
    return application


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """A fresh database with the demo loaded once for the module; returns the app and the counts."""
    application = fresh_app(tmp_path_factory.mktemp("demo") / "suqiu.db")
    with application.app_context():
        counts = seed_demo(cases=CASES, now=NOW)
        db.engine.dispose()
    return application, counts


@pytest.fixture
def demo(demo_db):
    """The counts from loading the demo, with an app context on the demo database."""
    application, counts = demo_db
    with application.app_context():
        yield counts
        db.session.remove()
        db.engine.dispose()


def all_cases() -> list[Case]:
    return list(db.session.scalars(select(Case).order_by(Case.id)))


def test_counts_and_organisation(demo):
    kinds = {k: db.session.scalar(select(func.count()).where(Department.kind == k)) for k in DepartmentKind}
    assert kinds[DepartmentKind.DISTRICT] == 1
    assert kinds[DepartmentKind.STREET] == 6
    assert kinds[DepartmentKind.COMMUNITY] == 31
    assert 3 <= kinds[DepartmentKind.STATION] <= 5
    assert kinds[DepartmentKind.BUREAU] == len(BUREAUS) >= 10
    assert demo["departments"] == sum(kinds.values())
    assert demo["cases"] == CASES == db.session.scalar(select(func.count(Case.id)))
    assert demo["case_events"] == db.session.scalar(select(func.count(CaseEvent.id)))
    assert demo["users"] == db.session.scalar(select(func.count(User.id))) == len(account_rows())
    for dept in db.session.scalars(select(Department)):
        assert dept.code.isascii() and dept.leader_name and is_valid_phone(dept.phone)
        if dept.kind != DepartmentKind.DISTRICT:
            assert department_placement_refusal(dept, dept.parent) is None
            assert dept.path.startswith(dept.parent.path)


def test_categories_link_bureaus(demo):
    level1 = list(db.session.scalars(select(Category).where(Category.parent_id.is_(None))))
    assert len(level1) == len(CATEGORIES) == 16
    for category in level1:
        assert category.default_department is not None
        assert category.default_department.kind == DepartmentKind.BUREAU
        assert category.children
    assert db.session.scalar(select(func.count(Category.id))) == len(category_rows()) == demo["categories"]


def test_mailboxes(demo):
    boxes = {m.slug: m for m in db.session.scalars(select(Mailbox))}
    assert set(boxes) == {"jzxx", "sjzx", "qzxx", "xinfang"}
    assert boxes["jzxx"].kind == "bureau_chief" and boxes["jzxx"].department.code == "GAFJ"
    assert boxes["jzxx"].real_name_required
    assert (
        boxes["sjzx"].kind == "party_secretary" and boxes["sjzx"].department.kind == DepartmentKind.DISTRICT
    )
    assert boxes["qzxx"].kind == "district_head"
    assert all(m.intro and m.leader_name for m in boxes.values())
    # The statutory petition track's policies attach to the 网上信访 mailbox and are active.
    statutory = db.session.scalars(
        select(DeadlinePolicy).where(DeadlinePolicy.policy_set == "信访法定时限")
    ).all()
    assert statutory and all(p.active and p.mailbox.slug == "xinfang" for p in statutory)


def test_the_open311_feed_shows_consenting_letters_of_public_mailboxes(demo_db, demo):
    """Some demo mailboxes are public and some letters agreed to publication: the public feed is not empty,
    and it shows nothing else."""
    boxes = {m.slug: m.is_public for m in db.session.scalars(select(Mailbox))}
    assert True in boxes.values() and False in boxes.values()
    published = {
        c.number
        for c in all_cases()
        if c.publication_consent and c.mailbox is not None and c.mailbox.is_public and not c.is_sensitive
    }
    assert published and any(c.publication_consent is False for c in all_cases())
    window = {"start_date": (NOW - timedelta(days=89)).isoformat(), "end_date": NOW.isoformat()}
    rows = demo_db[0].test_client().get("/open311/v2/requests.json", query_string=window).get_json()
    assert rows and {r["service_request_id"] for r in rows} <= published
    assert all(r["address"] is None or r["address"].endswith(("社区", "街道")) for r in rows)


def test_demo_cases_carry_deadlines(demo):
    open_cases = db.session.scalars(select(Case).where(Case.status.in_(["dispatched", "in_progress"]))).all()
    assert open_cases and all(c.next_due_at is not None for c in open_cases)
    closed = db.session.scalars(select(Case).where(Case.status == "closed")).all()
    assert closed and all(c.next_due_at is None for c in closed)


def test_users_and_handlers(demo):
    users = {u.username: u for u in db.session.scalars(select(User))}
    for name, role in (("admin", Role.ADMIN), ("supervisor", Role.SUPERVISOR), ("leader", Role.LEADER)):
        assert users[name].role == role
    assert users["clerk"].role == users["clerk2"].role == Role.CLERK
    assert check_password(users["admin"], DEMO_PASSWORD)
    handlers = [u for u in users.values() if u.role == Role.HANDLER]
    non_district = db.session.scalar(select(func.count()).where(Department.kind != DepartmentKind.DISTRICT))
    assert len(handlers) == non_district
    for handler in handlers:
        assert handler.department is not None
        assert handler.username == f"h_{handler.department.code.lower()}"
        assert handler.username.isascii() and not handler.display_name.isascii()


def test_every_status_grade_channel_and_type_appears(demo):
    cases = all_cases()
    assert {c.status for c in cases} == set(Status)
    assert {c.grade for c in cases} == set(Grade)
    assert {c.channel for c in cases} == set(Channel)
    assert {c.request_type for c in cases} == set(RequestType)
    grades = [c.grade for c in cases]
    assert grades.count(Grade.RED) < grades.count(Grade.YELLOW) < grades.count(Grade.GREEN)


def test_timelines_start_with_receive_and_never_go_back(demo):
    for case in all_cases():
        events = case.events
        assert events[0].action == "receive" and events[0].at == case.received_at
        times = [e.at for e in events]
        assert times == sorted(times), case.number
        assert times[-1] <= NOW
        assert case.received_at >= NOW - timedelta(days=HISTORY_DAYS + 1)
        assert case.number.startswith(f"SQ{local_day(case.received_at):%Y%m%d}-")
        assert [e for e in events if e.action != "merge_in"][-1].to_status == case.status
        for event in events:
            if event.action == "reply" and event.actor.role == Role.LEADER:  # signed by the 包案 leader
                assert case.handling_level != HandlingLevel.DEPARTMENT
                assert any(p.leader_id == event.actor_id for p in case.packages)
            elif event.action in ("sign", "contact", "reply", "return", "draft_reply", "answer_order"):
                assert event.actor.role == Role.HANDLER
            elif event.action in ("supervise", "accept_order", "return_order", "raise_level", "lower_level"):
                assert event.actor.role == Role.SUPERVISOR
            elif event.action in ("instruct", "package", "settle", "visit"):
                assert event.actor.role in (Role.LEADER, Role.SUPERVISOR)
            elif event.action == "revisit" and event.actor is None:  # the citizen rated the reply online
                assert event.data["by"] == "citizen" and case.channel in (
                    Channel.WECHAT,
                    Channel.API,
                    Channel.MAILBOX,
                )
            elif event.action in ("register", "dispatch", "revisit", "reject", "merge"):
                assert event.actor.role == Role.CLERK
            elif event.action == "reopen":
                assert event.actor.role == Role.SUPERVISOR


def test_cases_span_eighteen_months(demo):
    received = [c.received_at for c in all_cases()]
    assert min(received) <= NOW - timedelta(days=17 * 31)  # reaching at least 17 months back …
    assert min(received) >= NOW - timedelta(days=HISTORY_DAYS + 1)
    months = {local_day(at).strftime("%Y-%m") for at in received}
    assert len(months) >= 17  # … and spread over them, not a few stragglers
    # Open cases stay recent while the history is long: most cases are finished.
    waiting = [c for c in all_cases() if c.status in (Status.NEW, Status.REGISTERED, Status.DISPATCHED)]
    assert waiting and all(c.received_at >= NOW - timedelta(days=7) for c in waiting)
    handled = [c for c in all_cases() if c.status in (Status.IN_PROGRESS, Status.REPLIED)]
    assert handled and all(c.received_at >= NOW - timedelta(days=60) for c in handled)
    assert sum(c.status == Status.CLOSED for c in all_cases()) > CASES // 2


def test_working_days_carry_more_cases_than_rest_days(demo):
    per_day = {}
    for case in all_cases():
        day = local_day(case.received_at)
        per_day[day] = per_day.get(day, 0) + 1
    first, last = min(per_day), local_day(NOW)
    work, rest = [], []
    for i in range((last - first).days + 1):
        day = first + timedelta(days=i)
        (work if is_workday(day) else rest).append(per_day.get(day, 0))
    assert work and rest
    assert sum(work) / len(work) > 1.5 * sum(rest) / len(rest)


def test_season_weights_follow_the_calendar_and_the_topics(demo):
    season = Season(NOW, HISTORY_DAYS)
    weight = dict(zip(season.days, season.weights, strict=True))
    spring_festival = datetime(2026, 2, 17).date()  # 春节 2026: 15 … 23 February
    saturday, wednesday = datetime(2026, 3, 14).date(), datetime(2026, 3, 18).date()
    assert datetime(2026, 2, 15).date() in season.spring_festivals
    assert weight[spring_festival] < weight[saturday] < weight[wednesday]
    assert weight[datetime(2025, 10, 3).date()] < weight[datetime(2025, 10, 11).date()]  # 国庆 vs 调休上班
    # Later days weigh more (growth): the same weekday a year apart.
    assert weight[datetime(2026, 11, 18).date()] > weight[datetime(2025, 11, 19).date()]
    assert season.topic_factor("LDSB-QX", datetime(2026, 1, 20).date()) > season.topic_factor(
        "LDSB-QX", datetime(2026, 6, 20).date()
    )
    assert season.topic_factor("CXJS-SGGL", datetime(2026, 7, 1).date()) > season.topic_factor(
        "CXJS-SGGL", datetime(2026, 1, 1).date()
    )
    assert season.topic_factor("GGFW-GQ", datetime(2026, 1, 1).date()) > season.topic_factor(
        "GGFW-GQ", datetime(2026, 7, 1).date()
    )


def test_a_burst_of_similar_complaints_in_the_last_two_weeks(demo):
    """A rising topic: ten or more reports of one matter from one community within two days, lately."""
    cases = all_cases()
    recent = [c for c in cases if c.received_at >= NOW - timedelta(days=14)]
    groups = {}
    for case in recent:
        groups.setdefault((case.community_id, case.category_id), []).append(case)
    burst = max(groups.values(), key=len)
    assert len(burst) >= 10
    times = sorted(c.received_at for c in burst)
    assert times[-1] - times[0] <= timedelta(hours=48)
    assert all("自来水" in c.title for c in burst)
    before = [
        c
        for c in cases
        if (c.community_id, c.category_id) == (burst[0].community_id, burst[0].category_id)
        and c.received_at < NOW - timedelta(days=14)
    ]
    assert len(before) <= 2  # rising: the community hardly ever reported it before
    first = min(burst, key=lambda c: c.received_at)
    merged = [c for c in burst if c.status == Status.MERGED]
    assert merged and all(c.merged_into_id == first.id for c in merged)


def _late_share(codes) -> float:
    """Of the sign, contact, first-reply and resolve deadlines of cases the departments lead that are decided
    by NOW, the share missed (met late, or still running past due)."""
    rows = db.session.execute(
        select(CaseDeadline.due_at, CaseDeadline.met_at, CaseDeadline.status)
        .join(Case, Case.id == CaseDeadline.case_id)
        .join(Department, Department.id == Case.lead_department_id)
        .where(
            Department.code.in_(codes),
            CaseDeadline.stage.in_([Stage.SIGN, Stage.CONTACT, Stage.FIRST_REPLY, Stage.RESOLVE]),
        )
    ).all()
    decided = [r for r in rows if r.met_at is not None or (r.status == "running" and r.due_at < NOW)]
    late = [r for r in decided if r.met_at is None or r.met_at > r.due_at]
    assert len(decided) >= 8, codes
    return len(late) / len(decided)


def _satisfied_share(codes) -> float:
    rated = db.session.scalars(
        select(Case.satisfaction)
        .join(Department, Department.id == Case.lead_department_id)
        .where(Department.code.in_(codes), Case.status == Status.CLOSED)
    ).all()
    assert len(rated) >= 3, codes
    return sum(s == Satisfaction.SATISFIED for s in rated) / len(rated)


def test_departments_differ_in_lateness_and_satisfaction(demo):
    excellent = _late_share([EXCELLENT_BUREAU])
    assert _late_share(SLOW_BUREAUS) > 2 * excellent + 0.1
    for code in SLOW_BUREAUS:
        assert _late_share([code]) > excellent
    assert _satisfied_share(SLOW_BUREAUS) < _satisfied_share([EXCELLENT_BUREAU])


def test_citizens_rate_some_replies_themselves(demo):
    ratings = db.session.scalars(
        select(CaseEvent).where(CaseEvent.action == "revisit", CaseEvent.actor_id.is_(None))
    ).all()
    assert ratings and all(e.data["by"] == "citizen" for e in ratings)
    assert all(e.case.citizen_rated_at is not None for e in ratings)


def test_status_matches_stamps(demo):
    for case in all_cases():
        status = case.status
        dispatched = status in (Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED, Status.CLOSED)
        assert (case.lead_department is not None) == dispatched, case.number
        if dispatched:
            assert case.registered_at and case.dispatched_at
            assert case.registered_at <= case.dispatched_at
        if status == Status.REGISTERED:
            assert case.registered_at is not None
            assert case.dispatched_at is None or case.return_count > 0
        if status == Status.DISPATCHED:
            assert case.signed_at is None
        if status in (Status.IN_PROGRESS, Status.REPLIED, Status.CLOSED):
            assert case.signed_at >= case.dispatched_at
            # a case handed down (下派) is signed and worked by the community
            assert case.handler.department_id == (case.handed_down_to_id or case.lead_department_id)
        if status in (Status.REPLIED, Status.CLOSED):
            assert case.replied_at and case.reply_outcome and case.reply_text
            assert case.contacted_at and case.contacted_at <= case.replied_at
        if status == Status.CLOSED:
            assert case.closed_at >= case.replied_at
            assert case.satisfaction in (Satisfaction.SATISFIED, Satisfaction.BASIC)
        if status in (Status.NEW, Status.REGISTERED, Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED):
            assert case.closed_at is None
        if status == Status.REJECTED:
            assert case.closed_at and case.events[-1].action == "reject"
        if status == Status.MERGED:
            assert case.merged_into is not None and case.merged_into.received_at < case.received_at
            assert case.merged_into.status not in (Status.MERGED, Status.REJECTED)


def test_case_fields_are_consistent(demo):
    for case in all_cases():
        assert case.title and case.content and case.category is not None and case.category.parent is not None
        assert case.street.kind == DepartmentKind.STREET
        assert case.community.kind == DepartmentKind.COMMUNITY and case.community.parent_id == case.street_id
        assert is_valid_phone(case.citizen_phone) and case.citizen_name
        assert case.citizen_id_no is None or is_valid_id_number(case.citizen_id_no)
        assert (case.mailbox is not None) == (case.channel == Channel.MAILBOX)
        assert bool(case.grade_reason) == (case.grade != Grade.GREEN)
        # the case's leader is the one holding it (包案 in force), never set otherwise
        in_force = [p for p in case.packages if p.status == PackageStatus.ACTIVE]
        assert case.owner_leader == (in_force[0].leader if in_force else None), case.number
        if case.is_repeat:
            assert case.repeat_of.received_at < case.received_at
            assert case.repeat_of.citizen_phone == case.citizen_phone
    assert any(c.citizen_id_no for c in all_cases())
    assert any(c.people_involved for c in all_cases()) and any(c.money_involved for c in all_cases())


def test_volunteers_and_rewards(demo):
    volunteers = list(db.session.scalars(select(Volunteer)))
    assert len(volunteers) >= 50 and demo["volunteers"] == len(volunteers)
    assert {v.group for v in volunteers} == set(VolunteerGroup)
    for volunteer in volunteers:
        assert volunteer.community.kind == DepartmentKind.COMMUNITY and is_valid_phone(volunteer.phone)
        assert (NOW.date() - volunteer.joined_on).days <= 3 * 366
        assert is_valid_id_number(volunteer.id_number) and volunteer.patrol_area
        assert (volunteer.link_token is not None) == volunteer.active  # only active volunteers get a link
    assert len({v.id_number for v in volunteers}) == len(volunteers)
    payouts = list(db.session.scalars(select(RewardPayout)))
    assert demo["reward_payouts"] == len(payouts)
    assert {p.status for p in payouts} == set(RewardStatus)
    for payout in payouts:
        assert 50 <= payout.amount <= 5000 and payout.proposed_at <= NOW
        approved = payout.status in (RewardStatus.APPROVED, RewardStatus.PAID)
        assert (payout.approved_by is not None) == approved == (payout.approved_at is not None)
        if approved:
            assert payout.approved_by.role == Role.SUPERVISOR and payout.proposed_at < payout.approved_at
        assert (payout.paid_at is not None) == (payout.status == RewardStatus.PAID)
        if payout.paid_at:
            assert payout.approved_at < payout.paid_at <= NOW


def test_clues_in_every_state(demo):
    clues = list(db.session.scalars(select(Clue)))
    assert demo["clues"] == len(clues)
    assert {c.status for c in clues} == set(ClueStatus)
    for clue in clues:
        assert clue.community_id == clue.volunteer.community_id and clue.reported_at <= NOW
        triaged = clue.status != ClueStatus.NEW
        assert (clue.triaged_at is not None) == (clue.triaged_by is not None) == triaged
        if triaged:
            assert clue.reported_at <= clue.triaged_at <= NOW
        assert (clue.case is not None) == (clue.status in (ClueStatus.CONVERTED, ClueStatus.MERGED))
        assert bool(clue.dismiss_reason) == (clue.status == ClueStatus.DISMISSED)
        if clue.status == ClueStatus.CONVERTED:
            assert clue.case.channel == Channel.VOLUNTEER and clue.case.received_at == clue.triaged_at
    volunteer_cases = db.session.scalars(select(Case).where(Case.channel == Channel.VOLUNTEER)).all()
    converted = {c.case_id for c in clues if c.status == ClueStatus.CONVERTED}
    assert volunteer_cases and {c.id for c in volunteer_cases} == converted


def test_rewards_in_every_state_from_a_partly_used_fund(demo):
    payouts = list(db.session.scalars(select(RewardPayout)))
    assert {p.status for p in payouts} == set(RewardStatus)
    funds = list(db.session.scalars(select(RewardFund)))
    assert demo["reward_funds"] == len(funds) >= 1
    current = next(f for f in funds if f.year == local_day(NOW).year)
    assert current.district.kind == DepartmentKind.DISTRICT and current.budget == 1_000_000
    assert 0 < current.paid_total < current.approved_total < current.budget
    for fund in funds:
        granted = [p for p in payouts if p.fund_id == fund.id]
        assert all(local_day(p.proposed_at).year == fund.year for p in granted)
        assert fund.approved_total == sum(p.amount for p in granted if p.status in ("approved", "paid"))
        assert fund.paid_total == sum(p.amount for p in granted if p.status == "paid")
    for payout in payouts:
        assert payout.clue is not None and payout.clue.volunteer_id == payout.volunteer_id
        assert payout.case_id == payout.clue.case_id and payout.tier
        assert (payout.fund_id is not None) == (payout.status in ("approved", "paid"))
        if payout.status == RewardStatus.PAID:
            assert payout.pay_method and payout.pay_reference and payout.paid_on == local_day(payout.paid_at)
        if payout.status == RewardStatus.REJECTED:
            assert payout.rejection_reason and payout.rejected_by.role == Role.SUPERVISOR
        audit = db.session.scalars(
            select(ConfigChange.action)
            .where(ConfigChange.entity == "reward", ConfigChange.entity_key == str(payout.id))
            .order_by(ConfigChange.at)
        ).all()
        expected = {
            "proposed": ["propose"],
            "approved": ["propose", "approve"],
            "rejected": ["propose", "reject"],
        }
        assert audit == expected.get(payout.status, ["propose", "approve", "pay"])
    granted_clues = [p.clue_id for p in payouts if p.status in ("approved", "paid")]
    assert len(granted_clues) == len(set(granted_clues))


def orders_of(kind) -> list[CaseOrder]:
    return list(db.session.scalars(select(CaseOrder).where(CaseOrder.kind == kind).order_by(CaseOrder.id)))


def events_of_action(action) -> list[CaseEvent]:
    return list(
        db.session.scalars(select(CaseEvent).where(CaseEvent.action == action).order_by(CaseEvent.id))
    )


def events_of(action) -> dict:
    """The timeline events of ``action``, by the id their data names (order, part, 包案, visit)."""
    key = {"answer_order": "target_id", "accept_order": "target_id", "return_order": "target_id",
           "settle": "package_id", "visit": "visit_id"}.get(action, "order_id")  # fmt: skip
    found = {}
    for event in events_of_action(action):
        found.setdefault(event.data[key], []).append(event)
    return found


def test_leaders_of_every_rank(demo):
    leaders = db.session.scalars(select(User).where(User.role == Role.LEADER)).all()
    assert {u.leader_rank for u in leaders} == set(LeaderRank) and all(u.leader_rank for u in leaders)
    ranks = {u.username: u.leader_rank for u in leaders}
    assert (
        ranks["leader"] == LeaderRank.DISTRICT_DEPUTY and ranks["leader_chief"] == LeaderRank.DISTRICT_CHIEF
    )
    assert sum(r == LeaderRank.DISTRICT_DEPUTY for r in ranks.values()) == 2
    assert sum(r == LeaderRank.STREET for r in ranks.values()) == 2
    for leader in leaders:
        assert check_password(leader, DEMO_PASSWORD) and not leader.display_name.isascii()
        if leader.leader_rank == LeaderRank.STREET:
            assert leader.department.kind == DepartmentKind.STREET
        if leader.leader_rank == LeaderRank.DEPARTMENT:
            assert leader.department.kind == DepartmentKind.BUREAU


def test_instructions_by_leaders_answered_late_returned_and_open(demo):
    instructions = orders_of(OrderKind.INSTRUCTION)
    assert len(instructions) >= CASES * 0.04
    assert {o.status for o in instructions} == set(OrderStatus)
    for order in instructions:
        assert order.leader.role == Role.LEADER and order.level is None
        if order.on_behalf_of is not None:  # written by the supervisor for the leader
            assert order.issued_by.role == Role.SUPERVISOR and order.leader == order.on_behalf_of
        else:
            assert order.issued_by == order.leader
        assert 1 <= len(order.targets) <= 2 and order.targets[0].department == order.case.lead_department
    assert any(o.on_behalf_of for o in instructions) and any(o.on_behalf_of is None for o in instructions)
    assert any(len(o.targets) == 2 for o in instructions)
    parts = [t for o in instructions for t in o.targets]
    answered = [t for t in parts if t.answered_at is not None]
    late = [t for t in answered if t.first_answered_at > t.order.due_at]
    assert late and len(late) < len(answered) / 2  # most answered on time
    assert all(t.deadline.breached_at is not None for t in late)
    returned = [t for t in parts if t.returns]
    assert returned and any(t.status == TargetStatus.ACCEPTED for t in returned)
    still_owed = [t for t in parts if t.status in (TargetStatus.PENDING, TargetStatus.RETURNED)]
    assert any(t.order.due_at <= NOW for t in still_owed)  # overdue at the demo's now
    assert any(t.order.due_at > NOW for t in still_owed) or any(
        t.status == TargetStatus.ANSWERED for t in parts
    )


def test_supervision_orders_of_every_level_and_a_case_supervised_twice(demo):
    supervisions = orders_of(OrderKind.SUPERVISION)
    assert {o.level for o in supervisions} == set(SupervisionLevel)
    assert all(o.issued_by.role == Role.SUPERVISOR and o.rule is None for o in supervisions)
    assert all(len(o.targets) == 1 and o.case.is_supervised for o in supervisions)
    by_case = {}
    for order in supervisions:
        by_case.setdefault(order.case_id, []).append(order)
    twice = [orders for orders in by_case.values() if len(orders) > 1]
    assert twice
    first, second = twice[0]
    assert (first.level, second.level) == (SupervisionLevel.GENERAL, SupervisionLevel.KEY)
    assert events_of("supervise")[second.id][0].data["level"] == "key"
    assert first.closed_at <= second.issued_at  # the first was settled before the second came
    parts = [t for o in supervisions for t in o.targets]
    assert {TargetStatus.ACCEPTED, TargetStatus.PENDING} <= {t.status for t in parts}
    assert any(t.returns for t in parts) or any(
        t.first_answered_at > t.order.due_at for t in parts if t.answered_at
    )


def test_orders_fit_the_case_timeline(demo):
    orders = list(db.session.scalars(select(CaseOrder)))
    on_closed, before_close = 0, 0
    for order in orders:
        case = order.case
        assert case.dispatched_at <= order.issued_at < order.due_at and order.issued_at <= NOW
        assert case.closed_at is None or order.issued_at < case.closed_at  # while the case was handled
        for target in order.targets:
            if target.answered_at is not None:
                assert order.issued_at < target.first_answered_at <= target.answered_at <= NOW
                if target.checked_at is not None:
                    assert target.checked_at >= target.first_answered_at
                if case.status == Status.CLOSED:
                    on_closed += 1
                    before_close += target.first_answered_at <= case.closed_at
        assert (order.status == OrderStatus.CLOSED) == all(
            t.status == TargetStatus.ACCEPTED for t in order.targets
        )
    assert before_close >= 0.8 * on_closed  # answered while the case was being handled, mostly
    assert {e.from_status for e in events_of_action("supervise")} <= {str(s) for s in OPEN_STATUSES}


def test_packages_at_every_level_by_those_allowed(demo):
    packages = list(db.session.scalars(select(CasePackage).order_by(CasePackage.id)))
    assert {p.level for p in packages} == set(LeaderRank)
    for package in packages:
        assert package.leader.leader_rank == package.level
        assert authority.package_refusal(package.assigned_by, package.leader, package.level) is None
        assert package.case.dispatched_at <= package.assigned_at <= NOW
        if package.level == LeaderRank.DISTRICT_CHIEF:
            assert package.assigned_by == package.leader  # the 区主要领导 takes his own
        if package.status == PackageStatus.SETTLED:
            case = package.case
            assert case.status == Status.CLOSED and case.closed_at < package.settled_at <= NOW
            assert package.evidence["revisit"] == case.satisfaction and package.settlement
            assert package.settled_by == package.leader or package.settled_by.role == Role.SUPERVISOR
    assert any(p.assigned_by.role == Role.SUPERVISOR for p in packages)
    assert any(p.assigned_by == p.leader and p.level != LeaderRank.DISTRICT_CHIEF for p in packages)
    red = [c for c in all_cases() if c.grade == Grade.RED and c.lead_department is not None]
    assert 0.2 < sum(bool(c.packages) for c in red) / len(red) < 0.9  # about half the red cases
    settled = [p for p in packages if p.status == PackageStatus.SETTLED]
    never = [c for c in all_cases() if package_rules.unsettled(c)]
    assert settled and never and all(c.status == Status.CLOSED for c in never)
    visits = list(db.session.scalars(select(LeaderVisit)))
    assert visits and {v.kind for v in visits} == {"receive", "go_out"}
    for visit in visits:
        package = db.session.get(CasePackage, visit.package_id)
        assert visit.leader == package.leader and local_day(package.assigned_at) <= visit.visited_on
        assert visit.recorded_by == package.leader or visit.recorded_by.role == Role.SUPERVISOR


def test_raised_cases_are_replied_by_their_package_leader(demo):
    raised = [c for c in all_cases() if any(e.action == "raise_level" for e in c.events)]
    assert {c.handling_level for c in raised} >= {HandlingLevel.STREET, HandlingLevel.DISTRICT}
    signed = []
    for case in raised:
        actions = [e.action for e in case.events]
        holder = case.packages[-1]  # the 包案 the raise put in force (settled since, on a closed case)
        assert holder.status == PackageStatus.ACTIVE or case.closed_at
        assert case.owner_leader == (holder.leader if holder.status == PackageStatus.ACTIVE else None)
        assert authority.rank_index(holder.level) >= authority.rank_index(
            authority.LEVEL_RANK[HandlingLevel.STREET]
        )
        if "lower_level" in actions:
            assert case.handling_level == HandlingLevel.DEPARTMENT
            continue
        reply = next((e for e in case.events if e.action == "reply"), None)
        if reply is not None:
            draft = next(e for e in case.events if e.action == "draft_reply")
            assert draft.actor == case.handler and draft.at < reply.at
            assert reply.actor == holder.leader and reply.note == draft.note
            signed.append(case)
        else:  # awaiting the leader's signature
            assert "draft_reply" in actions and case.status == Status.IN_PROGRESS
    assert len(signed) >= 2 and any("lower_level" in [e.action for e in c.events] for c in raised)


def test_co_departments_answer_their_parts_before_the_lead_replies(demo):
    co_handled = [c for c in all_cases() if c.parts]
    assert demo["case_parts"] == sum(len(c.parts) for c in co_handled) >= 20
    assert {str(p.status) for c in co_handled for p in c.parts} >= {"answered", "waived"}
    for case in co_handled:
        assert {p.department_id for p in case.parts} == {d.id for d in case.co_departments}
        reply = next((e for e in case.events if e.action == "reply"), None)
        for part in case.parts:
            if reply is not None:
                settled = part.answered_at or part.waived_at
                assert settled is not None and settled <= reply.at
            if part.answered_at is not None:
                assert part.answered_by.department_id == part.department_id
    late = [d for c in co_handled for p in c.parts for d in p.deadlines if d.breached_at is not None]
    assert late  # some parts were late, as in life


def test_streets_hand_cases_down_and_review_the_replies(demo):
    handed = [c for c in all_cases() if any(e.action == "hand_down" for e in c.events)]
    assert demo["handed_down"] == len(handed) >= 8
    reviewed = 0
    for case in handed:
        down = next(e for e in case.events if e.action == "hand_down")
        assert down.actor.department_id == case.lead_department_id
        community = db.session.get(Department, down.data["community_id"])
        assert community.parent_id == case.lead_department_id
        taken_back = any(e.action == "take_back" for e in case.events)
        assert (case.handed_down_to_id is None) == taken_back
        reply = next((e for e in case.events if e.action == "reply"), None)
        if reply is None or taken_back:
            continue
        if case.lead_department.reviews_handed_down_replies:
            draft = next(e for e in case.events if e.action == "draft_reply")
            assert draft.actor.department_id == community.id and draft.at <= reply.at
            assert reply.actor.department_id == case.lead_department_id
            reviewed += 1
        else:
            assert reply.actor.department_id == community.id
    assert reviewed >= 3 and any(any(e.action == "take_back" for e in c.events) for c in handed)


def test_orders_from_the_grass_roots_in_every_state(demo):
    orders = db.session.scalars(select(FieldOrder)).all()
    assert demo["field_orders"] == len(orders) >= 30
    assert len({o.issuing_department_id for o in orders}) >= 5
    assert {o.issuing_department.kind for o in orders} == {"street", "community"}
    parts = [t for o in orders for t in o.targets]
    assert {str(t.status) for t in parts} == {"issued", "acknowledged", "checked_in", "reported", "rated",
                                             "withdrawn"}  # fmt: skip
    assert {str(t.rating) for t in parts if t.rating} == {"satisfied", "basically_satisfied", "unsatisfied"}
    assert any(t.staffed is False for t in parts) and any(o.cases for o in orders)
    for t in parts:
        assert t.department.kind == "bureau"
        steps = [t.order.issued_at, t.acknowledged_at, t.checked_in_at, t.reported_at, t.rated_at]
        done = [s for s in steps if s is not None]
        assert done == sorted(done) and done[-1] < NOW
        assert {str(d.stage) for d in t.deadlines} >= {"order_ack", "check_in"}
        if t.rating == "unsatisfied":
            assert t.rating_reason


def test_every_instrument_was_written_through_the_state_machine(demo):
    """Each order, answer, check, 包案, 销案 and visit has its timeline event, at its own time, by its actor."""
    issued = {**events_of("instruct"), **events_of("supervise")}
    answers, returns, accepts = (
        events_of("answer_order"),
        events_of("return_order"),
        events_of("accept_order"),
    )
    for order in db.session.scalars(select(CaseOrder)):
        (event,) = issued[order.id]
        assert (
            event.case_id == order.case_id and event.at == order.issued_at and event.actor == order.issued_by
        )
        for target in order.targets:
            assert len(answers.get(target.id, [])) == (target.answered_at is not None) + target.returns
            assert len(returns.get(target.id, [])) == target.returns
            accepted = accepts.get(target.id, [])
            assert len(accepted) == (target.status == TargetStatus.ACCEPTED)
            if accepted:
                assert accepted[0].at == target.checked_at and accepted[0].actor == target.checked_by
    taken = {event.data["package_id"]: event for event in events_of_action("package")}
    # a raise that needs a leader puts the case in his hands: its event names the leader, not the 包案
    raised = {
        (e.case_id, e.data["leader_id"]): e for e in events_of_action("raise_level") if "leader_id" in e.data
    }
    settles, visits = events_of("settle"), events_of("visit")
    packages = list(db.session.scalars(select(CasePackage)))
    assert len(packages) == len(taken) + len(raised)
    for package in packages:
        event = taken.get(package.id) or raised[(package.case_id, package.leader_id)]
        assert event.at == package.assigned_at and event.actor == package.assigned_by
        assert len(settles.get(package.id, [])) == (package.status == PackageStatus.SETTLED)
    for visit in db.session.scalars(select(LeaderVisit)):
        (event,) = visits[visit.id]
        assert event.case_id == visit.case_id and local_day(event.at) == visit.visited_on


def test_default_supervision_rules_are_set_but_not_fired(demo):
    rules = list(db.session.scalars(select(SupervisionRule)))
    assert demo["supervision_rules"] == len(rules) == 4 and all(r.active for r in rules)
    assert {r.trigger for r in rules} == set(RuleTrigger)
    by_trigger = {r.trigger: r for r in rules}
    assert by_trigger[RuleTrigger.REPEAT].threshold == 3 and by_trigger[RuleTrigger.REPEAT].level == "key"
    assert by_trigger[RuleTrigger.OVERDUE_DAYS].threshold == 5
    assert by_trigger[RuleTrigger.OVERDUE_DAYS].level == "key"
    assert (
        by_trigger[RuleTrigger.SENSITIVE].level == by_trigger[RuleTrigger.RED_NOT_SIGNED].level == "general"
    )
    assert db.session.scalar(select(func.count(CaseOrder.id)).where(CaseOrder.rule_id.is_not(None))) == 0
    assert demo["case_orders"] == db.session.scalar(select(func.count(CaseOrder.id)))
    assert demo["case_packages"] == db.session.scalar(select(func.count(CasePackage.id)))
    assert demo["leader_visits"] == db.session.scalar(select(func.count(LeaderVisit.id)))


def test_the_orders_notified_people_and_old_mail_was_read(demo):
    rows = list(db.session.scalars(select(Notification)))
    assert {n.kind for n in rows} >= {"order_instruction", "order_supervision", "handling_level"}
    old = [n for n in rows if n.created_at < NOW - timedelta(days=3)]
    assert old and all(n.created_at < n.read_at <= NOW for n in old)
    assert any(n.read_at is None for n in rows)  # the last days' are waiting on the bell


def test_second_run_adds_nothing(demo):
    before = db.session.scalar(select(func.count(CaseEvent.id)))
    again = seed_demo(cases=CASES, now=NOW)
    assert set(again.values()) == {0}
    assert db.session.scalar(select(func.count(CaseEvent.id))) == before


def test_print_logins(demo):
    lines = []
    print_logins(lines.append)
    text = "\n".join(lines)
    assert DEMO_PASSWORD in text
    assert re.search(r"^\s+admin\s+admin", text, re.M)
    assert re.search(r"^\s+h_matian-hsk\s+handler\s.*合水口社区", text, re.M)
    assert re.search(r"^\s+leader_chief\s+leader 区主要领导", text, re.M)
    assert re.search(r"^\s+leader_matian\s+leader 街道领导\s+马田街道", text, re.M)
    only = []
    print_logins(only.append, only_existing=True)
    assert len(only) == len(lines)


def test_print_logins_only_existing_on_empty_database(tmp_path):
    with fresh_app(tmp_path / "empty.db").app_context():
        lines = []
        print_logins(lines.append, only_existing=True)
        assert len(lines) == 1 and "No demo accounts" in lines[0]
        db.engine.dispose()


def test_ensure_categories_is_idempotent_and_links_later_departments(tmp_path):
    with fresh_app(tmp_path / "cat.db").app_context():
        assert ensure_categories(db.session) == len(category_rows())
        assert db.session.scalar(select(Category).where(Category.code == "GAZF")).default_department is None
        district = Department(code="X", name="区", kind="district")
        db.session.add(Department(code="GAFJ", name="区公安分局", kind="bureau", parent=district))
        db.session.flush()
        assert ensure_categories(db.session) == 0
        assert (
            db.session.scalar(select(Category).where(Category.code == "GAZF")).default_department.code
            == "GAFJ"
        )
        codes = [row[0] for row in category_rows()]
        assert len(codes) == len(set(codes)) and all(c.isascii() for c in codes)
        db.session.rollback()
        db.engine.dispose()


def test_same_seed_same_demo(tmp_path):
    def load(name):
        with fresh_app(tmp_path / name).app_context():
            seed_demo(cases=15, now=NOW)
            rows = [
                db.session.execute(select(*columns).order_by(columns[0])).all()
                for columns in (
                    (Case.id, Case.title, Case.status, Case.received_at, Case.owner_leader_id),
                    (CaseEvent.id, CaseEvent.case_id, CaseEvent.action, CaseEvent.actor_id, CaseEvent.at),
                    (CaseOrder.id, CaseOrder.case_id, CaseOrder.kind, CaseOrder.level, CaseOrder.due_at),
                    (CasePackage.id, CasePackage.case_id, CasePackage.level, CasePackage.status),
                    (User.id, User.username, User.display_name, User.leader_rank),
                )
            ]
            db.engine.dispose()
            return rows

    first = load("a.db")
    assert first[2] and first[3]  # a few orders and 包案 even on 15 cases
    assert first == load("b.db")


def test_cli_seeds_and_names_the_password(tmp_path):
    application = fresh_app(tmp_path / "cli.db")
    runner = application.test_cli_runner()
    # The commands are added without @with_appcontext (the ``flask`` command pushes one), so push it here.
    with application.app_context():
        result = runner.invoke(args=["seed-demo", "--cases", "40"])
        assert result.exit_code == 0, result.output
        assert DEMO_PASSWORD in result.output and "cases: 40" in result.output
        token = db.session.scalars(
            select(Volunteer.link_token).where(Volunteer.link_token.is_not(None)).order_by(Volunteer.id)
        ).first()
        assert f"/v/{token}" in result.output
        again = runner.invoke(args=["seed-demo", "--if-empty"])
        assert again.exit_code == 0 and "already has data" in again.output and "h_gafj" in again.output
        assert "/v/" in again.output
        assert db.session.scalar(select(func.count(Case.id))) == 40
        db.engine.dispose()
