"""Clock anchors: a policy names the case event its clock counts from (签收 counted from receipt), the ledger
says honestly when a step started overdue, an anchor not yet reached is waited for, a restart counts from
the restart, and the default 局长信箱, 书记在线 and 红色件 sets count what the public page promises from
receipt."""

import importlib.util
from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from flask_babel import gettext
from sqlalchemy import select

from app.deadlines.policies import seed_default_policies
from app.deadlines.promises import mailbox_promises
from app.extensions import db
from jobs import tasks
from models.deadline import ClockAnchor
from models.deadline import DeadlineFire
from models.deadline import DeadlinePolicy
from models.deadline import Stage
from models.deadline import Unit
from models.deadline import Urgency
from models.jobstate import RecomputeRequest
from models.org import Mailbox
from tests.support.deadlines import MINUTE
from tests.support.deadlines import T0
from tests.support.deadlines import act
from tests.support.deadlines import deadline
from tests.support.deadlines import drive
from tests.support.deadlines import make_policy
from tests.support.deadlines import new_case
from tests.support.deadlines import stage_policies

HOUR = 60 * MINUTE


def counted_from(anchor: ClockAnchor) -> str:
    return gettext("Counted from %(event)s.", event=anchor.label)


@pytest.fixture
def policies(app):
    """Every stage 30 days; sign in 10 minutes from the dispatch, and for red cases from receipt."""
    policies = stage_policies(sign=(10, Unit.MINUTES))
    policies["red_sign"] = make_policy(
        Stage.SIGN, 10, Unit.MINUTES, grade="red", starts_from=ClockAnchor.RECEIVED, name="红色件签收"
    )
    db.session.commit()
    return policies


def test_a_step_counted_from_receipt_is_overdue_at_a_late_dispatch_and_says_so(app, policies):
    late = T0 + 25 * HOUR
    from_dispatch = drive(new_case(T0), late, "register", "dispatch")
    from_receipt = drive(new_case(T0, grade="red"), late, "register", "dispatch")

    ordinary = deadline(from_dispatch, "sign")
    assert (ordinary.started_at, ordinary.due_at, ordinary.breached_at) == (late, late + 10 * MINUTE, None)
    assert counted_from(ClockAnchor.RECEIVED) not in ordinary.explanation
    assert from_dispatch.urgency == Urgency.GREEN

    red = deadline(from_receipt, "sign")
    assert (red.started_at, red.due_at) == (T0, T0 + 10 * MINUTE)
    assert red.breached_at == T0 + 10 * MINUTE  # the ledger says it started overdue
    assert red.policy_snapshot["starts_from"] == "received"
    assert red.explanation.startswith(counted_from(ClockAnchor.RECEIVED))
    assert from_receipt.urgency == Urgency.RED
    # the sweep fires once, the highest rung reached, naming the ones passed while it waited
    tasks.sweep(late)
    fired = db.session.scalars(select(DeadlineFire).where(DeadlineFire.deadline_id == red.id)).all()
    assert [(f.step, f.missed) for f in fired] == [
        ("escalate_leader", ["warn", "breach", "escalate_supervisor"])
    ]
    # signing now is late, and the met row keeps the breach
    act(from_receipt, "sign", late + MINUTE)
    red = deadline(from_receipt, "sign")
    assert (str(red.status), red.breached_at) == ("met", T0 + 10 * MINUTE)


def test_an_anchor_not_yet_reached_counts_from_the_step_until_it_happens(app, policies):
    make_policy(
        Stage.RESOLVE, 3, Unit.HOURS, grade="yellow", starts_from=ClockAnchor.SIGNED, name="签收后办结"
    )
    db.session.commit()
    case = drive(new_case(T0, grade="yellow"), T0 + 5 * MINUTE, "register")
    waiting = deadline(case, "resolve")
    assert (waiting.started_at, waiting.due_at) == (T0 + 5 * MINUTE, T0 + 185 * MINUTE)
    assert waiting.policy_snapshot["anchor_pending"] == "signed"
    pending = gettext(
        "Counted from %(event)s, which has not happened yet; until it does, from the start of this step.",
        event=ClockAnchor.SIGNED.label,
    )
    assert waiting.explanation.startswith(pending)

    act(case, "dispatch", T0 + 10 * MINUTE)
    assert deadline(case, "resolve").version == 1  # dispatching is not the awaited event
    act(case, "sign", T0 + 60 * MINUTE)
    counted = deadline(case, "resolve")
    assert (counted.started_at, counted.due_at, counted.version) == (T0 + HOUR, T0 + 4 * HOUR, 2)
    assert counted.policy_snapshot["anchor_pending"] is None and counted.next_step == 0
    assert counted.explanation.startswith(counted_from(ClockAnchor.SIGNED))
    assert case.next_due_at <= counted.due_at


def test_a_restart_counts_from_the_restart(app, policies):
    case = drive(new_case(T0, grade="red"), T0 + HOUR, "register", "dispatch")
    assert deadline(case, "sign").started_at == T0
    act(case, "return", T0 + 2 * HOUR)
    act(case, "dispatch", T0 + 3 * HOUR, lead="SB")
    again = deadline(case, "sign")
    assert (again.version, again.started_at, again.due_at) == (2, T0 + 3 * HOUR, T0 + 3 * HOUR + 10 * MINUTE)
    assert again.breached_at is None and again.policy_snapshot["restart"] is True
    assert again.explanation.startswith(
        gettext(
            "Clock restarted: counted from the restart, not from %(event)s.", event=ClockAnchor.RECEIVED.label
        )
    )


def test_recompute_moves_running_clocks_to_a_new_anchor_and_only_then(app, policies):
    case = drive(new_case(T0), T0 + 5 * MINUTE, "register", "dispatch")
    assert deadline(case, "sign").started_at == T0 + 5 * MINUTE
    db.session.add(RecomputeRequest(reason="nothing changed", scope={"stage": "sign"}))
    db.session.commit()
    assert tasks.recompute(T0 + 6 * MINUTE) == 0  # the anchor keys alone change nothing
    assert deadline(case, "sign").version == 1

    policies["sign"].starts_from = ClockAnchor.RECEIVED
    db.session.add(RecomputeRequest(reason="deadline_policy update", scope={"stage": "sign"}))
    db.session.commit()
    assert tasks.recompute(T0 + 7 * MINUTE) == 1
    moved = deadline(case, "sign")
    assert (moved.started_at, moved.due_at, moved.version) == (T0, T0 + 10 * MINUTE, 2)


# --- the default sets -----------------------------------------------------------------------------

PROMISED = {"局长信箱", "书记在线", "红色件"}


def test_default_sets_count_the_promised_steps_from_receipt(app):
    seed_default_policies()
    db.session.commit()
    for policy in db.session.scalars(select(DeadlinePolicy)):
        expected = ClockAnchor.RECEIVED if policy.policy_set in PROMISED else None
        assert policy.starts_from == expected, policy.name
    chief = db.session.scalars(select(Mailbox).where(Mailbox.slug == "jzxx")).one()
    late = T0 + 25 * HOUR
    case = drive(new_case(T0, channel="mailbox", mailbox_id=chief.id), late, "register", "dispatch")
    sign = deadline(case, "sign")
    assert (sign.policy.name, sign.started_at, sign.due_at) == ("局长信箱 10 分钟签收", T0, T0 + 10 * MINUTE)
    assert sign.breached_at == sign.due_at and case.urgency == Urgency.RED
    act(case, "sign", late + MINUTE)
    contact = deadline(case, "contact")
    assert (contact.started_at, contact.due_at) == (T0, T0 + 30 * MINUTE)
    assert deadline(case, "first_reply").started_at == T0  # 4 working days from receipt

    with app.test_request_context():
        texts = {p.stage: p.text for p in mailbox_promises(chief)}
        assert texts["sign"] == gettext("within %(limit)s of receipt", limit=gettext("%(n)s minutes", n=10))
        assert texts["resolve"] == gettext("%(n)s working days", n=15)  # 区默认: from its own start
    assert texts["sign"] == "收到后 10 分钟内"


def test_the_mailbox_page_promises_from_receipt(client, db):
    seed_default_policies()
    db.session.commit()
    html = client.get("/m/jzxx").get_data(as_text=True)
    assert "收到后 10 分钟内" in html and "收到后 30 分钟内" in html


def test_the_migration_marks_the_seeded_rows_it_can_identify(app):
    seed_default_policies()
    chief = db.session.scalars(
        select(DeadlinePolicy).where(DeadlinePolicy.name.like("局长信箱 10 分钟签收%"))
    ).all()
    own = make_policy(Stage.SIGN, 5, Unit.MINUTES, name="局长信箱 10 分钟签收（自定）", policy_set="本单位")
    for policy in db.session.scalars(select(DeadlinePolicy)):
        policy.starts_from = None  # as a database seeded before this release
    db.session.commit()
    path = Path(__file__).parents[2] / "migrations" / "versions" / "0018_clock_anchors.py"
    spec = importlib.util.spec_from_file_location("migration_0018", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with Operations.context(MigrationContext.configure(db.session.connection())):
        migration.mark_from_receipt()
    db.session.commit()
    db.session.expire_all()
    assert chief and all(p.starts_from == ClockAnchor.RECEIVED for p in chief)
    assert own.starts_from is None  # another set's policy is left alone
    red = db.session.scalars(select(DeadlinePolicy).where(DeadlinePolicy.policy_set == "红色件")).all()
    assert {p.name for p in red if p.starts_from is None} == {
        "红色件 每小时动态更新"
    }  # added by seed-policies


# --- the admin form -------------------------------------------------------------------------------


def test_the_policy_form_sets_the_anchor_with_chinese_labels(client, db, login_as):
    from admin_views.settings.ladder_form import rows_from_ladder
    from tests.admin.test_ladder_form import form_for

    seed_default_policies()
    db.session.commit()
    policy = db.session.scalar(select(DeadlinePolicy).where(DeadlinePolicy.name == "签收 2 小时"))
    login_as("admin")
    html = client.get(f"/admin/deadline_policy/edit/?id={policy.id}").get_data(as_text=True)
    assert "计时起点" in html and "收到诉求" in html and "本环节开始时" in html
    rows = [(r.step, r.when, r.amount or "", r.unit) for r in rows_from_ladder(policy.ladder)]
    response = client.post(
        f"/admin/deadline_policy/edit/?id={policy.id}", data=form_for(policy, rows, starts_from="received")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(DeadlinePolicy, policy.id).starts_from == ClockAnchor.RECEIVED
    listing = client.get("/admin/deadline_policy/").get_data(as_text=True)
    assert "收到诉求" in listing
    response = client.post(
        f"/admin/deadline_policy/edit/?id={policy.id}", data=form_for(policy, rows, starts_from="")
    )
    db.session.expire_all()
    assert db.session.get(DeadlinePolicy, policy.id).starts_from is None
