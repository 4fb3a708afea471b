"""A handler on a phone (390×844): the case list as cards, the case page without sideways scrolling, and a
structured contact record with a photo taken from the phone, shown under its timeline entry."""

import re

import pytest

from app.extensions import db
from models.enums import Status
from tests.support import factories
from tests.support.browser import take_action
from tests.support.browser import timeline
from tests.support.deadlines import stage_policies

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser):
    """A phone-sized page (touch, mobile viewport) that asks for English, like the other browser tests."""
    context = browser.new_context(locale="en-US", viewport=PHONE, is_mobile=True, has_touch=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


def log_in(page, server, username: str) -> None:
    """The login form on a phone; the logout button sits in the collapsed navbar, behind its toggler."""
    page.goto(server("/login"))
    no_sideways_scroll(page)
    page.fill("#username", username)
    page.fill("#password", factories.PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(server("/admin/"))
    assert not page.locator("#logout").is_visible()
    page.locator("nav .navbar-toggler").click()
    page.locator("#logout").wait_for(state="visible")


def no_sideways_scroll(page) -> None:
    """Nothing is wider than the phone (a mobile browser would widen its layout to fit it, and zoom out)."""
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths == [PHONE["width"]] * 2, f"the page is {widths[0]} px wide on a {PHONE['width']} px screen"


def test_a_handler_works_a_case_on_a_phone(live_server, phone):
    server, page = live_server, phone
    with server.app.app_context():
        stage_policies()  # every step on a clock, so the card shows its due badge
        case = factories.make_case(Status.DISPATCHED, lead="SA", title="幸福小区东门路灯不亮，夜间出行不便")
        number, case_id = case.number, case.id
        db.session.remove()

    log_in(page, server, "handler_SA")
    page.goto(server("/admin/case/"))
    no_sideways_scroll(page)
    assert not page.locator("table.model-list thead").is_visible()  # no table header on a phone
    card = page.locator("table.model-list tbody tr", has_text=number)
    assert card.evaluate("tr => getComputedStyle(tr).display") == "flex"
    box = card.bounding_box()
    assert box["width"] <= PHONE["width"] and box["height"] > 60  # a card, not a squeezed table row
    for shown in (
        "td.col-number",
        "td.col-title",
        "td.col-status",
        "td.col-next_due_at",
        "td.col-lead_department",
    ):
        assert card.locator(shown).is_visible(), shown
    assert "甲街道" in card.inner_text() and "待签收" in card.inner_text()
    assert not card.locator("td.col-received_at").is_visible()

    card.locator("a", has_text=number).click()
    page.wait_for_url(re.compile(rf"/admin/case/details/\?id={case_id}$"))
    no_sideways_scroll(page)
    take_action(page, "sign")

    def contact(form):
        form.locator("#contact-method").select_option("phone")
        form.locator("#contact-person").fill("王女士（诉求人）")
        form.locator("#contact-note").fill("已电话告知：明晚前更换路灯灯泡。")
        form.locator("#contact-files").set_input_files(
            [{"name": "现场路灯.png", "mimeType": "image/png", "buffer": factories.png_bytes(40, 30)}]
        )
        no_sideways_scroll(page)  # the open form with its file input fits the screen

    take_action(page, "contact", contact)
    assert timeline(page)[-2:] == ["sign", "contact"]
    entry = page.locator("#timeline > li[data-action='contact']")
    record = entry.locator(".contact-record").inner_text()
    assert "电话" in record and "王女士（诉求人）" in record and "联系对象" in record
    assert "已电话告知：明晚前更换路灯灯泡。" in entry.locator(".event-note").inner_text()
    photo = entry.locator(".event-files img")
    assert photo.count() == 1
    photo.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth === 40", arg=photo.element_handle())
    no_sideways_scroll(page)
