"""No English on a Chinese admin page: every page of every registered Flask-Admin view (lists, create, edit and
details forms, custom pages) is fetched as each role on a demo district, and its visible text must hold no
English word.

Visible text is the text between tags (scripts, styles and JSON data islands left out) and the attributes a
person sees or hears: placeholder, title, aria-label, alt, data-placeholder and the value of buttons. What may
stay in Latin letters:
- codes: a token with a digit, ``_``, ``.``, ``@``, ``/`` or ``:`` in it (case numbers, file names, addresses),
  acronyms or units written in capitals (QR, PNG, SVG, ID, API, SMS, MB) and file types (xlsx, csv);
- the names in ``PRODUCT_NAMES``: a language's own name in the language switch, and software known by its name
  (office suites; the holiday data package named as the calendar's source);
- the identifiers administrators give records, listed as they are: user names, department and category codes,
  mailboxes' web address names (``data_words``); no other stored text, so an untranslated code still fails.
"""

import json
import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urlsplit

import flask_migrate
import pytest
from sqlalchemy import select
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.exceptions import NotFound
from werkzeug.routing import RequestRedirect

from app import create_app
from app.demo import DEMO_PASSWORD
from app.demo import seed_demo
from app.extensions import db
from models.case import Case
from models.org import Category
from models.org import Department
from models.org import Mailbox
from models.user import User
from tests.conftest import FreshContextClient
from tests.conftest import make_config
from tests.support.factories import make_volunteer

PRODUCT_NAMES = frozenset({"English", "Excel", "Word", "WPS", "chinesecalendar"})
ACRONYM = re.compile(r"^[A-Z]{2,5}s?$")
FILE_TYPES = frozenset({"csv", "docx", "pdf", "png", "svg", "xlsx"})
CODE_MARKS = re.compile(r"[0-9_.@/:]")
TOKEN = re.compile(r"[A-Za-z0-9_.@/:'’-]+")
URL = re.compile(r"(https?://|www\.)\S+")
SEEN_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "data-placeholder"}
BUTTON_TYPES = {"submit", "button", "reset"}
# Routes that answer with a file rather than a page.
SKIPPED_ENDPOINT_PARTS = (
    "export",
    "docx",
    "xlsx",
    "csv",
    "attachment",
    "photo",
    "qr_png",
    "qr_svg",
    "static",
)
MAX_TRIES = 3  # visits of one route before it counts as refused (403) or needing what no link gives
# Demo accounts of each role (app.demo): the handler is scoped to a bureau.
ROLES = {
    "admin": "admin",
    "supervisor": "supervisor",
    "clerk": "clerk",
    "leader": "leader",
    "handler": "h_cgj",
}


class VisibleText(HTMLParser):
    """Collects the text a person sees or hears."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        attributes = dict(attrs)
        for name in SEEN_ATTRIBUTES & attributes.keys():
            self.parts.append(attributes[name] or "")
        if tag == "input" and (attributes.get("type") or "").lower() in BUTTON_TYPES:
            self.parts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip and not is_json(data):
            self.parts.append(data)


def is_json(text: str) -> bool:
    """A data island (Flask-Admin's filters and confirmations): read by the page's scripts, not by people."""
    text = text.strip()
    if not text.startswith(("{", "[")):
        return False
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def visible_text(html: str) -> str:
    """The page's visible and spoken text, one piece per line."""
    parser = VisibleText()
    parser.feed(html)
    return "\n".join(part.strip() for part in parser.parts if part.strip())


def english_words(text: str, allowed: frozenset) -> set[str]:
    """Words of English in ``text`` that are neither codes, acronyms, product names nor people's data."""
    found = set()
    for token in TOKEN.findall(URL.sub(" ", text)):
        token = token.strip(".:/'’-")
        if CODE_MARKS.search(token):
            continue
        for word in re.split(r"[-'’]", token):
            known = word in PRODUCT_NAMES or word in FILE_TYPES or word.lower() in allowed
            if len(word) < 2 or ACRONYM.match(word) or known:
                continue
            found.add(word)
    return found


def data_words() -> frozenset:
    """The identifiers administrators give records and the panel lists: user names, department and category
    codes, mailboxes' web address names and the cases' tracking codes (their Latin parts, lower-cased)."""
    words = set()
    for column in (User.username, Department.code, Category.code, Mailbox.slug, Case.tracking_code):
        for value in db.session.scalars(select(column).where(column.is_not(None))):
            words.update(part.lower() for part in re.split(r"[-_.@]", value) if part.isalpha())
    return frozenset(words)


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory):
    """A demo district (a few dozen cases in every state) in the Chinese UI, loaded once for the module."""
    application = create_app(make_config(tmp_path_factory.mktemp("walk") / "suqiu.db"))
    application.test_client_class = FreshContextClient
    with application.app_context():
        flask_migrate.upgrade()
        seed_demo(cases=40)
        allowed = data_words()
        db.session.remove()
    return application, allowed


def admin_endpoints(app) -> set[str]:
    """The blueprints of every view registered on the panel (Flask-Admin's registry)."""
    admin = app.extensions["admin"]
    admin = admin[0] if isinstance(admin, list) else admin
    return {view.endpoint for view in admin._views}


def starting_urls(app, blueprints: set[str]) -> list[str]:
    """Every GET route of the panel's views that needs no argument."""
    urls = []
    for rule in app.url_map.iter_rules():
        blueprint, _, name = rule.endpoint.partition(".")
        if blueprint in blueprints and "GET" in rule.methods and not rule.arguments and wanted(name):
            urls.append(rule.rule)
    return sorted(urls)


def wanted(name: str) -> bool:
    """A page, not a file download."""
    return not any(part in name for part in SKIPPED_ENDPOINT_PARTS)


def walk(app, client, blueprints: set[str], allowed: frozenset) -> tuple[dict, dict]:
    """Fetch the panel's pages, following links to other pages of the panel until each route has answered
    a page once (a route needing ``?id=`` is tried again from the links found); return the English words
    found per page and the status of each route's last visit."""
    adapter = app.url_map.bind("localhost")
    queue, tries, findings, visited = starting_urls(app, blueprints), defaultdict(int), defaultdict(set), {}
    while queue:
        url = queue.pop(0)
        try:
            endpoint, _args = adapter.match(urlsplit(url).path, method="GET")
        except (NotFound, MethodNotAllowed, RequestRedirect):
            continue
        blueprint, _, name = endpoint.partition(".")
        done = visited.get(endpoint, (None, None))[1] == 200
        if blueprint not in blueprints or not wanted(name) or done or tries[endpoint] >= MAX_TRIES:
            continue
        tries[endpoint] += 1
        try:
            response = client.get(url)
        except Exception as exc:  # noqa: BLE001  (a page that fails is reported with the others)
            findings[url].add(f"<error {type(exc).__name__}>")
            visited[endpoint] = (url, 500)
            continue
        visited[endpoint] = (url, response.status_code)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        words = english_words(visible_text(html), allowed)
        if words:
            findings[url] |= words
        queue += [href.replace("&amp;", "&") for href in re.findall(r'href="(/admin/[^"#]*)"', html)]
    return findings, visited


@pytest.mark.parametrize("role", sorted(ROLES))
def test_no_english_word_on_any_admin_page(demo_app, role):
    app, allowed = demo_app
    client = app.test_client()
    response = client.post("/login", data={"username": ROLES[role], "password": DEMO_PASSWORD})
    assert response.status_code == 302
    findings, visited = walk(app, client, admin_endpoints(app), allowed)
    assert len(visited) > 10
    report = "\n".join(f"{url}: {', '.join(sorted(words))}" for url, words in sorted(findings.items()))
    assert not findings, f"English on {len(findings)} of {len(visited)} pages as {role}:\n{report}"


def test_the_walker_sees_english_and_lets_codes_through():
    text = visible_text(
        '<p title="Save record">案件 GM-20261122-0001 <b>PNG</b></p><script>var x = "Hidden";</script>'
        '<input type="submit" value="Submit"><input type="text" value="typed"><span>items</span>'
        "<a>https://example.org/m/juzhang</a> photo.jpg"
    )
    assert english_words(text, frozenset()) == {"Save", "record", "Submit", "items"}
    assert english_words("李明 zhangsan", frozenset({"zhangsan"})) == set()


@pytest.mark.parametrize("page", ["mailbox", "volunteer"])
def test_the_honeypot_says_nothing_in_english(client, db, page):
    url = "/m/jzxx"
    if page == "volunteer":
        url = f"/v/{make_volunteer().link_token}"
    html = client.get(url).get_data(as_text=True)
    trap = re.search(r'<div class="hp-field"([^>]*)>(.*?)</div>', html, re.S)
    assert trap, "the form has its honeypot"
    assert 'aria-hidden="true"' in trap.group(1)  # not read out by a screen reader
    label = re.search(r"<label[^>]*>([^<]*)</label>", trap.group(2)).group(1)
    assert label == "此项请留空" and not english_words(visible_text(trap.group(2)), frozenset())
    assert 'name="website"' in trap.group(2) and 'tabindex="-1"' in trap.group(2)


def test_flask_admin_s_stock_wording_is_the_office_s(demo_app):
    app, _allowed = demo_app
    client = app.test_client()
    client.post("/login", data={"username": "admin", "password": DEMO_PASSWORD})
    form = client.get("/admin/case/new/").get_data(as_text=True)
    assert 'data-placeholder="请输入关键字查找"' in form and "请选择模型" not in form  # the ajax look-ups
    assert "保存并继续新增" in form and "保存并添加另一个" not in form
    listing = client.get("/admin/category/").get_data(as_text=True)
    assert "每页 20 条" in listing and "批量操作" in listing and "添加筛选条件" in listing
    assert '<html lang="zh-CN">' in listing and "admin-zh.js" in listing and "favicon.svg" in listing
    assert 'aria-label="展开或收起菜单"' in listing
