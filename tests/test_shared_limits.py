"""Several web servers, one set of counters: two gunicorn processes on one database and one real
redis-server. A citizen's limit holds across both servers, a ban added through one refuses letters on the
other, and with Redis gone the servers keep answering (each counts its share of the limit, and says so in
its log) instead of failing."""

import pytest
from flask_babel import gettext
from sqlalchemy import func
from sqlalchemy import select

from app.extensions import db
from models.case import Case
from tests.support.app_server import AppServer
from tests.support.factories import PASSWORD
from tests.support.factories import make_mailbox
from tests.support.factories import parse_page
from tests.support.factories import username_for
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.xdist_group("servers")

LETTER = {"request_type": "consult", "content": "请问社保卡在哪里办理补卡手续？"}
SETTINGS = {"SUBMIT_LIMIT_PER_IP": "3/hour", "RATELIMIT_FALLBACK_WORKERS": 2, "RATELIMIT_RETRY_SECONDS": 600}


@pytest.fixture
def servers(app, tmp_path):
    """Redis, and servers A and B on the test's database, counting in that Redis."""
    make_mailbox("qzxx", real_name_required=False)
    db.session.commit()
    path = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
    redis = RedisServer(tmp_path)
    redis.start()
    settings = {**SETTINGS, "RATELIMIT_STORAGE_URI": redis.url}
    started = []
    try:
        for name in "ab":
            started.append(AppServer(path, settings, tmp_path / f"server-{name}.log"))
        yield redis, started[0], started[1]
    finally:
        for server in started:
            server.stop()
        redis.stop()


TOO_MANY = "Too many letters have been sent from here in a short time. Please try again later."
BANNED = "Submissions from this phone number or network are not accepted. Please call the hotline."


def send(server, title: str) -> str:
    """Send a letter: "sent" (redirected to the confirmation) or the refusal shown on the form."""
    status, body = server.request("/m/qzxx", {**LETTER, "title": title})
    if status == 302:
        return "sent"
    assert status == 400, body[-500:]
    refusal = parse_page(body).by_id["form-refusal"]
    return {gettext(TOO_MANY): "too many", gettext(BANNED): "banned"}.get(refusal, refusal)


def cases_titled(prefix: str) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Case.id)).where(Case.title.startswith(prefix)))


def test_the_limit_holds_across_servers(servers):
    _redis, a, b = servers
    statuses = [send(server, f"补卡咨询{i}") for i, server in enumerate((a, b, a, b, a))]
    assert statuses == ["sent"] * 3 + ["too many"] * 2  # 3 an hour from one address, wherever they land
    assert cases_titled("补卡咨询") == 3


def test_a_ban_added_on_one_server_refuses_letters_on_the_other(servers):
    _redis, a, b = servers
    assert a.request("/login", {"username": username_for("admin"), "password": PASSWORD})[0] == 302
    status, _ = a.request("/admin/ban_entry/new/", {"kind": "ip", "value": "127.0.0.1", "active": "y"})
    assert status == 302
    assert send(b, "封禁后来信") == "banned"
    assert cases_titled("封禁后来信") == 0


def test_with_redis_gone_the_servers_keep_answering_within_their_share(servers):
    redis, a, b = servers
    assert send(a, "断开前") == "sent"
    redis.stop()
    # each server now counts alone, with half the hourly 3 (at least 1): one more letter each, never a 500
    assert [send(a, "断开后a1"), send(b, "断开后b1")] == ["sent", "sent"]
    assert [send(a, "断开后a2"), send(b, "断开后b2")] == ["too many", "too many"]
    assert cases_titled("断开后") == 2
    for server in (a, b):
        assert "rate-limit storage unreachable" in server.log.read_text()
