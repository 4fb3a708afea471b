"""改派 and 撤回: who may move a dispatched case, from which statuses, to whom; the clocks and the event data."""

from datetime import timedelta

import pytest
from flask_babel import gettext as _

from app.cases import lifecycle
from models.deadline import DeadlineStatus
from models.enums import Status
from models.org import Department
from tests.support.deadlines import T0
from tests.support.deadlines import act
from tests.support.deadlines import deadline
from tests.support.deadlines import new_case
from tests.support.deadlines import stage_policies
from tests.support.deadlines import states
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.factories import user

HOUR = timedelta(hours=1)


def refused(case, name, actor, **params) -> str:
    with pytest.raises(lifecycle.TransitionError) as caught:
        lifecycle.perform(case, name, actor, **params)
    return caught.value.message


@pytest.mark.parametrize("status", [Status.DISPATCHED, Status.IN_PROGRESS])
def test_a_clerk_re_dispatches_to_another_department(db, status):
    case = make_case(status, lead="SA", co=("BA",))
    event = lifecycle.perform(
        case, "reassign", user("clerk"), lead_department=dept("SB").id, co_departments=[dept("BB").id],
        reason="属乙街道辖区",
    )  # fmt: skip
    assert case.status == Status.DISPATCHED
    assert case.lead_department.code == "SB" and [d.code for d in case.co_departments] == ["BB"]
    assert [p.department.code for p in case.parts] == ["BB"] and case.parts[0].status == "pending"
    assert case.handler is None and case.signed_at is None and case.contacted_at is None
    assert event.note == "属乙街道辖区" and event.from_status == status
    assert event.data == {
        "from_department_id": dept("SA").id,
        "to_department_id": dept("SB").id,
        "co_department_ids": [dept("BB").id],
    }
    # the old lead lets go, the new one signs
    assert lifecycle.refusal(case, "sign", user("handler", "SA")) is not None
    lifecycle.perform(case, "sign", user("handler", "SB"))
    assert case.status == Status.IN_PROGRESS


def test_a_recall_sends_the_case_back_to_intake(db):
    case = make_case(Status.IN_PROGRESS, lead="SA", co=("BA",))
    event = lifecycle.perform(case, "recall", user("supervisor"), reason="诉求内容需重新核实")
    assert case.status == Status.REGISTERED
    assert case.lead_department is None and case.co_departments == [] and case.parts == []
    assert case.handler is None and case.signed_at is None
    assert case.return_count == 0  # not the department's 退单
    assert event.data == {"from_department_id": dept("SA").id} and event.note == "诉求内容需重新核实"
    lifecycle.perform(case, "dispatch", user("clerk"), lead_department=dept("SB"))
    assert case.status == Status.DISPATCHED


@pytest.mark.parametrize("name", ["reassign", "recall"])
@pytest.mark.parametrize("role, code", [("handler", "SA"), ("leader", None)])
def test_only_intake_roles_move_a_case(db, name, role, code):
    case = make_case(Status.DISPATCHED, lead="SA")
    assert lifecycle.refusal(case, name, user(role, code)) == _("Your role may not do this.")
    for intake in ("clerk", "supervisor", "admin"):
        assert lifecycle.refusal(case, name, user(intake)) is None


@pytest.mark.parametrize("name", ["reassign", "recall"])
@pytest.mark.parametrize("status", [Status.NEW, Status.REGISTERED, Status.REPLIED, Status.CLOSED])
def test_not_before_dispatch_nor_after_the_reply(db, name, status):
    case = make_case(status, lead="SA")
    assert lifecycle.refusal(case, name, user("clerk")) is not None
    assert name not in {a.name for a in lifecycle.available_actions(case, user("clerk"))}


def test_re_dispatch_needs_a_reason_and_an_active_other_department(db):
    case = make_case(Status.DISPATCHED, lead="SA")
    clerk = user("clerk")
    no_reason = refused(case, "reassign", clerk, lead_department=dept("SB").id)
    assert no_reason == _("Give the reason for the re-dispatch.")
    same = refused(case, "reassign", clerk, lead_department=dept("SA").id, reason="改派")
    assert same == _("Choose a department other than the one that leads the case now.")
    dept("SB").active = False
    inactive = refused(case, "reassign", clerk, lead_department=dept("SB").id, reason="改派")
    assert inactive == refused(case, "reassign", clerk, lead_department="", reason="改派")
    assert inactive == _("Choose an active lead department.")
    assert case.status == Status.DISPATCHED and case.lead_department.code == "SA"
    assert refused(case, "recall", clerk, reason="  ") == _("Give the reason for recalling the case.")


@pytest.mark.parametrize("name", ["reassign", "recall"])
def test_not_while_handed_down_until_taken_back(db, name):
    community = Department(code="CA9", name="甲九社区", kind="community", parent=dept("SA"))
    db.session.add(community)
    db.session.flush()
    case = make_case(Status.DISPATCHED, lead="SA")
    lifecycle.perform(case, "hand_down", user("handler", "SA"), community=community.id)
    reason = lifecycle.refusal(case, name, user("clerk"))
    assert reason is not None and "甲九社区" in reason
    lifecycle.perform(case, "take_back", user("handler", "SA"))
    assert lifecycle.refusal(case, name, user("clerk")) is None


def test_re_dispatch_restarts_the_sign_clock_for_the_new_department(db):
    stage_policies()
    case = new_case(T0)
    act(case, "register", T0)
    act(case, "dispatch", T0, lead="SA")
    act(case, "sign", T0 + HOUR)
    assert states(case)["sign"] == ("met", 1) and states(case)["contact"] == ("running", 1)
    act(case, "reassign", T0 + 2 * HOUR, lead_department=dept("SB").id, reason="属乙街道辖区")
    after = states(case)
    assert after["sign"] == ("running", 2) and after["contact"] == ("cancelled", 1)
    assert after["dispatch"] == ("met", 1)  # dispatched once, on time: not asked again
    assert after["resolve"] == ("running", 1)  # the citizen's clock runs on
    assert deadline(case, "sign").started_at == T0 + 2 * HOUR
    act(case, "sign", T0 + 3 * HOUR, actor=user("handler", "SB"))
    assert states(case)["contact"] == ("running", 2)


def test_recall_cancels_the_department_s_clocks_and_restarts_dispatch(db):
    stage_policies()
    case = new_case(T0)
    act(case, "register", T0)
    act(case, "dispatch", T0 + HOUR, lead="SA")
    act(case, "recall", T0 + 2 * HOUR, reason="需补充材料")
    after = states(case)
    assert after["sign"] == ("cancelled", 1)
    assert after["dispatch"] == ("running", 2)
    assert deadline(case, "dispatch").started_at == T0 + 2 * HOUR
    assert deadline(case, "dispatch").status == DeadlineStatus.RUNNING
