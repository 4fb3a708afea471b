"""Login, lock-out after repeated failures, inactive accounts, and safe ``next`` redirects."""

import pytest
from limits import parse

from app.auth.passwords import check_password
from app.timeutil import utcnow
from tests.support.factories import PASSWORD
from tests.support.factories import user


def login(client, username="clerk", password=PASSWORD, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": username, "password": password})


def test_login_and_logout(client, db):
    response = login(client)
    assert response.status_code == 302 and response.location.endswith("/admin/")
    assert client.get("/admin/case/").status_code == 200
    assert user("clerk").last_login_at is not None
    assert client.post("/logout").status_code == 302
    assert client.get("/admin/case/").status_code == 302


def test_wrong_password_is_a_generic_message(client):
    response = login(client, password="nope-nope")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)
    unknown = login(client, username="nobody")
    assert unknown.status_code == 401 and "用户名或密码错误" in unknown.get_data(as_text=True)


def account_limit(app) -> int:
    return parse(app.config["LOGIN_LIMIT_PER_ACCOUNT"]).amount


def test_lockout_after_repeated_failures(client, app, db):
    for _ in range(account_limit(app)):
        assert login(client, password="wrong-password").status_code == 401
    locked = login(client)  # the right password is not even checked now
    assert locked.status_code == 429 and 60 <= int(locked.headers["Retry-After"]) <= 15 * 60
    assert "登录尝试过多" in locked.get_data(as_text=True)
    clerk = user("clerk")
    assert clerk.failed_logins == account_limit(app)
    assert clerk.locked_until is not None and clerk.locked_until > utcnow()


def test_a_right_password_gives_its_place_back(client, app, db):
    for _ in range(account_limit(app) - 1):
        assert login(client, password="wrong-password").status_code == 401
    assert login(client).status_code == 302  # the last place: the right password is checked and works
    client.post("/logout")
    assert login(client).status_code == 302  # ... and gave its place back
    clerk = user("clerk")
    assert clerk.failed_logins == 0 and clerk.locked_until is None


def test_admin_can_unlock(client, app, db, login_as):
    for _ in range(account_limit(app)):
        login(client, username="supervisor", password="wrong-password")
    assert login(client, username="supervisor").status_code == 429
    login_as("admin")
    target = user("supervisor")
    assert target.locked_until is not None
    client.post("/admin/user/action/", data={"action": "unlock", "rowid": [target.id]})
    db.session.refresh(target)
    assert target.locked_until is None and target.failed_logins == 0
    client.post("/logout")
    assert login(client, username="supervisor").status_code == 302


def test_inactive_user_cannot_log_in_and_is_logged_out(client, db):
    assert login(client).status_code == 302
    clerk = user("clerk")
    clerk.active = False
    db.session.commit()
    assert client.get("/admin/case/").status_code == 302  # session no longer valid
    assert login(client).status_code == 401


@pytest.mark.parametrize(
    "next_url, expected",
    [
        ("/admin/case/?flt0_status_equals=new", "/admin/case/?flt0_status_equals=new"),
        ("https://evil.example/phish", "/admin/"),
        ("//evil.example/phish", "/admin/"),
        ("/\\evil.example", "/admin/"),
        ("javascript:alert(1)", "/admin/"),
        ("http://localhost/admin/user/", "/admin/user/"),
    ],
)
def test_next_redirect_stays_on_site(client, next_url, expected):
    response = login(client, next_url=next_url)
    assert response.status_code == 302
    assert response.location == expected


def test_password_is_hashed_with_argon2(db):
    clerk = user("clerk")
    assert clerk.password_hash.startswith("$argon2id$") and PASSWORD not in clerk.password_hash
    assert check_password(clerk, PASSWORD) and not check_password(clerk, PASSWORD + "x")


def test_create_user_command(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["create-user", "wang", "--role", "handler", "--department", "SA", "--password", "longenough1"]
    )
    assert result.exit_code == 0, result.output
    created = (
        user("wang") if False else db.session.query(type(user("clerk"))).filter_by(username="wang").one()
    )
    assert (
        created.role == "handler"
        and created.department.code == "SA"
        and check_password(created, "longenough1")
    )
    bad = runner.invoke(args=["create-user", "li", "--role", "handler", "--password", "longenough1"])
    assert bad.exit_code != 0 and "department" in bad.output
    prompted = runner.invoke(
        args=["create-user", "zhao", "--role", "clerk"], input="secret-pass-1\nsecret-pass-1\n"
    )
    assert prompted.exit_code == 0, prompted.output
