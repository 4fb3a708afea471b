"""The case state machine: every legal transition, and refusals that leave the case untouched."""

from datetime import UTC
from datetime import datetime

import pytest

from app.cases import lifecycle
from models.case import Case
from models.case import CaseEvent
from models.enums import Status
from tests.support.factories import answer_parts
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.factories import user

NOW = datetime(2026, 11, 22, 2, 30, tzinfo=UTC)  # 10:30 Beijing time


def snapshot(case):
    """Everything a refused action must leave as it was."""
    return (
        case.status,
        case.lead_department_id,
        tuple(d.id for d in case.co_departments),
        case.registered_at,
        case.dispatched_at,
        case.signed_at,
        case.contacted_at,
        case.replied_at,
        case.closed_at,
        case.version,
        len(case.events),
    )


def test_open_case_numbers_and_first_event(db):
    first = make_case()
    second = make_case()
    assert first.status == Status.NEW
    assert first.number.startswith("SQ") and first.number[2:10].isdigit() and first.number[-6:].isdigit()
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1
    assert len(first.tracking_code) == 12 and first.tracking_code != second.tracking_code
    assert [e.action for e in first.events] == ["receive"]


def test_number_uses_beijing_day(db):
    case = Case(channel="hotline", request_type="consult", title="t", content="c")
    case.received_at = datetime(2026, 11, 21, 16, 5, tzinfo=UTC)  # 00:05 on the 22nd in Beijing
    lifecycle.open_case(case, user("clerk"))
    assert case.number.startswith("SQ20261122-")


def test_full_happy_path_stamps_every_step(db):
    case = make_case()
    clerk, handler = user("clerk"), user("handler", "SA")
    steps = [
        ("register", clerk, {}, Status.REGISTERED, "registered_at"),
        (
            "dispatch",
            clerk,
            {"lead_department": dept("SA"), "co_departments": [dept("BA")]},
            Status.DISPATCHED,
            "dispatched_at",
        ),
        ("sign", handler, {}, Status.IN_PROGRESS, "signed_at"),
        ("contact", handler, {"note": "已联系"}, Status.IN_PROGRESS, "contacted_at"),
        ("reply", handler, {"outcome": "supported", "text": "已清理摊贩"}, Status.REPLIED, "replied_at"),
        ("revisit", clerk, {"satisfaction": "satisfied"}, Status.CLOSED, "closed_at"),
    ]
    for action, actor, params, expected, stamp in steps:
        if action == "reply":
            answer_parts(case)  # the co-department's part first (协办同责)
        event = lifecycle.perform(case, action, actor, now=NOW, **params)
        assert case.status == expected
        assert getattr(case, stamp) == NOW
        assert (event.action, event.to_status, event.actor_id) == (action, str(expected), actor.id)
    db.session.commit()
    assert case.handler_id == handler.id
    assert [d.code for d in case.co_departments] == ["BA"]
    assert [e.action for e in case.events] == [
        "receive",
        "register",
        "dispatch",
        "sign",
        "contact",
        "sign_part",
        "answer_part",
        "reply",
        "revisit",
    ]
    assert case.reply_outcome == "supported" and case.satisfaction == "satisfied"


def test_reject_needs_reason_then_closes(db):
    case = make_case()
    with pytest.raises(lifecycle.TransitionError):
        lifecycle.perform(case, "reject", user("clerk"), reason="  ")
    lifecycle.perform(case, "reject", user("clerk"), reason="属于诉讼程序", now=NOW)
    assert case.status == Status.REJECTED and case.closed_at == NOW
    assert case.events[-1].note == "属于诉讼程序"


def test_return_goes_back_to_clerk_and_clears_departments(db):
    case = make_case(Status.DISPATCHED, lead="SA", co=("BA",))
    lifecycle.perform(case, "return", user("handler", "SA"), reason="不属于本街道辖区")
    assert case.status == Status.REGISTERED
    assert case.lead_department_id is None and case.co_departments == []
    assert case.return_count == 1
    # re-dispatched to the right unit, which can then sign
    lifecycle.perform(case, "dispatch", user("clerk"), lead_department=dept("SB"))
    lifecycle.perform(case, "sign", user("handler", "SB"))
    assert case.status == Status.IN_PROGRESS


def test_unsatisfied_revisit_is_redo(db):
    case = make_case(Status.REPLIED)
    lifecycle.perform(case, "revisit", user("clerk"), satisfaction="unsatisfied", note="问题未解决")
    assert case.status == Status.IN_PROGRESS
    assert case.redo_count == 1 and case.replied_at is None and case.closed_at is None
    assert case.events[-1].data == {"satisfaction": "unsatisfied", "redo": True}
    lifecycle.perform(case, "reply", user("handler", "SA"), outcome="explained", text="再次处理")
    assert case.status == Status.REPLIED


def test_basically_satisfied_closes(db):
    case = make_case(Status.REPLIED)
    lifecycle.perform(case, "revisit", user("supervisor"), satisfaction="basically_satisfied")
    assert case.status == Status.CLOSED


def test_reopen_by_supervisor_only(db):
    case = make_case(Status.CLOSED)
    before = snapshot(case)
    with pytest.raises(lifecycle.TransitionError):
        lifecycle.perform(case, "reopen", user("clerk"), reason="复核")
    assert snapshot(case) == before
    lifecycle.perform(case, "reopen", user("supervisor"), reason="群众再次来电反映")
    assert case.status == Status.IN_PROGRESS and case.closed_at is None and case.redo_count == 1


def test_merge_into_original(db):
    original = make_case(Status.DISPATCHED)
    duplicate = make_case(title="同一摊贩占道")
    lifecycle.perform(duplicate, "merge", user("clerk"), target=original.number.lower(), note="重复反映")
    db.session.commit()
    assert duplicate.status == Status.MERGED and duplicate.merged_into_id == original.id
    assert original.events[-1].action == "merge_in"
    assert original.events[-1].data == {"merged_case": duplicate.number}


@pytest.mark.parametrize(
    "target, message_part",
    [("SQ19990101-000001", "没有该编号"), ("self", "并入其自身"), ("rejected", "不予受理")],
)
def test_merge_refusals(db, target, message_part):
    case = make_case()
    if target == "self":
        target = case.number
    elif target == "rejected":
        target = make_case(Status.REJECTED).number
    before = snapshot(case)
    with pytest.raises(lifecycle.TransitionError, match=message_part):
        lifecycle.perform(case, "merge", user("clerk"), target=target)
    assert snapshot(case) == before


def test_comment_keeps_status_for_co_department(db):
    case = make_case(Status.IN_PROGRESS, lead="SA", co=("BA",))
    lifecycle.perform(case, "comment", user("handler", "BA"), note="协办单位已到场处置")
    assert case.status == Status.IN_PROGRESS and case.events[-1].action == "comment"


ILLEGAL = [
    # (status of the case, action, actor role, actor dept, params, message part)
    (Status.NEW, "dispatch", "clerk", None, {"lead_department": "SA"}, "当前状态"),
    (Status.NEW, "sign", "handler", "SA", {}, "未派给您的单位"),
    (Status.REGISTERED, "register", "clerk", None, {}, "当前状态"),
    (Status.DISPATCHED, "reply", "handler", "SA", {"outcome": "supported", "text": "x"}, "当前状态"),
    (Status.DISPATCHED, "sign", "handler", "SB", {}, "未派给您的单位"),
    (Status.DISPATCHED, "sign", "clerk", None, {}, "角色无权"),
    (Status.IN_PROGRESS, "sign", "handler", "SA", {}, "当前状态"),
    (Status.IN_PROGRESS, "reply", "handler", "SA", {"outcome": "maybe", "text": "x"}, "答复结果"),
    (Status.IN_PROGRESS, "reply", "handler", "SA", {"outcome": "supported", "text": ""}, "答复群众的内容"),
    (Status.IN_PROGRESS, "contact", "handler", "SA", {"note": ""}, "联系的情况"),
    (Status.IN_PROGRESS, "revisit", "clerk", None, {"satisfaction": "satisfied"}, "当前状态"),
    (Status.REPLIED, "revisit", "handler", "SA", {"satisfaction": "satisfied"}, "角色无权"),
    (Status.REPLIED, "revisit", "clerk", None, {"satisfaction": "great"}, "满意度"),
    (Status.REPLIED, "reopen", "supervisor", None, {"reason": "x"}, "当前状态"),
    (Status.CLOSED, "reject", "clerk", None, {"reason": "x"}, "当前状态"),
    (Status.CLOSED, "merge", "clerk", None, {"target": "x"}, "当前状态"),
    (Status.REJECTED, "register", "clerk", None, {}, "当前状态"),
    (Status.REGISTERED, "dispatch", "clerk", None, {"lead_department": None}, "牵头单位"),
    (Status.REGISTERED, "dispatch", "leader", None, {"lead_department": "SA"}, "角色无权"),
    (Status.NEW, "teleport", "admin", None, {}, "未知操作"),
]


@pytest.mark.parametrize("status, action, role, code, params, message", ILLEGAL)
def test_illegal_transitions_change_nothing(db, status, action, role, code, params, message):
    case = make_case(status, lead="SA")
    if params.get("lead_department") == "SA":
        params = {**params, "lead_department": dept("SA")}
    before = snapshot(case)
    with pytest.raises(lifecycle.TransitionError, match=message):
        lifecycle.perform(case, action, user(role, code), **params)
    assert snapshot(case) == before
    db.session.commit()
    assert db.session.query(CaseEvent).filter_by(case_id=case.id).count() == before[-1]


def test_co_department_cannot_take_lead_actions(db):
    case = make_case(Status.DISPATCHED, lead="SA", co=("BA",))
    with pytest.raises(lifecycle.TransitionError, match="牵头单位"):
        lifecycle.perform(case, "sign", user("handler", "BA"))
    assert case.status == Status.DISPATCHED


def test_stale_version_is_refused(db):
    case = make_case(Status.REGISTERED)
    with pytest.raises(lifecycle.TransitionError, match="已被他人修改"):
        lifecycle.perform(
            case, "dispatch", user("clerk"), expected_version=case.version - 1, lead_department=dept("SA")
        )
    assert case.status == Status.REGISTERED


def test_available_actions_per_role(db):
    case = make_case(Status.IN_PROGRESS, lead="SA", co=("BA",))
    names = lambda u: [a.name for a in lifecycle.available_actions(case, u)]  # noqa: E731
    # the co-department's part is still open: the lead may not reply yet; the street may hand it down
    assert names(user("handler", "SA")) == ["return", "contact", "comment", "hand_down"]
    assert names(user("handler", "BA")) == ["comment", "sign_part"]
    answer_parts(case)
    assert names(user("handler", "SA")) == ["return", "contact", "reply", "comment", "hand_down"]
    assert names(user("handler", "BA")) == ["comment"]
    assert names(user("handler", "SB")) == []
    assert names(user("clerk")) == ["merge", "comment", "reassign", "recall"]
    assert names(user("leader")) == ["comment", "instruct", "package"]
