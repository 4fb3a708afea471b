"""即接即办: an intake clerk answers a case on the spot, within the administrators' scope, through the state
machine; the case then closes by a staff revisit or the citizen's own rating on /track, with its clocks
met or cancelled; outside the scope (or by a handler) it is refused, and the intake form then saves nothing.
"""

import pytest
from flask_babel import gettext
from sqlalchemy import func
from sqlalchemy import select

from app.cases import direct_answer
from app.cases import lifecycle
from app.deadlines.policies import seed_default_policies
from app.extensions import db
from models.case import Case
from models.enums import ReplyOutcome
from models.enums import RequestType
from models.enums import Satisfaction
from models.enums import Status
from models.org import Category
from models.org import Department
from models.wording import DirectAnswerScope
from tests.support.factories import make_case
from tests.support.factories import user

ANSWER = "您咨询的居住证办理，可携带身份证和租赁合同到街道党群服务中心办理，当场受理，7 个工作日内领证。"
SOURCE = "《居住证办理指南》（2025 版）"
OUT_OF_SCOPE = (
    "This kind of request may not be answered on the spot; register it and dispatch it to a department."
)
INTAKE = {
    "channel": "hotline",
    "request_type": "consult",
    "title": "咨询居住证如何办理",
    "content": "刚搬到本区，想咨询居住证怎么办理、需要什么材料。",
    "citizen_name": "赵六",
    "citizen_phone": "13700137000",
    "grade": "green",
}


@pytest.fixture
def scope(db):
    """咨询 may be answered on the spot; so may anything under 城市管理 (a level-1 category)."""
    seed_default_policies()
    db.session.add_all(
        [
            DirectAnswerScope(request_type=RequestType.CONSULT),
            DirectAnswerScope(category=db.session.scalars(select(Category).filter_by(code="CSGL")).one()),
        ]
    )
    db.session.commit()


def category(code: str) -> Category:
    return db.session.scalars(select(Category).filter_by(code=code)).one()


def answer(case: Case, role: str = "clerk", code: str | None = None, **params):
    params = {"text": ANSWER, "outcome": ReplyOutcome.EXPLAINED, "source": SOURCE, **params}
    event = lifecycle.perform(case, "direct_answer", user(role, code), **params)
    db.session.commit()
    return event


def clocks(case: Case) -> dict[str, str]:
    db.session.refresh(case)
    return {str(d.stage): str(d.status) for d in case.deadlines}


def test_answered_then_closed_by_the_staff_revisit(scope):
    case = make_case(Status.REGISTERED, request_type=RequestType.CONSULT)
    event = answer(case)
    assert case.status == Status.REPLIED and case.answered_at_intake
    assert case.reply_text == ANSWER and case.reply_outcome == ReplyOutcome.EXPLAINED
    assert case.intake_answer_source == SOURCE and case.replied_at == event.at
    assert case.lead_department is None and case.dispatched_at is None
    assert (event.action, event.from_status, event.to_status) == ("direct_answer", "registered", "replied")
    assert event.note == ANSWER and event.data["source"] == SOURCE
    assert clocks(case) == {
        "register": "met",
        "dispatch": "cancelled",
        "first_reply": "met",
        "resolve": "met",
        "revisit": "running",
    }
    lifecycle.perform(case, "revisit", user("clerk"), satisfaction=Satisfaction.SATISFIED, note="满意")
    db.session.commit()
    assert case.status == Status.CLOSED and case.closed_at is not None
    assert clocks(case)["revisit"] == "met"


def test_an_unsatisfied_citizen_sends_it_back_to_intake_to_dispatch(scope):
    case = make_case(Status.REGISTERED, request_type=RequestType.CONSULT)
    answer(case)
    event = lifecycle.rate_by_citizen(case, Satisfaction.UNSATISFIED, "没有解决我的问题")
    db.session.commit()
    assert case.status == Status.REGISTERED and event.data["to_intake"] is True
    assert case.replied_at is None and case.redo_count == 1
    assert clocks(case)["dispatch"] == "running" and clocks(case)["revisit"] == "met"
    # the clerk dispatches it now: a department handles it, so it no longer counts as 专班办结
    lifecycle.perform(case, "dispatch", user("clerk"), lead_department=db.session.scalars(
        select(Department).filter_by(code="SA")).one())  # fmt: skip
    db.session.commit()
    assert case.status == Status.DISPATCHED and not case.answered_at_intake


def test_a_new_case_is_registered_by_the_answer(scope):
    case = make_case(Status.NEW, request_type=RequestType.CONSULT)
    assert case.registered_at is None
    answer(case, "supervisor")
    assert case.status == Status.REPLIED and case.registered_at == case.replied_at
    assert clocks(case) == {"register": "met", "revisit": "running"}


def test_the_citizen_closes_it_with_a_rating_on_track(scope, client):
    case = make_case(Status.REGISTERED, request_type=RequestType.CONSULT)
    answer(case)
    response = client.post("/track", data={"code": case.tracking_code, "phone_tail": case.citizen_phone[-4:]})
    assert response.status_code == 302
    page = client.get("/track/case").get_data(as_text=True)
    assert ANSWER in page and 'id="rating-form"' in page
    assert SOURCE not in page  # the knowledge used is the office's note, not the citizen's
    response = client.post("/track/case", data={"satisfaction": "satisfied", "comment": "解答很清楚"})
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status == Status.CLOSED and case.satisfaction == Satisfaction.SATISFIED
    assert case.events[-1].data["by"] == "citizen"
    assert clocks(case)["revisit"] == "met"


@pytest.mark.parametrize(
    "request_type, code, allowed",
    [
        (RequestType.CONSULT, None, True),
        (RequestType.COMPLAINT, "CSGL", True),  # the level-1 category itself
        (RequestType.COMPLAINT, "CSGL-ZDJY", True),  # a sub-category of it
        (RequestType.COMPLAINT, "CXJS", False),
        (RequestType.COMPLAINT, None, False),
    ],
)
def test_the_scope_rule(scope, request_type, code, allowed):
    case = make_case(Status.REGISTERED, request_type=request_type, category=category(code) if code else None)
    assert direct_answer.may_answer_directly(case) is allowed
    names = [a.name for a in lifecycle.available_actions(case, user("clerk"))]
    assert ("direct_answer" in names) is allowed


def test_refused_outside_the_scope_and_when_switched_off(scope):
    case = make_case(Status.REGISTERED, request_type=RequestType.COMPLAINT, category=category("CXJS"))
    with pytest.raises(lifecycle.TransitionError) as refused:
        answer(case)
    assert refused.value.message == gettext(OUT_OF_SCOPE)
    consult = make_case(Status.REGISTERED, request_type=RequestType.CONSULT)
    db.session.execute(DirectAnswerScope.__table__.update().values(active=False))
    db.session.commit()
    with pytest.raises(lifecycle.TransitionError):
        answer(consult)
    db.session.rollback()
    assert consult.status == Status.REGISTERED and not consult.answered_at_intake


def test_a_scope_naming_nothing_allows_nothing(db):
    db.session.add(DirectAnswerScope())
    db.session.commit()
    assert not direct_answer.may_answer_directly(make_case(Status.REGISTERED))


def test_refused_for_handlers_and_once_dispatched(scope):
    case = make_case(Status.REGISTERED, request_type=RequestType.CONSULT)
    with pytest.raises(lifecycle.TransitionError) as refused:
        answer(case, "handler", "SA")
    assert refused.value.message == gettext("Your role may not do this.")
    dispatched = make_case(Status.DISPATCHED, request_type=RequestType.CONSULT)
    with pytest.raises(lifecycle.TransitionError):
        answer(dispatched)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"text": "  "}, "Write the reply to the citizen."),
        ({"outcome": ""}, "Choose the outcome of the reply."),
        ({"source": "x" * 256}, "Name the knowledge used in at most %(num)d characters."),
    ],
)
def test_the_answer_needs_its_text_and_outcome(scope, params, message):
    case = make_case(Status.REGISTERED, request_type=RequestType.CONSULT)
    with pytest.raises(lifecycle.TransitionError) as refused:
        answer(case, **params)
    assert refused.value.message == gettext(message, num=255)
    db.session.rollback()
    assert case.status == Status.REGISTERED


# --- through the panel ---------------------------------------------------------------------------------


def intake(client, **answer_fields):
    data = {**INTAKE, **{f"direct_{key}": value for key, value in answer_fields.items()}}
    return client.post("/admin/case/new/", data=data)


def cases_titled(title: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Case).where(Case.title == title))


def test_the_intake_form_answers_on_the_spot_and_lands_on_the_case_page(scope, client, login_as):
    login_as("clerk")
    page = client.get("/admin/case/new/").get_data(as_text=True)
    assert 'id="direct-answer-section"' in page and 'name="direct_text"' in page
    response = intake(client, text=ANSWER, outcome="explained", source=SOURCE)
    case = db.session.scalars(select(Case).filter_by(title=INTAKE["title"])).one()
    assert response.status_code == 302 and response.location.endswith(f"/admin/case/details/?id={case.id}")
    assert case.status == Status.REPLIED and case.answered_at_intake and case.intake_answer_source == SOURCE
    assert [e.action for e in case.events] == ["receive", "register", "direct_answer"]
    page = client.get(response.location).get_data(as_text=True)
    assert 'id="open-revisit"' in page


def test_the_intake_form_without_an_answer_registers_only(scope, client, login_as):
    login_as("clerk")
    response = intake(client, text="", outcome="", source="")
    case = db.session.scalars(select(Case).filter_by(title=INTAKE["title"])).one()
    assert response.status_code == 302 and response.location.endswith(f"/admin/case/details/?id={case.id}")
    assert case.status == Status.REGISTERED and not case.answered_at_intake


@pytest.mark.parametrize(
    "change, answer_fields, message",
    [
        ({"request_type": "complaint"}, {"text": ANSWER, "outcome": "explained"}, OUT_OF_SCOPE),
        ({}, {"text": "", "outcome": "explained", "source": SOURCE}, "Write the reply to the citizen."),
        ({}, {"text": ANSWER, "outcome": ""}, "Choose the outcome of the reply."),
    ],
)
def test_a_refused_intake_answer_saves_nothing(scope, client, login_as, change, answer_fields, message):
    login_as("clerk")
    data = {**INTAKE, **change, **{f"direct_{key}": value for key, value in answer_fields.items()}}
    response = client.post("/admin/case/new/", data=data)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and gettext(message) in body
    assert INTAKE["content"] in body  # what the clerk typed is kept
    assert cases_titled(INTAKE["title"]) == 0


def test_the_case_page_button(scope, client, login_as):
    case = make_case(Status.REGISTERED, request_type=RequestType.CONSULT)
    login_as("handler", "SA")
    assert client.get(f"/admin/case/details/?id={case.id}").status_code == 404  # not dispatched to them
    login_as("clerk")
    page = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert 'id="form-direct_answer"' in page and 'name="direct_answer-source"' in page
    data = {
        "direct_answer-id": case.id,
        "direct_answer-version": case.version,
        "direct_answer-outcome": "supported",
        "direct_answer-text": ANSWER,
        "direct_answer-source": SOURCE,
    }
    response = client.post("/admin/case/transition/direct_answer/", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status == Status.REPLIED and case.answered_at_intake
    complaint = make_case(Status.REGISTERED)
    page = client.get(f"/admin/case/details/?id={complaint.id}").get_data(as_text=True)
    assert 'id="form-direct_answer"' not in page  # outside the scope: no button
    data.update({"direct_answer-id": complaint.id, "direct_answer-version": complaint.version})
    response = client.post("/admin/case/transition/direct_answer/", data=data)
    assert response.status_code == 409 and gettext(OUT_OF_SCOPE) in response.get_data(as_text=True)
