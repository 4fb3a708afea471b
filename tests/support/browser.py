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


def choose(page, selector: str, value: str) -> None:
    """Pick ``value`` in a <select>, also those that select2 hides behind its own widget."""
    page.eval_on_selector(
        selector,
        """(el, value) => {
            el.value = value;
            if (el.value !== value) throw new Error(`no option ${value} in #${el.id}`);
            if (window.jQuery) window.jQuery(el).trigger("change"); else el.dispatchEvent(new Event("change"));
        }""",
        value,
    )


def timeline(page) -> list[str]:
    """The actions on the case page's timeline, oldest first."""
    return page.locator("#timeline > li").evaluate_all("items => items.map(li => li.dataset.action)")


def take_action(page, name: str, fill=None) -> None:
    """Expand the action's form, fill it, submit it and wait for the case page to come back."""
    page.locator(f"#open-{name}").click()
    page.locator(f"#action-{name}.collapse.show").wait_for()  # the expand animation has finished
    form = page.locator(f"#form-{name}")
    if fill is not None:
        fill(form)
    with page.expect_navigation():
        page.locator(f"#submit-{name}").click()
    assert "/admin/case/details/" in page.url, page.url
    assert page.locator(".alert-success").count() == 1, page.locator(".alert").all_inner_texts()
    assert page.locator(".alert-danger").count() == 0, page.locator(".alert-danger").all_inner_texts()
    assert timeline(page)[-1] == name
