"""Helpers for requests with CSRF on: read a page's token, log in with it, and visitors of a live server
sending at the same moment (real threads, one connection and cookie each)."""

import re
import threading
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from urllib.parse import urlencode
from urllib.parse import urlsplit

from tests.support.factories import PASSWORD


def remember_cookies(cookies: dict, headers) -> None:
    """Keep the cookies a response sets in ``cookies``, and drop those it expires."""
    for header in headers.get_all("Set-Cookie") or ():
        for name, morsel in SimpleCookie(header).items():
            if morsel.value and morsel["max-age"] != "0":
                cookies[name] = morsel.value
            else:
                cookies.pop(name, None)


def token_from(html: str) -> str:
    """The CSRF token a page's form carries."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "page carries no CSRF token"
    return match.group(1)


def logged_in(client, username="clerk"):
    """Log ``username`` in through the form (with its token); return the token of the panel's pages."""
    token = token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return token_from(client.get("/admin/case/").get_data(as_text=True))


TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class Browser:
    """One visitor: its own connection and cookies."""

    def __init__(self, base: str):
        parts = urlsplit(base)
        self.connection = HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8")
        remember_cookies(self.cookies, response.headers)
        return response.status, text

    def token(self, path: str) -> str:
        status, html = self.request("GET", path)
        assert status == 200, (path, status)
        match = TOKEN.search(html)
        assert match, "the page carries no CSRF token"
        return match.group(1) or match.group(2)


def at_once(count: int, send) -> list[int]:
    """Run ``send(i)`` in ``count`` threads, released together; their status codes."""
    barrier, statuses, errors = threading.Barrier(count, timeout=60), [None] * count, []

    def worker(i):
        try:
            prepare = send(i)
            barrier.wait()
            statuses[i] = prepare()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return statuses
