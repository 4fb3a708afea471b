"""The home page in Chromium: a leader's dashboard draws its charts and area board under the CSP, on a
desk and on a phone; a handler's home keeps the queues with the own department's rates."""

import pytest

from models.enums import Grade
from models.enums import Status
from tests.support.browser import log_in
from tests.support.factories import dept
from tests.support.factories import make_case

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def server(live_server):
    with live_server.app.app_context():
        make_case(Status.DISPATCHED, grade=Grade.RED, street_id=dept("SA").id, community_id=dept("CA").id)
        make_case(Status.CLOSED, street_id=dept("SB").id)
    return live_server


def watch(page) -> list[str]:
    """Script errors and failed requests of our own (the browser's own favicon request aside)."""
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None
        ),
    )
    return problems


@pytest.mark.parametrize("size", [(1366, 800), (390, 844)])
def test_the_leader_s_dashboard_draws_its_charts(server, page, size):
    problems = watch(page)
    log_in(page, server, "leader")
    page.set_viewport_size({"width": size[0], "height": size[1]})  # after: on a phone the navbar folds away
    page.goto(server("/admin/"))
    for chart in ("trend", "channels", "categories", "overdue"):
        page.locator(f"#chart-{chart} svg, #chart-{chart} [data-chart-empty-shown]").first.wait_for()
    assert page.locator("#chart-trend svg path").count() > 0
    assert page.locator("#area-board [data-colour='red']").count() >= 1
    assert page.locator("#rate-tiles [data-rate='satisfaction']").count() == 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= size[0] + 1, f"the page scrolls sideways at {size[0]} px ({width} px wide)"
    assert problems == [], problems


def test_the_handler_s_home_shows_queues_and_own_rates(server, page):
    problems = watch(page)
    log_in(page, server, "handler_SA")
    page.goto(server("/admin/"))
    assert page.locator(".queue-tile").count() >= 1
    assert page.locator("#rate-tiles [data-rate='response']").count() == 1
    assert page.locator("#area-board").count() == 0
    assert "本单位" in page.inner_text("body")
    assert problems == [], problems
