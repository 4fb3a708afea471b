"""In Chromium, with CSRF on: a leader writes a 批示 on a case, the addressed bureau answers it, a supervisor
accepts the answer (closing the 批示), and the leader finds it under 我的批示 as closed."""

import pytest

from app.extensions import db
from models.enums import Status
from tests.support.browser import choose
from tests.support.browser import log_in
from tests.support.browser import log_out
from tests.support.browser import take_action
from tests.support.factories import dept
from tests.support.factories import make_case

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def case(live_server):
    with live_server.app.app_context():
        made = make_case(Status.IN_PROGRESS, lead="SA", title="东门菜市场周边占道经营")
        db.session.commit()
        return made.id, made.number, dept("BA").id


def test_a_leaders_instruction_from_writing_to_closed(live_server, page, case):
    case_id, number, bureau = case
    url = live_server(f"/admin/case/details/?id={case_id}")

    log_in(page, live_server, "leader")
    page.goto(url)

    def instruct(form):
        form.locator("textarea[name='instruct-content']").fill("请城管局会同街道三日内清理，结果报我。")
        choose(page, "#instruct-departments", str(bureau))

    take_action(page, "instruct", instruct)
    order = page.locator("#orders [data-kind='instruction']")
    assert order.get_attribute("data-status") == "open"
    assert "请城管局会同街道三日内清理" in order.inner_text()
    assert order.locator("tr[data-department='BA']").get_attribute("data-status") == "pending"
    log_out(page, live_server)

    log_in(page, live_server, "handler_BA")
    page.goto(url)
    assert page.locator("#open-answer_order").is_visible()
    take_action(
        page, "answer_order", lambda form: form.locator("textarea").fill("已清理摊点 6 处，设置隔离栏。")
    )
    assert page.locator("#orders tr[data-department='BA']").get_attribute("data-status") == "answered"
    log_out(page, live_server)

    log_in(page, live_server, "supervisor")
    page.goto(url)
    take_action(page, "accept_order", lambda form: form.locator("textarea").fill("情况属实，同意办结。"))
    assert page.locator("#orders [data-kind='instruction']").get_attribute("data-status") == "closed"
    log_out(page, live_server)

    log_in(page, live_server, "leader")
    page.goto(live_server("/admin/my_instructions/"))
    assert page.locator("[data-bucket='closed'] .badge").inner_text() == "1"
    page.locator("[data-bucket='closed']").click()
    row = page.locator("#my-instructions tbody tr")
    assert row.count() == 1 and number in row.inner_text() and "已通过" in row.inner_text()
    assert "100.0%" in page.inner_text("#instruction-rate")
