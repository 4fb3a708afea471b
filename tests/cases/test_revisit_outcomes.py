"""The staff revisit (回访): 未接通 keeps the case waiting with its clock running and counts the try; 是否解决 is
recorded apart from the satisfaction; the 满意率 counts revisits that recorded a satisfaction, once each."""

from datetime import timedelta

import pytest
from flask_babel import gettext

from app.cases import lifecycle
from app.cases.lifecycle import TransitionError
from app.cases.tracking import public_timeline
from app.deadlines.policies import seed_default_policies
from app.extensions import db
from app.reports import measures
from app.timeutil import utcnow
from models.case import Case
from models.deadline import DeadlineStatus
from models.deadline import Stage
from models.enums import Status
from tests.support.factories import make_case
from tests.support.factories import parse_page
from tests.support.factories import user


@pytest.fixture(autouse=True)
def policies(db):
    """The default deadline policies: a reply starts the revisit clock."""
    seed_default_policies()
    db.session.commit()


def revisit_clock(case: Case):
    return next(d for d in case.deadlines if d.stage == Stage.REVISIT)


def fresh(case_id: int) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def revisit(case: Case, **params):
    event = lifecycle.perform(case, "revisit", user("clerk"), **params)
    db.session.commit()
    return event


def test_not_reached_keeps_the_case_waiting_and_counts_each_try(db):
    case = make_case(Status.REPLIED)
    first = revisit(case, method="not_reached", note="无人接听")
    case = fresh(case.id)
    assert case.status == Status.REPLIED and case.closed_at is None and case.satisfaction is None
    assert (first.from_status, first.to_status) == ("replied", "replied")
    assert first.data == {"reached": False, "method": "not_reached", "attempt": 1}
    assert revisit_clock(case).status == DeadlineStatus.RUNNING  # the revisit clock keeps running
    second = revisit(case, method="not_reached")
    assert second.data["attempt"] == 2

    event = revisit(fresh(case.id), method="phone", resolved="no", satisfaction="basically_satisfied")
    case = fresh(case.id)
    assert case.status == Status.CLOSED and case.satisfaction == "basically_satisfied"
    assert case.revisit_resolved is False  # 是否解决 apart from the satisfaction
    assert event.data == {"satisfaction": "basically_satisfied", "method": "phone", "resolved": False}
    assert revisit_clock(case).status == DeadlineStatus.MET


def test_a_new_reply_starts_the_count_of_tries_again(db):
    case = make_case(Status.REPLIED)
    revisit(case, method="not_reached")
    revisit(fresh(case.id), method="phone", resolved="no", satisfaction="unsatisfied")  # 重办
    case = fresh(case.id)
    assert case.status == Status.IN_PROGRESS and case.revisit_resolved is False
    lifecycle.perform(case, "reply", user("handler", "SA"), outcome="supported", text="已再次处理")
    db.session.commit()
    assert revisit(fresh(case.id), method="not_reached").data["attempt"] == 1


@pytest.mark.parametrize(
    "params",
    [
        {"method": "not_reached", "satisfaction": "satisfied"},
        {"method": "not_reached", "resolved": "yes"},
        {"method": "carrier_pigeon", "satisfaction": "satisfied"},
        {"method": "phone", "resolved": "maybe", "satisfaction": "satisfied"},
        {"method": "phone", "resolved": "yes"},  # reached: the satisfaction is required
    ],
)
def test_inconsistent_revisits_are_refused_and_change_nothing(db, params):
    case = make_case(Status.REPLIED)
    events, version = len(case.events), case.version
    with pytest.raises(TransitionError):
        lifecycle.perform(case, "revisit", user("clerk"), **params)
    db.session.rollback()
    case = fresh(case.id)
    assert case.status == Status.REPLIED and len(case.events) == events and case.version == version


def test_reopen_clears_the_revisit_outcome(db):
    case = make_case(Status.REPLIED)
    revisit(case, method="visit", resolved="yes", satisfaction="satisfied")
    lifecycle.perform(fresh(case.id), "reopen", user("supervisor"), reason="群众再次来电反映")
    db.session.commit()
    case = fresh(case.id)
    assert case.revisit_resolved is None and case.satisfaction is None


def test_public_timeline_shows_the_tries_and_the_call_never_as_the_citizens_rating(db):
    case = make_case(Status.REPLIED)
    revisit(case, method="not_reached")
    revisit(fresh(case.id), method="phone", satisfaction="satisfied")
    labels = [event.label for event in public_timeline(fresh(case.id))]
    assert gettext("Follow-up call: could not get through") in labels
    assert gettext("Follow-up call: %(satisfaction)s", satisfaction=gettext("Satisfied")) in labels
    assert not any(label.startswith(gettext("Your rating")) for label in labels)


def test_the_satisfaction_rate_counts_revisits_with_a_satisfaction_once(db):
    start = utcnow() - timedelta(minutes=1)
    case = make_case(Status.REPLIED)
    revisit(case, method="not_reached")
    revisit(fresh(case.id), method="phone", satisfaction="satisfied")
    lifecycle.rate_by_citizen(fresh(case.id), "unsatisfied", "其实没修好")  # 群众评价 after the closure
    db.session.commit()
    rows = db.session.execute(measures.feedback(start, utcnow() + timedelta(minutes=1), utcnow())).all()
    assert sum(row.rated for row in rows) == 1 and sum(row.pleased for row in rows) == 1
    assert sum(row.sent_back for row in rows) == 0  # the citizen's later 不满意 reopens nothing


def test_the_revisit_form_records_a_call_not_answered(db, client, login_as):
    case = make_case(Status.REPLIED)
    login_as("clerk")
    page = client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True)
    assert 'name="revisit-method"' in page and 'name="revisit-resolved"' in page
    data = {"revisit-id": case.id, "revisit-version": case.version, "revisit-method": "not_reached"}
    data |= {"revisit-resolved": "", "revisit-satisfaction": "", "revisit-note": "关机"}
    response = client.post("/admin/case/transition/revisit/", data=data)
    assert response.status_code == 302
    case = fresh(case.id)
    assert case.status == Status.REPLIED and case.events[-1].data["reached"] is False
    page = parse_page(client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True))
    assert (
        "1" in page.by_id["case-ratings"]
        and gettext("Revisit calls not answered") in page.by_id["case-ratings"]
    )
