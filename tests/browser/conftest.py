"""Browser fixtures: one headless Chromium per module and a fresh context per test (screenshot on failure)."""

import re

import pytest
from playwright.sync_api import sync_playwright

from tests.support.browser import CHROMIUM
from tests.support.browser import CHROMIUM_ARGS
from tests.support.browser import RESULTS
from tests.support.live_server import live_server_fixture  # noqa: F401  (provides the live_server fixture)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module (Debian's, never a Playwright download)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install it with `apt-get install -y chromium` (make system-deps)"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context per test (its own cookies); a screenshot lands in test-results/ on failure.

    The browser asks for English (Accept-Language en-US) so the tests show that Chinese is the
    app's own default, not something the browser negotiated.
    """
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    page = context.new_page()
    failed_before = request.session.testsfailed
    yield page
    if request.session.testsfailed > failed_before:
        RESULTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)
    context.close()
