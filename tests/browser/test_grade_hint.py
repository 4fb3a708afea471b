"""The intake form's suggested grade in a real browser (app/static/grade_suggest.js, CSRF on): the grade the
rules suggest appears with its reasons as the clerk types and is selected; a different pick is flagged, and
saved with its reason it shows on the case page as graded otherwise."""

import re

import pytest

from app.extensions import db
from models.enums import Grade
from models.grading import GradingRule
from tests.support.browser import choose
from tests.support.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_suggested_grade_follows_the_typing_until_the_clerk_picks(live_server, page):
    with live_server.app.app_context():
        db.session.add(GradingRule(name="扬言极端", grade=Grade.RED, keywords=["跳楼"]))
        db.session.add(GradingRule(name="十人以上", grade=Grade.YELLOW, min_people=10))
        db.session.commit()
    log_in(page, live_server, "clerk")
    page.goto(live_server("/admin/case/new/"))
    box = page.locator("#grade-hint-box")
    page.fill("#title", "工地欠薪")
    page.fill("#people_involved", "12")
    page.wait_for_function("() => document.getElementById('grade').value === 'yellow'")
    assert "黄色" in box.inner_text() and "十人以上" in box.inner_text()
    page.fill("#content", "有工人扬言要跳楼")
    page.wait_for_function("() => document.getElementById('grade').value === 'red'")
    assert "扬言极端" in box.inner_text() and "十人以上" not in box.inner_text()
    assert page.locator("#grade-hint-differs").count() == 0

    choose(page, "#grade", "yellow")  # the clerk's own pick: flagged, and no longer changed for them
    assert page.locator("#grade-hint-differs").is_visible()
    page.fill("#people_involved", "40")
    page.wait_for_timeout(900)
    assert page.eval_on_selector("#grade", "e => e.value") == "yellow"

    choose(page, "#channel", "hotline")
    choose(page, "#request_type", "complaint")
    page.fill("#grade_reason", "已核实为气话")
    with page.expect_navigation():
        page.locator("form.admin-form input[type=submit]:not([name])").click()
    page.wait_for_url(re.compile(r"/admin/case/details/\?id=\d+"))
    panel = page.locator("#grade-suggestion")
    assert panel.get_attribute("data-differed") == "yes"
    assert "已核实为气话" in panel.inner_text() and "红色" in panel.inner_text()
