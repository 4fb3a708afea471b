"""A leader opens the 民情日报 in Chromium and downloads it as Word and as xlsx; both files are opened and
their headings and tables checked."""

import io

import openpyxl
import pytest
from docx import Document

from app.extensions import db
from app.reports import issues
from app.timeutil import local_day
from app.timeutil import utcnow
from tests.support.browser import log_in
from tests.support.factories import make_case

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def issue_id(live_server):
    with live_server.app.app_context():
        case = make_case(title="幸福路夜间施工噪音扰民", grade="red")
        built = issues.build_daily(utcnow(), day=local_day(utcnow()))  # Beijing's day, not UTC's
        db.session.commit()
        return built.id, case.number


def test_the_leader_reads_and_downloads_the_daily_report(live_server, page, issue_id, tmp_path):
    issue, number = issue_id
    log_in(page, live_server, "leader")
    page.goto(live_server("/admin/reports/"))
    page.locator(f"tr[data-issue='{issue}'] a").click()
    assert "民情日报" in page.inner_text("#report-title")
    assert number in page.inner_text("body")
    with page.expect_download() as download:
        page.locator("#download-docx").click()
    word = Document(io.BytesIO(open(download.value.path(), "rb").read()))
    headings = [p.text for p in word.paragraphs if p.runs and p.runs[0].font.name == "黑体"]
    assert headings[0].startswith("民情日报")
    assert any(h.endswith("受理情况·按渠道") for h in headings)
    assert any(h.endswith("红色件、敏感件、重复件和督办件") for h in headings)
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    assert number in cells and "幸福路夜间施工噪音扰民" in cells
    with page.expect_download() as download:
        page.locator("#download-xlsx").click()
    book = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert book.sheetnames[0] == "受理情况·按渠道"
    flagged = book[next(name for name in book.sheetnames if "红色件" in name)]
    assert [c.value for c in next(flagged.iter_rows(min_row=2, max_row=2))][0] == number
    page.fill("#comment", "已阅，请城管局跟进。")
    with page.expect_navigation():
        page.locator("#mark-read").click()
    assert "已阅，请城管局跟进。" in page.inner_text("#readings")
