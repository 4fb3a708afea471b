"""催办: a supervisor reminds the department handling a case; recorded on the timeline and counted."""

import pytest
from flask_babel import gettext as _
from sqlalchemy import select

from app.cases import lifecycle
from models.case import Case
from models.case import CaseAction
from models.enums import Status
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.factories import user


def refused(case, name, actor, **params) -> str:
    with pytest.raises(lifecycle.TransitionError) as caught:
        lifecycle.perform(case, name, actor, **params)
    return caught.value.message


@pytest.mark.parametrize("status", [Status.DISPATCHED, Status.IN_PROGRESS])
def test_a_supervisor_urges_the_department_and_it_is_counted(db, status):
    case = make_case(status, lead="SA")
    event = lifecycle.perform(case, "urge", user("supervisor"), note="请今日内联系群众")
    db.session.commit()
    assert event.action == CaseAction.URGE and event.action.label == _("Urge the department")
    assert event.note == "请今日内联系群众"
    assert event.data == {"department_id": dept("SA").id}
    assert event.from_status == event.to_status == status  # the status does not change
    lifecycle.perform(case, "urge", user("admin"), note="再次催办")
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Case, case.id).urge_count == 2


def test_the_count_is_raised_in_sql_so_two_urges_at_once_both_count(db):
    case = make_case(Status.IN_PROGRESS, lead="SA")
    case_id = case.id
    lifecycle.perform(case, "urge", user("supervisor"), note="第一次")
    db.session.commit()
    # another request raised it meanwhile, behind this session's back
    db.session.execute(
        Case.__table__.update().where(Case.id == case_id).values(urge_count=Case.urge_count + 5)
    )
    lifecycle.perform(case, "urge", user("supervisor"), note="第二次")
    db.session.commit()
    count = db.session.execute(select(Case.urge_count).where(Case.id == case_id)).scalar_one()
    assert count == 7


def test_a_handed_down_case_urges_the_community_working_it(db):
    case = make_case(Status.IN_PROGRESS, lead="SA")
    lifecycle.perform(case, "hand_down", user("handler", "SA"), community=dept("CA").id)
    event = lifecycle.perform(case, "urge", user("supervisor"), note="请社区尽快办理")
    assert event.data == {"department_id": dept("CA").id}


def test_a_note_is_required(db):
    case = make_case(Status.IN_PROGRESS, lead="SA")
    assert refused(case, "urge", user("supervisor"), note="  ") == _(
        "Write what the department is reminded of."
    )
    assert case.urge_count == 0


@pytest.mark.parametrize("role, code", [("handler", "SA"), ("clerk", None), ("leader", None)])
def test_only_supervisors_urge(db, role, code):
    case = make_case(Status.IN_PROGRESS, lead="SA")
    assert refused(case, "urge", user(role, code), note="催") == _("Your role may not do this.")


@pytest.mark.parametrize("status", [Status.NEW, Status.REGISTERED, Status.REPLIED, Status.CLOSED])
def test_not_before_dispatch_nor_after_the_reply(db, status):
    case = make_case(status, lead="SA")
    assert lifecycle.refusal(case, "urge", user("supervisor")) is not None
    assert "urge" not in {a.name for a in lifecycle.available_actions(case, user("supervisor"))}
