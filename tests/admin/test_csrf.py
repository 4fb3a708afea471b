"""CSRF: every state-changing POST needs the token; with it, the same POST works."""

import re

import pytest

from models.enums import Status
from tests.support.factories import PASSWORD
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.web import logged_in


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_login_without_token_is_refused(client):
    response = client.post("/login", data={"username": "clerk", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/admin/case/").status_code == 302


@pytest.mark.parametrize(
    "url, data",
    [
        ("/admin/case/new/", {"channel": "hotline", "request_type": "consult", "title": "t", "content": "c"}),
        ("/admin/case/transition/dispatch/", {"dispatch-id": "{id}", "dispatch-lead_department": "{sa}"}),
        ("/admin/case/action/", {"action": "supervise", "rowid": "{id}"}),
        ("/logout", {}),
    ],
)
def test_posts_without_token_are_refused(client, db, url, data):
    case = make_case(Status.REGISTERED)
    logged_in(client, "supervisor")
    data = {k: v.format(id=case.id, sa=dept("SA").id) for k, v in data.items()}
    response = client.post(url, data=data)
    assert response.status_code == 400
    db.session.expire_all()
    assert case.status == Status.REGISTERED and not case.is_supervised
    assert client.get("/admin/case/").status_code == 200  # still logged in: logout was refused too


def test_transition_with_token_works(client, db):
    case = make_case(Status.REGISTERED)
    token = logged_in(client)
    response = client.post(
        "/admin/case/transition/dispatch/",
        data={
            "csrf_token": token,
            "dispatch-id": case.id,
            "dispatch-version": case.version,
            "dispatch-lead_department": dept("SA").id,
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert case.status == Status.DISPATCHED


def test_case_page_forms_carry_tokens(client, db):
    case = make_case(Status.REGISTERED)
    logged_in(client)
    html = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    forms = re.findall(r'<form method="post".*?</form>', html, re.S)
    assert forms and all("csrf_token" in form for form in forms)


def test_roster_import_posts_need_the_token(client, db, app, tmp_path):
    import io

    from models.volunteer import Volunteer

    app.config["ROSTER_IMPORT_FOLDER"] = str(tmp_path / "roster_imports")
    token = logged_in(client)
    roster = "姓名,手机号,群体,社区\n新平安员,13800000001,网格员,甲一社区\n".encode()

    def upload(**extra):
        data = {"file": (io.BytesIO(roster), "roster.csv"), **extra}
        return client.post("/admin/volunteer/import/", data=data, content_type="multipart/form-data")

    assert upload().status_code == 400
    response = upload(csrf_token=token)
    assert response.status_code == 302
    preview = client.get(response.location).get_data(as_text=True)
    assert 'id="confirm-form"' in preview and "csrf_token" in preview
    fingerprint = re.search(r'name="fingerprint"[^>]*value="([0-9a-f]+)"', preview).group(1)
    confirm = response.location + "confirm/"
    assert client.post(confirm, data={"fingerprint": fingerprint}).status_code == 400
    assert db.session.query(Volunteer).filter_by(name="新平安员").count() == 0
    assert client.post(confirm, data={"fingerprint": fingerprint, "csrf_token": token}).status_code == 302
    assert db.session.query(Volunteer).filter_by(name="新平安员").count() == 1
