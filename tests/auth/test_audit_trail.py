"""What the audit trail keeps: sign-ins and lock-outs, account changes, views of full ID numbers, exports,
督办 orders and API key use (one counted row per key and hour); never a password or its hash."""

import json
import threading

import pytest
from sqlalchemy import select

from app import audit
from app.auth.api_keys import issue_key
from app.cases import lifecycle
from app.extensions import db as _db
from app.extensions import limiter
from app.org import refcache
from app.timeutil import utcnow
from models.audit import ConfigChange
from models.case import Case
from models.enums import Status
from models.intake_control import ApiKey
from models.user import User
from tests.support.factories import PASSWORD
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.factories import make_user
from tests.support.pg_server import pg_app_fixture  # noqa: F401  (fixture: the app on a fresh PostgreSQL copy)
from tests.support.pg_server import pg_template_fixture  # noqa: F401
from tests.support.pg_server import pg_url_fixture  # noqa: F401  (provides the pg_url fixture)

FULL_ID = "440306199001011234"


def rows(db, entity=None, action=None) -> list[ConfigChange]:
    query = select(ConfigChange).order_by(ConfigChange.id)
    if entity is not None:
        query = query.where(ConfigChange.entity == entity)
    if action is not None:
        query = query.where(ConfigChange.action == action)
    db.session.expire_all()
    return list(db.session.scalars(query))


def everything_written(db) -> str:
    return json.dumps([[r.entity_key, r.before, r.after] for r in rows(db)], ensure_ascii=False)


# --- sign-ins --------------------------------------------------------------------------------------------
def test_sign_ins_failures_and_the_lock_out_are_audited_without_the_password(app, client, db):
    with app.app_context():
        limiter.reset()
    clerk = make_user("clerk")
    db.session.commit()
    client.post("/login", data={"username": "nobody", "password": "typed-by-mistake-1"})
    limit = int(app.config["LOGIN_LIMIT_PER_ACCOUNT"].split()[0])
    for i in range(limit):
        assert client.post("/login", data={"username": "clerk", "password": f"wrong-{i}"}).status_code == 401
    assert client.post("/login", data={"username": "clerk", "password": PASSWORD}).status_code == 429
    with app.app_context():
        limiter.reset()
    assert client.post("/login", data={"username": "clerk", "password": PASSWORD}).status_code == 302
    client.post("/logout")

    trail = [(r.action, r.entity_key, r.actor_id) for r in rows(db, "sign_in")]
    failed = [("sign_in_failed", "clerk", None)] * limit
    assert trail == [
        ("sign_in_failed", "-", None),  # an unknown name is not kept: it may be a password typed there
        *failed,
        ("lock_out", "clerk", None),  # once, on the failure that locked the account; throttled tries: no row
        ("sign_in", "clerk", clerk.id),
        ("sign_out", "clerk", clerk.id),
    ]
    [lock] = rows(db, "sign_in", "lock_out")
    assert lock.after["locked_until"] and lock.after["ip"]
    written = everything_written(db)
    assert PASSWORD not in written and "wrong-0" not in written and "typed-by-mistake" not in written


# --- accounts --------------------------------------------------------------------------------------------
def test_account_creation_role_department_activation_and_password_reset_are_audited(client, login_as, db):
    admin = login_as("admin")
    form = {
        "username": "wang.clerk",
        "display_name": "王受理",
        "role": "clerk",
        "new_password": "first-pass-1",
    }
    assert client.post("/admin/user/new/", data={**form, "active": "y"}).status_code == 302
    account = db.session.scalars(select(User).where(User.username == "wang.clerk")).one()
    edit = {**form, "role": "handler", "department": str(dept("SA").id), "new_password": "second-pass-2"}
    assert (
        client.post(f"/admin/user/edit/?id={account.id}", data=edit).status_code == 302
    )  # 'active' unticked

    created, changed, reset = rows(db, "user")
    assert (created.action, created.actor_id, created.after["role"]) == ("create", admin.id, "clerk")
    assert changed.action == "update" and changed.entity_key == str(account.id)
    assert changed.before == {"role": "clerk", "department": None, "active": True}
    assert changed.after == {"role": "handler", "department": dept("SA").name, "active": False}
    assert reset.action == "password_reset" and reset.before is None and reset.after is None
    written = everything_written(db)
    assert "first-pass-1" not in written and "second-pass-2" not in written
    assert db.session.get(User, account.id).password_hash not in written


def test_an_unlock_is_audited(client, login_as, db):
    login_as("admin")
    locked = make_user("clerk")
    db.session.commit()
    client.post("/admin/user/action/", data={"action": "unlock", "rowid": [locked.id]})
    [row] = rows(db, "user", "unlock")
    assert row.entity_key == str(locked.id)


# --- full ID numbers -------------------------------------------------------------------------------------
def test_the_full_id_number_is_shown_on_request_and_each_showing_is_audited(client, login_as, db):
    case = make_case(Status.REGISTERED)
    clerk = login_as("clerk")
    page = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert FULL_ID not in page and "440***********1234" in page and 'id="reveal-id-no"' in page
    assert rows(db, "case", "reveal") == []
    for _ in range(2):
        shown = client.post("/admin/case/reveal/", data={"id": case.id}).get_data(as_text=True)
        assert FULL_ID in shown and 'id="reveal-id-no"' not in shown
    reveals = rows(db, "case", "reveal")
    assert [(r.entity_key, r.actor_id, r.after) for r in reveals] == [
        (str(case.id), clerk.id, {"where": "page"})
    ] * 2
    # the edit form shows the number in full: that is a showing too
    client.get(f"/admin/case/edit/?id={case.id}")
    assert rows(db, "case", "reveal")[-1].after == {"where": "edit"}


def test_a_role_that_sees_id_numbers_masked_cannot_ask_for_them(client, login_as, db):
    case = make_case(Status.IN_PROGRESS, lead="SA")
    login_as("handler", "SA")
    page = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert 'id="reveal-id-no"' not in page
    response = client.post("/admin/case/reveal/", data={"id": case.id})
    assert response.status_code == 403 and FULL_ID not in response.get_data(as_text=True)
    assert rows(db, "case", "reveal") == []


# --- exports ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role, code, personal",
    [
        ("clerk", None, ["群众姓名", "联系电话", "身份证号", "地址"]),
        ("leader", None, ["群众姓名", "地址"]),  # phone and ID number exported masked
    ],
)
def test_every_export_is_audited_with_its_filters_row_count_and_personal_columns(
    client, login_as, db, role, code, personal
):
    for _ in range(2):
        make_case(Status.REGISTERED)
    make_case(Status.NEW)
    actor = login_as(role, code)
    response = client.get("/admin/case/export/xlsx/?flt0_status_equals=registered&search=占道")
    assert response.status_code == 200
    [row] = rows(db, "export")
    assert (row.action, row.entity_key, row.actor_id) == ("export", "case", actor.id)
    assert row.after["rows"] == 2 and row.after["view"] == "诉求"
    assert row.after["filters"] == ["状态 等于 待派单", "搜索：占道"]
    assert row.after["personal"] == personal


# --- 督办 ---------------------------------------------------------------------------------------------------
def test_a_supervision_order_is_audited_besides_the_timeline(db):
    case = make_case(Status.IN_PROGRESS, lead="SA")
    supervisor = make_user("supervisor")
    lifecycle.perform(
        case, "supervise", supervisor, content="三日内反馈整改情况", departments=[dept("SA").id]
    )
    db.session.commit()
    [row] = rows(db, "case", "supervise")
    assert row.entity_key == str(case.id) and row.actor_id == supervisor.id
    assert row.after["content"] == "三日内反馈整改情况" and row.after["departments"] == dept("SA").name
    assert any(e.action == "supervise" for e in db.session.get(Case, case.id).events)


# --- API key use -----------------------------------------------------------------------------------------
def _key(db) -> ApiKey:
    key = ApiKey(
        name="12345 平台", system="市热线平台", channel="api", active=True, prefix="0" * 8, key_hash="x"
    )
    db.session.add(key)
    db.session.commit()
    return key


def use_at_once(app, key_id: int, now, times: int = 2) -> None:
    """``times`` uses of the key counted at the same moment, each in its own request's session."""
    start = threading.Barrier(times)

    def use():
        with app.app_context():
            start.wait()
            audit.count_use("api_key", key_id, now=now)
            _db.session.commit()

    threads = [threading.Thread(target=use) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_api_key_use_is_one_counted_row_per_hour_even_for_parallel_requests(app, db):
    key_id, now = _key(db).id, utcnow()
    use_at_once(app, key_id, now)
    [row] = rows(db, "api_key", "use")
    assert (row.entity_key, row.hits, row.bucket) == (str(key_id), 2, now.strftime("%Y-%m-%d %H"))
    audit.count_use("api_key", key_id, now=now.replace(hour=(now.hour + 1) % 24))
    db.session.commit()
    assert sorted(r.hits for r in rows(db, "api_key", "use")) == [1, 2]


def test_a_request_with_a_key_counts_into_its_hour(client, db):
    key = _key(db)
    plaintext = issue_key(key)
    db.session.commit()
    refcache.bump()
    db.session.commit()
    for _ in range(2):
        client.post("/open311/v2/requests.json", data={"api_key": plaintext, "service_code": "none"})
    [row] = rows(db, "api_key", "use")
    assert row.hits == 2 and row.entity_key == str(key.id)


def test_parallel_uses_count_into_one_row_on_postgres(pg_app):
    key_id, now = _key(_db).id, utcnow()
    use_at_once(pg_app, key_id, now, times=4)
    [row] = rows(_db, "api_key", "use")
    assert row.hits == 4
