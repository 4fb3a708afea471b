"""个人信息保护 page: the period, one citizen's export and erasing on request, admins only, audited, CSRF."""

import io

import openpyxl
import pytest
from sqlalchemy import select

from app.extensions import db
from app.privacy import retention
from models.audit import AuditAction
from models.audit import AuditEntity
from models.audit import ConfigChange
from models.enums import Status
from tests.support.factories import make_case
from tests.support.web import logged_in
from tests.support.web import token_from

PHONE, OTHER = "13912345678", "13700001111"


def _cases():
    mine = [
        make_case(Status.CLOSED, title="路灯不亮", citizen_name="王小明", citizen_phone=PHONE,
                  citizen_id_no="110101199003074514", content=f"我的电话{PHONE}"),
        make_case(Status.IN_PROGRESS, title="=HYPERLINK(\"x\")", citizen_name="王小明", citizen_phone=PHONE),
    ]  # fmt: skip
    other = make_case(Status.CLOSED, title="噪音扰民", citizen_name="李四", citizen_phone=OTHER)
    db.session.commit()
    return mine, other


def _audit(action):
    return db.session.scalars(
        select(ConfigChange).where(
            ConfigChange.entity == AuditEntity.PERSONAL_DATA, ConfigChange.action == action
        )
    ).all()


@pytest.mark.parametrize("role", ["supervisor", "clerk", "leader"])
def test_only_admins_reach_the_page(client, login_as, role):
    _cases()
    login_as(role)
    assert client.get("/admin/privacy/").status_code == 403
    assert client.post("/admin/privacy/export/", data={"who": PHONE}).status_code == 403
    assert (
        client.post(
            "/admin/privacy/anonymise/", data={"who": PHONE, "reason": "x", "confirm": "yes"}
        ).status_code
        == 403
    )


def test_export_has_the_citizens_cases_only_and_is_audited(client, login_as):
    mine, other = _cases()
    login_as("admin")
    page = client.post("/admin/privacy/lookup/", data={"who": "139 1234 5678"}).get_data(as_text=True)
    assert "139****5678 共有诉求 2 件" in page  # typed with spaces, found as stored
    response = client.post("/admin/privacy/export/", data={"who": PHONE})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    cases_sheet, events_sheet = book.worksheets
    numbers = [row[0] for row in cases_sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(numbers) == sorted(c.number for c in mine) and other.number not in numbers
    titles = [
        cell for row in cases_sheet.iter_rows(min_row=2) for cell in row if cell.value == '=HYPERLINK("x")'
    ]
    assert titles and titles[0].data_type == "s"  # user text stays text
    event_cases = {row[0] for row in events_sheet.iter_rows(min_row=2, values_only=True)}
    assert event_cases == {c.number for c in mine}
    rows = db.session.scalars(select(ConfigChange).where(ConfigChange.entity == AuditEntity.EXPORT)).all()
    assert len(rows) == 1 and PHONE not in str(rows[0].after) and rows[0].after["rows"] == 2


def test_erasing_needs_a_reason_and_a_confirmation_and_is_audited(client, login_as):
    mine, other = _cases()
    login_as("admin")
    no_reason = client.post("/admin/privacy/anonymise/", data={"who": PHONE, "reason": " ", "confirm": "yes"})
    assert no_reason.status_code == 400
    asked = client.post("/admin/privacy/anonymise/", data={"who": PHONE, "reason": "本人书面申请"})
    assert asked.status_code == 200 and 'id="confirm-erase"' in asked.get_data(as_text=True)
    assert "仍在办理中" in asked.get_data(as_text=True)  # warns about the open case
    db.session.expire_all()
    assert all(c.anonymised_at is None for c in mine) and not _audit(AuditAction.ANONYMISE)
    done = client.post(
        "/admin/privacy/anonymise/", data={"who": PHONE, "reason": "本人书面申请", "confirm": "yes"}
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert all(c.anonymised_at and c.citizen_phone is None and c.citizen_name is None for c in mine)
    assert PHONE not in mine[0].content
    assert other.citizen_phone == OTHER and other.anonymised_at is None
    (row,) = _audit(AuditAction.ANONYMISE)
    assert row.after["reason"] == "本人书面申请" and sorted(row.after["cases"]) == sorted(
        c.number for c in mine
    )
    assert PHONE not in str(row.after) and PHONE not in row.entity_key


def test_period_is_saved_validated_and_audited(client, login_as):
    login_as("admin")
    page = client.get("/admin/privacy/").get_data(as_text=True)
    assert "个人信息保护" in page and 'value="36"' in page
    assert client.post("/admin/privacy/period/", data={"months": "abc"}).status_code == 400
    assert (
        client.post("/admin/privacy/period/", data={"months": "１２"}).status_code == 302
    )  # full-width digits
    assert retention.retention_months() == 12
    (row,) = _audit(AuditAction.UPDATE)
    assert row.before == {"retention_months": 36} and row.after == {"retention_months": 12}


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_posts_need_the_csrf_token(client, login_as, db):
    mine, _ = _cases()
    from tests.support.factories import make_user

    make_user("admin")
    db.session.commit()
    logged_in(client, "admin")
    data = {"who": PHONE, "reason": "申请", "confirm": "yes"}
    assert client.post("/admin/privacy/anonymise/", data=data).status_code == 400
    assert client.post("/admin/privacy/period/", data={"months": "1"}).status_code == 400
    db.session.expire_all()
    assert mine[0].anonymised_at is None and retention.retention_months() == 36
    token = token_from(client.get("/admin/privacy/").get_data(as_text=True))
    assert client.post("/admin/privacy/period/", data={"months": "1", "csrf_token": token}).status_code == 302
    assert retention.retention_months() == 1
