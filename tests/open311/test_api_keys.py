"""API keys: issued once, stored as a hash, verified in constant time; the admin view for administrators."""

import hashlib
import re

import pytest
from sqlalchemy import select

from app.auth.api_keys import issue_key
from app.auth.api_keys import verify
from models.case import Case
from models.intake_control import ApiKey
from models.org import Mailbox

KEY_RE = re.compile(r"sq_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")
VALID_POST = {
    "service_code": "CSGL-ZDJY",
    "description": "路灯不亮",
    "address_string": "幸福路",
    "attribute[request_type]": "help",
}


def new_key(db, **fields) -> tuple[ApiKey, str]:
    row = ApiKey(name=fields.pop("name", "市平台"), system=fields.pop("system", "city"), **fields)
    db.session.add(row)
    plaintext = issue_key(row)
    db.session.commit()
    return row, plaintext


def test_issue_stores_only_prefix_and_hash(db):
    row, plaintext = new_key(db)
    assert KEY_RE.fullmatch(plaintext) and plaintext.split("_")[1] == row.prefix
    assert row.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    secret = plaintext.split("_", 2)[2]
    stored = [str(getattr(row, c.key)) for c in ApiKey.__table__.columns]
    assert not any(secret in value or plaintext in value for value in stored)


def test_verify(db):
    row, plaintext = new_key(db)
    other, other_plain = new_key(db, name="另一系统")
    assert verify(plaintext) is row and verify(other_plain) is other
    tampered = plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")
    for wrong in (
        tampered,
        "",
        None,
        "sq_" + row.prefix,
        plaintext + "x",
        plaintext.upper(),
        " " + plaintext,
    ):
        assert verify(wrong) is None, wrong
    row.active = False
    db.session.commit()
    assert verify(plaintext) is None and verify(other_plain) is other


def test_reissue_replaces_the_old_key(db):
    row, old = new_key(db)
    new = issue_key(row)
    db.session.commit()
    assert verify(old) is None and verify(new) is row


def test_admin_sees_the_view_others_are_refused(client, db, login_as):
    new_key(db, name="城市平台接口")
    login_as("admin")
    page = client.get("/admin/api_key/")
    assert page.status_code == 200 and "城市平台接口" in page.get_data(as_text=True)
    for role, dept in (("handler", "SA"), ("clerk", None), ("supervisor", None), ("leader", None)):
        login_as(role, dept)
        assert client.get("/admin/api_key/").status_code == 403
        assert client.post("/admin/api_key/new/", data={"name": "x", "system": "y"}).status_code == 403
    assert db.session.scalar(select(ApiKey).where(ApiKey.name == "x")) is None


def test_created_key_is_shown_once_and_works(client, db, login_as):
    login_as("admin")
    mailbox = db.session.query(Mailbox).one()
    data = {
        "name": "12345 热线",
        "system": "hotline-12345",
        "mailbox": mailbox.id,
        "channel": "api",
        "active": "y",
    }
    page = client.post("/admin/api_key/new/", data=data)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    keys = KEY_RE.findall(html)
    assert len(set(keys)) == 1
    plaintext = keys[0]
    row = db.session.scalars(select(ApiKey)).one()
    assert row.key_hash == hashlib.sha256(plaintext.encode()).hexdigest() and row.mailbox_id == mailbox.id
    for url in (
        "/admin/api_key/",
        f"/admin/api_key/details/?id={row.id}",
        f"/admin/api_key/edit/?id={row.id}",
    ):
        html = client.get(url).get_data(as_text=True)
        assert plaintext not in html and row.key_hash not in html
        assert "edit" in url or "sq_" + row.prefix in html  # list and details show the prefix
    response = client.post("/open311/v2/requests.json", data={"api_key": plaintext, **VALID_POST})
    assert response.status_code == 201
    case = db.session.scalars(select(Case)).one()
    assert case.channel == "api" and case.mailbox_id == mailbox.id


def test_invalid_form_issues_no_key(client, db, login_as):
    login_as("admin")
    page = client.post("/admin/api_key/new/", data={"name": "", "system": "x", "channel": "api"})
    assert page.status_code == 200 and not KEY_RE.search(page.get_data(as_text=True))
    assert db.session.scalars(select(ApiKey)).all() == []


def test_edit_keeps_the_key(client, db, login_as):
    row, plaintext = new_key(db)
    login_as("admin")
    response = client.post(
        f"/admin/api_key/edit/?id={row.id}", data={"name": "改名", "system": "city", "channel": "api"}
    )
    assert response.status_code == 302
    db.session.refresh(row)
    assert row.name == "改名" and not row.active and verify(plaintext) is None  # switched off, same key
    row.active = True
    db.session.commit()
    assert verify(plaintext) is row


@pytest.mark.parametrize("role", ["admin", "clerk"])
def test_rotate_action(client, db, login_as, role):
    row, old = new_key(db)
    login_as(role)
    response = client.post("/admin/api_key/action/", data={"action": "rotate", "rowid": [row.id]})
    if role != "admin":
        assert response.status_code == 403 and verify(old) is row
        return
    keys = KEY_RE.findall(response.get_data(as_text=True))
    assert response.status_code == 200 and len(set(keys)) == 1
    db.session.expire_all()
    assert verify(old) is None and verify(keys[0]).id == row.id
