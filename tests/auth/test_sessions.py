"""Sessions end when they should: a copied session cookie stops working after logout, a password reset,
a role or department change and deactivation (regression: a copied cookie kept working after all of them)."""

import pytest

from app.auth.passwords import set_password
from models.enums import Role
from models.org import Department
from tests.support.factories import PASSWORD
from tests.support.factories import user


def logged_in_pair(app, username="clerk"):
    """A client logged in as ``username`` and a second one holding a copy of its session cookie."""
    first, second = app.test_client(), app.test_client()
    assert first.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    second.set_cookie("session", first.get_cookie("session").value)
    assert second.get("/admin/case/").status_code == 200  # the copy works, to begin with
    return first, second


def test_logout_ends_every_session_of_the_account(app, db):
    first, copy = logged_in_pair(app)
    other_device = app.test_client()
    assert other_device.post("/login", data={"username": "clerk", "password": PASSWORD}).status_code == 302
    assert first.post("/logout").status_code == 302
    assert copy.get("/admin/case/").status_code == 302
    assert other_device.get("/admin/case/").status_code == 302
    # logging in again works and starts a session that is current
    again = app.test_client()
    assert again.post("/login", data={"username": "clerk", "password": PASSWORD}).status_code == 302
    assert again.get("/admin/case/").status_code == 200


def change_password(account):
    set_password(account, PASSWORD + "-new")


def change_role(account):
    account.role = Role.SUPERVISOR


def change_department(account):
    account.department = Department.query.filter(Department.id != account.department_id).first()


def deactivate(account):
    account.active = False


@pytest.mark.parametrize("change", [change_password, change_role, change_department, deactivate])
def test_an_account_change_ends_its_sessions(app, db, change):
    _first, copy = logged_in_pair(app)
    account = user("clerk")
    change(account)
    db.session.commit()
    assert copy.get("/admin/case/").status_code == 302


def test_other_edits_keep_the_sessions(app, db):
    _first, copy = logged_in_pair(app)
    account = user("clerk")
    account.phone = "13800138000"
    account.display_name = "新名字"
    db.session.commit()
    assert copy.get("/admin/case/").status_code == 200


def test_a_password_reset_through_the_admin_page_ends_the_sessions(app, client, db, login_as):
    _first, copy = logged_in_pair(app)
    login_as("admin")
    target = user("clerk")
    form = {
        "username": target.username,
        "display_name": target.display_name,
        "role": target.role,
        "department": target.department_id or "",
        "active": "y",
        "new_password": "another-password-9",
    }
    response = client.post(f"/admin/user/edit/?id={target.id}", data=form)
    assert response.status_code == 302
    assert copy.get("/admin/case/").status_code == 302
    fresh = app.test_client()
    login = {"username": "clerk", "password": "another-password-9"}
    assert fresh.post("/login", data=login).status_code == 302


def test_a_session_from_before_versions_is_not_accepted(app, db):
    """A cookie holding a bare user id (as sessions did before) is treated as logged out."""
    client, _copy = logged_in_pair(app)
    with client.session_transaction() as session:
        session["_user_id"] = str(user("clerk").id)
    assert client.get("/admin/case/").status_code == 302
