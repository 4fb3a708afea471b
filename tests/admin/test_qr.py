"""Mailbox QR codes (PNG, SVG) and the printable A4 poster in the panel.

The images are decoded back into QR module grids (PNG pixels, SVG path) and compared with the code for
the expected public address, so a wrong address, base URL or slug fails the test.
"""

import re
import struct
import zlib
from html import unescape
from urllib.parse import parse_qsl

import pytest
import segno
from sqlalchemy import select

from admin_views.settings.org import MailboxView
from app.auth.access import ADMIN_ROLES
from app.deadlines.policies import seed_default_policies
from app.deadlines.promises import mailbox_promises
from models.org import Mailbox

BASE = "https://xinxiang.example.gov.cn/suqiu"
EXPECTED_URL = BASE + "/m/jzxx"
ROUTES = ("qr.png", "qr.svg", "poster/")
STAFF = [("admin", None), ("supervisor", None), ("clerk", None), ("leader", None), ("handler", "SA")]


@pytest.fixture
def mailbox(app, db):
    """The test mailbox (局长信箱, slug ``jzxx``), with an intro and the default deadline policies."""
    app.config["PUBLIC_BASE_URL"] = BASE + "/"
    box = db.session.scalar(select(Mailbox).where(Mailbox.slug == "jzxx"))
    box.intro = "局长亲自阅办群众来信。\n请如实填写。"
    seed_default_policies()
    db.session.commit()
    return box


def dark_modules(matrix) -> set[tuple[int, int]]:
    """(row, column) of every dark module of a segno matrix (which has no quiet zone)."""
    return {(r, c) for r, row in enumerate(matrix) for c, value in enumerate(row) if value}


def expected_modules(url: str) -> set[tuple[int, int]]:
    """The modules a level-M (or better) full-size QR code for ``url`` has."""
    return dark_modules(segno.make(url, error="m", micro=False).matrix)


def error_level(cells: set[tuple[int, int]]) -> str:
    """The error correction level written in a code's format information (next to the top-left finder)."""
    positions = [(8, c) for c in (0, 1, 2, 3, 4, 5, 7, 8)] + [(r, 8) for r in (7, 5, 4, 3, 2, 1, 0)]
    bits = 0
    for position in positions:
        bits = (bits << 1) | (position in cells)
    return {0b01: "L", 0b00: "M", 0b11: "Q", 0b10: "H"}[(bits ^ 0b101010000010010) >> 13]


def svg_modules(svg: str) -> tuple[set[tuple[int, int]], int]:
    """Decode segno's SVG path ("M4 4.5h7m2 0h3 …") into dark modules, and the quiet zone in modules."""
    d = re.search(r'<path[^>]*\sd="([^"]+)"', svg).group(1)
    x = y = 0.0
    cells = set()
    for command, args in re.findall(r"([A-Za-z])([^A-Za-z]*)", d):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        elif command == "h":
            cells.update((int(y), int(x) + i) for i in range(int(numbers[0])))
            x += numbers[0]
        else:
            raise AssertionError(f"unexpected path command {command}")
    top, left = min(r for r, _ in cells), min(c for _, c in cells)
    assert top == left  # the top-left finder pattern starts the grid in both directions
    return {(r - top, c - left) for r, c in cells}, left


def png_modules(data: bytes, size: int) -> tuple[set[tuple[int, int]], float, int]:
    """Decode a 1-bit greyscale PNG into dark modules of a ``size``-module code, the quiet zone and scale."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
        elif kind == b"IDAT":
            idat += body
    assert (depth, colour) == (1, 0), "segno writes black-and-white PNGs as 1-bit greyscale"
    raw, stride = zlib.decompress(idat), (width + 7) // 8
    pixels, previous = [], bytearray(stride)
    for row in range(height):
        kind, line = (
            raw[row * (stride + 1)],
            bytearray(raw[row * (stride + 1) + 1 : (row + 1) * (stride + 1)]),
        )
        for i in range(stride):  # undo the scanline filter (PNG spec 9.2; one byte per pixel group here)
            a, b, c = line[i - 1] if i else 0, previous[i], previous[i - 1] if i else 0
            p = a + b - c
            predictor = (
                0,
                a,
                b,
                (a + b) // 2,
                min((a, b, c), key=lambda v: (abs(p - v), (a, b, c).index(v))),
            )
            line[i] = (line[i] + predictor[kind]) & 0xFF
        pixels.append([not (line[x // 8] >> (7 - x % 8)) & 1 for x in range(width)])  # 0 = black
        previous = line
    dark_x = [x for row in pixels for x, dark in enumerate(row) if dark]
    left, right = min(dark_x), max(dark_x) + 1
    scale = (right - left) // size
    assert scale * size == right - left and width == height
    cells = {
        (r, c)
        for r in range(size)
        for c in range(size)
        if pixels[left + r * scale + scale // 2][left + c * scale + scale // 2]
    }
    return cells, left / scale, scale


@pytest.mark.parametrize("role", ["admin", "clerk"])
def test_png_encodes_the_public_address_of_the_mailbox(client, login_as, mailbox, role):
    login_as(role)
    response = client.get(f"/admin/mailbox/qr.png?id={mailbox.id}")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.headers["Content-Disposition"].startswith("inline")
    size = len(segno.make(EXPECTED_URL, error="m", micro=False).matrix)
    cells, quiet_zone, scale = png_modules(response.data, size)
    assert cells == expected_modules(EXPECTED_URL)
    assert cells != expected_modules("http://127.0.0.1:5000/m/jzxx")  # the base URL setting is used
    assert error_level(cells) in ("M", "Q", "H")
    assert quiet_zone >= 4 and scale >= 8  # printable: standard quiet zone, big enough pixels


def test_svg_encodes_the_public_address_of_the_mailbox(client, login_as, mailbox):
    login_as("clerk")
    response = client.get(f"/admin/mailbox/qr.svg?id={mailbox.id}")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    svg = response.get_data(as_text=True)
    assert "<svg" in svg and "<script" not in svg
    cells, quiet_zone = svg_modules(svg)
    assert cells == expected_modules(EXPECTED_URL)
    assert cells != expected_modules(BASE + "/m/other")  # the slug is in the code
    assert error_level(cells) in ("M", "Q", "H")
    assert quiet_zone >= 4


@pytest.mark.parametrize(
    ("route", "filename"), [("qr.png", "mailbox-jzxx-qr.png"), ("qr.svg", "mailbox-jzxx-qr.svg")]
)
def test_download_names_the_file(client, login_as, mailbox, route, filename):
    login_as("admin")
    response = client.get(f"/admin/mailbox/{route}?id={mailbox.id}&download=1")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f"attachment; filename={filename}"


def test_poster_shows_the_mailbox_its_promises_and_the_code(app, client, login_as, mailbox):
    login_as("clerk")
    response = client.get(f"/admin/mailbox/poster/?id={mailbox.id}")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    text = unescape(html)
    for expected in ("局长信箱", "王局长", "区城管局", "局长亲自阅办群众来信。", "服务承诺"):
        assert expected in text, expected
    with app.test_request_context():
        promises = [(p.label, p.text) for p in mailbox_promises(mailbox)]
    assert ("签收", "收到后 10 分钟内") in promises and ("联系群众", "收到后 30 分钟内") in promises
    for label, limit in promises:
        assert f"<li><span>{label}</span><strong>{limit}</strong></li>" in html
    assert f'<p class="url" id="mailbox-url">{EXPECTED_URL}</p>' in html
    svg = re.search(r"<svg\b.*?</svg>", html, re.S).group(0)
    assert svg_modules(svg)[0] == expected_modules(EXPECTED_URL)
    assert re.search(r"@page\s*{\s*size:\s*A4;\s*margin:", html)
    # the print button works through the site's own script (no inline script under the CSP)
    assert re.search(r'<button type="button" id="print-poster" data-print>', html)
    assert '<script src="/static/suqiu.js"></script>' in html


def test_poster_loads_nothing_from_the_internet(client, login_as, mailbox):
    login_as("admin")
    html = client.get(f"/admin/mailbox/poster/?id={mailbox.id}").get_data(as_text=True)
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) == {EXPECTED_URL}
    assert not re.search(
        r"(?:src|href)=\"//|@import|@font-face|<link\b|<script\s+src=\"(?!/static/)", html, re.I
    )


def test_poster_warns_that_an_inactive_mailbox_leads_nowhere(client, db, login_as, mailbox):
    login_as("admin")
    assert 'id="inactive-warning"' not in client.get(f"/admin/mailbox/poster/?id={mailbox.id}").get_data(True)
    mailbox.active = False
    db.session.commit()
    assert 'id="inactive-warning"' in client.get(f"/admin/mailbox/poster/?id={mailbox.id}").get_data(True)


def test_poster_in_english(client, login_as, mailbox):
    login_as("admin")
    client.get("/lang/en")
    html = client.get(f"/admin/mailbox/poster/?id={mailbox.id}").get_data(as_text=True)
    assert "Our promise" in html and "Sign for" in html and "10 minutes" in html and "服务承诺" not in html


def test_list_and_details_link_to_the_codes_and_the_poster(client, login_as, mailbox):
    login_as("clerk")
    pages = {
        "list": client.get("/admin/mailbox/").get_data(as_text=True),
        "details": client.get(f"/admin/mailbox/details/?id={mailbox.id}").get_data(as_text=True),
    }
    for page, html in pages.items():
        links = {
            (path, tuple(sorted(parse_qsl(query))))
            for path, query in re.findall(r'href="/admin/mailbox/([^"?]+)\?([^"]*)"', unescape(html))
        }
        assert ("qr.png", (("download", "1"), ("id", str(mailbox.id)))) in links, page
        assert ("qr.svg", (("download", "1"), ("id", str(mailbox.id)))) in links, page
        assert ("poster/", (("id", str(mailbox.id)),)) in links, page
    details = pages["details"]
    assert EXPECTED_URL in details
    assert svg_modules(re.search(r"<svg\b.*?</svg>", details, re.S).group(0))[0] == expected_modules(
        EXPECTED_URL
    )


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("bad_id", ["999", "abc", ""])
def test_unknown_mailbox_is_404(client, login_as, mailbox, route, bad_id):
    login_as("admin")
    assert client.get(f"/admin/mailbox/{route}?id={bad_id}").status_code == 404


@pytest.mark.parametrize("route", ROUTES)
def test_anonymous_is_sent_to_login(client, mailbox, route):
    response = client.get(f"/admin/mailbox/{route}?id={mailbox.id}")
    assert response.status_code == 302 and "/login" in response.location


@pytest.mark.parametrize(("role", "department"), STAFF)
def test_codes_follow_the_mailbox_list_access(client, login_as, mailbox, role, department):
    """Whoever may open the mailbox list gets the codes and the poster (today: all staff)."""
    login_as(role, department)
    list_status = client.get("/admin/mailbox/").status_code
    for route in ROUTES:
        assert client.get(f"/admin/mailbox/{route}?id={mailbox.id}").status_code == list_status, route


@pytest.mark.parametrize(("role", "department"), [("clerk", None), ("handler", "SA")])
def test_codes_refuse_whoever_may_not_see_mailboxes(client, login_as, mailbox, monkeypatch, role, department):
    """The routes reuse MailboxView's access check: narrowing its roles closes them too."""
    monkeypatch.setattr(MailboxView, "read_roles", ADMIN_ROLES)
    login_as(role, department)
    assert client.get("/admin/mailbox/").status_code == 403
    for route in ROUTES:
        assert client.get(f"/admin/mailbox/{route}?id={mailbox.id}").status_code == 403, route
        assert client.get(f"/admin/mailbox/{route}?id=999").status_code == 403, route  # no existence probe
