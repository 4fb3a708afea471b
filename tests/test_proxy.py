"""Behind a reverse proxy (``TRUSTED_PROXIES``) the citizen's address comes from X-Forwarded-For, so a ban
on it holds; without one, the header is ignored and a client cannot pick the address it is counted under."""

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from models.case import Case
from models.intake_control import BanEntry
from tests.conftest import FreshContextClient
from tests.conftest import make_config
from tests.support.factories import make_mailbox

LETTER = {"request_type": "consult", "title": "咨询补卡", "content": "请问社保卡在哪里办理补卡手续？"}
BANNED = "203.0.113.5"


@pytest.fixture
def mailbox(app):
    make_mailbox("qzxx", real_name_required=False)
    db.session.add(BanEntry(kind="ip", value=BANNED, active=True))
    db.session.commit()


def client_for(app, **settings):
    """A client of a second app on the same database, with ``settings``."""
    other = create_app(
        make_config(None, **{"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}, **settings)
    )
    other.test_client_class = FreshContextClient
    return other.test_client()


def post_through_proxy(client, forwarded_for: str):
    return client.post(
        "/m/qzxx",
        data=LETTER,
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
        headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"},
    )


def test_behind_one_proxy_the_forwarded_address_is_the_citizen_s(app, mailbox):
    client = client_for(app, TRUSTED_PROXIES=1)
    assert post_through_proxy(client, BANNED).status_code == 400  # the ban on the citizen's address holds
    # a client's own X-Forwarded-For before the proxy's entry is not believed: the proxy's last entry is
    assert post_through_proxy(client, f"{BANNED}, 198.51.100.7").status_code == 302


def test_without_a_proxy_the_header_is_ignored(app, mailbox):
    client = client_for(app, TRUSTED_PROXIES=0)
    assert post_through_proxy(client, BANNED).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Case.id).where(Case.title == LETTER["title"])) is not None
