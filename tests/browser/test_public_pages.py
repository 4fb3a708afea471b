"""People on phones, in a real browser: a citizen writes to a mailbox with a photo and finds the case by its
code; a volunteer reports a clue with a photo through a personal link.

Debian's Chromium driven by Playwright (phone viewport, touch, zh-CN) against the live server with CSRF
on, as in ``tests/browser/test_case_desk.py``. Every request the page makes stays on the local server.
"""

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

from app.deadlines.policies import seed_default_policies
from app.extensions import db
from models.case import Case
from models.volunteer import Clue
from tests.support.browser import RESULTS
from tests.support.factories import make_mailbox
from tests.support.factories import make_volunteer
from tests.support.factories import png_bytes

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CJK = re.compile(r"[\u4e00-\u9fff]")
SLUG = "shuji"
PHONE = "13912345678"
TITLE = "幸福路口夜间施工噪音扰民"
CONTENT = "幸福路口的工地每天晚上十一点以后还在打桩，附近三个小区的居民无法休息，希望尽快处理。"


@pytest.fixture(scope="module")
def server(live_server, tmp_path_factory):
    """The live server with a mailbox, its promises, and uploads kept in a temporary folder."""
    live_server.app.config["UPLOAD_FOLDER"] = str(tmp_path_factory.mktemp("uploads"))
    with live_server.app.app_context():
        make_mailbox(SLUG, name="书记在线", kind="party_secretary", leader_name="陈书记", department="D")
        seed_default_policies()  # after the mailbox: its kind's promises (10-30-24) attach to it
        db.session.commit()
        db.session.remove()
    return live_server


@pytest.fixture
def phone(browser, request):  # noqa: F811  (the imported fixture)
    """A phone-sized, touch, zh-CN browser context; a screenshot lands in test-results/ on failure."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=3,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )
    context.set_default_timeout(30_000)
    page = context.new_page()
    failed_before = request.session.testsfailed
    yield page
    if request.session.testsfailed > failed_before:
        RESULTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)
    context.close()


def test_citizen_writes_with_a_photo_and_tracks_the_case(server, phone, tmp_path):
    page = phone
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    photo = tmp_path / "现场照片.png"
    photo.write_bytes(png_bytes(64, 48))

    # The mailbox page, in Chinese, fitting the phone's width.
    page.goto(server(f"/m/{SLUG}"))
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert CJK.search(page.title())
    assert page.locator("h1").inner_text() == "书记在线"
    for label in ("request_type", "title", "content", "citizen_name", "citizen_phone", "attachments"):
        assert CJK.search(page.locator(f"label[for={label}]").inner_text()), label
    assert CJK.search(page.locator("#submit-letter").inner_text())
    assert "陈书记" in page.inner_text("body") and "10 分钟" in page.inner_text("body")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The honeypot is off-screen and out of the tab order: not for people.
    honeypot = page.locator("#website").bounding_box()
    assert honeypot["x"] + honeypot["width"] <= 0
    assert page.locator("#website").get_attribute("tabindex") == "-1"

    # Fill in the letter as a citizen would.
    page.select_option("#request_type", "complaint")
    page.select_option("#category", label="占道经营")
    page.fill("#title", TITLE)
    page.fill("#content", CONTENT)
    page.select_option("#street", label="甲街道")
    page.select_option("#community", label="甲一社区")
    page.fill("#address", "幸福路与建设路交叉口")
    page.fill("#citizen_name", "赵六")
    page.fill("#citizen_phone", PHONE)
    page.set_input_files("#attachments", str(photo))
    with page.expect_navigation():
        page.locator("#submit-letter").tap()
    assert page.url == server(f"/m/{SLUG}/done"), page.inner_text("body")

    number = page.locator("#case-number").inner_text().strip()
    code = page.locator("#tracking-code").inner_text().strip()
    assert re.fullmatch(r"SQ\d{8}-\d{6}", number) and re.fullmatch(r"[A-Z2-9]{12}", code)
    assert CJK.search(page.locator("h1").inner_text())

    with server.app.app_context():
        case = db.session.scalars(db.select(Case).where(Case.number == number)).one()
        assert case.title == TITLE and case.tracking_code == code and case.citizen_phone == PHONE
        assert [(a.original_name, a.content_type) for a in case.attachments] == [
            ("现场照片.png", "image/png")
        ]
        stored = Path(server.app.config["UPLOAD_FOLDER"]) / case.attachments[0].stored_name
        assert stored.read_bytes() == photo.read_bytes()
        db.session.remove()

    # Track it: the code and the last 4 digits of the phone.
    with page.expect_navigation():
        page.get_by_role("link", name="查询我的诉求").tap()
    assert page.url == server("/track")
    page.fill("#code", code)
    page.fill("#phone_tail", PHONE[-4:])
    with page.expect_navigation():
        page.locator("form button[type=submit]").tap()
    assert page.url == server("/track/case"), page.inner_text("body")
    assert page.locator("#case-status").is_visible()
    assert CJK.search(page.locator("#case-status").inner_text())
    assert page.locator("h1").inner_text() == TITLE
    assert number in page.inner_text("body")
    assert page.locator("#public-timeline li").count() >= 1

    # Nothing was fetched from anywhere but this server.
    assert requested
    remote = [u for u in requested if urlparse(u).scheme in ("http", "https", "ws", "wss")]
    assert all(urlparse(u).hostname == "127.0.0.1" for u in remote), remote


def test_volunteer_reports_a_clue_with_a_photo_from_a_personal_link(server, phone, tmp_path):
    page = phone
    photo = tmp_path / "楼道照片.png"
    photo.write_bytes(png_bytes(48, 64))
    with server.app.app_context():
        token = make_volunteer("林平安", "CA", phone="13700002222").link_token
        db.session.remove()

    page.goto(server(f"/v/{token}"))
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "林*" in page.locator("#volunteer-name").inner_text()  # only the initial
    assert "林平安" not in page.inner_text("body")
    for label in ("place", "description", "attachments"):
        assert CJK.search(page.locator(f"label[for={label}]").inner_text()), label
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.fill("#place", "甲一社区 3 栋楼道")
    page.fill("#description", "3 栋两户邻居因楼道堆放杂物多次争吵，昨晚险些动手，需要尽快调解。")
    page.fill("#people_involved", "2")
    page.set_input_files("#attachments", str(photo))
    with page.expect_navigation():
        page.locator("#submit-clue").tap()
    assert page.url == server(f"/v/{token}/done"), page.inner_text("body")
    number = int(page.locator("#clue-number").inner_text())
    assert CJK.search(page.locator("#clue-status").inner_text())

    with server.app.app_context():
        clue = db.session.get(Clue, number)
        assert clue.place == "甲一社区 3 栋楼道" and clue.people_involved == 2 and clue.entered_by_id is None
        assert [(a.original_name, a.kind) for a in clue.attachments] == [("楼道照片.png", "image")]
        assert (Path(server.app.config["UPLOAD_FOLDER"]) / clue.attachments[0].stored_name).read_bytes() == (
            photo.read_bytes()
        )
        db.session.remove()
