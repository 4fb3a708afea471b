"""The 令 pages: issuing, the order page's steps (with photos), 待报到, 全部令 with filters and its xlsx, the
class settings, the case page's section, and the scoping matrix: another bureau, another street's units and
a sibling community see nothing of an order on any route."""

import io
import re

import openpyxl
import pytest
from sqlalchemy import select

from app.extensions import db
from app.intake import uploads
from app.timeutil import utcnow
from models.audit import ConfigChange
from models.case import Attachment
from models.enums import Status
from models.field_order import FieldOrder
from models.field_order import FieldOrderClass
from models.org import Department
from tests.support.deadlines import T0
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.factories import make_user
from tests.support.factories import png_bytes
from tests.support.field_orders import acknowledge
from tests.support.field_orders import check_in
from tests.support.field_orders import issue_order
from tests.support.field_orders import order_class
from tests.support.field_orders import part
from tests.support.field_orders import report
from tests.support.web import logged_in

FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def org(db):
    """A sibling community of 甲一社区 (甲二社区, CC) and handlers for it and for 乙一社区 (CB)."""
    db.session.add(Department(code="CC", name="甲二社区", kind="community", parent=dept("SA")))
    db.session.flush()
    for code in ("CC", "CB"):
        make_user("handler", code)
    order_class()
    db.session.commit()


def text(response) -> str:
    return response.get_data(as_text=True)


def post_step(client, order, step, target_id, **fields):
    prefix = f"{step}-{target_id}"
    data = {f"{prefix}-{key}": value for key, value in fields.items()}
    return client.post(f"/admin/field_order/{order.id}/{step}/{target_id}/", data=data,
                       content_type="multipart/form-data")  # fmt: skip


def test_a_community_issues_an_order_in_chinese(client, login_as, org):
    case = make_case(Status.IN_PROGRESS, lead="CA", title="东门路口夜间占道经营")
    login_as("handler", "CA")
    menu = text(client.get("/admin/"))
    assert "社区发令" in menu and "我发出的令" in menu and "全部令" not in menu
    form = text(client.get(f"/admin/field_order/new/?case={case.number}"))
    assert "令类别" in form and "紧急" in form and "区城管局" in form and case.number in form
    assert "甲二社区" not in form  # only bureaus are offered
    empty = client.post("/admin/field_order/new/", data={"order_class": order_class().id, "matter": "联合整治",
                                                         "place": "东门路口"})  # fmt: skip
    assert (
        empty.status_code == 409 and "请至少选择一个区职能部门" in text(empty) and "联合整治" in text(empty)
    )
    response = client.post("/admin/field_order/new/", data={
        "order_class": order_class().id, "matter": "联合整治占道经营", "place": "东门路口",
        "bureaus": [dept("BA").id, dept("BB").id], "cases": case.number,
    })  # fmt: skip
    assert response.status_code == 302
    order = db.session.scalars(select(FieldOrder)).one()
    assert [t.department.code for t in order.targets] == ["BA", "BB"] and order.cases == [case]
    page = text(client.get(response.location))
    assert order.number in page and "联合整治占道经营" in page and "30 分钟" in page and "科室负责人" in page
    assert f"/admin/case/details/?id={case.id}" in page and "撤回此令" in page and "待接令" in page
    listed = text(client.get("/admin/field_order/"))
    assert order.number in listed and "0/2" in listed
    section = text(client.get(f"/admin/case/details/?id={case.id}"))
    assert 'id="field-orders"' in section and order.number in section and 'id="issue-field-order"' in section


def test_a_bureau_acknowledges_checks_in_with_photos_and_reports_on_the_page(client, login_as, org):
    order = issue_order(to=("BA",))
    target = part(order, "BA")
    login_as("handler", "BA")
    todo = text(client.get("/admin/field_todo/"))
    assert order.number in todo and "待接令" in todo
    page = text(client.get(f"/admin/field_order/details/?id={order.id}"))
    assert f'id="form-acknowledge-{target.id}"' in page and "撤回" not in page
    assert post_step(client, order, "acknowledge", target.id, version=1).status_code == 302
    stale = post_step(client, order, "acknowledge", target.id, version=1)
    assert stale.status_code == 409 and "不在这一步" in text(stale)

    photo = (io.BytesIO(png_bytes()), "现场.png")
    rows = {"attendees-0-name": "李干事", "attendees-0-level": "staff"}
    response = post_step(client, order, "check_in", target.id, version=2, photos=photo, note="已到场", **rows)
    assert response.status_code == 302
    flashed = text(client.get(response.location))
    assert "未达到" in flashed and 'id="form-add_check_in-' in flashed  # under-staffed: the issuer is told
    stored = db.session.scalars(select(Attachment).where(Attachment.field_target_id == target.id)).one()
    served = client.get(f"/admin/field_order/photo/{stored.id}")
    assert served.status_code == 200 and served.mimetype == "image/png"
    more = {"attendees-0-name": "王科长", "attendees-0-level": "section_chief"}
    assert post_step(client, order, "add_check_in", target.id, version=3, **more).status_code == 302
    bad = post_step(client, order, "report", target.id, version=4, outcome=" ")
    assert bad.status_code == 409 and "请填写办理结果" in text(bad)
    assert (
        post_step(client, order, "report", target.id, version=4, outcome="已清理摊点 6 处").status_code == 302
    )
    assert order.number not in text(client.get("/admin/field_todo/"))

    login_as("handler", "CA")
    refused = post_step(client, order, "rate", target.id, version=5, rating="unsatisfied")
    assert refused.status_code == 409 and "理由" in text(refused)
    assert post_step(client, order, "rate", target.id, version=5, rating="satisfied").status_code == 302
    page = text(client.get(f"/admin/field_order/details/?id={order.id}"))
    assert 'id="order-status">已办结' in page and "王科长" in page and "满意" in page
    db.session.expire_all()
    assert db.session.get(FieldOrder, order.id).status == "closed"


def test_a_bad_photo_is_refused_and_nothing_is_written(client, login_as, org):
    order = issue_order()
    acknowledge(order)
    target = part(order, "BA")
    login_as("handler", "BA")
    fake = (io.BytesIO(b"<html>not a photo</html>"), "x.jpg")
    response = post_step(client, order, "check_in", target.id, version=2, photos=fake,
                         **{"attendees-0-name": "李干事", "attendees-0-level": "staff"})  # fmt: skip
    assert response.status_code == 400
    db.session.expire_all()
    assert part(db.session.get(FieldOrder, order.id), "BA").status == "acknowledged"


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_steps_need_the_csrf_token(client, org, app_config):
    order = issue_order()
    target = part(order, "BA")
    token = logged_in(client, "handler_BA")
    page = text(client.get(f"/admin/field_order/details/?id={order.id}"))
    assert all("csrf_token" in form for form in re.findall(r'<form method="post".*?</form>', page, re.S))
    assert post_step(client, order, "acknowledge", target.id, version=1).status_code == 400
    response = post_step(client, order, "acknowledge", target.id, version=1, csrf_token=token)
    assert response.status_code == 302


def test_all_orders_are_filtered_and_exported_as_text(client, login_as, org):
    first = issue_order(to=("BA", "BB"), matter=FORMULA)
    acknowledge(first)
    issue_order(by="SB", to=("BB",), matter="乙街道联合检查")
    login_as("handler", "BA")
    assert client.get("/admin/field_order_all/").status_code == 403
    assert client.get("/admin/field_order_all/export/xlsx/").status_code == 403

    login_as("supervisor")
    listed = text(client.get("/admin/field_order_all/"))
    assert "全部令" in listed and "乙街道联合检查" in listed and listed.count(first.number) >= 2
    by_bureau = text(client.get(f"/admin/field_order_all/?flt0_bureau_equals={dept('BA').id}"))
    assert first.number in by_bureau and "乙街道联合检查" not in by_bureau
    response = client.get(f"/admin/field_order_all/export/xlsx/?flt0_issued_by_equals={dept('CA').id}")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("令号", "令类别", "发令单位") and len(rows) == 3
    cell = sheet.cell(row=2, column=4)
    assert cell.value == FORMULA and cell.data_type == "s"
    assert {r[6] for r in rows[1:]} == {"区城管局", "区住建局"}
    fresh = issue_order(now=utcnow(), matter="今日新发的令")  # its clocks have only just started
    overdue = text(client.get("/admin/field_order_all/?flt0_overdue_equals=1"))
    assert first.number in overdue and fresh.number not in overdue  # issued long ago, never checked in
    on_time = text(client.get("/admin/field_order_all/?flt0_overdue_equals=0"))
    assert fresh.number in on_time and first.number not in on_time


def test_admins_set_the_classes_and_every_change_is_audited(client, login_as, org):
    login_as("supervisor")
    listed = text(client.get("/admin/field_order_class/"))
    assert "紧急" in listed and "30 分钟" in listed and "科室负责人" in listed
    assert client.get("/admin/field_order_class/new/").status_code == 403
    login_as("admin")
    fields = {"name": "专项", "ack_amount": 1, "ack_unit": "hours", "check_in_amount": 4, "check_in_unit": "hours",
              "feedback_amount": 2, "feedback_unit": "working_days", "min_level": "bureau_leader",
              "min_headcount": 0, "active": "y", "sort_order": 3}  # fmt: skip
    refused = client.post("/admin/field_order_class/new/", data=fields)
    assert refused.status_code == 200 and 'value="专项"' in text(refused)  # shown again, nothing saved
    assert db.session.scalar(select(FieldOrderClass.id).where(FieldOrderClass.name == "专项")) is None
    fields["min_headcount"] = 3
    assert client.post("/admin/field_order_class/new/", data=fields).status_code == 302
    made = db.session.scalars(select(FieldOrderClass).where(FieldOrderClass.name == "专项")).one()
    audit = db.session.scalars(select(ConfigChange).where(ConfigChange.entity == "field_order_class")).one()
    assert audit.entity_key == str(made.id) and audit.after["min_level"] == "bureau_leader"
    login_as("handler", "CA")
    assert client.get("/admin/field_order_class/").status_code == 403


@pytest.fixture
def scene(org):
    """An order from 甲一社区 to 区城管局 with a check-in photo and a linked case, and an order from 甲街道 to
    区住建局 on the same case."""
    case = make_case(Status.IN_PROGRESS, lead="CA")
    order = issue_order(to=("BA",), cases=[case], matter="甲一社区联合整治")
    acknowledge(order)
    check_in(order)
    target = part(order, "BA")
    (photo,) = uploads.store_attachments([uploads.inspect("现场.png", png_bytes())], T0, [])
    photo.field_target_id = target.id
    db.session.add(photo)
    street = issue_order(by="SA", to=("BB",), cases=[case], matter="甲街道联合检查")
    db.session.commit()
    return case, order, target, photo, street


@pytest.mark.parametrize("outsider", ["BB", "SB", "CB", "CC"])
def test_outsiders_see_nothing_of_the_order_on_any_route(client, login_as, scene, outsider):
    case, order, target, photo, _street = scene
    login_as("handler", outsider)
    assert order.number not in text(client.get("/admin/field_order/"))
    assert client.get(f"/admin/field_order/details/?id={order.id}").status_code == 404
    assert client.get(f"/admin/field_order/photo/{photo.id}").status_code == 404
    assert post_step(client, order, "report", target.id, version=3, outcome="x").status_code == 404
    todo = client.get("/admin/field_todo/")
    assert todo.status_code == (200 if outsider == "BB" else 403) and order.number not in text(todo)
    assert client.get("/admin/field_order_all/").status_code == 403
    assert client.get("/admin/field_order_all/export/xlsx/").status_code == 403
    case_page = client.get(f"/admin/case/details/?id={case.id}")
    if outsider == "BB":  # 区住建局 sees the case through the street's order, and only that order
        assert case_page.status_code == 200 and order.number not in text(case_page)
    else:
        assert case_page.status_code == 404


def test_those_concerned_see_the_order_and_the_case_shows_each_only_its_own(client, login_as, scene):
    case, order, _target, photo, street = scene
    login_as("handler", "SA")  # the parent street sees what its community issued
    assert order.number in text(client.get("/admin/field_order/"))
    assert client.get(f"/admin/field_order/details/?id={order.id}").status_code == 200
    section = text(client.get(f"/admin/case/details/?id={case.id}"))
    assert order.number in section and street.number in section

    login_as("handler", "BA")
    assert client.get(f"/admin/field_order/photo/{photo.id}").status_code == 200
    assert client.get(f"/admin/field_order/details/?id={order.id}").status_code == 200
    assert client.get(f"/admin/field_order/details/?id={street.id}").status_code == 404
    section = text(client.get(f"/admin/case/details/?id={case.id}"))
    assert order.number in section and street.number not in section

    login_as("handler", "CA")
    assert client.get(f"/admin/field_order/details/?id={street.id}").status_code == 404  # the street's own
    report(order)
    login_as("leader")
    assert order.number in text(client.get("/admin/field_order_all/"))
    assert client.get(f"/admin/field_order/details/?id={order.id}").status_code == 200
