"""In Chromium, a file over the limits is caught before the letter is sent: nothing leaves the page, the
text stays, and the citizen reads why next to the file field (app/static/suqiu.js, no inline script).

Regression for the outside test in which a 36 MB upload lost the letter's text: a body over the server's
limit is refused before the form can be read, so the browser is the place to stop it.
"""

import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.extensions import db
from models.case import Case
from tests.support.factories import make_mailbox
from tests.support.factories import png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SLUG = "daxiao"
TITLE = "幸福路口夜间施工噪音扰民"
CONTENT = "幸福路口的工地每天晚上十一点以后还在打桩，附近三个小区的居民无法休息，希望尽快处理。"


@pytest.fixture(scope="module")
def server(live_server, tmp_path_factory):
    """The live server with small file limits (so the test files stay small) and a mailbox."""
    live_server.app.config.update(
        UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads")),
        UPLOAD_MAX_FILE_BYTES=100_000,
        UPLOAD_MAX_CASE_BYTES=150_000,
    )
    with live_server.app.app_context():
        make_mailbox(SLUG, real_name_required=False, name="书记在线", kind="party_secretary")
        db.session.remove()
    return live_server


def case_count(server) -> int:
    with server.app.app_context():
        count = db.session.scalar(select(func.count(Case.id)))
        db.session.remove()
    return count


def fill_letter(page, server):
    page.goto(server(f"/m/{SLUG}"))
    page.select_option("#request_type", "complaint")
    page.fill("#title", TITLE)
    page.fill("#content", CONTENT)


@pytest.mark.parametrize(
    "sizes, message",
    [
        ([200_000], "big0.png 超过 0.1 MB。"),
        ([90_000, 90_000], "附件合计超过 0.1 MB。"),
    ],
)
def test_a_file_over_the_limit_is_stopped_before_sending(server, page, tmp_path, sizes, message):
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    files = []
    for i, size in enumerate(sizes):
        path = tmp_path / f"big{i}.png"
        head = png_bytes()
        path.write_bytes(head + b"\0" * (size - len(head)))
        files.append(str(path))
    before = case_count(server)
    fill_letter(page, server)
    page.set_input_files("#attachments", files)
    page.locator("#submit-letter").click()
    error = page.locator("[data-error-for=attachments]")
    error.wait_for()
    assert message in error.inner_text()
    assert posts == [] and page.url == server(f"/m/{SLUG}")
    assert page.input_value("#title") == TITLE and page.input_value("#content") == CONTENT
    assert page.locator("#submit-letter").is_enabled()  # the citizen can fix it and send again
    assert case_count(server) == before and violations == []

    # With the file removed, the same letter goes through.
    page.set_input_files("#attachments", [])
    with page.expect_navigation():
        page.locator("#submit-letter").click()
    assert page.url == server(f"/m/{SLUG}/done")
    assert case_count(server) == before + 1
