"""Writing notifications, the in-app inbox and the navbar bell: own rows only, mark read, 404 on others' ids."""

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from app.notifications import outbox
from models.enums import Status
from models.notification import Notification
from tests.support import factories
from tests.support.web import token_from

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def send(user, subject, case=None, now=T0):
    [row] = [
        r for r in outbox.notify_users([user], subject, "正文", kind="test", case=case, now=now) if r.user
    ]
    return row


def bell(client) -> int:
    match = re.search(
        r'id="inbox-bell"[^>]*data-unread="(\d+)"', client.get("/admin/").get_data(as_text=True)
    )
    assert match, "no bell on the dashboard"
    return int(match.group(1))


def test_inbox_lists_only_own_rows_newest_first(client, db, login_as):
    clerk = login_as("clerk")
    send(clerk, "较早的提醒")
    send(clerk, "较新的提醒", now=T0 + timedelta(minutes=5))
    send(factories.user("supervisor"), "督办员的提醒")
    db.session.commit()
    html = client.get("/admin/inbox/").get_data(as_text=True)
    assert html.index("较新的提醒") < html.index("较早的提醒")
    assert "督办员的提醒" not in html
    assert html.count('class="list-group-item list-group-item-warning unread"') == 2


def test_mark_read_and_the_bell_count(client, db, login_as):
    clerk = login_as("clerk")
    rows = [send(clerk, f"提醒{n}") for n in range(3)]
    db.session.commit()
    assert bell(client) == 3
    response = client.post(f"/admin/inbox/read/{rows[0].id}/")
    assert response.status_code == 302 and response.location.startswith("/admin/inbox/")
    assert bell(client) == 2
    db.session.expire_all()
    assert rows[0].read_at is not None and rows[1].read_at is None
    html = client.get("/admin/inbox/").get_data(as_text=True)
    assert html.count("list-group-item-warning unread") == 2

    assert client.post("/admin/inbox/read-all/").status_code == 302
    assert bell(client) == 0
    html = client.get("/admin/").get_data(as_text=True)
    assert 'id="unread-count"' not in html
    db.session.expire_all()
    assert all(row.read_at is not None for row in rows)


def test_another_users_notification_is_404(client, db, login_as):
    login_as("clerk")
    theirs = send(factories.user("supervisor"), "别人的")
    own_email = Notification(
        kind="k", channel="email", user=factories.user("clerk"), address="c@example.gov.cn",
        subject="邮件", body="b", status="pending",
    )  # fmt: skip
    db.session.add(own_email)
    db.session.commit()
    assert client.post(f"/admin/inbox/read/{theirs.id}/").status_code == 404
    assert client.post(f"/admin/inbox/read/{own_email.id}/").status_code == 404  # not an inbox row
    assert client.post("/admin/inbox/read/999999/").status_code == 404
    client.post("/admin/inbox/read-all/")
    db.session.expire_all()
    assert theirs.read_at is None


def test_anonymous_goes_to_login(client):
    response = client.get("/admin/inbox/")
    assert response.status_code == 302 and "/login" in response.location
    assert client.post("/admin/inbox/read-all/").status_code == 302


def test_case_link_only_when_the_case_is_visible(client, db, login_as):
    case = factories.make_case(Status.DISPATCHED, lead="SA")
    for code in ("SA", "SB"):
        send(factories.user("handler", code), f"派单提醒 {code}", case=case)
    db.session.commit()
    link = f'href="/admin/case/details/?id={case.id}"'
    login_as("handler", "SA")
    assert link in client.get("/admin/inbox/").get_data(as_text=True)
    login_as("handler", "SB")
    html = client.get("/admin/inbox/").get_data(as_text=True)
    assert "派单提醒 SB" in html and link not in html


def test_paging(client, db, login_as):
    clerk = login_as("clerk")
    for n in range(25):
        send(clerk, f"第{n:02d}条", now=T0 + timedelta(minutes=n))
    db.session.commit()
    first = client.get("/admin/inbox/").get_data(as_text=True)
    second = client.get("/admin/inbox/?page=1").get_data(as_text=True)
    assert "第24条" in first and "第05条" in first and "第04条" not in first
    assert "第04条" in second and "第00条" in second and "第05条" not in second
    assert "?page=1" in first
    assert "第00条" in client.get("/admin/inbox/?page=99").get_data(as_text=True)  # clamped to the last page


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_mark_read_needs_the_csrf_token(client, db):
    row = send(factories.user("clerk"), "需要令牌")
    db.session.commit()
    token = token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "clerk", "password": factories.PASSWORD, "csrf_token": token})
    html = client.get("/admin/inbox/").get_data(as_text=True)
    forms = re.findall(r'<form method="post".*?</form>', html, re.S)
    assert forms and all("csrf_token" in form for form in forms)
    assert client.post(f"/admin/inbox/read/{row.id}/").status_code == 400
    assert client.post("/admin/inbox/read-all/").status_code == 400
    db.session.expire_all()
    assert row.read_at is None
    response = client.post(f"/admin/inbox/read/{row.id}/", data={"csrf_token": token_from(html)})
    assert response.status_code == 302
    db.session.expire_all()
    assert row.read_at is not None


def test_every_role_has_an_inbox_and_english_works(client, db, login_as):
    for role, code in (("admin", None), ("supervisor", None), ("leader", None), ("handler", "BA")):
        login_as(role, code)
        assert client.get("/admin/inbox/").status_code == 200
    client.get("/lang/en")
    html = client.get("/admin/inbox/").get_data(as_text=True)
    assert "No notifications yet." in html and "Inbox: 0 unread" in html


def test_notify_rows_and_no_duplicates(db):
    department = factories.dept("BA")
    department.email = "ba@example.gov.cn"
    department.webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
    handler = factories.user("handler", "BA")
    handler.email = "BA@example.gov.cn"  # same mailbox as the department: one e-mail
    extra = factories.make_user("clerk", "BA")
    extra.active = False
    rows = outbox.notify_department(department, "标题", "正文", kind="k", data={"stage": "warn"}, now=T0)
    assert sorted(r.channel for r in rows) == ["email", "inbox", "webhook"]
    inbox = next(r for r in rows if r.channel == "inbox")
    assert (inbox.user, inbox.status, inbox.sent_at, inbox.data) == (handler, "sent", T0, {"stage": "warn"})
    assert all(r.next_attempt_at == T0 and r.status == "pending" for r in rows if r.channel != "inbox")

    clerk = factories.user("clerk")
    rows = outbox.notify_users([clerk, clerk, extra], "标题", "正文", kind="k", now=T0)
    assert [(r.channel, r.user) for r in rows] == [("inbox", clerk)]
    supervisors = outbox.notify_role("supervisor", "标题", "正文", kind="k", now=T0)
    assert [r.user.username for r in supervisors] == ["supervisor"]
    db.session.commit()
    assert db.session.query(Notification).count() == 5
