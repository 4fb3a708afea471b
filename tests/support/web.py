"""Helpers for requests through the test client with CSRF on: read a page's token, log in with it."""

import re

from tests.support.factories import PASSWORD


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
