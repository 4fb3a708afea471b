"""The weekly, monthly and quarterly reports: built once each after the period ends, sent once, with the
rates of the period against the one before and, for months and quarters, the scorecard's boards."""

import io

import pytest
from docx import Document
from sqlalchemy import func
from sqlalchemy import select

from app.extensions import db
from app.reports import documents
from jobs import tasks
from models.notification import Notification
from models.report import ReportIssue
from tests.support.deadlines import at
from tests.support.reports import hand_counted_cases

APRIL_FIRST = at("2026-04-01 08:05")  # a Wednesday: March, Q1 and the week of 23–29 March have ended


@pytest.fixture
def cases(app):
    return hand_counted_cases()


def issue(kind: str) -> ReportIssue:
    return db.session.scalars(select(ReportIssue).where(ReportIssue.kind == kind)).one()


def test_each_period_is_built_and_sent_once(cases):
    assert tasks.periodic_reports(at("2026-04-01 07:00")) == "nothing to do"
    done = tasks.periodic_reports(APRIL_FIRST)
    assert done == "weekly built, monthly built, quarterly built, weekly sent, monthly sent, quarterly sent"
    assert tasks.periodic_reports(APRIL_FIRST) == "nothing to do"
    days = {
        (i.kind, i.first_day.isoformat(), i.last_day.isoformat())
        for i in db.session.scalars(select(ReportIssue))
    }
    assert days == {
        ("weekly", "2026-03-23", "2026-03-29"),
        ("monthly", "2026-03-01", "2026-03-31"),
        ("quarterly", "2026-01-01", "2026-03-31"),
    }
    sent = db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "report"))
    assert sent == 3 * 2  # leader and supervisor, in the inbox (no e-mail addresses set)


def test_the_month_has_its_rates_against_the_month_before_and_its_boards(cases):
    tasks.periodic_reports(APRIL_FIRST)
    content = issue("monthly").content
    assert content["received"] == [5, 0]  # March, February
    rates = {key: now for key, now, _before in content["rates"]}
    assert rates["response"] == pytest.approx(2 / 4) and rates["satisfaction"] == pytest.approx(3 / 4)
    assert rates["closure"] == pytest.approx(3 / 4)  # A, E, C due on 4 March; B on 5 March, closed
    assert rates["overdue"] == 6
    board = content["board"]
    assert [row[1] for row in board["red"]] == ["区住建局"] and [row[1] for row in board["black"]] == [
        "乙街道"
    ]
    assert issue("weekly").content["board"] is None  # weeks are not scored


def test_the_monthly_word_file(cases):
    tasks.periodic_reports(APRIL_FIRST)
    document = Document(io.BytesIO(documents.docx(issue("monthly"))))
    assert document.paragraphs[0].text == "月度分析 2026-03"
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "区住建局" in cells and "50.0%" in cells
