"""The 民情日报: its content from hand-counted cases, built once a day even with two schedulers, sent once
to leaders and supervisors with the Word file attached (a real SMTP server), and read in Word."""

import io
import threading
from datetime import timedelta

import pytest
from docx import Document
from sqlalchemy import func
from sqlalchemy import select

from app.extensions import db
from app.reports import documents
from app.reports import issues
from jobs import tasks
from models.notification import Notification
from models.report import ReportIssue
from tests.support.deadlines import T0
from tests.support.deadlines import at
from tests.support.deadlines import new_case
from tests.support.factories import user
from tests.support.mail import smtp_fixture  # noqa: F401  (fixture `smtp`: a real SMTP server)
from tests.support.reports import hand_counted_cases

DAY = T0.date()  # Monday 2026-03-02


@pytest.fixture
def cases(app):
    made = hand_counted_cases()
    made["F"] = new_case(
        T0 + timedelta(hours=1), grade="red", is_sensitive=True, title='=HYPERLINK("x")集体上访'
    )
    for role in ("leader", "supervisor"):
        user(role).email = f"{role}@example.gov.cn"
    db.session.commit()
    return made


def test_the_content_counts_the_day(cases):
    content = issues.daily.build(DAY, at("2026-03-03 07:30"))
    assert content["received"] == [6, 0, 0]  # that day, the day before, the same day last week
    assert content["by_channel"] == [["hotline", 6, 0, 0]]
    assert content["closed"] == 2 and content["rated"] == 2 and content["pleased"] == 2  # A and E, 满意
    flagged = {row["number"]: row["flags"] for row in content["flagged"]}
    assert flagged == {cases["F"].number: ["red", "sensitive"]}
    assert "6" in content["summary"] and "100.0%" in content["summary"]


def test_built_after_its_time_once_and_sent_after_its_time_once(cases):
    assert tasks.daily_report(at("2026-03-03 07:29")) == "nothing to do"
    assert tasks.daily_report(at("2026-03-03 07:31")) == "built"
    assert tasks.daily_report(at("2026-03-03 07:45")) == "nothing to do"
    assert db.session.scalar(select(func.count(ReportIssue.id))) == 1
    assert tasks.daily_report(at("2026-03-03 08:01")) == "sent"
    assert tasks.daily_report(at("2026-03-03 09:00")) == "nothing to do"
    rows = db.session.scalars(select(Notification).where(Notification.kind == "report")).all()
    assert sorted((row.user.username, str(row.channel)) for row in rows) == [
        ("leader", "email"), ("leader", "inbox"), ("supervisor", "email"), ("supervisor", "inbox"),
    ]  # fmt: skip


def test_two_schedulers_at_once_build_and_send_one_issue(app, cases):
    results, barrier = [], threading.Barrier(2)

    def scheduler():
        with app.app_context():
            barrier.wait()
            results.append(tasks.daily_report(at("2026-03-03 08:10")))
            db.session.remove()

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert db.session.scalar(select(func.count(ReportIssue.id))) == 1
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == "report")) == 4
    assert sorted(results) != ["built, sent", "built, sent"]


def test_the_e_mail_carries_the_word_file(cases, smtp):
    tasks.daily_report(at("2026-03-03 08:01"))
    tasks.deliver(at("2026-03-03 08:02"))
    messages = smtp.messages()
    assert len(messages) == 2
    [attachment] = list(messages[0].iter_attachments())
    assert attachment.get_filename() == "suqiu-daily-2026-03-02.docx"
    document = Document(io.BytesIO(attachment.get_content()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "民情日报" in text and "2026-03-02" in text
    assert cases["F"].number in [
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    ]


def test_the_word_file_is_an_official_a4_document(cases):
    issue = issues.build_daily(at("2026-03-03 07:31"))
    issues.add_note(issue, "请各单位重点关注集体上访苗头。", user("supervisor"), at("2026-03-03 07:40"))
    document = Document(io.BytesIO(documents.docx(issue)))
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert "PAGE" in section.footer._element.xml  # page numbers
    fonts = {run._element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
             for p in document.paragraphs for run in p.runs}  # fmt: skip
    assert {"黑体", "仿宋"} <= fonts
    headings = [p.text for p in document.paragraphs if p.runs and p.runs[0].font.name == "黑体"]
    assert headings[0].startswith("民情日报") and any("受理" in h for h in headings)
    assert any("编者按" in p.text and "集体上访" in p.text for p in document.paragraphs)
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert '=HYPERLINK("x")集体上访' in cells  # the citizen's title, as text


def test_the_note_is_refused_once_sent(cases):
    issue = issues.build_daily(at("2026-03-03 07:31"))
    issues.send(issue, at("2026-03-03 08:00"))
    with pytest.raises(issues.Refusal):
        issues.add_note(issue, "迟到的编者按", user("supervisor"), at("2026-03-03 08:05"))
