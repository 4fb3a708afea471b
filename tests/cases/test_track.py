"""``/track``: the citizen finds their case by tracking code and phone tail, follows it and rates the reply.

A wrong code and a wrong phone get the same answer; failures are rate-limited; the public timeline never
shows staff notes; the rating is taken once per reply and 不满意 sends the case back through the state
machine.
"""

import pytest
from flask_babel import gettext
from sqlalchemy import select

from app.cases import lifecycle
from app.cases.tracking import status_label
from app.deadlines.policies import seed_default_policies
from app.extensions import db
from app.intake.submission import CitizenRequest
from app.intake.submission import submit
from app.timeutil import format_local
from models.case import Case
from models.case import CaseEvent
from models.enums import Channel
from models.enums import Satisfaction
from models.enums import Status
from tests.support.factories import dept
from tests.support.factories import make_mailbox
from tests.support.factories import parse_page
from tests.support.factories import user

PHONE = "13900139000"
TITLE = "小区电梯停运三天无人维修"
REPLY = "已督促物业公司更换电梯主板，电梯已于本周五恢复运行。"
SECOND_REPLY = "已约谈物业公司负责人，每月组织一次电梯安全检查并公示结果。"
# Staff-only notes: never on the citizen's page.
REGISTER_NOTE = "登记备注：来信人情绪激动"
DISPATCH_NOTE = "派单说明：请街道联系住建部门共同核查"
CONTACT_NOTE = "已电话联系王女士，她要求不要透露姓名给物业"
STAFF_COMMENT = "内部备注：该来信人曾多次重复反映，注意答复口径"
EXTENSION_REASON = "需要等待电梯厂家寄送配件"

NO_MATCH = "No case matches this tracking code and phone number. Check both and try again."
TOO_MANY = "Too many wrong tries. Please wait a quarter of an hour and try again."
ALREADY_RATED = "This reply has already been rated."


@pytest.fixture
def mailbox(app):
    seed_default_policies()
    db.session.commit()
    return make_mailbox("qzxx", real_name_required=False)


def received(mailbox, phone: str | None = PHONE) -> Case:
    """A letter received through the front door (the same code path as the form)."""
    case, created = submit(
        CitizenRequest(
            channel=Channel.MAILBOX,
            mailbox=mailbox,
            request_type="complaint",
            title=TITLE,
            content="我们小区 3 栋电梯从周一开始停运，老人上下楼非常困难，物业一直说在等配件。",
            citizen_name="王女士" if phone else None,
            citizen_phone=phone,
            ip="127.0.0.1",
        )
    )
    assert created
    return case


def act(case: Case, action: str, role: str, code: str | None = None, **params) -> None:
    lifecycle.perform(case, action, user(role, code), **params)
    db.session.commit()


def to_in_progress(case: Case) -> None:
    act(case, "register", "clerk", note=REGISTER_NOTE)
    act(case, "dispatch", "clerk", lead_department=dept("SA"), note=DISPATCH_NOTE)
    act(case, "sign", "handler", "SA")
    act(case, "contact", "handler", "SA", note=CONTACT_NOTE)


def to_replied(case: Case, text: str = REPLY) -> None:
    if case.status == Status.NEW:
        to_in_progress(case)
    act(case, "reply", "handler", "SA", outcome="supported", text=text)


def find(client, code: str, tail: str | None = None, **kwargs):
    data = {"code": code}
    if tail is not None:
        data["phone_tail"] = tail
    return client.post("/track", data=data, **kwargs)


def case_page(client):
    response = client.get("/track/case")
    assert response.status_code == 200, response.headers.get("Location")
    html = response.get_data(as_text=True)
    return html, parse_page(html)


def events_of(case_id: int) -> list[CaseEvent]:
    db.session.expire_all()
    return db.session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    ).all()


def fresh(case_id: int) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


# --- finding the case -------------------------------------------------------------------------------


def test_code_and_phone_tail_find_the_case(client, mailbox):
    case = received(mailbox)
    code = case.tracking_code
    # The code as a citizen might type it: lower case, spaced.
    typed = " ".join([code[:4], code[4:8], code[8:]]).lower()
    response = find(client, typed, PHONE[-4:])
    assert response.status_code == 302 and response.headers["Location"].endswith("/track/case")
    html, page = case_page(client)
    assert page.by_id["case-status"] == status_label(case) == str(Status.label_of(Status.NEW))
    assert TITLE in html and case.number in html
    assert "rating-form" not in page.by_id  # nothing to rate yet


def test_wrong_phone_and_unknown_code_get_the_same_answer(app, client, mailbox):
    case = received(mailbox)
    attempts = [
        (case.tracking_code, "0000"),  # right code, wrong phone
        (case.tracking_code, None),  # right code, no phone for a real-name case
        ("ABCDEFGHJKMN", PHONE[-4:]),  # unknown code, right phone
        (case.tracking_code[:-1] + ("A" if case.tracking_code[-1] != "A" else "B"), PHONE[-4:]),
    ]
    answers = set()
    for code, tail in attempts:
        response = find(client, code, tail)
        page = parse_page(response.get_data(as_text=True))
        answers.add((response.status_code, page.by_id.get("track-message")))
        assert client.get("/track/case").status_code == 302  # nothing was found for this browser
    assert answers == {(200, gettext(NO_MATCH))}


def test_anonymous_case_is_found_by_code_alone(client, mailbox):
    case = received(mailbox, phone=None)
    assert find(client, case.tracking_code, "").status_code == 302
    html, page = case_page(client)
    assert TITLE in html and page.by_id["case-status"]


def test_wrong_tries_are_rate_limited_even_for_the_right_code(app, client, mailbox):
    app.config["TRACK_FAILURE_LIMIT"] = "3/hour"
    case = received(mailbox)
    for _ in range(3):
        response = find(client, case.tracking_code, "1111")
        assert response.status_code == 200
        assert parse_page(response.get_data(as_text=True)).by_id["track-message"] == gettext(NO_MATCH)
    for tail in ("2222", PHONE[-4:]):  # limited: the right answer is refused too
        response = find(client, case.tracking_code, tail)
        assert response.status_code == 429
        assert parse_page(response.get_data(as_text=True)).by_id["track-message"] == gettext(TOO_MANY)
    assert client.get("/track/case").status_code == 302
    # Another network is not limited.
    other = app.test_client()
    assert (
        find(other, case.tracking_code, PHONE[-4:], environ_base={"REMOTE_ADDR": "198.51.100.9"}).status_code
        == 302
    )


def test_successful_lookups_do_not_count_as_failures(app, client, mailbox):
    app.config["TRACK_FAILURE_LIMIT"] = "2/hour"
    case = received(mailbox)
    for _ in range(5):
        assert find(client, case.tracking_code, PHONE[-4:]).status_code == 302


def test_malformed_tail_is_a_field_error_not_a_try(app, client, mailbox):
    app.config["TRACK_FAILURE_LIMIT"] = "1/hour"
    case = received(mailbox)
    for _ in range(3):
        response = find(client, case.tracking_code, "12a")
        assert response.status_code == 200
        assert parse_page(response.get_data(as_text=True)).errors["phone_tail"] == [
            gettext("Enter the last 4 digits.")
        ]
    assert find(client, case.tracking_code, PHONE[-4:]).status_code == 302


@pytest.mark.parametrize("tail", ["１２３４", "١٢٣٤"])
def test_a_tail_in_other_digits_is_a_try_like_any_other(app, client, mailbox, tail):
    """Regression: a full-width tail made /track answer 500 before the failure was counted (an oracle)."""
    app.config["TRACK_FAILURE_LIMIT"] = "2/hour"
    case = received(mailbox)
    for _ in range(2):
        response = find(client, case.tracking_code, tail)
        assert response.status_code == 200
        assert parse_page(response.get_data(as_text=True)).by_id["track-message"] == gettext(NO_MATCH)
    assert find(client, case.tracking_code, tail).status_code == 429


def test_the_right_tail_typed_in_full_width_digits_finds_the_case(client, mailbox):
    case = received(mailbox)
    full_width = PHONE[-4:].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert find(client, case.tracking_code.lower(), full_width).status_code == 302


def test_a_case_with_a_full_width_phone_is_stored_in_ascii_and_tracked(client, mailbox):
    """Regression: such a case was stored as typed and every /track of it answered 500."""
    case = received(mailbox, phone="１３８００１３８０００")
    assert case.citizen_phone == "13800138000"
    assert find(client, case.tracking_code, "8000").status_code == 302


# --- what the citizen sees --------------------------------------------------------------------------


def test_public_timeline_shows_progress_never_staff_notes(client, mailbox):
    case = received(mailbox)
    to_in_progress(case)
    act(case, "comment", "handler", "SA", note=STAFF_COMMENT)
    act(case, "request_extension", "handler", "SA", stage="resolve", amount=2, reason=EXTENSION_REASON)
    act(case, "approve_extension", "supervisor", note="同意延期，督促尽快办结")
    act(case, "reply", "handler", "SA", outcome="supported", text=REPLY)

    assert find(client, case.tracking_code, PHONE[-4:]).status_code == 302
    html, page = case_page(client)
    timeline = page.by_id["public-timeline"]
    assert page.by_id["case-status"] == str(Status.label_of(Status.REPLIED))
    assert gettext("Your request was received") in timeline
    assert gettext("Sent to %(department)s", department="甲街道") in timeline
    assert gettext("Your request was answered") in timeline and REPLY in timeline
    # staff steps in the citizen's words, never the office's terms (签收, 记录联系, 批准延期)
    assert gettext("The handling department has received your case") in timeline
    assert gettext("Staff have been in touch with you") in timeline
    for staff_term in ("Sign for", "Record contact", "Approve the extension", "Case received"):
        assert gettext(staff_term) not in timeline, staff_term
    # the approved extension: the citizen learns the new time
    resolve = next(d for d in fresh(case.id).deadlines if d.stage == "resolve")
    assert gettext("Time limit extended") in timeline and format_local(resolve.due_at) in timeline
    assert page.by_id.get("rating-form") is not None
    assert f'reply-text">{REPLY}</p>' in html  # the reply itself, above the timeline
    assert EXTENSION_REASON in timeline  # the citizen is told why the time limit moved
    for secret in (REGISTER_NOTE, DISPATCH_NOTE, CONTACT_NOTE, STAFF_COMMENT, "同意延期"):
        assert secret not in html, secret
    # Order: oldest first.
    received_at = timeline.index(gettext("Your request was received"))
    assert (
        received_at
        < timeline.index(gettext("Sent to %(department)s", department="甲街道"))
        < timeline.index(REPLY)
    )


def test_promised_times_are_shown(client, mailbox):
    case = received(mailbox)
    act(case, "register", "clerk")
    act(case, "dispatch", "clerk", lead_department=dept("SA"))
    assert find(client, case.tracking_code, PHONE[-4:]).status_code == 302
    html, page = case_page(client)
    assert page.by_id["case-status"] == gettext("Sent to the department responsible")  # not 待签收
    assert gettext("Promised times") in html
    for deadline in fresh(case.id).deadlines:
        if deadline.stage in ("sign", "first_reply", "resolve"):
            assert gettext("by %(time)s", time=format_local(deadline.due_at)) in html, deadline.stage
    assert gettext("The handling department receives your case") in html and gettext("Resolve") in html
    assert gettext("Sign for") not in html  # the office's word for it


# --- rating -----------------------------------------------------------------------------------------


def rate(client, satisfaction: str | None, comment: str = ""):
    data = {"comment": comment}
    if satisfaction:
        data["satisfaction"] = satisfaction
    return client.post("/track/case", data=data)


def test_no_rating_before_the_reply(client, mailbox):
    case = received(mailbox)
    to_in_progress(case)
    assert find(client, case.tracking_code, PHONE[-4:]).status_code == 302
    _html, page = case_page(client)
    assert "rating-form" not in page.by_id
    before = len(events_of(case.id))
    response = rate(client, "unsatisfied")
    assert response.status_code == 302
    case = fresh(case.id)
    assert case.status == Status.IN_PROGRESS and case.redo_count == 0 and case.citizen_rated_at is None
    assert len(events_of(case.id)) == before


@pytest.mark.parametrize("satisfaction", ["satisfied", "basically_satisfied"])
def test_satisfied_rating_closes_the_case(client, mailbox, satisfaction):
    case = received(mailbox)
    to_replied(case)
    assert find(client, case.tracking_code, PHONE[-4:]).status_code == 302
    _html, page = case_page(client)
    assert "rating-form" in page.by_id
    response = rate(client, satisfaction, "处理很及时，谢谢")
    assert response.status_code == 302 and response.headers["Location"].endswith("/track/case")
    case = fresh(case.id)
    assert case.status == Status.CLOSED and case.closed_at is not None
    assert case.satisfaction == satisfaction and case.satisfaction_note == "处理很及时，谢谢"
    last = events_of(case.id)[-1]
    assert last.action == "revisit" and last.actor is None and last.data["by"] == "citizen"
    html, page = case_page(client)
    assert gettext("Thank you. Your rating has been recorded.") in html
    assert "rating-form" not in page.by_id
    assert page.by_id["case-status"] == str(Status.label_of(Status.CLOSED))


def test_unsatisfied_sends_back_once_per_reply_and_a_new_reply_can_be_rated(client, mailbox):
    case = received(mailbox)
    to_replied(case)
    assert find(client, case.tracking_code, PHONE[-4:]).status_code == 302

    response = rate(client, "unsatisfied", "电梯还是经常停")
    assert response.status_code == 302
    case = fresh(case.id)
    assert case.status == Status.IN_PROGRESS and case.redo_count == 1
    assert case.satisfaction == "unsatisfied" and case.citizen_rated_at is not None
    events = events_of(case.id)
    revisit = events[-1]
    assert (revisit.action, revisit.from_status, revisit.to_status) == ("revisit", "replied", "in_progress")
    assert revisit.actor is None and revisit.data == {
        "satisfaction": "unsatisfied",
        "redo": True,
        "by": "citizen",
    }
    assert revisit.note == "电梯还是经常停"
    html, page = case_page(client)
    assert "rating-form" not in page.by_id
    assert (
        gettext(
            "Your rating: %(satisfaction)s", satisfaction=str(Satisfaction.label_of(Satisfaction.UNSATISFIED))
        )
        in page.by_id["public-timeline"]
    )

    # A second rating of the same reply is refused and changes nothing.
    response = rate(client, "satisfied")
    assert response.status_code == 302
    html, page = case_page(client)
    assert gettext(ALREADY_RATED) in html
    assert len(events_of(case.id)) == len(events)
    assert fresh(case.id).status == Status.IN_PROGRESS and fresh(case.id).redo_count == 1

    # The department replies again: the citizen may rate the new reply.
    act(fresh(case.id), "reply", "handler", "SA", outcome="explained", text=SECOND_REPLY)
    html, page = case_page(client)
    assert "rating-form" in page.by_id and SECOND_REPLY in html
    assert rate(client, "satisfied").status_code == 302
    case = fresh(case.id)
    assert case.status == Status.CLOSED and case.redo_count == 1 and case.satisfaction == "satisfied"
    assert [e.action for e in events_of(case.id)].count("revisit") == 2
    # ... and again only once.
    rate(client, "unsatisfied")
    assert fresh(case.id).status == Status.CLOSED
    assert [e.action for e in events_of(case.id)].count("revisit") == 2


def test_rating_without_a_choice_is_a_field_error(client, mailbox):
    case = received(mailbox)
    to_replied(case)
    assert find(client, case.tracking_code, PHONE[-4:]).status_code == 302
    before = len(events_of(case.id))
    response = rate(client, None, "没选")
    assert response.status_code == 200
    assert gettext("Choose one.") in response.get_data(as_text=True)
    assert fresh(case.id).status == Status.REPLIED and len(events_of(case.id)) == before
    response = rate(client, "delighted")
    assert response.status_code == 200 and fresh(case.id).status == Status.REPLIED


def test_forget_clears_the_tracked_case(client, mailbox):
    case = received(mailbox)
    assert find(client, case.tracking_code, PHONE[-4:]).status_code == 302
    html, _page = case_page(client)
    assert gettext("Done: forget this case on this device") in html
    response = client.post("/track/leave")
    assert response.status_code == 302 and response.headers["Location"].endswith("/track")
    response = client.get("/track/case")
    assert response.status_code == 302 and response.headers["Location"].endswith("/track")
    with client.session_transaction() as session:
        assert "tracked_case" not in session
    assert rate(client, "satisfied").headers["Location"].endswith("/track")  # nothing to rate any more
