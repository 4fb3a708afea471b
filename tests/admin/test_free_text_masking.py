"""Phone and ID numbers typed into free text are masked for the roles that see those fields masked.

Regression for the outside test in which a leader, who sees the citizen's phone column as 138****8000,
read the same phone in full where it was typed into the case text, the reply, a timeline note or a
clue, on the list, the case page and the export. Roles that see the fields in full still see the text
as it was written.
"""

import io
from decimal import Decimal

import openpyxl
import pytest

from app.cases import lifecycle
from models.enums import RewardStatus
from models.enums import Status
from models.volunteer import RewardPayout
from tests.support.factories import make_case
from tests.support.factories import make_clue
from tests.support.factories import make_volunteer
from tests.support.factories import user

PHONE = "13912345678"
PHONE_WRITTEN = "139 1234 5678"
ID_NO = "44030619900101123X"


@pytest.fixture
def case(db):
    """A replied case whose free text carries a phone and an ID number in several places."""
    made = make_case(
        Status.REPLIED,
        lead="SA",
        title=f"{PHONE}反映噪音",
        content=f"本人电话{PHONE_WRITTEN}，身份证{ID_NO}，楼下每晚施工。",
        address=f"幸福路 8 号（电话 {PHONE}）",
        citizen_phone="13800138000",
    )
    made.reply_text = f"已电话联系 {PHONE}，核实身份证 {ID_NO}。"
    lifecycle.perform(made, "comment", user("clerk"), note=f"群众另留电话 {PHONE}")
    db.session.commit()
    return made


def page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def export_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    return "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)


def readable(text: str) -> str:
    return text.replace(" ", "")


def test_a_leader_sees_no_phone_or_id_number_typed_into_the_text(client, login_as, case):
    login_as("leader")
    for where, text in {
        "list": page_text(client, "/admin/case/"),
        "details": page_text(client, f"/admin/case/details/?id={case.id}"),
        "export": export_text(client, "/admin/case/export/xlsx/"),
    }.items():
        assert PHONE not in readable(text), where
        assert ID_NO not in text and "19900101" not in text, where
    details = page_text(client, f"/admin/case/details/?id={case.id}")
    assert "139****5678" in details and "楼下每晚施工" in details and "群众另留电话" in details


def test_roles_that_see_the_fields_in_full_see_the_text_as_written(client, login_as, case):
    login_as("clerk")
    details = page_text(client, f"/admin/case/details/?id={case.id}")
    assert PHONE_WRITTEN in details and ID_NO in details and f"群众另留电话 {PHONE}" in details
    assert f"已电话联系 {PHONE}" in export_text(client, "/admin/case/export/xlsx/")


def test_a_handler_sees_phones_but_not_id_numbers(client, login_as, case):
    """Handlers call citizens back (phone in full) but see ID numbers masked, in the text too."""
    login_as("handler", "SA")
    details = page_text(client, f"/admin/case/details/?id={case.id}")
    assert PHONE_WRITTEN in details and ID_NO not in details and "19900101" not in details


def test_a_leader_sees_no_phone_typed_into_a_clue(client, login_as, db):
    volunteer = make_volunteer("陈平安", "CA", phone="13700001111")
    clue = make_clue(
        volunteer, place=f"甲小区3栋（业主电话{PHONE}）", description=f"两户争吵，一方电话 {PHONE_WRITTEN}。"
    )
    login_as("leader")
    for url in ("/admin/clue/", f"/admin/clue/details/?id={clue.id}"):
        text = page_text(client, url)
        assert PHONE not in readable(text), url
    login_as("clerk")
    assert PHONE_WRITTEN in page_text(client, f"/admin/clue/details/?id={clue.id}")


def test_a_leader_sees_no_phone_typed_into_a_reward_or_the_roster(client, login_as, db):
    volunteer = make_volunteer("陈平安", "CA", phone="13700001111", notes=f"家属电话 {PHONE}")
    reward = RewardPayout(
        volunteer=volunteer,
        amount=Decimal(100),
        reason=f"提供线索及时，联系人 {PHONE_WRITTEN}",
        status=RewardStatus.PROPOSED,
        proposed_by=user("clerk"),
    )
    db.session.add(reward)
    db.session.commit()
    login_as("leader")
    for url in (f"/admin/reward/details/?id={reward.id}", f"/admin/volunteer/details/?id={volunteer.id}"):
        text = page_text(client, url)
        assert PHONE not in readable(text) and "****" in text, url
