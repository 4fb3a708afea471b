"""民情日报 pages: the list, an issue as HTML, Word and xlsx; the editor's note, sending, 已阅; who may do what."""

import io
import re

import openpyxl
import pytest
from docx import Document
from sqlalchemy import select

from app.extensions import db
from app.reports import issues
from app.timeutil import local_day
from app.timeutil import utcnow
from models.audit import AuditAction
from models.audit import ConfigChange
from models.report import ReportIssue
from models.report import ReportReading
from tests.support.factories import make_case


@pytest.fixture
def issue(app):
    make_case(title='=cmd|" /C calc"!A0 噪音扰民')
    built = issues.build_daily(utcnow(), day=local_day(utcnow()))
    db.session.commit()
    return built


def test_readers_see_the_issue_in_three_formats(client, login_as, issue):
    login_as("leader")
    assert f"/admin/reports/{issue.id}" in client.get("/admin/reports/").get_data(as_text=True)
    html = client.get(f"/admin/reports/{issue.id}").get_data(as_text=True)
    assert "民情日报" in html and issue.content["summary"] in html
    word = Document(io.BytesIO(client.get(f"/admin/reports/{issue.id}.docx").data))
    assert word.paragraphs[0].text.startswith("民情日报")
    response = client.get(f"/admin/reports/{issue.id}.xlsx")
    assert response.headers["Cache-Control"] == "private, no-store"
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert "受理情况·按渠道" in book.sheetnames
    flagged = [s for s in book.sheetnames if "红色件" in s]
    assert flagged is not None
    exports = db.session.scalars(
        select(ConfigChange).where(ConfigChange.action == AuditAction.EXPORT).order_by(ConfigChange.id)
    ).all()
    assert [(row.actor.username, row.after["view"].rsplit("（", 1)[1]) for row in exports] == [
        ("leader", "Word）"),
        ("leader", "Excel）"),
    ]
    assert all(row.after["view"].startswith("民情日报") for row in exports)


def test_a_title_that_looks_like_a_formula_stays_text(client, login_as, app):
    case = make_case(title="=1+1 红色警报", grade="red")
    built = issues.build_daily(utcnow(), day=local_day(utcnow()))
    db.session.commit()
    login_as("supervisor")
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/admin/reports/{built.id}.xlsx").data))
    sheet = next(book[name] for name in book.sheetnames if "红色件" in name)
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == "=1+1 红色警报"]
    assert (
        cells
        and cells[0].data_type == "s"
        and case.number in [c.value for row in sheet.iter_rows() for c in row]
    )


def test_the_supervisor_notes_and_sends_once(client, login_as, issue):
    login_as("supervisor")
    client.post(f"/admin/reports/{issue.id}/note", data={"note": "请重点关注噪音问题。"})
    assert "请重点关注噪音问题。" in client.get(f"/admin/reports/{issue.id}").get_data(as_text=True)
    page = client.post(f"/admin/reports/{issue.id}/send", follow_redirects=True).get_data(as_text=True)
    assert "已发送给" in page
    again = client.post(f"/admin/reports/{issue.id}/send", follow_redirects=True).get_data(as_text=True)
    assert "本期已经发送过了" in again
    late = client.post(f"/admin/reports/{issue.id}/note", data={"note": "改"}, follow_redirects=True)
    assert "编者按不能再修改" in late.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ReportIssue, issue.id).editor_note == "请重点关注噪音问题。"


def test_a_leader_marks_read_with_a_comment(client, login_as, issue):
    leader = login_as("leader")
    client.post(f"/admin/reports/{issue.id}/read", data={"comment": "已阅，请住建局跟进。"})
    reading = db.session.scalars(select(ReportReading)).one()
    assert reading.user_id == leader.id and reading.comment == "已阅，请住建局跟进。"
    html = client.get(f"/admin/reports/{issue.id}").get_data(as_text=True)
    assert re.search(r"已阅，请住建局跟进。", html)


@pytest.mark.parametrize("role", ["handler", "clerk"])
def test_other_roles_may_not_open_the_reports(client, login_as, issue, role):
    login_as(role, "SA" if role == "handler" else None)
    assert client.get("/admin/reports/").status_code == 403
    assert client.get(f"/admin/reports/{issue.id}.docx").status_code == 403


def test_only_supervisors_send_and_only_leaders_mark_read(client, login_as, issue):
    login_as("leader")
    assert client.post(f"/admin/reports/{issue.id}/send").status_code == 403
    login_as("supervisor")
    assert client.post(f"/admin/reports/{issue.id}/read", data={"comment": "x"}).status_code == 403
    assert client.get("/admin/reports/99999999").status_code == 404
