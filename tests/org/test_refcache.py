"""The per-process cache of reference tables: every edit reaches every process's next request, nothing stale."""

import pytest
from sqlalchemy import select
from sqlalchemy import update

from app import create_app
from app.extensions import db
from app.intake.submission import ban_refusal
from app.intake.submission import sensitive_words
from app.org import refcache
from models.case import Counter
from models.intake_control import ApiKey
from models.intake_control import BanEntry
from models.intake_control import SensitiveWord
from tests.conftest import make_config
from tests.support.open311 import api_key_fixture  # noqa: F401  (fixture `key`: (row, plaintext))

POST = "/open311/v2/requests.json"
VALID = {
    "service_code": "CSGL-ZDJY",
    "description": "小区门口夜市占道经营，影响通行。",
    "address_string": "甲街道幸福路 8 号",
    "attribute[request_type]": "complaint",
    "phone": "13800138000",
}


@pytest.fixture
def other_process(app):
    """A second app on the same database file: its own engine and its own cache, like another worker."""
    second = create_app(make_config(None, SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"]))

    def run(action):
        with second.app_context():
            try:
                return action()
            finally:
                db.session.remove()

    yield run
    with second.app_context():
        db.engine.dispose()


def version() -> int:
    db.session.rollback()
    return db.session.scalar(select(Counter.value).where(Counter.name == refcache.VERSION_NAME)) or 0


def test_a_ban_added_by_another_process_refuses_the_next_post(client, key, other_process):
    _, plaintext = key
    assert client.post(POST, data={**VALID, "api_key": plaintext}).status_code == 201  # cache now warm

    def ban():
        db.session.add(BanEntry(kind="phone", value="13800138000", reason="恶意重复投诉"))
        db.session.commit()

    other_process(ban)
    refused = client.post(POST, data={**VALID, "api_key": plaintext})
    assert refused.status_code == 400 and "not accepted" in refused.get_data(as_text=True)


def test_a_key_switched_off_elsewhere_stops_working_at_once(client, key, other_process):
    row, plaintext = key
    assert client.post(POST, data={**VALID, "api_key": plaintext}).status_code == 201

    def switch_off():
        db.session.get(ApiKey, row.id).active = False
        db.session.commit()

    other_process(switch_off)
    assert client.post(POST, data={**VALID, "api_key": plaintext}).status_code == 403


def test_a_sensitive_word_added_elsewhere_flags_the_next_case(app, other_process):
    assert sensitive_words("有人在信访局门口静坐") == []

    def add_word():
        db.session.add(SensitiveWord(word="静坐"))
        db.session.commit()

    other_process(add_word)
    db.session.rollback()  # a new transaction reads the version afresh
    assert sensitive_words("有人在信访局门口静坐") == ["静坐"]


def test_edits_bump_the_version_once_per_flush_and_a_rollback_changes_nothing(app):
    before = version()
    cached = refcache.snapshot()
    db.session.add(BanEntry(kind="ip", value="203.0.113.9"))
    db.session.flush()
    assert ban_refusal(None, "203.0.113.9") is not None  # this transaction sees its own edit
    db.session.rollback()
    assert version() == before
    assert refcache.snapshot() is cached  # the rolled-back edit never reached the shared cache
    assert ban_refusal(None, "203.0.113.9") is None


def test_touching_last_used_at_is_not_an_edit(client, key):
    _, plaintext = key
    before = version()
    assert client.post(POST, data={**VALID, "api_key": plaintext}).status_code == 201
    db.session.rollback()
    assert db.session.get(ApiKey, key[0].id).last_used_at is not None  # written by the POST
    assert version() == before
    row = db.session.get(ApiKey, key[0].id)
    row.last_used_at = None  # through the ORM too
    db.session.commit()
    assert version() == before


def test_raw_sql_changes_take_effect_after_bump(app):
    db.session.add(BanEntry(kind="phone", value="13900139000"))
    db.session.commit()
    assert ban_refusal("139 0013 9000", None) is not None
    db.session.execute(update(BanEntry).values(active=False))
    refcache.bump()
    db.session.commit()
    assert ban_refusal("13900139000", None) is None


def test_caches_belong_to_their_app(app, other_process):
    mine = refcache.snapshot()
    theirs = other_process(refcache.snapshot)
    assert mine is not theirs and mine.version == theirs.version


def test_a_policy_added_elsewhere_times_the_next_case(app, other_process):
    from datetime import UTC
    from datetime import datetime

    from app.intake.submission import CitizenRequest
    from app.intake.submission import submit
    from models.deadline import DeadlinePolicy

    def request():
        return CitizenRequest(channel="mailbox", request_type="help", title="求助", content="路灯坏了")

    now = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    first, _ = submit(request(), now=now)
    assert first.deadlines == []  # the test organisation has no policies yet

    def add_policy():
        db.session.add(
            DeadlinePolicy(name="受理 2 小时", stage="register", amount=2, unit="hours", ladder=[])
        )
        db.session.commit()

    other_process(add_policy)
    db.session.rollback()
    second, _ = submit(request(), now=now)
    assert [(d.stage, d.policy_snapshot["name"]) for d in second.deadlines] == [("register", "受理 2 小时")]
