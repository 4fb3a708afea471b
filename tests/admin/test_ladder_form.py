"""A deadline policy's ladder edited as rows: the rows round-trip to the stored shape the sweep reads, a
wrong row is refused in Chinese with its number and nothing of the form is saved, and a save is audited
and queues its recompute as before."""

import re
from html import unescape

import pytest
from sqlalchemy import func
from sqlalchemy import select

from admin_views.settings.ladder_form import ladder_from_rows
from admin_views.settings.ladder_form import rows_from_ladder
from app.deadlines.policies import DEFAULT_POLICIES
from app.deadlines.policies import seed_default_policies
from models.audit import ConfigChange
from models.deadline import DeadlinePolicy
from models.jobstate import RecomputeRequest

NAME = "签收 2 小时"


@pytest.fixture
def policy(app, db):
    """A 2-hour sign-off policy (the standard minute-scale ladder), seeded with the defaults."""
    seed_default_policies()
    db.session.commit()
    return db.session.scalar(select(DeadlinePolicy).where(DeadlinePolicy.name == NAME))


def form_for(policy, rows, **changes) -> dict:
    """The edit form of ``policy`` as posted, with ``rows`` as (step, when, amount, unit[, remove])."""
    data = {
        "name": policy.name,
        "policy_set": policy.policy_set or "",
        "stage": str(policy.stage),
        "grade": "",
        "request_type": "",
        "category": "__None",
        "mailbox": "__None",
        "amount": str(policy.amount),
        "unit": str(policy.unit),
        "max_extensions": "0",
        "max_extension_amount": "",
        "priority": "0",
        "active": "y",
        "note": "",
    }
    for index, row in enumerate(rows):
        for part, value in zip(("step", "when", "amount", "unit", "remove"), row, strict=False):
            data[f"ladder-{index}-{part}"] = value
    data.update(changes)
    return data


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def page_text(response) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_the_rows_round_trip_to_the_stored_ladder(client, db, login_as, policy):
    admin = login_as("admin")
    before = list(policy.ladder)
    rows = [
        ("warn", "before", "30", "minutes"),
        ("breach", "at", "", "minutes"),
        ("escalate_supervisor", "after", "2", "hours"),
        ("escalate_leader", "after", "1", "days"),
    ]
    changes = count(db, ConfigChange), count(db, RecomputeRequest)
    response = client.post(f"/admin/deadline_policy/edit/?id={policy.id}", data=form_for(policy, rows))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(DeadlinePolicy, policy.id).ladder == [
        {"step": "warn", "minutes_before": 30},
        {"step": "breach"},
        {"step": "escalate_supervisor", "minutes_after": 120},
        {"step": "escalate_leader", "minutes_after": 1440},
    ]
    assert (count(db, ConfigChange), count(db, RecomputeRequest)) == (changes[0] + 1, changes[1] + 1)
    audit = db.session.scalars(select(ConfigChange).order_by(ConfigChange.id.desc())).first()
    assert (audit.entity_key, audit.actor_id, audit.before["ladder"]) == (str(policy.id), admin.id, before)
    assert audit.after["ladder"][0] == {"step": "warn", "minutes_before": 30}
    # The edit page shows the stored rungs again, in the largest whole unit.
    html = client.get(f"/admin/deadline_policy/edit/?id={policy.id}").get_data(as_text=True)
    assert re.search(r'name="ladder-3-amount"[^>]*value="1"', html)
    assert re.search(r'name="ladder-3-unit".*?<option value="days" selected>', html, re.S)
    assert re.search(r'name="ladder-0-when".*?<option value="before" selected>', html, re.S)


def test_a_percent_warning_a_removed_row_and_a_blank_row(client, db, login_as, policy):
    login_as("admin")
    rows = [
        ("warn", "percent", "75", "minutes"),
        ("breach", "at", "", "minutes"),
        ("escalate_supervisor", "after", "30", "minutes", "1"),  # ticked for removal
        ("", "percent", "", "minutes"),  # the spare row
    ]
    assert (
        client.post(f"/admin/deadline_policy/edit/?id={policy.id}", data=form_for(policy, rows)).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(DeadlinePolicy, policy.id).ladder == [
        {"step": "warn", "percent": 75},
        {"step": "breach"},
    ]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([("warn", "percent", "150", "minutes")], "第 1 行：时限用去的比例须在 1% 至 99% 之间。"),
        ([("breach", "at", "", ""), ("warn", "after", "10", "minutes")], "第 2 行：预警须在到期之前"),
        ([("breach", "at", "", ""), ("breach", "after", "5", "minutes")], "第 2 行：“已超期”已在第 1 行设置"),
        ([("escalate_leader", "after", "", "hours")], "第 1 行：请填写时长（整数）。"),
        ([("escalate_leader", "after", "-3", "hours")], "第 1 行：请填写时长（整数）。"),
        ([("escalate_leader", "after", "400", "days")], "第 1 行：最长不超过 366 天。"),
        ([("escalate_leader", "after", "4", "weeks")], "第 1 行：请选择单位"),
        ([("promote", "after", "4", "hours")], "第 1 行：请选择提醒级别。"),
        ([("", "after", "4", "hours")], "第 1 行：请选择提醒级别。"),
        ([("warn", "before", "0", "hours")], "第 1 行：时长须大于零。"),
    ],
)
def test_a_wrong_row_is_refused_in_chinese_and_nothing_is_saved(client, db, login_as, policy, rows, message):
    login_as("admin")
    before = list(policy.ladder)
    changes = count(db, ConfigChange), count(db, RecomputeRequest)
    form = form_for(policy, rows, name="改过的名称")
    response = client.post(f"/admin/deadline_policy/edit/?id={policy.id}", data=form)
    assert response.status_code == 200
    assert message in page_text(response)
    db.session.expire_all()
    kept = db.session.get(DeadlinePolicy, policy.id)
    assert (kept.ladder, kept.name) == (before, NAME)  # neither the ladder nor the other fields
    assert (count(db, ConfigChange), count(db, RecomputeRequest)) == changes
    # The rows come back as typed, for correcting.
    assert f'value="{rows[-1][2]}"' in response.get_data(as_text=True)


def test_every_error_is_listed_at_once(client, login_as, policy):
    login_as("admin")
    rows = [("warn", "percent", "0", ""), ("breach", "at", "", ""), ("breach", "at", "", "")]
    response = client.post(f"/admin/deadline_policy/edit/?id={policy.id}", data=form_for(policy, rows))
    text = page_text(response)
    assert "第 1 行：" in text and "第 3 行：" in text and "第 2 行：" not in text
    marked = re.findall(r'<tr data-ladder-row( class="table-danger")?>', response.get_data(as_text=True))
    assert [bool(mark) for mark in marked][:3] == [True, False, True]  # the rows in error are marked


def test_a_new_policy_starts_from_the_standard_ladder(client, db, login_as, policy):
    login_as("admin")
    html = client.get("/admin/deadline_policy/new/").get_data(as_text=True)
    assert re.search(r'name="ladder-0-step".*?<option value="warn" selected>', html, re.S)
    assert re.search(r'name="ladder-0-amount"[^>]*value="80"', html)
    assert "通知对象" in html and "承办部门和督办员" in html  # who hears each level
    assert "ladder.js" in html


def test_the_list_reads_the_ladder_in_chinese(client, login_as, policy):
    login_as("clerk")
    text = page_text(client.get("/admin/deadline_policy/?search=签收"))
    assert "预警（时限用去 80% 时） → 已超期（到期时） → 升级至督办员（到期后 30 分钟）" in text
    assert "升级至包案领导（到期后 4 小时）" in text


def test_staff_cannot_post_a_ladder(client, db, login_as, policy):
    login_as("supervisor")
    rows = [("breach", "at", "", "")]
    assert (
        client.post(f"/admin/deadline_policy/edit/?id={policy.id}", data=form_for(policy, rows)).status_code
        == 403
    )
    db.session.expire_all()
    assert len(db.session.get(DeadlinePolicy, policy.id).ladder) == 4


@pytest.mark.parametrize("ladder", sorted({repr(p[6]): p[6] for p in DEFAULT_POLICIES}.values(), key=repr))
def test_every_default_ladder_survives_the_rows(ladder):
    assert ladder_from_rows(rows_from_ladder(ladder)) == (ladder, [])
