"""Chinese by default, English on request; every message of ours has a Chinese translation; no CDN assets."""

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def test_chinese_is_the_default(client, login_as):
    assert "登录" in client.get("/login").get_data(as_text=True)
    login_as("clerk")
    html = client.get("/admin/case/").get_data(as_text=True)
    for text in ("诉求编号", "牵头单位", "收件时间", "退出登录", "列表"):
        assert text in html


def test_english_on_request(client, login_as):
    login_as("clerk")
    response = client.get("/lang/en?next=/admin/case/")
    assert response.status_code == 302 and response.location == "/admin/case/"
    html = client.get("/admin/case/").get_data(as_text=True)
    for text in ("Case number", "Lead department", "Time received", "Log out", "List"):
        assert text in html
    assert "诉求编号" not in html
    client.get("/lang/zh_Hans_CN")
    assert "诉求编号" in client.get("/admin/case/").get_data(as_text=True)


def test_unknown_language_is_ignored(client, login_as):
    login_as("clerk")
    assert client.get("/lang/zh-CN").status_code == 302  # not a Babel id: never stored
    assert client.get("/lang/xx?next=//evil.example").location == "/admin/"
    assert "诉求编号" in client.get("/admin/case/").get_data(as_text=True)


def test_every_message_has_a_chinese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
         "-k", "lazy_gettext", "-o", str(pot), "."],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    template = read_po(pot.open("rb"))
    catalog = read_po((ROOT / "app/translations/zh_Hans_CN/LC_MESSAGES/messages.po").open("rb"))
    missing = [m.id for m in template if m.id and (m.id not in catalog or not catalog[m.id].string)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not missing, f"untranslated: {missing}"
    assert not fuzzy, f"fuzzy: {fuzzy}"


def test_pages_load_nothing_from_the_internet(client, login_as):
    login_as("admin")
    external = re.compile(r'(?:src|href)="(?:https?:)?//', re.I)
    for url in (
        "/login",
        "/admin/",
        "/admin/case/",
        "/admin/case/new/",
        "/admin/department/",
        "/admin/user/",
    ):
        html = client.get(url).get_data(as_text=True)
        assert not external.search(html), url
        for asset in re.findall(r'(?:src|href)="(/[^"]+\.(?:css|js))', html):
            body = client.get(asset).get_data(as_text=True)
            assert "fonts.googleapis" not in body and "@import url(http" not in body, asset
