"""A visitor of a live server for the topology test and the soak (``bench.soak``): cookies of its own, a
fresh connection per request, multipart letters with a photo, and the form fields a page carries.
Standard library only (http.client), so a soak measures the server and not a client library."""

import random
import re
import uuid
from html import unescape
from http.client import HTTPConnection
from urllib.parse import urlencode

from tests.support.web import remember_cookies

DEMO_PASSWORD = "suqiu-demo-2026"
JPEG_HEAD = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
HIDDEN = re.compile(r"<input[^>]*>")
ATTRIBUTE = re.compile(r'([a-z_-]+)="([^"]*)"')
OPTIONS = re.compile(r'<select[^>]*name="([^"]+)"(.*?)</select>', re.S)
OPTION_VALUE = re.compile(r'<option[^>]*value="(\d+)"')


class Response:
    """A status, the headers and the body of one answer."""

    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        """The body as UTF-8 text."""
        return self.body.decode("utf-8", errors="replace")


class Client:
    """One visitor of the server on ``port``: its own cookies, and a fresh connection per request
    (gunicorn's sync workers close each one). ``headers`` go with every request (e.g. X-Forwarded-For)."""

    def __init__(self, port: int, headers: dict | None = None, timeout: float = 60):
        self.port, self.headers, self.timeout = port, dict(headers or {}), timeout
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, fields: dict | None = None, files: list | None = None
    ) -> Response:
        """Send one request (``fields`` as a form; with ``files`` [(field, name, bytes)] as multipart)."""
        headers = dict(self.headers)
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if files:
            body, headers["Content-Type"] = multipart(fields or {}, files)
        elif fields is not None:
            body, headers["Content-Type"] = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        connection = HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            response = Response(answer.status, answer.headers, answer.read())
        finally:
            connection.close()
        remember_cookies(self.cookies, response.headers)
        return response

    def get(self, path: str) -> Response:
        """GET ``path`` (redirects are answers, not followed)."""
        return self.request("GET", path)

    def post(self, path: str, fields: dict, files: list | None = None) -> Response:
        """POST a form to ``path``."""
        return self.request("POST", path, fields, files)


def multipart(fields: dict, files: list) -> tuple[bytes, str]:
    """A multipart/form-data body of ``fields`` and ``files`` [(field, file name, bytes)], and its type."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for field, filename, data in files:
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a page (the CSRF token, the submission key …) by name."""
    found = {}
    for tag in HIDDEN.findall(html):
        attributes = dict(ATTRIBUTE.findall(tag))
        if attributes.get("type") == "hidden" and "name" in attributes:
            found[attributes["name"]] = unescape(attributes.get("value", ""))
    return found


def select_options(html: str) -> dict[str, list[str]]:
    """The numeric option values of each select of a page, by the select's name."""
    return {name: OPTION_VALUE.findall(body) for name, body in OPTIONS.findall(html)}


def login(client: Client, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log ``username`` in through the login form, with its CSRF token."""
    token = hidden_fields(client.get("/login").text)["csrf_token"]
    response = client.post("/login", {"username": username, "password": password, "csrf_token": token})
    if response.status != 302:
        raise RuntimeError(f"login of {username} answered {response.status}")


def photo_bytes(size: int, seed: int) -> bytes:
    """A JPEG-typed photo of ``size`` bytes (the header the upload check reads, then noise)."""
    rng = random.Random(seed)
    return JPEG_HEAD + rng.randbytes(max(0, size - len(JPEG_HEAD) - 2)) + b"\xff\xd9"


def letter_fields(form_html: str, i: int, rng: random.Random | None = None) -> dict:
    """Letter ``i``'s fields, filled in as a citizen would, with the form's hidden fields (CSRF, key)."""
    rng = rng or random.Random(i)
    options = select_options(form_html)
    fields = hidden_fields(form_html)
    fields.update(
        request_type=rng.choice(("consult", "help", "complaint", "report", "suggestion")),
        category=rng.choice(options.get("category") or [""]),
        street=rng.choice(options.get("street") or [""]),
        community="",
        title=f"幸福路{i}号附近路灯不亮",
        content=f"幸福路 {i} 号门口的路灯坏了一周，晚上很黑，老人出行不便，请尽快维修。",
        citizen_name="陈先生",
        citizen_phone=f"139{i % 100_000_000:08d}",
        website="",
    )
    return fields
