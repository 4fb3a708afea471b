"""Texts to citizens at 受理 and 答复: queued with the step, SMS-ready (number and tracking code, never the
content), delivered through the log-only or the HTTP gateway with retries, listed for supervisors."""

import json
import logging
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

import pytest

from app.auth import pii
from app.cases import lifecycle
from app.config import DefaultConfig
from app.extensions import db as _db
from app.notifications import sms
from app.timeutil import utcnow
from jobs import tasks
from models.enums import Role
from models.enums import Status
from models.sms import SmsMessage
from tests.support.factories import make_case
from tests.support.factories import user
from tests.support.mail import free_port

PHONE = "13800138000"  # the factories' citizen
OFFICE = "滨江区群众诉求服务中心"


@pytest.fixture
def app_config():
    return {"OFFICE_NAME": OFFICE}


class RelayHandler(BaseHTTPRequestHandler):
    """An SMS relay: records each POST (headers and JSON), answers from its script, else ``{"code": 0}``."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
        self.server.received.append((dict(self.headers), body))
        status, reply = self.server.script.pop(0) if self.server.script else (200, {"code": 0, "id": "m-1"})
        data = json.dumps(reply, ensure_ascii=False).encode()
        self.send_response(status)
        if status in (301, 302):
            self.send_header("Location", "/elsewhere")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def relay(app):
    """A real HTTP server playing the office's SMS relay, and the app pointed at it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), RelayHandler)
    server.received, server.script = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config.update(
        SMS_GATEWAY="http",
        SMS_HTTP_URL=f"http://127.0.0.1:{server.server_address[1]}/sms/send",
        SMS_HTTP_TOKEN="relay-token",
        SMS_HTTP_TEMPLATE="SMS_0042",
    )
    yield server
    server.shutdown()
    server.server_close()


def texts(case_id=None) -> list[SmsMessage]:
    _db.session.expire_all()
    query = _db.session.query(SmsMessage).order_by(SmsMessage.id)
    return query.filter_by(case_id=case_id).all() if case_id else query.all()


def test_accepted_and_answered_texts_are_short_and_never_carry_the_content(db):
    case = make_case(Status.REPLIED)
    accepted, answered = texts(case.id)
    assert (accepted.kind, answered.kind) == ("accepted", "answered")
    for message in (accepted, answered):
        assert message.phone == PHONE and message.status == "pending" and message.attempts == 0
        assert message.text.startswith(f"【{OFFICE}】") and len(message.text) <= sms.TEXT_MAX
        assert case.number in message.text and case.tracking_code in message.text
        assert case.title not in message.text and case.content[:6] not in message.text
        assert "已处理完毕" not in message.text  # the reply itself stays on /track
    assert "受理" in accepted.text and "答复" in answered.text
    register = next(e for e in case.events if e.action == "register")
    assert accepted.event_id == register.id


@pytest.mark.parametrize("phone", [None, "02088886666", "12345"])
def test_no_text_without_a_mobile_number(db, phone):
    case = make_case(Status.REPLIED, citizen_phone=phone)
    assert texts(case.id) == []


def test_the_signature_setting_wins_over_the_office_name(app, db):
    app.config["SMS_SIGNATURE"] = "【诉求通】"
    case = make_case(Status.REGISTERED)
    assert texts(case.id)[0].text.startswith("【诉求通】您的诉求已受理")


def test_log_gateway_logs_the_text_with_the_phone_masked_and_marks_it_sent(app, db, caplog, monkeypatch):
    case = make_case(Status.REGISTERED)
    monkeypatch.setattr(
        app.logger, "disabled", False
    )  # an earlier test's logging.config may have disabled it
    app.logger.addHandler(caplog.handler)  # whether or not the app's logger propagates
    try:
        with caplog.at_level(logging.INFO, logger=app.logger.name):
            assert tasks.deliver_sms(now=utcnow()) == {"sent": 1, "retried": 0, "failed": 0}
    finally:
        app.logger.removeHandler(caplog.handler)
    [message] = texts(case.id)
    assert message.status == "sent" and message.sent_at is not None and message.last_error == sms.LOGGED
    assert case.number in caplog.text and "138****8000" in caplog.text and PHONE not in caplog.text
    assert tasks.deliver_sms(now=utcnow()) == {"sent": 0, "retried": 0, "failed": 0}  # never twice


def test_http_gateway_posts_json_with_the_token_and_retries_a_refusal(db, relay):
    case = make_case(Status.REGISTERED)
    relay.script = [(500, {"message": "busy"}), (200, {"code": 1024, "message": "余额不足"})]
    now = utcnow()
    assert tasks.deliver_sms(now=now)["retried"] == 1
    assert "HTTP 500" in texts(case.id)[0].last_error
    assert tasks.deliver_sms(now=now)["retried"] == 0  # backing off
    assert tasks.deliver_sms(now=now + timedelta(minutes=1))["retried"] == 1
    assert "余额不足" in texts(case.id)[0].last_error
    assert tasks.deliver_sms(now=now + timedelta(minutes=7))["sent"] == 1
    [message] = texts(case.id)
    assert (message.status, message.attempts, message.last_error) == ("sent", 3, "m-1")
    headers, body = relay.received[-1]
    assert headers["Authorization"] == "Bearer relay-token"
    assert body == {"phone": PHONE, "text": message.text, "template": "SMS_0042", "id": message.id}


def test_a_redirect_is_a_failure_not_a_send(db, relay):
    make_case(Status.REGISTERED)
    relay.script = [(302, {})]
    assert tasks.deliver_sms(now=utcnow())["retried"] == 1
    assert len(relay.received) == 1


def test_a_dead_gateway_fails_texts_alone_and_holds_up_no_step(app, db):
    app.config.update(SMS_GATEWAY="http", SMS_HTTP_URL=f"http://127.0.0.1:{free_port()}/sms")
    case = make_case(Status.REPLIED)  # the register and reply steps went through regardless
    assert case.status == Status.REPLIED
    now, results = utcnow(), []
    for _ in range(DefaultConfig.DELIVERY_MAX_ATTEMPTS):
        results.append(tasks.deliver_sms(now=now))
        now += timedelta(hours=5)
    assert results[-1]["failed"] == 2 and [r["sent"] for r in results] == [0] * len(results)
    assert {(m.status, m.attempts) for m in texts(case.id)} == {
        ("failed", DefaultConfig.DELIVERY_MAX_ATTEMPTS)
    }
    lifecycle.perform(case, "revisit", user("clerk"), satisfaction="satisfied")
    _db.session.commit()
    assert case.status == Status.CLOSED


def test_only_admins_and_supervisors_see_the_list_with_phones_masked_per_role(
    db, client, login_as, monkeypatch
):
    case = make_case(Status.REGISTERED)
    for role, department in (("clerk", None), ("handler", "SA"), ("leader", None)):
        login_as(role, department)
        assert client.get("/admin/sms/").status_code == 403, role
    login_as("supervisor")
    listed = client.get("/admin/sms/").get_data(as_text=True)
    assert case.number in listed and PHONE in listed
    monkeypatch.setitem(pii.POLICY["citizen_phone"], Role.SUPERVISOR, pii.MASKED)
    listed = client.get("/admin/sms/").get_data(as_text=True)
    assert "138****8000" in listed and PHONE not in listed


def test_a_failed_text_can_be_queued_again(app, db, client, login_as):
    app.config.update(SMS_GATEWAY="nonsense")
    case = make_case(Status.REGISTERED)
    now = utcnow()
    for _ in range(DefaultConfig.DELIVERY_MAX_ATTEMPTS):
        tasks.deliver_sms(now=now)
        now += timedelta(hours=5)
    [message] = texts(case.id)
    assert message.status == "failed" and "SMS_GATEWAY" in message.last_error
    login_as("supervisor")
    response = client.post("/admin/sms/action/", data={"action": "retry", "rowid": str(message.id)})
    assert response.status_code == 302
    [message] = texts(case.id)
    assert (message.status, message.attempts) == ("pending", 0)


def test_a_step_recorded_days_later_sends_no_text(db):
    case = make_case(Status.NEW)
    lifecycle.perform(case, "register", user("clerk"), now=utcnow() - timedelta(days=3))  # history typed in
    _db.session.commit()
    assert texts(case.id) == []


def test_without_an_office_name_the_text_is_signed_by_the_district(app, db):
    app.config["OFFICE_NAME"] = ""
    case = make_case(Status.REGISTERED)
    assert texts(case.id)[0].text.startswith("【测试区】")
