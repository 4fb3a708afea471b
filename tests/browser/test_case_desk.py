"""End-to-end in a real browser: Debian's Chromium driven by Playwright against a live server with CSRF on.

A clerk registers a hotline case through the create form and dispatches it; the street's handler signs
for it, records the contact and replies; the timeline shows every step in order. Another street's
handler can neither open nor list the case.
"""

import re
import uuid

import pytest

from app.extensions import db
from models.enums import Status
from tests.support import factories
from tests.support.browser import CJK
from tests.support.browser import choose
from tests.support.browser import log_in
from tests.support.browser import log_out
from tests.support.browser import take_action
from tests.support.browser import timeline

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CASE_NUMBER = re.compile(r"^SQ\d{8}-\d{6}$")


def assert_chinese_by_default(page) -> None:
    """Flask-Admin's own labels and the app's are Chinese although the browser asks for English."""
    tabs = page.locator("ul.nav-tabs").inner_text()
    assert "列表" in tabs and "创建" in tabs, tabs
    for label in (page.locator("#logout"), page.locator("nav .navbar-brand"), page.locator("#current-user")):
        assert CJK.search(label.inner_text()), label.inner_text()
    assert CJK.search(page.locator("label[for=title]").inner_text())


def test_clerk_registers_and_dispatches_handler_signs_contacts_replies(live_server, page):
    server = live_server

    # The login page is Chinese by default even though the browser asked for English.
    page.goto(server("/login"))
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.get_by_role("link", name="中文").count() >= 1
    assert CJK.search(page.locator("form button[type=submit]").inner_text())
    assert CJK.search(page.locator("label[for=username]").inner_text())
    assert CJK.search(page.title())

    # Clerk: register a case received by phone.
    log_in(page, server, "clerk")
    page.goto(server("/admin/case/new/"))
    assert_chinese_by_default(page)
    title = f"幸福路夜市摊贩占道经营影响通行 {uuid.uuid4().hex[:6]}"
    choose(page, "#channel", "hotline")
    choose(page, "#request_type", "complaint")
    choose(page, "#grade", "yellow")
    page.fill("#grade_reason", "涉及多户居民")  # the rules suggest green: a different grade needs a reason
    page.fill("#title", title)
    page.fill(
        "#content", "每天晚上七点以后，幸福路口有十多个摊贩占用人行道经营，行人只能走机动车道，很危险。"
    )
    page.fill("#citizen_name", "李四")
    page.fill("#citizen_phone", "13800138000")
    save = page.locator("form.admin-form input[type=submit]:not([name])")
    assert save.get_attribute("value") == "保存"  # Flask-Admin's own catalog
    with page.expect_navigation():
        save.click()
    assert page.locator(".alert-danger").count() == 0, page.locator(".alert-danger").all_inner_texts()
    assert page.locator("form.admin-form").count() == 0, "the create form came back: " + page.inner_text(
        "body"
    )

    # Find it in the list and open its page.
    page.goto(server("/admin/case/"))
    row = page.locator("tr", has_text=title)
    link = row.locator("a[href*='/admin/case/details/']", has_text=re.compile(r"SQ\d"))
    assert link.count() == 1, page.inner_text("body")
    number = link.inner_text().strip()
    assert CASE_NUMBER.match(number), number
    link.click()
    page.wait_for_url(re.compile(r"/admin/case/details/\?id=\d+"))
    case_url = page.url
    assert number in page.inner_text("h5")
    assert timeline(page) == ["receive", "register"]

    # Dispatch to 甲街道 (SA) as the lead department.
    def lead_sa(form):
        option = form.locator("select[name='dispatch-lead_department'] option", has_text="甲街道")
        choose(page, "#dispatch-lead_department", option.get_attribute("value"))

    take_action(page, "dispatch", lead_sa)
    assert "甲街道" in page.locator("td[data-field='lead_department']").inner_text()
    assert timeline(page) == ["receive", "register", "dispatch"]
    log_out(page, server)

    # The street's handler signs for it, records the contact and replies.
    log_in(page, server, "handler_SA")
    page.goto(case_url)
    assert number in page.inner_text("h5")
    take_action(page, "sign")
    take_action(
        page, "contact", lambda form: form.locator("textarea").fill("已电话联系李四，约定明晚现场查看。")
    )

    def reply(form):
        choose(page, "#reply-outcome", "supported")
        page.fill("#reply-text", "已联合城管中队清理占道摊贩，并设置夜间巡查点。")

    take_action(page, "reply", reply)

    assert timeline(page) == ["receive", "register", "dispatch", "sign", "contact", "reply"]
    notes = page.locator("#timeline .event-note").all_inner_texts()
    assert "已电话联系李四，约定明晚现场查看。" in notes
    # No further actions of the lead handler's remain except notes; the navbar keeps the language switch.
    assert page.locator("#open-sign").count() == 0
    assert page.locator("nav").get_by_role("link", name="中文").count() == 1
    log_out(page, server)


def test_other_street_handler_cannot_open_or_list_the_case(live_server, page):
    server = live_server
    with server.app.app_context():
        theirs = factories.make_case(Status.DISPATCHED, lead="SA", title="甲街道的诉求")
        own = factories.make_case(Status.DISPATCHED, lead="SB", title="乙街道的诉求")
        theirs_id, theirs_number, own_number = theirs.id, theirs.number, own.number
        db.session.remove()

    log_in(page, server, "handler_SB")
    response = page.goto(server(f"/admin/case/details/?id={theirs_id}"))
    assert response.status == 404
    assert theirs_number not in page.inner_text("body")

    response = page.goto(server("/admin/case/"))
    assert response.status == 200
    listed = page.inner_text("body")
    assert own_number in listed  # the list works and shows SB's own case ...
    assert theirs_number not in listed  # ... but not SA's
    assert "甲街道的诉求" not in listed
