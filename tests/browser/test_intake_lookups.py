"""The intake form's look-ups in a real browser, through the one shared poster (app/static/intake_lookup.js,
CSRF on): the suggested categories appear as the clerk types and a click chooses one in the dropdown; the
caller's earlier case appears once a whole phone number is typed."""

import pytest

from app.extensions import db
from app.suggest import training
from app.timeutil import utcnow
from models.enums import Status
from tests.suggest import corpus
from tests.support.browser import log_in
from tests.support.factories import make_case

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_suggested_categories_show_and_a_click_chooses_one(live_server, page, monkeypatch):
    with live_server.app.app_context():
        categories = corpus.make_catalogue(monkeypatch)
        corpus.make_closed_cases(categories)
        training.train(utcnow())
        db.session.commit()
        wage = categories["LDSB-QX"].id
    log_in(page, live_server, "clerk")
    page.goto(live_server("/admin/case/new/"))
    page.fill("#title", "讨薪")
    page.fill("#content", "干完活了工头一直不给钱")
    first = page.locator("#routing-suggest-box button[data-id]").first
    first.wait_for()
    assert page.locator("#routing-suggest-box button[data-id]").count() == 3
    assert first.get_attribute("data-id") == str(wage) and "欠薪" in first.inner_text()
    assert "区城管局" in page.locator("#routing-suggest-department").inner_text()
    first.click()
    assert page.eval_on_selector("#category", "e => e.value") == str(wage)
    assert first.get_attribute("aria-pressed") == "true"


def test_the_caller_s_earlier_case_shows_once_the_number_is_whole(live_server, page):
    with live_server.app.app_context():
        number = make_case(Status.DISPATCHED, citizen_phone="13912345678", title="噪音扰民").number
    log_in(page, live_server, "clerk")
    page.goto(live_server("/admin/case/new/"))
    page.fill("#citizen_phone", "1391234")  # not yet a whole number: nothing asked
    page.wait_for_timeout(600)
    assert page.locator("#caller-history-box").inner_text().strip() == ""
    page.fill("#citizen_phone", "１３９ １２３４ ５６７８")  # full-width digits and blanks, as typed
    page.wait_for_function(
        "n => document.getElementById('caller-history-box').innerText.includes(n)", arg=number
    )
