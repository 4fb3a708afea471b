"""The clerk's desk in the panel: the caller-history look-up and box, staying on the case page after saving,
and 改派 / 撤回 from the case page."""

import re

import pytest

from models.case import Case
from models.enums import Status
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.factories import parse_page
from tests.support.web import logged_in
from tests.support.web import token_from

PHONE = "13912345678"
ID_NO = "44030619900101123X"
LOOKUP = "/admin/caller_history/"
INTAKE = {
    "channel": "hotline",
    "request_type": "complaint",
    "title": "楼道堆放杂物",
    "content": "三楼楼道长期堆放杂物，存在消防隐患。",
    "citizen_name": "王五",
    "citizen_phone": PHONE,
    "grade": "green",
}


@pytest.fixture
def earlier(db):
    """Two earlier cases of the caller (one still open) and one of somebody else."""
    return {
        "open": make_case(Status.DISPATCHED, citizen_phone=PHONE, citizen_id_no=None, title="噪音扰民"),
        "closed": make_case(Status.CLOSED, citizen_phone="13700001111", citizen_id_no=ID_NO),
        "other": make_case(Status.DISPATCHED, citizen_phone="13600002222", citizen_id_no=None),
    }


def lookup(client, **numbers):
    return client.post(LOOKUP, data=numbers)


def test_the_look_up_lists_the_caller_s_cases_with_the_warning(client, login_as, earlier):
    login_as("clerk")
    response = lookup(client, phone="139 1234 5678", id_no=ID_NO)
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    assert (body["total"], body["recent"]) == (2, 2)
    html = body["html"]
    assert earlier["open"].number in html and earlier["closed"].number in html
    assert earlier["other"].number not in html
    assert "该来电人近 30 天内已有 2 件诉求，其中 1 件未办结" in html
    assert f'href="/admin/case/details/?id={earlier["open"].id}"' in html
    # nothing the clerk did not type: no phone or ID number of any case comes back
    assert PHONE not in html and ID_NO not in html and "13700001111" not in html


def test_the_look_up_says_when_there_is_no_history(client, login_as, earlier):
    login_as("clerk")
    body = lookup(client, phone="13500000000").get_json()
    assert (
        body["total"] == 0 and "该来电人无历史诉求" in body["html"] and "repeat-warning" not in body["html"]
    )
    assert lookup(client, phone="1350").get_json()["html"].strip() == ""  # not a whole number yet


@pytest.mark.parametrize("role, code", [("leader", None), ("handler", "SA")])
def test_other_roles_may_not_look_up(client, login_as, earlier, role, code):
    login_as(role, code)
    assert lookup(client, phone=PHONE).status_code == 403


def test_the_look_up_needs_a_login_and_a_post(client, login_as, earlier):
    response = lookup(client, phone=PHONE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_as("clerk")
    assert client.get(LOOKUP, query_string={"phone": PHONE}).status_code == 405  # numbers stay out of URLs


@pytest.mark.parametrize("app_config", [{"CALLER_HISTORY_LIMIT": "3/minute"}])
def test_look_ups_are_limited_per_user(client, login_as, earlier):
    login_as("clerk")
    assert [lookup(client, phone=PHONE).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert "稍候" in lookup(client, phone=PHONE).get_json()["error"]


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_the_look_up_needs_the_form_s_csrf_token(client, earlier):
    logged_in(client)
    assert lookup(client, phone=PHONE).status_code == 400
    page = client.get("/admin/case/new/").get_data(as_text=True)
    response = client.post(LOOKUP, data={"phone": PHONE}, headers={"X-CSRFToken": token_from(page)})
    assert response.status_code == 200 and earlier["open"].number in response.get_json()["html"]


def test_the_intake_form_loads_the_look_up_script(client, login_as, db):
    login_as("clerk")
    html = client.get("/admin/case/new/").get_data(as_text=True)
    assert 'id="caller-history-lookup"' in html and f'data-url="{LOOKUP}"' in html
    assert re.search(r'<script src="/static/caller_history\.js[^"]*"></script>', html)
    assert 'id="citizen_phone"' in html and 'id="citizen_id_no"' in html  # what the script listens to


def test_a_new_letter_s_page_shows_the_caller_history(client, login_as, earlier):
    letter = make_case(Status.NEW, citizen_phone=PHONE, citizen_id_no=ID_NO, channel="mailbox")
    login_as("clerk")
    html = client.get(f"/admin/case/details/?id={letter.id}").get_data(as_text=True)
    box = re.search(r'<div class="card mb-3 caller-history.*?</ul>', html, re.S).group(0)
    assert earlier["open"].number in box and earlier["closed"].number in box
    assert earlier["other"].number not in box and letter.number not in box
    assert "该来电人近 30 天内已有 2 件诉求，其中 1 件未办结" in box
    # once dispatched, the box is gone; a handler never sees it
    dispatched = client.get(f"/admin/case/details/?id={earlier['open'].id}").get_data(as_text=True)
    assert 'id="caller-history"' not in dispatched
    login_as("handler", "SA")
    assert 'id="caller-history"' not in client.get(f"/admin/case/details/?id={earlier['open'].id}").get_data(
        as_text=True
    )


def test_after_saving_a_new_case_the_clerk_is_on_its_page(client, login_as, db):
    login_as("clerk")
    response = client.post("/admin/case/new/", data=INTAKE)
    assert response.status_code == 302
    case = db.session.query(Case).filter_by(title=INTAKE["title"]).one()
    assert response.headers["Location"].endswith(f"/admin/case/details/?id={case.id}")


def test_after_saving_an_edit_the_clerk_stays_on_the_case_page(client, login_as, db):
    case = make_case(Status.REGISTERED, citizen_id_no=None)
    login_as("clerk")
    page = parse_page(client.get(f"/admin/case/edit/?id={case.id}&url=/admin/case/").get_data(as_text=True))
    form = {name: value for name, value in page.values.items() if name != "csrf_token"}
    response = client.post(
        f"/admin/case/edit/?id={case.id}&url=/admin/case/", data={**form, "title": "改后标题"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/case/details/?id={case.id}")


def test_re_dispatch_and_recall_from_the_case_page(client, login_as, db):
    case = make_case(Status.DISPATCHED, lead="SA")
    login_as("clerk")
    html = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert 'id="form-reassign"' in html and 'id="form-recall"' in html
    assert "改派理由" in html
    response = client.post(
        "/admin/case/transition/reassign/",
        data={
            "reassign-id": case.id,
            "reassign-version": case.version,
            "reassign-lead_department": dept("SB").id,
            "reassign-reason": "属乙街道辖区",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status == Status.DISPATCHED and case.lead_department.code == "SB"
    assert case.events[-1].action == "reassign"
    response = client.post(
        "/admin/case/transition/recall/",
        data={"recall-id": case.id, "recall-version": case.version, "recall-reason": ""},
    )
    assert response.status_code == 409 and "请填写撤回理由" in response.get_data(as_text=True)
    login_as("handler", "SB")
    html = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert 'id="form-reassign"' not in html and 'id="form-recall"' not in html
