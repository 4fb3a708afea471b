"""Outbox delivery against a real SMTP server (aiosmtpd) and a real HTTP server standing in for group robots."""

import json
import re
import threading
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer

import pytest
from sqlalchemy import select

from app.config import DefaultConfig
from app.config import public_url
from app.extensions import db as _db
from app.notifications import delivery
from app.notifications import outbox
from app.notifications import transports
from jobs import tasks
from models.notification import Notification
from tests.support import factories
from tests.support.mail import free_port
from tests.support.mail import smtp_fixture  # noqa: F401  (fixture `smtp`: a real SMTP server)
from tests.support.pg_server import pg_app_fixture  # noqa: F401  (fixture: the app on a fresh PostgreSQL copy)
from tests.support.pg_server import pg_template_fixture  # noqa: F401
from tests.support.pg_server import pg_url_fixture  # noqa: F401  (provides the pg_url fixture)

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 Beijing time
SUBJECT = "诉求即将超时：请尽快签收"
BODY = "诉求 SQ20260302-0001「路边占道经营」将于 10:30 超时。\n请登录诉求通处理。"


class RobotHandler(BaseHTTPRequestHandler):
    """Records each POST; answers from the script for its path, else ``{"errcode": 0}``."""

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])).decode("utf-8"))
        self.server.received.append((self.path, body))
        script = self.server.scripts.get(self.path.split("?")[0], [])
        status, reply = script.pop(0) if script else (200, {"errcode": 0, "errmsg": "ok"})
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def robot():
    """A real HTTP server playing 企业微信 and 钉钉 group robots."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), RobotHandler)
    server.received, server.scripts = [], {}
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def department_with(email_address=None, webhook_url=None, code="BA"):
    department = factories.dept(code)
    department.email, department.webhook_url = email_address, webhook_url
    return department


def queued(channel):
    return _db.session.query(Notification).filter_by(channel=channel).order_by(Notification.id).all()


def test_email_arrives_with_chinese_subject_and_body(db, smtp):
    clerk = factories.user("clerk")
    clerk.email = "clerk@example.gov.cn"
    outbox.notify_users([clerk], SUBJECT, BODY, kind="deadline_warn", now=T0)
    db.session.commit()

    assert tasks.deliver(now=T0) == {"sent": 1, "retried": 0, "failed": 0, "held": 0}
    [message] = smtp.messages()
    assert message["Subject"] == SUBJECT
    assert message["To"] == "clerk@example.gov.cn"
    assert message.get_content().strip() == BODY
    assert smtp.envelopes[0].rcpt_tos == ["clerk@example.gov.cn"]
    [row] = queued("email")
    assert row.status == "sent" and row.sent_at == T0 and row.attempts == 1 and row.next_attempt_at is None


def test_webhooks_post_wecom_and_dingtalk_markdown(db, robot):
    wecom = f"{robot.base}/cgi-bin/webhook/send?key=abc"
    dingtalk = f"{robot.base}/dingtalk/robot/send?access_token=xyz"
    outbox.notify_department(department_with(webhook_url=wecom), SUBJECT, BODY, kind="k", now=T0)
    outbox.notify_department(
        department_with(webhook_url=dingtalk, code="BB"), SUBJECT, BODY, kind="k", now=T0
    )
    db.session.commit()

    assert tasks.deliver(now=T0)["sent"] == 2
    received = dict(robot.received)
    assert received["/cgi-bin/webhook/send?key=abc"] == {
        "msgtype": "markdown",
        "markdown": {"content": f"**{SUBJECT}**\n{BODY}"},
    }
    ding = received["/dingtalk/robot/send?access_token=xyz"]
    assert ding["msgtype"] == "markdown" and ding["markdown"]["title"] == SUBJECT
    assert BODY in ding["markdown"]["text"]
    assert all(row.status == "sent" for row in queued("webhook"))


def test_failure_backs_off_and_then_succeeds(db, robot):
    robot.scripts["/hook"] = [
        (500, {"error": "busy"}),
        (200, {"errcode": 93000, "errmsg": "invalid webhook url"}),
    ]
    outbox.notify_department(
        department_with(webhook_url=f"{robot.base}/hook"), SUBJECT, BODY, kind="k", now=T0
    )
    db.session.commit()

    assert tasks.deliver(now=T0)["retried"] == 1
    [row] = queued("webhook")
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 1, T0 + timedelta(minutes=1))
    assert "HTTP 500" in row.last_error
    assert tasks.deliver(now=T0 + timedelta(seconds=30)) == {
        "sent": 0,
        "retried": 0,
        "failed": 0,
        "held": 0,
    }

    t1 = T0 + timedelta(minutes=1)
    assert tasks.deliver(now=t1)["retried"] == 1
    db.session.expire_all()
    assert (row.attempts, row.next_attempt_at) == (2, t1 + timedelta(minutes=5))
    assert "93000" in row.last_error

    assert tasks.deliver(now=t1 + timedelta(minutes=5))["sent"] == 1
    db.session.expire_all()
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)
    assert len(robot.received) == 3


def test_smtp_refusal_is_retried(db, smtp):
    smtp.reject = 1
    outbox.notify_department(department_with("ba@example.gov.cn"), SUBJECT, BODY, kind="k", now=T0)
    db.session.commit()
    assert tasks.deliver(now=T0)["retried"] == 1
    assert "451" in queued("email")[0].last_error
    assert tasks.deliver(now=T0 + timedelta(minutes=1))["sent"] == 1
    assert smtp.messages()[0]["Subject"] == SUBJECT


def test_repeated_failure_ends_failed_and_admins_see_it(db, client, login_as):
    dead = f"http://127.0.0.1:{free_port()}/cgi-bin/webhook/send"  # nothing listens there
    outbox.notify_department(department_with(webhook_url=dead), "机器人不可达", BODY, kind="k", now=T0)
    db.session.commit()
    now, results = T0, []
    for _ in range(DefaultConfig.DELIVERY_MAX_ATTEMPTS):
        results.append(tasks.deliver(now=now))
        now += timedelta(hours=5)
    assert [r["retried"] for r in results] == [1, 1, 1, 1, 1, 0] and results[-1]["failed"] == 1
    [row] = queued("webhook")
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 6, None)
    assert "URLError" in row.last_error
    assert tasks.deliver(now=now + timedelta(days=1))["failed"] == 0  # never tried again

    login_as("clerk")
    assert 'id="failed-deliveries"' not in client.get("/admin/").get_data(as_text=True)
    assert client.get("/admin/notification/").status_code == 403
    login_as("admin")
    home = client.get("/admin/").get_data(as_text=True)
    assert 'id="failed-deliveries"' in home and "flt0_status_equals=failed" in home
    listed = client.get("/admin/notification/?flt0_status_equals=failed").get_data(as_text=True)
    assert "机器人不可达" in listed and "badge-danger" in listed
    sort_links = re.findall(r'href="/admin/notification/\?(sort=[^"]*)"', listed)
    assert sort_links and all("flt0_status_equals=failed" in link for link in sort_links)  # in Chinese too
    sent_webhooks = "/admin/notification/?flt0_status_equals=sent&flt1_channel_equals=webhook"
    assert "机器人不可达" not in client.get(sent_webhooks).get_data(as_text=True)

    response = client.post("/admin/notification/action/", data={"action": "retry", "rowid": str(row.id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert (row.status, row.attempts) == ("pending", 0)
    assert row.next_attempt_at is not None


def test_a_failing_row_does_not_stop_the_next(db, smtp):
    dead = f"http://127.0.0.1:{free_port()}/hook"
    outbox.notify_department(department_with(webhook_url=dead), "坏的", BODY, kind="k", now=T0)
    outbox.notify_department(department_with("bb@example.gov.cn", code="BB"), "好的", BODY, kind="k", now=T0)
    db.session.commit()
    assert tasks.deliver(now=T0) == {"sent": 1, "retried": 1, "failed": 0, "held": 0}
    assert smtp.messages()[0]["Subject"] == "好的"


def test_delivering_twice_sends_nothing_twice(db, smtp, robot):
    department = department_with("ba@example.gov.cn", f"{robot.base}/hook")
    outbox.notify_department(department, SUBJECT, BODY, kind="k", now=T0)
    db.session.commit()
    assert tasks.deliver(now=T0)["sent"] == 2
    assert tasks.deliver(now=T0 + timedelta(days=1)) == {
        "sent": 0,
        "retried": 0,
        "failed": 0,
        "held": 0,
    }
    assert len(smtp.envelopes) == 1 and len(robot.received) == 1


def test_two_workers_never_send_the_same_row(app, db, smtp):
    for n in range(30):
        outbox.notify_department(department_with(f"d{n}@example.gov.cn"), f"第{n}号", BODY, kind="k", now=T0)
        db.session.commit()
    totals, start = [], threading.Barrier(3)

    def worker():
        with app.app_context():
            start.wait()
            sent = 0
            while (result := tasks.deliver(now=T0, batch=4))["sent"]:
                sent += result["sent"]
            totals.append(sent)

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    subjects = sorted(message["Subject"] for message in smtp.messages())
    assert subjects == sorted(f"第{n}号" for n in range(30))
    assert sum(totals) == 30


def test_email_is_held_until_a_mail_server_is_configured(app, db, smtp):
    app.config["MAIL_SERVER"] = None
    outbox.notify_department(department_with("ba@example.gov.cn"), SUBJECT, BODY, kind="k", now=T0)
    db.session.commit()
    assert tasks.deliver(now=T0) == {"sent": 0, "retried": 0, "failed": 0, "held": 1}
    [row] = queued("email")
    assert (row.status, row.attempts, row.last_error) == ("pending", 0, delivery.NOT_CONFIGURED)
    app.config["MAIL_SERVER"] = "127.0.0.1"
    assert tasks.deliver(now=T0 + timedelta(hours=1))["sent"] == 1
    db.session.expire_all()
    assert (row.status, row.last_error) == ("sent", None)


@pytest.mark.parametrize("url", ["ftp://127.0.0.1/hook", "file:///etc/passwd"])
def test_only_http_webhooks_are_called(db, url):
    outbox.notify_department(department_with(webhook_url=url), SUBJECT, BODY, kind="k", now=T0)
    db.session.commit()
    assert tasks.deliver(now=T0)["retried"] == 1
    assert "http://" in queued("webhook")[0].last_error


def test_redirect_is_a_failure(db, robot):
    robot.scripts["/moved"] = [(302, {})]
    outbox.notify_department(
        department_with(webhook_url=f"{robot.base}/moved"), SUBJECT, BODY, kind="k", now=T0
    )
    db.session.commit()
    assert tasks.deliver(now=T0)["retried"] == 1
    assert "HTTP 302" in queued("webhook")[0].last_error


@pytest.mark.pg
@pytest.mark.xdist_group("pg")
def test_postgres_workers_skip_rows_another_worker_has_locked(pg_app, robot):
    assert _db.engine.dialect.name == "postgresql"
    for code in ("BA", "BB"):
        department = department_with(webhook_url=f"{robot.base}/{code}", code=code)
        outbox.notify_department(department, SUBJECT, BODY, kind="k", now=T0)
    _db.session.commit()
    first = min(row.id for row in queued("webhook"))
    with _db.engine.connect() as other_worker:  # holds the first row as if mid-claim
        other_worker.execute(select(Notification.id).where(Notification.id == first).with_for_update())
        assert tasks.deliver(now=T0)["sent"] == 1  # skipped, not blocked
        assert [path for path, _body in robot.received] == ["/BB"]
    assert tasks.deliver(now=T0)["sent"] == 1
    assert [path for path, _body in robot.received] == ["/BB", "/BA"]


# --- citizen text in group-robot markdown --------------------------------------------------------

WECOM_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
HOSTILE = (
    "[点此核实身份](http://evil.example/x) ![b](http://evil.example/b.png) "
    '<font color="warning">假冒</font>\n# 标题\n*粗* `code` www.evil.example'
)
STILL_ACTIVE = ("](http", "![", "<font", "</font", "http://evil", "www.evil", "`code`", "*粗*", "<@")


def test_citizen_markdown_reaches_robots_as_plain_text(app, db, robot):
    wecom = f"{robot.base}/cgi-bin/webhook/send?key=abc"
    dingtalk = f"{robot.base}/dingtalk/robot/send?access_token=xyz"
    case_link = public_url("/admin/case/details/?id=7")
    subject = f"诉求「{HOSTILE}」即将超时"
    body = f"诉求 SQ20260302-0001：{HOSTILE}\n{case_link}"
    for webhook, code in ((wecom, "BA"), (dingtalk, "BB")):
        outbox.notify_department(
            department_with(webhook_url=webhook, code=code), subject, body, kind="k", now=T0
        )
    db.session.commit()

    assert tasks.deliver(now=T0)["sent"] == 2
    received = dict(robot.received)
    content = received["/cgi-bin/webhook/send?key=abc"]["markdown"]["content"]
    ding = received["/dingtalk/robot/send?access_token=xyz"]["markdown"]
    for text in (content, ding["title"], ding["text"]):
        assert not [active for active in STILL_ACTIVE if active in text]
        for words in ("点此核实身份", "假冒", "标题", "粗", "code", "evil.example/x"):
            assert words in text
    # our own wrappers stay, around escaped text; no citizen line opens a heading, list or quote
    assert content.startswith("**诉求「\\[点此核实身份\\]\\(http[:]//evil.example/x\\)")
    assert ding["text"].startswith("#### 诉求「\\[点此核实身份\\]")
    assert "\n" not in ding["title"] and ding["title"].startswith("诉求「［点此核实身份］（http[:]//")
    for text in (content, ding["text"]):
        assert not [line for line in text.splitlines()[1:] if line.lstrip().startswith(("#", "-", "*", ">"))]
        assert "SQ20260302-0001" in text and case_link in text  # our own case page link stays clickable


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("[点此核实身份](http://evil.example/x)", r"\[点此核实身份\]\(http[:]//evil.example/x\)"),
        ("![b](https://evil.example/b.png)", r"\!\[b\]\(https[:]//evil.example/b.png\)"),
        (
            '<font color="warning">假冒</font> <@zhangsan>',
            '＜font color="warning"＞假冒＜/font＞ ＜@zhangsan＞',
        ),
        ("# 标题 #", r"\# 标题 \#"),
        ("*粗* **粗** __斜__ ~~删~~", r"\*粗\* \*\*粗\*\* \_\_斜\_\_ \~\~删\~\~"),
        ("`code`", r"\`code\`"),
        ("> 引用\n- 项\n  + 项\n12. 项\n===", "＞ 引用\n\\- 项\n  \\+ 项\n12\\. 项\n\\==="),
        ("www.evil.example、WWW.Evil.example", "www[.]evil.example、WWW[.]Evil.example"),
        ("ftp://evil.example <http://evil.example>", "ftp[:]//evil.example ＜http[:]//evil.example＞"),
        ("a\\b | c & d", r"a\\b \| c ＆ d"),
        ("\\[x](y)", r"\\\[x\]\(y\)"),
        ("第一行\r\n- 第二行\r=", "第一行\n\\- 第二行\n\\="),
        ("SQ20260302-0001 于 10:30 超时，费用 3.5 元", "SQ20260302-0001 于 10:30 超时，费用 3.5 元"),
    ],
)
def test_escape_markdown_leaves_no_active_markdown(raw, escaped):
    assert transports.escape_markdown(raw) == escaped


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("详见 https://suqiu.example.gov.cn/admin/case/details/?id=7", None),
        ("[x](https://suqiu.example.gov.cn/admin)", r"\[x\]\(https://suqiu.example.gov.cn/admin\)"),
        ("https://suqiu.example.gov.cn.evil.example/", "https[:]//suqiu.example.gov.cn.evil.example/"),
        ("https://suqiu.example.gov.cn//evil.example", "https[:]//suqiu.example.gov.cn//evil.example"),
        ("https://suqiu.example.gov.cn/a_b*c", r"https://suqiu.example.gov.cn/a\_b\*c"),
    ],
)
def test_only_our_own_links_stay_clickable(raw, escaped):
    own = "https://suqiu.example.gov.cn/"
    assert transports.escape_markdown(raw, own_url=own) == (raw if escaped is None else escaped)


def test_wecom_clip_holds_after_escaping(app):
    hostile = "[x](http://e/)*_`#|~!\\<>&诉" * 300  # every ASCII character here grows when escaped
    content = transports.webhook_payload(WECOM_URL, "超时提醒", hostile)["markdown"]["content"]
    escaped = transports.escape_markdown(hostile)
    assert transports.WECOM_MAX_BYTES - 4 < len(content.encode("utf-8")) <= transports.WECOM_MAX_BYTES
    head, clipped = content.split("\n", 1)
    assert head == "**超时提醒**" and escaped.startswith(clipped)
    assert (len(clipped) - len(clipped.rstrip("\\"))) % 2 == 0  # never ends inside an escape

    content = transports.webhook_payload(WECOM_URL, "[" * 3000, "正文")["markdown"]["content"]
    assert len(content.encode("utf-8")) <= transports.WECOM_MAX_BYTES
    assert content.startswith("**\\[\\[") and content.endswith("\\[**")  # our closing ** is never escaped
