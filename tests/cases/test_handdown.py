"""分级处置: a street hands a case down to a community, the community works it, the street reviews the reply
and takes cases back; who sees what follows the tree."""

import pytest
from sqlalchemy import select

from app.auth.access import can_see_case
from app.auth.access import case_clause
from app.cases import lifecycle
from app.extensions import db
from models.case import Case
from models.enums import Status
from models.org import Department
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.factories import make_user
from tests.support.factories import user


@pytest.fixture
def sibling(db):
    """A second community under street SA (CA2) with its handler, and a station under CA."""
    sa_id, ca_id = dept("SA").id, dept("CA").id
    ca2 = Department(code="CA2", name="甲二社区", kind="community", parent_id=sa_id)
    station = Department(code="CA-S", name="甲一社区工作站", kind="station", parent_id=ca_id)
    db.session.add_all([ca2, station])
    db.session.flush()
    make_user("handler", "CA2")
    db.session.commit()
    return ca2


def visible(username_role, code) -> set[int]:
    """Ids of the cases the handler of ``code`` may see, by the SQL rule."""
    return set(db.session.scalars(select(Case.id).where(case_clause(user(username_role, code)))))


def hand_down(case, community="CA", actor=None):
    event = lifecycle.perform(case, "hand_down", actor or user("handler", "SA"), community=dept(community).id)
    db.session.commit()
    return event


def test_hand_down_then_the_community_works_and_the_street_sends_the_reply(db, sibling):
    case = make_case(Status.DISPATCHED, lead="SA")
    event = hand_down(case)
    assert case.handed_down_to.code == "CA" and case.handed_down_at is not None
    assert event.data == {"community_id": dept("CA").id}
    community, street = user("handler", "CA"), user("handler", "SA")

    # the street no longer signs: the community works the case on its behalf
    assert lifecycle.refusal(case, "sign", street) is not None
    lifecycle.perform(case, "sign", community)
    lifecycle.perform(case, "contact", community, note="已上门了解情况")
    assert case.handler_id == community.id and case.status == Status.IN_PROGRESS

    # the street reviews: the community may only draft, the street sends
    assert dept("SA").reviews_handed_down_replies is True
    assert "reply" not in {a.name for a in lifecycle.available_actions(case, community)}
    lifecycle.perform(case, "draft_reply", community, outcome="supported", text="已协调清理摊点")
    assert case.status == Status.IN_PROGRESS and case.reply_text == "已协调清理摊点"
    assert lifecycle.refusal(case, "reply", street) is None
    lifecycle.perform(case, "reply", street, outcome="supported", text="已协调清理摊点，并加强巡查")
    db.session.commit()
    assert case.status == Status.REPLIED
    assert [e.action for e in case.events][-5:] == ["hand_down", "sign", "contact", "draft_reply", "reply"]


def test_without_review_the_community_replies_itself(db, sibling):
    dept("SA").reviews_handed_down_replies = False
    case = make_case(Status.IN_PROGRESS, lead="SA")
    hand_down(case)
    community = user("handler", "CA")
    assert lifecycle.refusal(case, "draft_reply", community) is not None
    assert lifecycle.refusal(case, "reply", user("handler", "SA")) is not None  # the community replies
    lifecycle.perform(case, "reply", community, outcome="supported", text="已处理")
    assert case.status == Status.REPLIED


def test_take_back_and_hand_back(db, sibling):
    case = make_case(Status.IN_PROGRESS, lead="SA")
    hand_down(case)
    community, street = user("handler", "CA"), user("handler", "SA")
    with pytest.raises(lifecycle.TransitionError, match="理由"):
        lifecycle.perform(case, "take_back", community)
    assert case.handed_down_to_id == dept("CA").id
    lifecycle.perform(case, "take_back", community, reason="不属于本社区")
    assert case.handed_down_to_id is None
    assert case.events[-1].data == {"community_id": dept("CA").id, "by_community": True}
    # the street works it again, then hands it to the sibling and takes it back itself
    assert lifecycle.refusal(case, "contact", street) is None
    hand_down(case, "CA2")
    lifecycle.perform(case, "take_back", street)
    db.session.commit()
    assert case.handed_down_to_id is None and case.events[-1].data["by_community"] is False


def test_hand_down_refusals_leave_the_case_alone(db, sibling):
    case = make_case(Status.DISPATCHED, lead="SA")
    street = user("handler", "SA")
    for community in ("CB", "BA", "SA"):  # another street's community, a bureau, the street itself
        with pytest.raises(lifecycle.TransitionError, match="社区"):
            lifecycle.perform(case, "hand_down", street, community=dept(community).id)
        assert case.handed_down_to_id is None
    assert lifecycle.refusal(case, "hand_down", user("handler", "SB")) is not None
    bureau_case = make_case(Status.DISPATCHED, lead="BA")
    assert lifecycle.refusal(bureau_case, "hand_down", user("handler", "BA")) is not None
    hand_down(case, "CA-S")  # a station under one of the street's communities is in its subtree
    assert case.handed_down_to.code == "CA-S"
    with pytest.raises(lifecycle.TransitionError):
        hand_down(case, "CA")  # already handed down


def test_a_street_sees_its_subtree_a_community_only_its_own(db, sibling):
    handed = make_case(Status.DISPATCHED, lead="SA")
    hand_down(handed)
    to_sibling = make_case(Status.DISPATCHED, lead="SA")
    hand_down(to_sibling, "CA2")
    led_by_community = make_case(Status.DISPATCHED, lead="CA")
    other_street = make_case(Status.DISPATCHED, lead="SB")
    other_community = make_case(Status.DISPATCHED, lead="CB")
    street_only = make_case(Status.DISPATCHED, lead="SA")

    assert visible("handler", "SA") == {handed.id, to_sibling.id, led_by_community.id, street_only.id}
    assert visible("handler", "CA") == {handed.id, led_by_community.id}
    assert visible("handler", "CA2") == {to_sibling.id}
    assert visible("handler", "SB") == {other_street.id, other_community.id}
    for code, cases in {
        "SA": (handed, to_sibling, led_by_community, street_only),
        "CA": (handed, led_by_community),
        "CA2": (to_sibling,),
    }.items():
        everyone = (handed, to_sibling, led_by_community, other_street, other_community, street_only)
        for case in everyone:
            assert can_see_case(user("handler", code), case) == (case in cases), (code, case.title)

    # taken back: the community no longer sees it
    lifecycle.perform(handed, "take_back", user("handler", "SA"))
    db.session.commit()
    assert handed.id not in visible("handler", "CA")
    assert not can_see_case(user("handler", "CA"), handed)


def test_only_the_street_returns_a_handed_down_case_to_intake(db, sibling):
    case = make_case(Status.DISPATCHED, lead="SA")
    hand_down(case)
    assert lifecycle.refusal(case, "return", user("handler", "CA")) is not None  # it hands back instead
    lifecycle.perform(case, "return", user("handler", "SA"), reason="不属于街道职责")
    assert case.status == Status.REGISTERED and case.handed_down_to_id is None
