"""The administrator is warned while PUBLIC_BASE_URL is empty or names this machine: QR codes, posters and
links in messages would lead citizens nowhere. Other roles are not told (they cannot change it)."""

import pytest

from app.config import public_base_url_is_local
from models.org import Mailbox

LOCAL = ["", "http://127.0.0.1:5000", "http://localhost:8000/suqiu", "http://LOCALHOST", "http://[::1]:5000",
         "http://0.0.0.0:5000", "http://suqiu.localhost", "http://127.8.0.1", "suqiu.example.gov.cn"]  # fmt: skip
PUBLIC = ["https://suqiu.example.gov.cn", "http://10.20.30.40:8080/suqiu", "http://127.example.org"]


@pytest.mark.parametrize("url", LOCAL)
def test_local_addresses_are_recognised(url):
    assert public_base_url_is_local(url)


@pytest.mark.parametrize("url", PUBLIC)
def test_public_and_intranet_addresses_are_fine(url):
    assert not public_base_url_is_local(url)


def test_the_admin_home_warns_while_the_address_is_local(app, client, login_as):
    login_as("admin")
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
    html = client.get("/admin/").get_data(as_text=True)
    assert 'id="public-url-warning"' in html and "http://127.0.0.1:5000" in html and "群众无法打开" in html
    app.config["PUBLIC_BASE_URL"] = ""
    assert "尚未设置" in client.get("/admin/").get_data(as_text=True)
    app.config["PUBLIC_BASE_URL"] = "https://suqiu.example.gov.cn"
    assert 'id="public-url-warning"' not in client.get("/admin/").get_data(as_text=True)


@pytest.mark.parametrize(("role", "department"), [("clerk", None), ("supervisor", None), ("leader", None),
                                                  ("handler", "SA")])  # fmt: skip
def test_other_roles_are_not_told(app, client, login_as, role, department):
    login_as(role, department)
    app.config["PUBLIC_BASE_URL"] = "http://localhost:5000"
    assert 'id="public-url-warning"' not in client.get("/admin/").get_data(as_text=True)


@pytest.mark.parametrize("page", ["details/?id={id}", "poster/?id={id}"])
def test_the_mailbox_qr_page_and_poster_warn(app, client, db, login_as, page):
    mailbox = db.session.query(Mailbox).filter_by(slug="jzxx").one()
    login_as("admin")
    url = "/admin/mailbox/" + page.format(id=mailbox.id)
    app.config["PUBLIC_BASE_URL"] = "http://localhost:5000"
    html = client.get(url).get_data(as_text=True)
    assert 'id="public-url-warning"' in html and "http://localhost:5000" in html
    app.config["PUBLIC_BASE_URL"] = "https://suqiu.example.gov.cn"
    assert 'id="public-url-warning"' not in client.get(url).get_data(as_text=True)
