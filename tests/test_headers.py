"""Security headers on admin and public pages; every script is a file or carries the response's nonce.

Regression for the outside test that found no security headers at all: no CSP, no framing protection, no
nosniff, no referrer policy, pages with personal data cacheable, cookies not marked Secure on https.
"""

import re

import pytest

from app import create_app
from tests.conftest import make_config
from tests.support.factories import make_case

SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
HANDLER = re.compile(r"\son(?:click|submit|change|load|error|input|mouseover)\s*=", re.I)


def policy(response) -> dict[str, str]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    return directives


def assert_secured(response) -> None:
    csp = policy(response)
    assert csp["script-src"].startswith("'self' 'nonce-")
    assert "unsafe-inline" not in csp["script-src"] and "unsafe-eval" not in csp["script-src"]
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "no-store" in response.headers["Cache-Control"]
    nonce = csp["script-src"].split("'nonce-")[1].rstrip("'")
    html = response.get_data(as_text=True)
    for attributes in SCRIPT.findall(html):
        assert "src=" in attributes or f'nonce="{nonce}"' in attributes, attributes
    assert not HANDLER.search(html.replace('onclick="return false;"', "")), HANDLER.search(html)


@pytest.mark.parametrize("url", ["/login", "/track", "/m/jzxx"])
def test_public_pages(client, url):
    assert_secured(client.get(url))


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/case/", "/admin/case/new/", "/admin/department/", "/admin/user/"]
)
def test_panel_pages(client, login_as, url):
    make_case()
    login_as("admin")
    assert_secured(client.get(url))


def test_a_case_page_with_personal_data_is_not_stored(client, login_as):
    case = make_case()
    login_as("clerk")
    response = client.get(f"/admin/case/details/?id={case.id}")
    assert_secured(response)


def test_each_response_has_its_own_nonce(client):
    first, second = (policy(client.get("/login"))["script-src"] for _ in range(2))
    assert first != second


def test_delete_asks_through_data_confirm_not_an_inline_handler(client, login_as):
    login_as("admin")
    html = client.get("/admin/department/").get_data(as_text=True)
    assert "data-confirm=" in html and "safeConfirm" not in html


def test_cookies_are_secure_when_the_site_is_https(tmp_path):
    app = create_app(make_config(tmp_path / "x.db", PUBLIC_BASE_URL="https://suqiu.example.gov.cn"))
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    plain = create_app(make_config(tmp_path / "y.db", PUBLIC_BASE_URL="http://127.0.0.1:5000"))
    assert not plain.config.get("SESSION_COOKIE_SECURE")
