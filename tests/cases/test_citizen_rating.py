"""群众评价: the citizen rates a reply on /track also after a staff revisit closed the case, once per reply and
within CITIZEN_RATING_DAYS; it is kept apart from the revisit's satisfaction (回访满意度); a 不满意 then does
not reopen the case but flags it to the supervisors."""

from datetime import timedelta

import pytest
from flask_babel import gettext

from app.cases import lifecycle
from app.cases.lifecycle import TransitionError
from app.cases.tracking import public_timeline
from app.extensions import db
from app.timeutil import utcnow
from models.case import Case
from models.enums import Status
from models.notification import Notification
from tests.support.factories import make_case
from tests.support.factories import make_user
from tests.support.factories import parse_page
from tests.support.factories import user

ALREADY_RATED = "This reply has already been rated."


def fresh(case_id: int) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def closed_by_revisit(satisfaction: str = "satisfied") -> Case:
    """A case whose reply a clerk's revisit call closed."""
    case = make_case(Status.REPLIED)
    lifecycle.perform(
        case, "revisit", user("clerk"), method="phone", resolved="yes", satisfaction=satisfaction
    )
    db.session.commit()
    return case


def track(client, case: Case) -> None:
    response = client.post("/track", data={"code": case.tracking_code, "phone_tail": case.citizen_phone[-4:]})
    assert response.status_code == 302


def tracked_page(client):
    html = client.get("/track/case").get_data(as_text=True)
    return html, parse_page(html)


def rate(client, satisfaction: str, comment: str = ""):
    return client.post("/track/case", data={"satisfaction": satisfaction, "comment": comment})


def test_after_a_revisit_the_citizen_still_rates_once_and_both_are_kept_apart(client, db):
    case = closed_by_revisit("satisfied")
    track(client, case)
    _html, page = tracked_page(client)
    assert "rating-form" in page.by_id and "rating-after-revisit" in page.by_id

    assert rate(client, "basically_satisfied", "还可以").status_code == 302
    case = fresh(case.id)
    assert case.status == Status.CLOSED
    assert case.satisfaction == "satisfied" and case.revisit_resolved is True  # the revisit's stands
    assert (case.citizen_rating, case.citizen_rating_note) == ("basically_satisfied", "还可以")
    event = case.events[-1]
    assert (event.action, event.actor, event.from_status, event.to_status) == (
        "citizen_rating",
        None,
        "closed",
        "closed",
    )
    assert event.data == {"satisfaction": "basically_satisfied", "by": "citizen"}

    html, page = tracked_page(client)
    assert "rating-form" not in page.by_id
    timeline = page.by_id["public-timeline"]
    assert gettext("Follow-up call: %(satisfaction)s", satisfaction=gettext("Satisfied")) in timeline
    assert gettext("Your rating: %(satisfaction)s", satisfaction=gettext("Basically satisfied")) in timeline
    # once per reply
    rate(client, "unsatisfied")
    assert gettext(ALREADY_RATED) in tracked_page(client)[0]
    assert fresh(case.id).citizen_rating == "basically_satisfied" and len(fresh(case.id).events) == len(
        case.events
    )


def test_unsatisfied_after_closure_flags_the_case_to_supervisors_and_never_reopens_it(client, db, login_as):
    supervisor = make_user("supervisor")
    case = closed_by_revisit("satisfied")
    track(client, case)
    rate(client, "unsatisfied", "楼道灯还是不亮")
    case = fresh(case.id)
    assert case.status == Status.CLOSED and case.redo_count == 0 and case.closed_at is not None
    assert case.events[-1].data == {"satisfaction": "unsatisfied", "flagged": True, "by": "citizen"}
    told = db.session.query(Notification).filter_by(case_id=case.id, kind="citizen_rating").all()
    assert {row.user_id for row in told if row.user_id} == {supervisor.id}  # supervisors, nobody else
    assert all(case.number in row.subject for row in told)
    assert {"path": f"/admin/case/details/?id={case.id}", "text": case.number} in told[0].data["links"]

    login_as("supervisor")
    page = parse_page(client.get(f"/admin/case/details/?id={case.id}").get_data(as_text=True))
    ratings = page.by_id["case-ratings"]
    assert gettext("Revisit satisfaction") in ratings and gettext("Citizen's own rating") in ratings
    assert gettext("Unsatisfied after closure") in ratings and "楼道灯还是不亮" in ratings


def test_before_any_revisit_the_citizens_rating_is_the_revisit(client, db):
    case = make_case(Status.REPLIED)
    track(client, case)
    _html, page = tracked_page(client)
    assert "rating-form" in page.by_id and "rating-after-revisit" not in page.by_id
    rate(client, "satisfied")
    case = fresh(case.id)
    assert case.status == Status.CLOSED and case.satisfaction == "satisfied" == case.citizen_rating
    assert case.events[-1].action == "revisit" and case.events[-1].data["by"] == "citizen"
    assert db.session.query(Notification).filter_by(kind="citizen_rating").count() == 0


def test_the_rating_window_closes_after_the_configured_days(app, db):
    app.config["CITIZEN_RATING_DAYS"] = 10
    case = closed_by_revisit()
    late = case.replied_at + timedelta(days=10, minutes=1)
    assert not lifecycle.citizen_may_rate(case, late)
    with pytest.raises(TransitionError) as refused:
        lifecycle.rate_by_citizen(case, "unsatisfied", None, now=late)
    assert refused.value.message == gettext(
        "A reply can be rated for %(days)d days after it was given.", days=10
    )
    db.session.rollback()
    assert fresh(case.id).citizen_rating is None
    assert lifecycle.citizen_may_rate(fresh(case.id), case.replied_at + timedelta(days=9))


def test_a_reply_still_awaiting_its_revisit_may_be_rated_however_long_ago(app, db):
    app.config["CITIZEN_RATING_DAYS"] = 1
    case = make_case(Status.REPLIED)
    assert lifecycle.citizen_may_rate(case, utcnow() + timedelta(days=40))


def test_no_staff_role_can_record_a_citizens_rating(db):
    case = closed_by_revisit()
    for role in ("admin", "supervisor", "clerk"):
        assert lifecycle.refusal(case, "citizen_rating", user(role)) is not None
        assert "citizen_rating" not in [a.name for a in lifecycle.available_actions(case, user(role))]


def test_the_public_timeline_never_shows_a_staff_revisit_as_the_citizens_rating(db):
    case = closed_by_revisit("unsatisfied")  # 重办 after the call
    labels = [event.label for event in public_timeline(fresh(case.id))]
    assert gettext("Follow-up call: %(satisfaction)s", satisfaction=gettext("Unsatisfied")) in labels
    assert not any(gettext("Your rating") in label for label in labels)
