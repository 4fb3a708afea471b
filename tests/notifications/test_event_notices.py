"""Event notifications: who hears of which step on a case (and who does not), in Chinese, with links."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.cases import event_notices
from app.cases import lifecycle
from app.extensions import db
from app.notifications import transports
from app.notifications.outbox import Outbox
from models.case import Case
from models.deadline import Unit
from models.notification import Notification
from models.org import Mailbox
from tests.support import factories
from tests.support.deadlines import MINUTE
from tests.support.deadlines import T0
from tests.support.deadlines import act
from tests.support.deadlines import drive
from tests.support.deadlines import new_case
from tests.support.deadlines import stage_policies
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.factories import user

ENGLISH = re.compile(r"[A-Za-z]{3,}")


def heard(kind: str, case: Case | None = None) -> list[str]:
    """Usernames whose inbox got a ``kind`` message (about ``case``), sorted."""
    from models.user import User

    query = (
        select(User.username)
        .join(Notification, Notification.user_id == User.id)
        .where(Notification.kind == kind, Notification.channel == "inbox")
    )
    if case is not None:
        query = query.where(Notification.case_id == case.id)
    return sorted(db.session.scalars(query))


def rows(kind: str) -> list[Notification]:
    return db.session.scalars(select(Notification).where(Notification.kind == kind)).all()


def assert_chinese_with_link(row: Notification, case: Case) -> None:
    """Subject and body are Chinese (no English word besides the case number), the case is a link."""
    text = f"{row.subject}\n{row.body}".replace(case.number, "")
    assert not ENGLISH.search(text), text
    assert "http" not in row.body and "/admin/" not in row.body
    assert {"path": f"/admin/case/details/?id={case.id}", "text": case.number} in row.data["links"]


def test_a_dispatch_tells_the_lead_and_co_departments_and_nobody_else(app):
    case = make_case("dispatched", lead="SA", co=["BA"])
    assert heard("dispatched", case) == ["handler_BA", "handler_SA"]
    row = next(r for r in rows("dispatched") if r.user_id == user("handler", "SA").id)
    assert row.subject.startswith("【新派件】") and case.number in row.subject
    assert_chinese_with_link(row, case)
    co = next(r for r in rows("dispatched") if r.user_id == user("handler", "BA").id)
    assert "甲街道" in co.body  # the co-department is told who leads


def test_a_return_goes_back_to_the_clerk_who_dispatched(app):
    case = make_case("dispatched", lead="SA")
    lifecycle.perform(case, "return", user("handler", "SA"), reason="不属于本单位职责")
    assert heard("returned", case) == ["clerk"]
    [row] = rows("returned")
    assert "退单" in row.body and "不属于本单位职责" in row.body
    assert_chinese_with_link(row, case)


def test_a_citizens_dissatisfaction_sends_the_redo_to_the_department(app):
    case = make_case("replied", lead="SA")
    lifecycle.perform(case, "revisit", user("clerk"), satisfaction="unsatisfied", note="问题没有解决")
    assert heard("redo", case) == ["handler_SA"]
    assert "重办" in rows("redo")[0].body


def test_a_satisfied_revisit_tells_nobody(app):
    case = make_case("replied", lead="SA")
    before = len(db.session.scalars(select(Notification.id)).all())
    lifecycle.perform(case, "revisit", user("clerk"), satisfaction="satisfied")
    assert len(db.session.scalars(select(Notification.id)).all()) == before


def test_a_reply_waits_for_the_revisit_with_the_intake_clerks(app):
    case = make_case("replied", lead="SA")
    assert heard("awaiting_revisit", case) == ["clerk"]
    assert heard("awaiting_revisit", case) and not heard("dispatched", case)[1:]  # one lead handler only


def test_supervision_tells_the_addressed_department_only(app):
    case = make_case("in_progress", lead="SA")
    lifecycle.perform(
        case,
        "supervise",
        user("supervisor"),
        content="请三日内办结",
        departments=[dept("BB").id],
        level="general",
    )
    assert heard("order_supervision", case) == ["handler_BB"]  # once: the order tells, not the event too
    row = rows("order_supervision")[0]
    assert "请三日内办结" in row.body
    assert_chinese_with_link(row, case)


def test_extension_requested_to_supervisors_and_decided_to_the_requester(app):
    stage_policies(resolve=(10, Unit.NATURAL_DAYS, {"max_extensions": 1, "max_extension_amount": 5}))
    case = drive(new_case(T0), T0, "register", "dispatch", "sign", lead="SA")
    act(case, "request_extension", T0 + MINUTE, stage="resolve", amount=2, reason="需要协调产权单位")
    assert heard("extension_requested", case) == ["supervisor"]
    assert "需要协调产权单位" in rows("extension_requested")[0].body
    act(case, "approve_extension", T0 + 2 * MINUTE, note="同意")
    assert heard("extension_decided", case) == ["handler_SA"]
    assert "同意" in rows("extension_decided")[0].body


def test_a_new_letter_goes_to_its_mailbox_intake_team(app, client):
    bureau_clerk = factories.make_user("clerk", "BA")  # the 局长信箱 belongs to BA
    db.session.commit()
    mailbox = db.session.scalar(select(Mailbox).where(Mailbox.slug == "jzxx"))
    case = Case(
        channel="mailbox", request_type="complaint", title="噪音扰民", content="深夜施工", mailbox=mailbox
    )
    lifecycle.open_case(case, None)
    event_notices.case_received(case, T0)
    db.session.commit()
    assert heard("new_letter", case) == [bureau_clerk.username]  # not the district's other clerk
    assert "局长信箱" in rows("new_letter")[0].body


def test_a_new_clue_goes_to_its_community(app):
    clue = factories.make_clue(factories.make_volunteer(community="CA"))
    event_notices.clue_received(clue, T0)
    db.session.commit()
    assert heard("new_clue") == ["handler_CA"]
    [row] = rows("new_clue")
    assert row.data["links"] == [{"path": f"/admin/clue/details/?id={clue.id}", "text": f"线索 {clue.id}"}]


def test_email_follows_each_persons_choice_and_the_inbox_always_gets_it(app):
    handler = user("handler", "SA")
    handler.email = "sa@example.gov.cn"
    from app.notifications import preferences

    preferences.save(handler, {("redo", "email")})  # every kind off but 重办
    db.session.commit()
    case = make_case("replied", lead="SA")
    lifecycle.perform(case, "revisit", user("clerk"), satisfaction="unsatisfied", note="不满意")
    channels = lambda kind: sorted(str(r.channel) for r in rows(kind) if r.user_id == handler.id)  # noqa: E731
    assert channels("dispatched") == ["inbox"]
    assert channels("redo") == ["email", "inbox"]


def test_the_settings_page_saves_choices(app, client, login_as):
    handler = login_as("handler", "SA")
    page = client.get("/admin/inbox/preferences/").get_data(as_text=True)
    assert 'name="csrf_token"' in page and 'value="redo:email"' in page
    assert "重办" in page and not ENGLISH.search(
        re.sub(r"<[^>]+>", "", page.split('id="notification-preferences"')[1])
    )
    response = client.post("/admin/inbox/preferences/", data={"on": ["redo:email", "bogus:sms"]})
    assert response.status_code == 302
    from app.notifications import preferences

    choices = preferences.choices(handler)
    assert choices[("redo", "email")] is True and choices[("dispatched", "email")] is False


@pytest.fixture
def sign_policies(app):
    return stage_policies(sign=(10, Unit.MINUTES), register=(10, Unit.MINUTES))


def test_escalations_to_one_leader_come_as_one_message_listing_the_cases(app, sign_policies):
    from jobs.tasks import sweep

    cases = [drive(new_case(T0), T0, "register", "dispatch", lead="SA") for _ in range(6)]
    sweep(T0 + timedelta(days=1))
    leader = user("leader")
    [message] = [
        r for r in rows("deadline_escalate_leader") if r.user_id == leader.id and r.channel == "inbox"
    ]
    assert message.case_id is None and "6" in message.subject
    assert [link["text"] for link in message.data["links"]] == [c.number for c in cases]
    assert all(c.number in message.body for c in cases)
    # the handler hears of each case on its own, at the breach rung: never a leader-level escalation
    assert heard("deadline_escalate_leader") == ["leader"]
    assert len([r for r in rows("deadline_breach") if r.user_id == user("handler", "SA").id]) == 6
    assert not ENGLISH.search(re.sub(r"SQ\d{8}-\d{6}", "", message.subject + message.body))


def test_a_robot_and_an_email_render_the_links(app):
    app.config["PUBLIC_BASE_URL"] = "https://suqiu.example.gov.cn"
    links = transports.link_urls(
        [
            {"path": "/admin/case/details/?id=5", "text": "SQ1"},
            {"path": "https://evil.example/x", "text": "x"},
        ]
    )
    assert links == [("SQ1", "https://suqiu.example.gov.cn/admin/case/details/?id=5")]
    payload = transports.webhook_payload("https://qyapi.weixin.qq.com/x", "【新派件】", "正文", links)
    assert "[SQ1](https://suqiu.example.gov.cn/admin/case/details/?id=5)" in payload["markdown"]["content"]
    message = transports.build_email("a@example.gov.cn", "【新派件】", "正文", links=links)
    html = message.get_body(("html",)).get_content()
    assert '<a href="https://suqiu.example.gov.cn/admin/case/details/?id=5">SQ1</a>' in html
    assert "https://" not in message.get_body(("plain",)).get_content()


def test_gathered_items_of_one_person_become_one_message(app):
    from app.notifications.outbox import Gathered

    outbox = Outbox()
    leader = user("leader")
    for n in range(3):
        item = Gathered(
            f"主题{n}", f"正文{n}", f"第{n}件", [{"path": f"/admin/case/details/?id={n}", "text": f"SQ{n}"}]
        )
        outbox.gather([leader], "deadline_escalate_leader", "升级", item, T0)
    outbox.write()
    [row] = rows("deadline_escalate_leader")
    assert row.body == "第0件\n第1件\n第2件" and len(row.data["links"]) == 3


def test_messages_are_chinese_whatever_the_language_of_the_page(app, client, login_as):
    case = make_case("registered", lead="SA")
    login_as("clerk")
    client.get("/lang/en")
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        lifecycle.perform(case, "dispatch", user("clerk"), lead_department=dept("SB"))
    db.session.commit()
    [row] = [r for r in rows("dispatched") if r.user_id == user("handler", "SB").id]
    assert row.subject.startswith("【新派件】")
    assert_chinese_with_link(row, case)
