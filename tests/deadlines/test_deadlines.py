"""Deadline engine: policy choice, lifecycle clocks, working-day due times, extensions and recompute.

The helpers (calendar rows, policies, driving a case at a controlled instant) are in
:mod:`tests.support.deadlines`, shared with the sweep and job tests.
"""

import pytest
from flask_babel import gettext
from sqlalchemy import func
from sqlalchemy import select

from app.cases import lifecycle
from app.deadlines.clock import ladder_times
from app.deadlines.policies import CRITERIA_ORDER
from app.deadlines.policies import choose_policy
from app.deadlines.policies import seed_default_policies
from app.extensions import db
from jobs import tasks
from jobs.runner import tick
from jobs.tasks import sweep
from models.deadline import DeadlineExtension
from models.deadline import DeadlineFire
from models.deadline import DeadlinePolicy
from models.deadline import DeadlineStatus
from models.deadline import Stage
from models.deadline import Unit
from models.deadline import Urgency
from models.enums import Status
from models.jobstate import RecomputeRequest
from models.org import Category
from models.org import Mailbox
from tests.support.deadlines import MINUTE
from tests.support.deadlines import T0
from tests.support.deadlines import act
from tests.support.deadlines import at
from tests.support.deadlines import deadline
from tests.support.deadlines import drive
from tests.support.deadlines import end_of
from tests.support.deadlines import make_policy
from tests.support.deadlines import new_case
from tests.support.deadlines import seed_calendar_2026
from tests.support.deadlines import stage_policies
from tests.support.deadlines import states
from tests.support.factories import user


@pytest.fixture
def calendar_2026(app):
    seed_calendar_2026()


# --- 1. which policy governs ------------------------------------------------------------------------


@pytest.fixture
def catalog(app):
    parent = db.session.scalars(select(Category).where(Category.code == "CSGL")).one()
    child = db.session.scalars(select(Category).where(Category.code == "CSGL-ZDJY")).one()
    other = db.session.scalars(select(Category).where(Category.code == "CXJS")).one()
    mailbox = db.session.scalars(select(Mailbox).where(Mailbox.slug == "jzxx")).one()
    return {"parent": parent, "child": child, "other": other, "mailbox": mailbox}


def chosen(case, stage=Stage.RESOLVE) -> str | None:
    policy = choose_policy(case, stage)
    return policy.name if policy else None


def test_tie_rule_is_the_documented_one():
    assert CRITERIA_ORDER == ("grade", "mailbox", "category", "request_type")


def test_most_specific_policy_wins(app, catalog):
    case = new_case(
        T0, request_type="complaint", category_id=catalog["child"].id, mailbox_id=catalog["mailbox"].id
    )
    make_policy(Stage.RESOLVE, 15, Unit.WORKING_DAYS, name="general")
    make_policy(Stage.SIGN, 10, Unit.MINUTES, name="other stage", request_type="complaint")
    assert chosen(case) == "general"

    make_policy(Stage.RESOLVE, 15, Unit.WORKING_DAYS, name="consult", request_type="consult")
    make_policy(Stage.RESOLVE, 15, Unit.WORKING_DAYS, name="red", grade="red")
    make_policy(Stage.RESOLVE, 15, Unit.WORKING_DAYS, name="other category", category_id=catalog["other"].id)
    assert chosen(case) == "general"  # criteria that do not match rule a policy out

    make_policy(Stage.RESOLVE, 15, Unit.WORKING_DAYS, name="complaint", request_type="complaint")
    assert chosen(case) == "complaint"  # one matching criterion beats none

    make_policy(
        Stage.RESOLVE, 15, Unit.WORKING_DAYS, name="parent category", category_id=catalog["parent"].id
    )
    assert chosen(case) == "parent category"  # category comes before request type
    make_policy(Stage.RESOLVE, 15, Unit.WORKING_DAYS, name="exact category", category_id=catalog["child"].id)
    assert chosen(case) == "exact category"  # the exact category beats its parent

    make_policy(Stage.RESOLVE, 15, Unit.WORKING_DAYS, name="mailbox", mailbox_id=catalog["mailbox"].id)
    assert chosen(case) == "mailbox"  # mailbox comes before category
    make_policy(Stage.RESOLVE, 15, Unit.WORKING_DAYS, name="green", grade="green")
    assert chosen(case) == "green"  # grade comes first of all

    make_policy(
        Stage.RESOLVE,
        15,
        Unit.WORKING_DAYS,
        name="parent + complaint",
        category_id=catalog["parent"].id,
        request_type="complaint",
    )
    assert chosen(case) == "parent + complaint"  # two matching criteria beat any single one


def test_priority_then_newest_break_ties_and_inactive_is_ignored(app, catalog):
    case = new_case(T0, request_type="complaint")
    high = make_policy(
        Stage.RESOLVE, 15, Unit.WORKING_DAYS, name="high", request_type="complaint", priority=5
    )
    make_policy(Stage.RESOLVE, 15, Unit.WORKING_DAYS, name="newer low", request_type="complaint", priority=1)
    assert chosen(case) == "high"
    make_policy(
        Stage.RESOLVE, 15, Unit.WORKING_DAYS, name="newest high", request_type="complaint", priority=5
    )
    assert chosen(case) == "newest high"  # same specificity and priority: the newer policy
    make_policy(
        Stage.RESOLVE,
        15,
        Unit.WORKING_DAYS,
        name="inactive exact",
        request_type="complaint",
        grade="green",
        active=False,
    )
    assert chosen(case) == "newest high"
    high.priority = 9
    db.session.flush()
    assert chosen(case) == "high"


def test_a_parent_category_policy_applies_from_the_first_clock(app, catalog):
    make_policy(Stage.REGISTER, 5, Unit.MINUTES, name="general")
    make_policy(Stage.REGISTER, 7, Unit.MINUTES, name="parent", category_id=catalog["parent"].id)
    db.session.commit()
    by_id = new_case(T0, category_id=catalog["child"].id)  # the case is still pending when its clock starts
    by_object = new_case(T0, category=catalog["child"])
    assert deadline(by_id, "register").policy.name == deadline(by_object, "register").policy.name == "parent"
    assert deadline(by_id, "register").due_at == T0 + 7 * MINUTE


def test_no_policy_means_no_clock(app):
    case = new_case(T0)
    assert case.deadlines == [] and case.next_due_at is None and case.urgency is None


def test_default_policy_sets(app, calendar_2026, catalog):
    assert seed_default_policies() > 0
    assert seed_default_policies() == 0  # idempotent by name
    db.session.commit()
    chief = catalog["mailbox"]
    mailbox_case = new_case(T0, channel="mailbox", mailbox_id=chief.id, request_type="consult")
    assert chosen(mailbox_case, Stage.SIGN) == "局长信箱 10 分钟签收"
    assert chosen(mailbox_case, Stage.RESOLVE) == "咨询类 2 个工作日办结"
    red = new_case(T0, grade="red", request_type="help")
    assert chosen(red, Stage.SIGN) == "红色件 10 分钟签收"
    assert chosen(red, Stage.RESOLVE) == "求助类 10 个工作日办结"
    plain = new_case(T0, request_type="praise")
    assert chosen(plain, Stage.RESOLVE) == "办结 15 个工作日"
    # the statutory petition set has no 信访 mailbox to attach to here: left inactive
    petition = db.session.scalars(
        select(DeadlinePolicy).where(DeadlinePolicy.policy_set == "信访法定时限")
    ).all()
    assert petition and not any(p.active for p in petition)


# --- 2. lifecycle starts and stops clocks ---------------------------------------------------------


@pytest.fixture
def minute_policies(app):
    return stage_policies(
        register=(60, Unit.MINUTES),
        dispatch=(120, Unit.MINUTES),
        sign=(10, Unit.MINUTES),
        contact=(30, Unit.MINUTES),
        first_reply=(240, Unit.MINUTES),
        resolve=(3, Unit.NATURAL_DAYS),
        revisit=(2, Unit.NATURAL_DAYS),
    )


def test_lifecycle_starts_and_stops_the_clocks(app, minute_policies):
    case = new_case(T0)
    assert states(case) == {"register": ("running", 1)}
    assert deadline(case, "register").due_at == T0 + 60 * MINUTE
    assert (case.next_due_at, case.urgency) == (T0 + 60 * MINUTE, Urgency.GREEN)

    act(case, "register", T0 + 5 * MINUTE)
    assert states(case) == {
        "register": ("met", 1),
        "dispatch": ("running", 1),
        "first_reply": ("running", 1),
        "resolve": ("running", 1),
    }
    assert deadline(case, "register").met_at == T0 + 5 * MINUTE
    assert deadline(case, "register").breached_at is None
    assert deadline(case, "first_reply").due_at == T0 + 245 * MINUTE
    assert deadline(case, "resolve").due_at == end_of("2026-03-05")  # 3 natural days from the next day
    assert case.next_due_at == T0 + 125 * MINUTE  # dispatch is the earliest

    act(case, "dispatch", T0 + 10 * MINUTE, lead="SA")
    assert states(case)["dispatch"] == ("met", 1)
    assert states(case)["sign"] == ("running", 1)
    assert deadline(case, "sign").due_at == T0 + 20 * MINUTE
    assert case.next_due_at == T0 + 20 * MINUTE

    act(case, "sign", T0 + 12 * MINUTE)
    assert states(case)["sign"] == ("met", 1)
    assert states(case)["contact"] == ("running", 1)
    act(case, "return", T0 + 14 * MINUTE)
    got = states(case)
    assert (got["sign"], got["contact"], got["dispatch"]) == (("met", 1), ("cancelled", 1), ("running", 2))
    returned = deadline(case, "dispatch")
    assert (returned.started_at, returned.met_at, returned.next_step) == (T0 + 14 * MINUTE, None, 0)
    assert returned.due_at == T0 + 134 * MINUTE

    act(case, "dispatch", T0 + 15 * MINUTE, lead="SB")
    assert states(case)["sign"] == ("running", 2)
    assert deadline(case, "sign").due_at == T0 + 25 * MINUTE
    act(case, "sign", T0 + 30 * MINUTE)  # five minutes late
    late = deadline(case, "sign")
    assert (late.status, late.met_at, late.breached_at) == ("met", T0 + 30 * MINUTE, T0 + 25 * MINUTE)
    assert states(case)["contact"] == ("running", 2)
    act(case, "contact", T0 + 40 * MINUTE)
    assert states(case)["contact"] == ("met", 2)

    act(case, "reply", T0 + 60 * MINUTE)
    got = states(case)
    assert (got["first_reply"], got["resolve"], got["revisit"]) == (("met", 1), ("met", 1), ("running", 1))
    assert case.next_due_at == deadline(case, "revisit").due_at == end_of("2026-03-04")

    act(case, "revisit", T0 + 70 * MINUTE, satisfaction="unsatisfied")
    assert case.status == Status.IN_PROGRESS
    got = states(case)
    assert (got["revisit"], got["resolve"]) == (("met", 1), ("running", 2))
    assert deadline(case, "resolve").started_at == T0 + 70 * MINUTE
    assert case.next_due_at == end_of("2026-03-05")

    act(case, "reply", T0 + 80 * MINUTE)
    assert states(case)["revisit"] == ("running", 2)
    act(case, "revisit", T0 + 90 * MINUTE)
    assert case.status == Status.CLOSED
    assert all(status == "met" for status, _ in states(case).values() if status != "cancelled")
    assert (case.next_due_at, case.urgency) == (None, None)

    act(case, "reopen", T0 + 100 * MINUTE)
    assert states(case)["resolve"] == ("running", 3)
    assert case.next_due_at == end_of("2026-03-05")


def test_case_urgency_follows_its_running_deadlines(app, minute_policies):
    case = drive(new_case(T0), T0, "register", "dispatch")  # sign due T0+10, warn at T0+8
    act(case, "comment", T0 + 7 * MINUTE, note="催办")
    assert (case.next_due_at, case.urgency) == (T0 + 10 * MINUTE, Urgency.GREEN)
    act(case, "comment", T0 + 8 * MINUTE, note="催办")
    assert case.urgency == Urgency.YELLOW
    act(case, "comment", T0 + 10 * MINUTE, note="催办")
    assert case.urgency == Urgency.RED
    act(case, "sign", T0 + 11 * MINUTE)  # the late sign is met; contact (30 min) runs, fresh
    assert (case.next_due_at, case.urgency) == (T0 + 41 * MINUTE, Urgency.GREEN)


def test_reject_and_merge_cancel_every_clock(app, minute_policies):
    rejected = drive(new_case(T0), T0, "register")
    act(rejected, "reject", T0 + MINUTE)
    got = states(rejected)
    assert got.pop("register") == ("met", 1)
    assert set(got.values()) == {("cancelled", 1)}
    assert (rejected.next_due_at, rejected.urgency) == (None, None)

    target = new_case(T0)
    merged = drive(new_case(T0), T0, "register", "dispatch", "sign")
    act(merged, "merge", T0 + MINUTE, target=target)
    got = states(merged)
    assert {stage for stage, (status, _) in got.items() if status == "running"} == set()
    assert got["contact"] == got["first_reply"] == got["resolve"] == ("cancelled", 1)
    assert (merged.next_due_at, merged.urgency) == (None, None)
    assert states(target) == {"register": ("running", 1)}

    new = new_case(T0)
    act(new, "reject", T0 + MINUTE)
    assert {status for status, _ in states(new).values()} == {"met"}
    assert new.next_due_at is None


def test_the_ladder_fires_at_its_offsets(app, minute_policies):
    case = drive(new_case(T0), T0, "register", "dispatch")
    sign = deadline(case, "sign")
    assert ladder_times(sign) == [
        ("warn", T0 + 8 * MINUTE),
        ("breach", T0 + 10 * MINUTE),
        ("escalate_supervisor", T0 + 40 * MINUTE),
        ("escalate_leader", T0 + 250 * MINUTE),
    ]
    assert (sign.warn_at, sign.next_fire_at, sign.next_step) == (T0 + 8 * MINUTE, T0 + 8 * MINUTE, 0)


# --- 3. working days across the 2026 holidays -------------------------------------------------------


def test_four_working_days_across_the_spring_festival(app, calendar_2026):
    make_policy(Stage.FIRST_REPLY, 4, Unit.WORKING_DAYS)
    db.session.commit()
    case = drive(new_case(at("2026-02-12 10:00")), at("2026-02-12 10:00"), "register")
    first_reply = deadline(case, "first_reply")
    # Fri 2/13, Sat 2/14 (make-up), then 2/15–2/23 off, Tue 2/24, Wed 2/25
    assert first_reply.due_at == end_of("2026-02-25")
    assert "2026-02-14" in first_reply.explanation and "2026-02-15 … 2026-02-23" in first_reply.explanation
    assert first_reply.clock == "working_days"
    assert case.next_due_at == end_of("2026-02-25")


def test_working_days_around_national_day(app, calendar_2026):
    make_policy(Stage.FIRST_REPLY, 4, Unit.WORKING_DAYS)
    make_policy(Stage.DISPATCH, 1, Unit.WORKING_DAYS)
    make_policy(Stage.RESOLVE, 3, Unit.NATURAL_DAYS)
    db.session.commit()
    case = drive(new_case(at("2026-09-30 10:00")), at("2026-09-30 10:00"), "register")
    # 10/1–10/7 off, Thu 10/8, Fri 10/9, Sat 10/10 (make-up), Sun off, Mon 10/12
    assert deadline(case, "first_reply").due_at == end_of("2026-10-12")
    assert deadline(case, "dispatch").due_at == end_of("2026-10-08")
    assert deadline(case, "resolve").due_at == end_of("2026-10-03")  # natural days ignore holidays
    friday = drive(new_case(at("2026-09-18 16:00")), at("2026-09-18 16:00"), "register")
    assert deadline(friday, "dispatch").due_at == end_of("2026-09-20")  # Sunday 9/20 is a working day


def test_default_mailbox_policy_counts_the_make_up_saturday(app, calendar_2026, catalog):
    seed_default_policies()
    db.session.commit()
    start = at("2026-02-12 10:00")
    case = drive(new_case(start, channel="mailbox", mailbox_id=catalog["mailbox"].id), start, "register")
    assert deadline(case, "first_reply").due_at == end_of("2026-02-25")  # 局长信箱 4 个工作日
    assert deadline(case, "first_reply").policy.name == "局长信箱 4 个工作日答复"
    assert deadline(case, "resolve").due_at == end_of("2026-03-11")  # 投诉类 15 个工作日 (2/14, 2/28 counted)


# --- 8. extensions (延期) ----------------------------------------------------------------------------


@pytest.fixture
def extendable(app, calendar_2026):
    """Resolve: 3 working days, one extension of at most 2 days; the other stages run long."""
    return stage_policies(resolve=(3, Unit.WORKING_DAYS, {"max_extensions": 1, "max_extension_amount": 2}))


def refusal_of(case, action, actor=None, **params) -> str:
    with pytest.raises(lifecycle.TransitionError) as caught:
        act(case, action, T0, actor=actor, **params)
    db.session.rollback()
    return caught.value.message


def test_extension_is_bounded_approved_and_rearms_the_ladder(app, extendable):
    start = at("2026-02-10 10:00")
    case = drive(new_case(start), start, "register", "dispatch", "sign")
    resolve = deadline(case, "resolve")
    assert resolve.due_at == end_of("2026-02-13")  # Wed, Thu, Fri

    assert "2" in refusal_of(case, "request_extension", stage="resolve", amount=3, reason="需要现场核查")
    assert refusal_of(case, "request_extension", stage="resolve", amount=0, reason="需要现场核查")
    assert refusal_of(case, "request_extension", stage="resolve", amount=1, reason=" ")
    assert refusal_of(case, "request_extension", stage="sign", amount=1, reason="x")  # sign is met
    assert refusal_of(case, "approve_extension")  # nothing to decide yet

    # the breach fires before anyone decides
    assert sweep(end_of("2026-02-13") + MINUTE)["fired"] == 1
    db.session.expire_all()
    assert (resolve.last_fired, resolve.breached_at) == ("breach", end_of("2026-02-13"))
    assert case.urgency == Urgency.RED

    act(case, "request_extension", at("2026-02-14 09:00"), stage="resolve", amount=2, reason="需要现场核查")
    [request] = resolve.extensions
    assert (request.status, request.amount, request.unit) == ("requested", 2, "working_days")
    assert resolve.due_at == end_of("2026-02-13")  # nothing moves before the decision
    waiting = refusal_of(case, "request_extension", stage="resolve", amount=1, reason="再延")
    assert waiting == gettext("An extension request is already waiting for a decision.")
    handler = user("handler", "SA")
    assert refusal_of(case, "approve_extension", actor=handler)  # handlers may not decide

    event = act(case, "approve_extension", at("2026-02-14 10:00"), note="同意")
    db.session.expire_all()
    # two working days after Fri 2/13: Sat 2/14 (make-up), then Tue 2/24 after the holiday
    assert resolve.due_at == end_of("2026-02-24")
    assert (resolve.version, resolve.extended_count, resolve.breached_at) == (2, 1, None)
    assert (resolve.next_step, resolve.last_fired) == (0, None)
    assert (request.status, request.old_due_at, request.new_due_at) == (
        "approved",
        end_of("2026-02-13"),
        end_of("2026-02-24"),
    )
    assert request.decided_by == user("supervisor")
    assert event.action == "approve_extension" and event.data["public"] is True
    assert event.data["new_due_at"] == end_of("2026-02-24").isoformat()
    assert case.next_due_at <= end_of("2026-02-24")
    assert case.urgency in (Urgency.GREEN, Urgency.YELLOW)

    # the ladder is re-armed for version 2: its warning fires once more
    warn_at = resolve.warn_at
    assert warn_at > at("2026-02-14 10:00")
    assert sweep(warn_at)["fired"] == 1
    fires = db.session.scalars(select(DeadlineFire).where(DeadlineFire.deadline_id == resolve.id)).all()
    assert sorted((f.step, f.deadline_version) for f in fires) == [("breach", 1), ("warn", 2)]

    message = refusal_of(case, "request_extension", stage="resolve", amount=1, reason="再延一天")
    assert message == gettext("No running deadline of this case may be extended.")  # allowance used


def test_an_extension_that_still_ends_in_the_past_keeps_the_breach(app, extendable):
    start = at("2026-02-10 10:00")
    case = drive(new_case(start), start, "register", "dispatch", "sign")
    act(case, "request_extension", start, stage="resolve", amount=2, reason="需要现场核查")
    assert sweep(at("2026-02-14 09:00"))["fired"] == 1  # the whole ladder of version 1 has passed
    late = at("2026-03-02 10:00")
    act(case, "approve_extension", late)  # decided long after: the new due time has passed too
    resolve = deadline(case, "resolve")
    assert (resolve.due_at, resolve.version) == (end_of("2026-02-24"), 2)
    assert resolve.breached_at == end_of("2026-02-13")  # still breached, since the first due time
    assert case.urgency == Urgency.RED
    assert sweep(late) == {"fired": 1, "missed": 3, "taken": 0}  # version 2's ladder, caught up at once
    fired = db.session.execute(select(DeadlineFire.step, DeadlineFire.deadline_version)).all()
    assert sorted(fired) == [("escalate_leader", 1), ("escalate_leader", 2)]
    assert deadline(case, "resolve").breached_at == end_of("2026-02-13")


def test_rejected_extension_keeps_the_due_time(app, extendable):
    start = at("2026-03-02 10:00")
    case = drive(new_case(start), start, "register", "dispatch", "sign")
    resolve = deadline(case, "resolve")
    due = resolve.due_at
    act(case, "request_extension", start + MINUTE, stage="resolve", amount=1, reason="需要协调")
    assert refusal_of(case, "reject_extension", reason="")  # a reason is required
    event = act(case, "reject_extension", start + 2 * MINUTE, reason="理由不充分")
    db.session.expire_all()
    [request] = resolve.extensions
    assert (request.status, request.decision_note) == ("rejected", "理由不充分")
    assert (resolve.due_at, resolve.version, resolve.extended_count) == (due, 1, 0)
    assert event.data == {"stage": "resolve"}
    # a rejected request does not use up the allowance
    act(case, "request_extension", start + 3 * MINUTE, stage="resolve", amount=1, reason="再次申请")
    assert db.session.scalar(select(func.count(DeadlineExtension.id))) == 2


def test_an_extension_cannot_move_a_deadline_that_stopped(app, extendable):
    start = at("2026-03-02 10:00")
    case = drive(new_case(start), start, "register", "dispatch", "sign")
    act(case, "request_extension", start + MINUTE, stage="resolve", amount=1, reason="需要协调")
    act(case, "contact", start + 2 * MINUTE)
    act(case, "reply", start + 3 * MINUTE)  # resolve is met while the request waits
    resolve = deadline(case, "resolve")
    met = (resolve.status, resolve.due_at, resolve.version, resolve.next_fire_at)
    assert refusal_of(case, "approve_extension")
    db.session.expire_all()
    assert (resolve.status, resolve.due_at, resolve.version, resolve.next_fire_at) == met
    act(case, "reject_extension", start + 4 * MINUTE, reason="已答复，无需延期")
    assert resolve.extensions[0].status == "rejected"

    # nor the next run of a restarted deadline: the request was made for the run before
    redo = drive(new_case(start), start, "register", "dispatch", "sign")
    act(redo, "request_extension", start + MINUTE, stage="resolve", amount=1, reason="需要协调")
    drive(redo, start + 2 * MINUTE, "contact", "reply")
    act(redo, "revisit", start + 3 * MINUTE, satisfaction="unsatisfied")  # resolve restarts as version 2
    restarted = deadline(redo, "resolve")
    assert (restarted.status, restarted.version) == ("running", 2)
    due = restarted.due_at
    assert "approve_extension" not in {a.name for a in lifecycle.available_actions(redo, user("supervisor"))}
    assert refusal_of(redo, "approve_extension")
    assert (deadline(redo, "resolve").due_at, deadline(redo, "resolve").version) == (due, 2)


# --- 9. a policy change is recomputed in the background ----------------------------------------------


def test_policy_change_recomputes_running_deadlines_only(app, calendar_2026):
    policies = stage_policies(resolve=(3, Unit.WORKING_DAYS), first_reply=(2, Unit.WORKING_DAYS))
    start = at("2026-03-02 10:00")
    running = drive(new_case(start), start, "register", "dispatch", "sign")
    finished = drive(new_case(start), start, "register", "dispatch", "sign", "contact", "reply")
    first_reply_due = deadline(running, "first_reply").due_at
    assert deadline(running, "resolve").due_at == end_of("2026-03-05")
    met = deadline(finished, "resolve")
    met_before = (met.due_at, met.version, met.status)

    assert tasks.recompute(start) == 0  # nothing asked for
    policies["resolve"].amount = 5
    db.session.add(RecomputeRequest(reason="deadline_policy update", scope={"stage": "resolve"}))
    db.session.commit()
    assert deadline(running, "resolve").due_at == end_of("2026-03-05")  # not before the job runs

    assert tasks.recompute(start + MINUTE) == 1
    db.session.expire_all()
    resolve = deadline(running, "resolve")
    assert (resolve.due_at, resolve.version, resolve.started_at) == (end_of("2026-03-09"), 2, start)
    assert resolve.policy_snapshot["amount"] == 5 and resolve.next_step == 0
    assert (met.due_at, met.version, met.status) == met_before
    assert deadline(running, "first_reply").due_at == first_reply_due  # another stage: untouched
    [request] = db.session.scalars(select(RecomputeRequest)).all()
    assert (request.done_at, request.affected) == (start + MINUTE, 1)
    assert running.next_due_at == first_reply_due

    # through the job table, and a request that changes nothing changes nothing
    db.session.add(RecomputeRequest(reason="again", scope={"stage": "resolve"}))
    db.session.commit()
    assert tick(start + 2 * MINUTE)["recompute"] == 0
    assert deadline(running, "resolve").version == 2
    assert db.session.scalar(select(func.count()).where(RecomputeRequest.done_at.is_(None))) == 0


def test_recompute_keeps_an_approved_extension_and_follows_a_deactivated_policy(app, calendar_2026):
    policies = stage_policies(
        resolve=(3, Unit.WORKING_DAYS, {"max_extensions": 1, "max_extension_amount": 5})
    )
    start = at("2026-03-02 10:00")
    case = drive(new_case(start), start, "register", "dispatch", "sign")
    act(case, "request_extension", start, stage="resolve", amount=2, reason="需要协调")
    act(case, "approve_extension", start + MINUTE)
    assert deadline(case, "resolve").due_at == end_of("2026-03-09")  # 3 + 2 working days

    policies["resolve"].amount = 4
    db.session.add(RecomputeRequest(reason="policy", scope={"stage": "resolve"}))
    db.session.commit()
    assert tasks.recompute(start + 2 * MINUTE) == 1
    resolve = deadline(case, "resolve")
    assert (resolve.due_at, resolve.version) == (end_of("2026-03-10"), 3)  # 4 + 2 working days

    specific = make_policy(Stage.RESOLVE, 1, Unit.WORKING_DAYS, name="complaint", request_type="complaint")
    db.session.add(RecomputeRequest(reason="policy", scope={"stage": "resolve"}))
    db.session.commit()
    assert tasks.recompute(start + 3 * MINUTE) == 1
    assert deadline(case, "resolve").policy_id == specific.id
    assert deadline(case, "resolve").due_at == end_of("2026-03-05")  # 1 + 2 working days

    specific.active = False
    policies["resolve"].active = False
    db.session.add(RecomputeRequest(reason="policy", scope={}))
    db.session.commit()
    assert tasks.recompute(start + 4 * MINUTE) == 1
    assert deadline(case, "resolve").status == DeadlineStatus.CANCELLED
