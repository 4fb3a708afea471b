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
from models.deadline import CaseDeadline
from models.deadline import DeadlinePolicy
from models.deadline import Stage
from models.enums import Channel
from models.enums import ClueStatus
from models.enums import DepartmentKind
from models.enums import Grade
from models.enums import RequestType
from models.enums import RewardStatus
from models.enums import Role
from models.enums import Satisfaction
from models.enums import Status
from models.enums import VolunteerGroup
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
            if event.action in ("sign", "contact", "reply", "return"):
                assert event.actor.role == Role.HANDLER
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
            assert case.handler.department_id == case.lead_department_id
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
        if case.owner_leader is not None:
            assert case.owner_leader.role == Role.LEADER and case.grade == Grade.RED
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
            rows = db.session.execute(
                select(Case.title, Case.status, Case.received_at).order_by(Case.id)
            ).all()
            db.engine.dispose()
            return rows

    assert load("a.db") == load("b.db")


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
