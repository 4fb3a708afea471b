"""The panel's 批示 and 督办 pages: the buttons' POSTs, 我的批示, 我的包案, the 督办台账 (scoped, xlsx), the rules."""

import io

import openpyxl
import pytest
from sqlalchemy import select

from app.extensions import db
from models.audit import ConfigChange
from models.case import Attachment
from models.command import CaseOrder
from models.command import LeaderVisit
from models.command import SupervisionRule
from models.enums import Status
from tests.support.factories import dept
from tests.support.factories import jpeg_bytes
from tests.support.factories import make_case
from tests.support.factories import make_ranked_leaders
from tests.support.factories import user

FORMULA = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def case(db):
    make_ranked_leaders()
    return make_case(Status.IN_PROGRESS, lead="SA")


def post(client, case, action, **fields):
    data = {f"{action}-id": case.id, f"{action}-version": db.session.get(type(case), case.id).version}
    for key, value in fields.items():
        data[f"{action}-{key}"] = value
    return client.post(f"/admin/case/transition/{action}/", data=data)


def test_instruction_answer_and_check_through_the_case_page(client, login_as, case):
    login_as("leader")
    page = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert 'id="form-instruct"' in page and 'id="form-package"' in page
    response = post(client, case, "instruct", content="请城管局一周内清理", departments=[dept("BA").id])
    assert response.status_code == 302
    order = db.session.scalars(select(CaseOrder)).one()
    assert order.leader == user("leader")

    login_as("handler", "BA")
    page = client.get(f"/admin/case/details/?id={case.id}")
    assert page.status_code == 200 and 'id="form-answer_order"' in page.get_data(as_text=True)
    assert post(client, case, "answer_order", text="已清理摊点 6 处").status_code == 302
    login_as("handler", "SB")
    assert client.get(f"/admin/case/details/?id={case.id}").status_code == 404

    login_as("supervisor")
    response = post(client, case, "accept_order", target="999999")
    assert response.status_code == 409 and "请选择要审核的答复" in response.get_data(as_text=True)
    target = db.session.scalars(select(CaseOrder)).one().targets[0]
    assert post(client, case, "accept_order", target=target.id).status_code == 302

    login_as("leader")
    page = client.get("/admin/my_instructions/?show=closed").get_data(as_text=True)
    assert "请城管局一周内清理" in page and "100.0%" in page


def test_a_refused_instruction_keeps_the_input(client, login_as, case):
    login_as("supervisor")
    response = post(client, case, "instruct", content="请尽快办理", departments=[dept("BA").id])
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "请选择代哪位领导录入批示" in body and "请尽快办理" in body
    assert db.session.scalar(select(CaseOrder.id)) is None


def test_the_ledger_is_scoped_filtered_and_exported_as_text(client, login_as, case):
    other = make_case(Status.IN_PROGRESS, lead="SB")
    login_as("supervisor")
    post(client, case, "supervise", content=FORMULA, departments=[dept("BA").id, dept("SA").id], level="key")
    post(client, other, "supervise", content="请乙街道办理", departments=[dept("SB").id], level="general")

    login_as("handler", "BA")
    page = client.get("/admin/order_ledger/").get_data(as_text=True)
    assert case.number in page and other.number not in page and "请乙街道办理" not in page
    login_as("handler", "SB")
    page = client.get("/admin/order_ledger/").get_data(as_text=True)
    assert other.number in page and case.number not in page

    login_as("supervisor")
    listed = client.get("/admin/order_ledger/", query_string={"flt0_supervision_level_equals": "key"})
    assert listed.status_code == 200
    text = listed.get_data(as_text=True)
    assert case.number in text and other.number not in text
    not_overdue = client.get("/admin/order_ledger/", query_string={"flt0_overdue_equals": "0"}).get_data(
        as_text=True
    )
    overdue = client.get("/admin/order_ledger/", query_string={"flt0_overdue_equals": "1"}).get_data(
        as_text=True
    )
    assert case.number in not_overdue and other.number in not_overdue  # nothing is due yet
    assert case.number not in overdue and other.number not in overdue
    export = client.get("/admin/order_ledger/export/xlsx/")
    assert export.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(export.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(rows) == 1 + 3  # the header and one row per addressed department
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.value for c in cells if c.data_type == "f"]
    assert "'" + FORMULA in [c.value for c in cells]  # written as text, never run

    login_as("handler", "BA")
    export = client.get("/admin/order_ledger/export/xlsx/")
    sheet = openpyxl.load_workbook(io.BytesIO(export.data)).active
    assert [row[0].value for row in sheet.iter_rows()][1:] == [case.number]


def test_a_visit_with_photos_and_a_non_photo_refused(client, login_as, case):
    login_as("supervisor")
    post(client, case, "package", leader=user("leader", "street").id, level="street")
    login_as("leader", "street")
    fields = {
        "kind": "go_out",
        "visited_on": "2026-03-01",
        "place": "甲一社区",
        "met_with": "张三",
        "outcome": "当场协调",
    }
    bad = post(client, case, "visit", **fields, photos=(io.BytesIO(b"%PDF-1.4 not a photo"), "a.pdf"))
    assert bad.status_code == 400
    assert db.session.scalar(select(LeaderVisit.id)) is None
    good = post(client, case, "visit", **fields, photos=(io.BytesIO(jpeg_bytes()), "现场.jpg"))
    assert good.status_code == 302
    visit = db.session.scalars(select(LeaderVisit)).one()
    photo = db.session.scalars(select(Attachment)).one()
    assert photo.visit_id == visit.id and photo.case_id == case.id and photo.content_type == "image/jpeg"
    page = client.get("/admin/my_packages/").get_data(as_text=True)
    assert case.number in page


def test_rules_are_set_by_admins_and_audited(client, login_as, db):
    login_as("supervisor")
    assert client.get("/admin/supervision_rule/").status_code == 200
    assert client.get("/admin/supervision_rule/new/").status_code == 403
    login_as("admin")
    form = {"name": "第三次重复件", "trigger": "repeat", "threshold": "1", "level": "key",
            "requirement": "重复件请主要负责人督办", "due_working_days": "2", "active": "y"}  # fmt: skip
    refused = client.post("/admin/supervision_rule/new/", data=form)
    assert "N 为 2 或以上" in refused.get_data(as_text=True)
    assert db.session.scalar(select(SupervisionRule.id)) is None
    assert client.post("/admin/supervision_rule/new/", data={**form, "threshold": "3"}).status_code == 302
    rule = db.session.scalars(select(SupervisionRule)).one()
    change = db.session.scalars(select(ConfigChange).where(ConfigChange.entity == "supervision_rule")).one()
    assert change.entity_key == str(rule.id) and change.after["threshold"] == 3


def test_a_leader_account_needs_a_rank(client, login_as, db):
    login_as("admin")
    form = {"username": "zhang_sj", "display_name": "张书记", "role": "leader", "new_password": "long-enough-1",
            "active": "y"}  # fmt: skip
    refused = client.post("/admin/user/new/", data=form)
    assert "请为领导设置职级" in refused.get_data(as_text=True)
    assert client.post("/admin/user/new/", data={**form, "leader_rank": "district_chief"}).status_code == 302
