"""In Chromium, with CSRF on: a community handler issues an order (令) to a bureau, the bureau's handler
acknowledges it (接令), checks in with who came and a photo (报到) and reports the outcome (反馈), and the
community rates the response, which closes the order."""

import re

import pytest

from tests.support.browser import choose
from tests.support.browser import log_in
from tests.support.browser import log_out
from tests.support.factories import dept
from tests.support.factories import png_bytes
from tests.support.field_orders import order_class

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def setup(live_server):
    with live_server.app.app_context():
        return order_class("紧急").id, dept("BA").id


def take_step(page, key: str, fill=None) -> None:
    """Open the step's card, fill its form, submit it and wait for the order page to come back."""
    page.wait_for_load_state("load")  # the collapse's script is bound only once the page has loaded
    page.locator(f"#open-{key}").click()
    page.locator(f"#step-{key}.collapse.show").wait_for()
    if fill is not None:
        fill(page.locator(f"#form-{key}"))
    with page.expect_navigation():
        page.locator(f"#submit-{key}").click()
    assert "/admin/field_order/details/" in page.url, page.url
    assert page.locator(".alert-danger").count() == 0, page.locator(".alert-danger").all_inner_texts()


def part_status(page) -> str:
    return page.locator(".order-part[data-department='BA']").get_attribute("data-status")


def test_an_order_from_issue_to_rated(live_server, page, setup):
    class_id, bureau = setup
    log_in(page, live_server, "handler_CA")
    page.locator("a.dropdown-toggle", has_text="社区发令").click()
    page.locator("a", has_text="我发出的令").click()
    page.locator("a", has_text="创建").first.click()
    choose(page, "#order_class", str(class_id))
    page.fill("#matter", "东门路口夜间占道经营，请城管局到场联合整治。")
    page.fill("#place", "东门路与建设路交叉口")
    choose(page, "#bureaus", str(bureau))
    with page.expect_navigation():
        page.locator("#submit-issue").click()
    assert page.locator("#order-status").inner_text() == "在办"
    number = re.search(r"L\d{11}", page.locator("h5").first.inner_text()).group(0)
    assert part_status(page) == "issued" and "30 分钟" in page.inner_text(".order-fields")
    order_url = page.url
    log_out(page, live_server)

    log_in(page, live_server, "handler_BA")
    page.goto(live_server("/admin/field_todo/"))
    with page.expect_navigation():
        page.locator("a", has_text=number).click()
    target = page.locator(".order-part[data-department='BA']").get_attribute("data-target")
    take_step(page, f"acknowledge-{target}")
    assert part_status(page) == "acknowledged"

    def check_in(form):
        for row, (name, level) in enumerate((("王科长", "section_chief"), ("李干事", "staff"))):
            form.locator(f"input[name='check_in-{target}-attendees-{row}-name']").fill(name)
            form.locator(f"select[name='check_in-{target}-attendees-{row}-level']").select_option(level)
        form.locator("textarea").fill("两人到场，现场清理摊点。")
        form.locator("input[type=file]").set_input_files(
            files=[{"name": "现场.png", "mimeType": "image/png", "buffer": png_bytes()}]
        )

    take_step(page, f"check_in-{target}", check_in)
    assert part_status(page) == "checked_in"
    assert page.locator(".part-staffed").is_visible() and page.locator(".part-photos img").count() == 1
    take_step(
        page, f"report-{target}", lambda form: form.locator("textarea").fill("已清理摊点 6 处，设置隔离栏。")
    )
    assert part_status(page) == "reported"
    log_out(page, live_server)

    log_in(page, live_server, "handler_CA")
    page.goto(order_url)
    take_step(page, f"rate-{target}", lambda form: form.locator("select").select_option("satisfied"))
    assert page.locator("#order-status").inner_text() == "已办结"
    assert part_status(page) == "rated" and "满意" in page.inner_text(".part-rating")
