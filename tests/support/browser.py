"""Browser tests' shared parts: where Debian's Chromium is and how it starts, logging in and out.

The ``browser`` and ``page`` fixtures are in ``tests/browser/conftest.py``.
"""

import re
from pathlib import Path

from tests.support import factories

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
RESULTS = Path(__file__).resolve().parents[2] / "test-results"  # screenshots of failed pages
CJK = re.compile(r"[\u4e00-\u9fff]")


def log_in(page, server, username: str) -> None:
    """Fill the login form (with its real CSRF token) and land on the panel."""
    page.goto(server("/login"))
    page.fill("#username", username)
    page.fill("#password", factories.PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_url(server("/admin/"))
    assert page.locator("#logout").is_visible()


def log_out(page, server) -> None:
    """The navbar's logout button posts its CSRF token and returns to the login page."""
    page.locator("#logout").click()
    page.wait_for_url(re.compile(re.escape(server("/login"))))
    assert page.locator("#username").is_visible()
