"""协办件: the co-handled parts list, scoped to the parts a department owes or awaits, with its export and
overdue filter; the case page shows the parts and their buttons."""

import io
from datetime import timedelta

import openpyxl
import pytest

from app.extensions import db
from app.timeutil import utcnow
from models.deadline import Unit
from models.enums import Status
from tests.support.deadlines import stage_policies
from tests.support.factories import make_case


@pytest.fixture
def parts(db):
    stage_policies(sign=(2, Unit.HOURS))
    owed = make_case(Status.DISPATCHED, lead="SA", co=("BA",), title="甲街道牵头城管协办")
    other = make_case(Status.DISPATCHED, lead="SB", co=("BB",), title="乙街道牵头住建协办")
    # BB's part is two hours overdue
    for deadline in other.parts[0].deadlines:
        deadline.started_at -= timedelta(hours=4)
        deadline.due_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    return {"owed": owed, "other": other}


def export_text(client) -> str:
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/admin/case_part/export/xlsx/").data)).active
    return " ".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)


@pytest.mark.parametrize(
    "role, code, sees, hidden",
    [
        ("handler", "BA", "甲街道牵头城管协办", "乙街道牵头住建协办"),  # its own part
        ("handler", "SA", "甲街道牵头城管协办", "乙街道牵头住建协办"),  # the parts of the case it leads
        ("handler", "BB", "乙街道牵头住建协办", "甲街道牵头城管协办"),
        ("handler", "CA", None, "甲街道牵头城管协办"),  # a community under SA leads nothing here
    ],
)
def test_the_list_and_export_are_scoped(client, login_as, parts, role, code, sees, hidden):
    login_as(role, code)
    html = client.get("/admin/case_part/").get_data(as_text=True)
    exported = export_text(client)
    if sees:
        assert sees in html and sees in exported
    assert hidden not in html and hidden not in exported
    bb = parts["other"].parts[0].department_id  # filtering on another department's parts finds nothing
    filtered = client.get("/admin/case_part/", query_string={"flt0_co_department_equals": bb})
    assert filtered.status_code == 200
    assert (code == "BB") == ("乙街道牵头住建协办" in filtered.get_data(as_text=True))


def test_a_supervisor_sees_every_part_and_the_overdue_ones(client, login_as, parts):
    login_as("supervisor")
    html = client.get("/admin/case_part/").get_data(as_text=True)
    assert "甲街道牵头城管协办" in html and "乙街道牵头住建协办" in html
    overdue = client.get("/admin/case_part/", query_string={"flt0_overdue_equals": "1"}).get_data(
        as_text=True
    )
    assert "乙街道牵头住建协办" in overdue and "甲街道牵头城管协办" not in overdue
    on_time = client.get("/admin/case_part/", query_string={"flt0_overdue_equals": "0"}).get_data(
        as_text=True
    )
    assert "甲街道牵头城管协办" in on_time and "乙街道牵头住建协办" not in on_time
    sheet = openpyxl.load_workbook(io.BytesIO(client.get("/admin/case_part/export/xlsx/").data)).active
    overdue_column = [c.value for c in sheet[1]].index("已超期")
    marks = {row[1].value: row[overdue_column].value for row in sheet.iter_rows(min_row=2)}
    assert marks == {"乙街道牵头住建协办": "是", "甲街道牵头城管协办": None}


def test_the_co_department_takes_its_part_on_the_case_page(client, login_as, parts):
    case = parts["owed"]
    login_as("handler", "BA")
    page = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert 'id="parts"' in page and "transition/sign_part/" in page and "transition/sign/" not in page
    assert client.post("/admin/case/transition/sign_part/", data={"sign_part-id": case.id}).status_code == 302
    answered = client.post(
        "/admin/case/transition/answer_part/",
        data={"answer_part-id": case.id, "answer_part-text": "<b>已处置</b>"},
    )
    assert answered.status_code == 302
    page = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert "&lt;b&gt;已处置&lt;/b&gt;" in page and "<b>已处置</b>" not in page
    db.session.expire_all()
    assert case.parts[0].status == "answered"


def test_the_leads_reply_starts_from_the_parts_answers(client, login_as, parts):
    case = parts["owed"]
    login_as("handler", "BA")
    client.post("/admin/case/transition/sign_part/", data={"sign_part-id": case.id})
    client.post(
        "/admin/case/transition/answer_part/",
        data={"answer_part-id": case.id, "answer_part-text": "已清理<script>x</script>摊点"},
    )
    login_as("handler", "SA")
    client.post("/admin/case/transition/sign/", data={"sign-id": case.id})
    page = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    reply_box = page[page.index('name="reply-text"') :]
    reply_box = reply_box[: reply_box.index("</textarea>")]
    assert (
        "协办单位答复如下：" in reply_box
        and "区城管局：已清理&lt;script&gt;x&lt;/script&gt;摊点" in reply_box
    )
