"""Under the Content-Security-Policy (no inline script) the panel's scripted parts still work in Chromium:
a bulk action with its confirmation, a delete with its confirmation, and the public form's send-once.
No page logs a CSP violation on the way."""

import pytest

from app.extensions import db
from models.case import Case
from models.enums import Status
from models.org import Department
from tests.support.browser import log_in
from tests.support.factories import make_case

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def watch_csp(page) -> list[str]:
    """Collect the console's CSP violations of ``page``."""
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    return violations


def test_bulk_action_runs_after_its_confirmation(live_server, page):
    server = live_server
    with server.app.app_context():
        case_id = make_case(Status.IN_PROGRESS, title="需督办的诉求").id
    violations = watch_csp(page)
    log_in(page, server, "supervisor")
    page.goto(server("/admin/case/"))
    page.locator(f"input.action-checkbox[value='{case_id}']").check()
    page.locator("a.dropdown-toggle", has_text="批量操作").click()
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator("[data-model-action='supervise']").click()
    assert "/admin/supervise_many/" in page.url  # the 督办单 form for the cases chosen
    page.fill("#content", "请三日内办结并反馈")
    with page.expect_navigation():
        page.locator("#submit-supervise-many").click()
    with server.app.app_context():
        case = db.session.get(Case, case_id)
        assert case.is_supervised and [o.content for o in case.orders] == ["请三日内办结并反馈"]
    assert violations == [], violations


def test_adding_a_list_filter_still_works(live_server, page):
    violations = watch_csp(page)
    log_in(page, live_server, "clerk")
    page.goto(live_server("/admin/case/"))
    page.locator("a.dropdown-toggle", has_text="添加筛选条件").click()
    page.locator("a.filter", has_text="状态").click()
    page.locator("#filter_form .filter-val").first.wait_for()
    assert page.url.endswith("/admin/case/")  # the menu link did not navigate to "#"
    assert violations == [], violations


def test_delete_asks_first_and_a_no_keeps_the_row(live_server, page):
    server = live_server
    with server.app.app_context():
        department = Department(code="TMP", name="临时单位", kind="bureau", parent_id=None)
        db.session.add(department)
        db.session.commit()
        department_id = department.id
    violations = watch_csp(page)
    log_in(page, server, "admin")
    page.goto(server("/admin/department/"))
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.locator(f"form.icon:has(input[name=id][value='{department_id}']) button").click()
    page.wait_for_timeout(300)
    assert asked, "no confirmation was asked"
    with server.app.app_context():
        assert db.session.get(Department, department_id) is not None
    assert violations == [], violations


def test_public_letter_page_runs_without_violations(live_server, page):
    violations = watch_csp(page)
    page.goto(live_server("/m/jzxx"))
    page.locator("form.public-form[data-send-once]").wait_for()
    assert violations == [], violations
