"""The case desk through the panel: intake form, lifecycle buttons, concurrent edits, personal data per role."""

import io

import openpyxl
import pytest

from app.auth.pii import mask
from models.case import Case
from models.enums import Status
from tests.support.factories import dept
from tests.support.factories import make_case

INTAKE = {
    "channel": "hotline",
    "request_type": "complaint",
    "title": "工地夜间施工噪音扰民",
    "content": "凌晨两点仍在打桩，附近居民无法休息。",
    "citizen_name": "李四",
    "citizen_phone": "139 0013 9000",
    "grade": "yellow",
    "grade_reason": "涉及多户居民",
}


def test_clerk_registers_hotline_case(client, login_as, db):
    clerk = login_as("clerk")
    response = client.post(
        "/admin/case/new/", data={**INTAKE, "street": dept("SA").id, "community": dept("CA").id}
    )
    assert response.status_code == 302
    case = db.session.query(Case).filter_by(title=INTAKE["title"]).one()
    assert case.status == Status.REGISTERED and case.registered_at is not None
    assert case.citizen_phone == "13900139000"  # normalised
    assert case.created_by_id == clerk.id and case.number.startswith("SQ")
    assert [e.action for e in case.events] == ["receive", "register"]


@pytest.mark.parametrize(
    "change, field_error",
    [
        ({"citizen_phone": "12345"}, "11 位手机号码"),
        ({"citizen_id_no": "440306199001011235"}, "身份证号码"),
        ({"title": ""}, "必填"),
        ({"channel": "api"}, "不是有效的选择"),
        ({"street": "SB", "community": "CA"}, "不属于所选街道"),
    ],
)
def test_bad_intake_is_refused_and_kept(client, login_as, db, change, field_error):
    login_as("clerk")
    data = {**INTAKE, **change}
    for key in ("street", "community"):
        if key in data:
            data[key] = dept(data[key]).id
    response = client.post("/admin/case/new/", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert field_error in body
    assert INTAKE["content"] in body  # the clerk's text is still in the form
    assert db.session.query(Case).filter_by(title=INTAKE["title"]).count() == 0


def test_status_and_step_times_are_not_in_the_form(client, login_as, db):
    login_as("clerk")
    case = make_case(Status.REGISTERED)
    html = client.get(f"/admin/case/edit/?id={case.id}").get_data(as_text=True)
    for field in ("status", "received_at", "dispatched_at", "closed_at", "lead_department", "number"):
        assert f'name="{field}"' not in html
    # posting them anyway changes nothing
    client.post(
        f"/admin/case/edit/?id={case.id}",
        data={**INTAKE, "row_version": case.version, "status": "closed", "closed_at": "2026-01-01 00:00:00"},
    )
    db.session.expire_all()
    assert case.status == Status.REGISTERED and case.closed_at is None


def test_lifecycle_buttons_end_to_end(client, login_as, db):
    case = make_case(Status.REGISTERED)
    login_as("clerk")
    page = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert 'id="open-dispatch"' in page and 'id="open-sign"' not in page
    response = client.post(
        "/admin/case/transition/dispatch/",
        data={
            "dispatch-id": case.id,
            "dispatch-version": case.version,
            "dispatch-lead_department": dept("SA").id,
        },
    )
    assert response.status_code == 302
    login_as("handler", "SA")
    page = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert 'id="open-sign"' in page and 'id="open-dispatch"' not in page
    db.session.expire_all()
    client.post("/admin/case/transition/sign/", data={"sign-id": case.id, "sign-version": case.version})
    db.session.expire_all()
    client.post(
        "/admin/case/transition/reply/",
        data={
            "reply-id": case.id,
            "reply-version": case.version,
            "reply-outcome": "explained",
            "reply-text": "已说明",
        },
    )
    db.session.expire_all()
    assert case.status == Status.REPLIED
    page = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    for action in ("receive", "register", "dispatch", "sign", "reply"):
        assert f'data-action="{action}"' in page


def test_refused_transition_keeps_input_and_changes_nothing(client, login_as, db):
    case = make_case(Status.IN_PROGRESS)
    login_as("handler", "SA")
    response = client.post(
        "/admin/case/transition/reply/",
        data={
            "reply-id": case.id,
            "reply-version": case.version,
            "reply-outcome": "",
            "reply-text": "我写了很长的答复",
        },
    )
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "我写了很长的答复" in body and "请选择答复结果" in body
    db.session.expire_all()
    assert case.status == Status.IN_PROGRESS and case.reply_text is None


def test_concurrent_edit_is_refused_not_overwritten(client, login_as, db):
    case = make_case(Status.REGISTERED)
    login_as("clerk")
    seen_version = case.version
    form = {**INTAKE, "row_version": seen_version}
    first = client.post(f"/admin/case/edit/?id={case.id}", data={**form, "title": "第一位受理员的标题"})
    assert first.status_code == 302
    second = client.post(f"/admin/case/edit/?id={case.id}", data={**form, "title": "第二位受理员的标题"})
    assert second.status_code == 200
    assert "该诉求已被他人修改" in second.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).title == "第一位受理员的标题"


def test_stale_transition_is_refused(client, login_as, db):
    case = make_case(Status.REGISTERED)
    stale = case.version
    login_as("clerk")
    client.post(f"/admin/case/edit/?id={case.id}", data={**INTAKE, "row_version": stale})
    response = client.post(
        "/admin/case/transition/dispatch/",
        data={"dispatch-id": case.id, "dispatch-version": stale, "dispatch-lead_department": dept("SA").id},
    )
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == Status.REGISTERED


@pytest.mark.parametrize(
    "role, code, phone_shown, id_shown",
    [
        ("clerk", None, "13800138000", "440306199001011234"),
        ("handler", "SA", "13800138000", "440***********1234"),
        ("leader", None, "138****8000", "440***********1234"),
    ],
)
def test_personal_data_per_role(client, login_as, role, code, phone_shown, id_shown):
    case = make_case(Status.IN_PROGRESS, lead="SA")
    login_as(role, code)
    html = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert (
        phone_shown in html and mask(id_shown) in html
    )  # in full only on request (audited): test_audit_trail
    if phone_shown != "13800138000":
        assert "13800138000" not in html
    if id_shown != "440306199001011234":
        assert "440306199001011234" not in html
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/admin/case/export/xlsx/").data)).active
    cells = {str(c.value) for row in sheet.iter_rows() for c in row}
    assert phone_shown in cells and id_shown in cells
    assert case.tracking_code not in cells


def test_export_neutralises_formulas_and_names_file_in_ascii(client, login_as):
    make_case(title='=HYPERLINK("http://evil")')
    login_as("clerk")
    response = client.get("/admin/case/export/xlsx/")
    assert "suqiu_case_" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert any(v.startswith("'=HYPERLINK") for v in cells)
    assert not any(v.startswith("=") for v in cells)


def test_list_filters_and_search(client, login_as):
    red = make_case(grade="red", title="红色案件")
    make_case(grade="green", title="绿色案件")
    login_as("clerk")
    html = client.get("/admin/case/?flt0_grade_equals=red").get_data(as_text=True)
    assert "红色案件" in html and "绿色案件" not in html
    html = client.get(f"/admin/case/?search={red.number}").get_data(as_text=True)
    assert "红色案件" in html and "绿色案件" not in html
    html = client.get("/admin/case/?search=绿色").get_data(as_text=True)
    assert "绿色案件" in html and "红色案件" not in html


def test_list_count_is_capped(client, login_as, app):
    for _ in range(3):
        make_case()
    app.config["LIST_COUNT_CAP"] = 2
    login_as("clerk")
    assert "(2+)" in client.get("/admin/case/").get_data(as_text=True)
    app.config["LIST_COUNT_CAP"] = 10000
    assert "(3)" in client.get("/admin/case/").get_data(as_text=True)


def test_a_searched_list_counts_to_the_search_cap(client, login_as, app):
    for _ in range(4):
        make_case(title="小区门口占道经营")
    make_case(title="路灯不亮")
    app.config["SEARCH_COUNT_CAP"] = 3
    login_as("clerk")
    assert "(3+)" in client.get("/admin/case/?search=占道").get_data(as_text=True)
    assert "(1)" in client.get("/admin/case/?search=路灯").get_data(as_text=True)
    assert "(5)" in client.get("/admin/case/").get_data(as_text=True)  # no search: the list's own cap


def test_supervise_action_issues_one_order_per_case(client, login_as, db):
    led = make_case(Status.IN_PROGRESS, lead="SA")
    unled = make_case()
    login_as("supervisor")
    response = client.post("/admin/case/action/", data={"action": "supervise", "rowid": [led.id, unled.id]})
    assert response.status_code == 302 and "/admin/supervise_many/" in response.location
    form = client.get(response.location)
    assert led.number in form.get_data(as_text=True)
    refused = client.post(
        response.location, data={"ids": f"{led.id},{unled.id}", "content": " ", "level": "key"}
    )
    assert refused.status_code == 409 and "请填写督办要求" in refused.get_data(as_text=True)
    done = client.post(response.location, data={"ids": f"{led.id},{unled.id}", "content": "请加快办理", "level": "key"},
                       follow_redirects=True)  # fmt: skip
    page = done.get_data(as_text=True)
    assert "已下发 1 份督办单" in page and f"{unled.number} 未下发" in page
    db.session.expire_all()
    assert led.is_supervised and led.events[-1].action == "supervise" and led.orders[0].level == "key"
    assert not unled.orders
    login_as("clerk")
    assert (
        client.post("/admin/case/action/", data={"action": "supervise", "rowid": [led.id]}).status_code == 403
    )
    assert client.get(f"/admin/supervise_many/?ids={led.id}").status_code == 403


def test_dashboard_counts_queues(client, login_as):
    make_case(Status.DISPATCHED, lead="SA")
    make_case(Status.DISPATCHED, lead="SB")
    login_as("handler", "SA")
    html = client.get("/admin/").get_data(as_text=True)
    assert 'data-status="dispatched"' in html
    tile = html.split('data-status="dispatched"')[1]
    assert '<div class="queue-count">1</div>' in tile.split("</a>")[0]


# --- what an edit may change (regression: a clerk cleared the 督办 flag and edited a closed case, unrecorded)


def edit_form_of(client, case) -> dict:
    """The edit form's fields as the page fills them (what a browser would send back unchanged)."""
    from tests.support.factories import parse_page

    response = client.get(f"/admin/case/edit/?id={case.id}")
    assert response.status_code == 200
    page = parse_page(response.get_data(as_text=True))
    return {name: value for name, value in page.values.items() if name != "csrf_token"}


def test_a_clerk_cannot_clear_the_supervised_flag(client, login_as, db):
    case = make_case(Status.IN_PROGRESS, is_supervised=True, citizen_id_no=None)
    login_as("clerk")
    form = edit_form_of(client, case)
    assert "is_supervised" not in form  # not in a clerk's form
    response = client.post(f"/admin/case/edit/?id={case.id}", data={**form, "is_supervised": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, case.id).is_supervised is True


def test_a_supervisor_may_set_the_flag_and_the_edit_is_on_the_timeline(client, login_as, db):
    case = make_case(Status.IN_PROGRESS, citizen_id_no=None)
    login_as("supervisor")
    form = edit_form_of(client, case)
    assert (
        client.post(f"/admin/case/edit/?id={case.id}", data={**form, "is_supervised": "y"}).status_code == 302
    )
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.is_supervised
    [edit] = [e for e in case.events if e.action == "edit"]
    assert edit.data["fields"] == ["is_supervised"] and edit.actor.role == "supervisor"
    html = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert "修改登记信息" in html


def test_every_edit_is_recorded_and_an_unchanged_save_records_nothing(client, login_as, db):
    case = make_case(Status.REGISTERED, citizen_id_no=None)
    login_as("clerk")
    form = edit_form_of(client, case)
    assert client.post(f"/admin/case/edit/?id={case.id}", data=form).status_code == 302
    db.session.expire_all()
    assert not [e for e in db.session.get(Case, case.id).events if e.action == "edit"]
    form = edit_form_of(client, case)
    response = client.post(
        f"/admin/case/edit/?id={case.id}", data={**form, "title": "新的标题", "grade": "red"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    [edit] = [e for e in db.session.get(Case, case.id).events if e.action == "edit"]
    assert edit.data["fields"] == ["grade", "title"]


@pytest.mark.parametrize("status", [Status.CLOSED, Status.REJECTED])
def test_a_finished_case_is_read_only_in_the_form(client, login_as, db, status):
    case = make_case(status)
    title, version = case.title, case.version
    login_as("clerk")
    response = client.get(f"/admin/case/edit/?id={case.id}")
    assert response.status_code == 302 and f"details/?id={case.id}" in response.location
    response = client.post(
        f"/admin/case/edit/?id={case.id}", data={**INTAKE, "title": "改掉", "row_version": version}
    )
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.title == title and case.version == version
    assert "已办结的诉求不能修改" in client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
