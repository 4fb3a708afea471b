"""包案 by level and rank, hand-over, visits and 销案; 提级 and who then signs the reply; 降级."""

from datetime import date

import pytest
from sqlalchemy import select

from app.cases import lifecycle
from app.command import packages
from app.extensions import db
from models.command import CasePackage
from models.command import LeaderVisit
from models.command import PackageStatus
from models.enums import Status
from models.notification import Notification
from tests.support.deadlines import MINUTE
from tests.support.deadlines import T0
from tests.support.deadlines import drive
from tests.support.deadlines import new_case
from tests.support.deadlines import stage_policies
from tests.support.factories import user

DAY = 24 * 60 * MINUTE


@pytest.fixture
def case(app):
    stage_policies()
    return drive(new_case(T0), T0, "register", "dispatch", "sign")


def assign(case, actor, leader, level, now=T0):
    lifecycle.perform(case, "package", user(*actor.split(":")) if isinstance(actor, str) else actor, now=now,
                      leader=str(user(*leader.split(":")).id), level=level)  # fmt: skip
    db.session.commit()
    return packages.authority.active_package(case)


@pytest.mark.parametrize(
    ("actor", "leader", "level", "refusal"),
    [
        ("admin", "leader:chief", "district_chief", None),
        ("supervisor", "leader", "district_deputy", None),
        ("supervisor", "leader:street", "street", None),
        ("supervisor", "leader:chief", "district_chief", "区主要领导或管理员"),
        ("leader:chief", "leader:street", "street", None),
        ("leader:street", "leader:street", "street", None),  # a leader takes a case himself
        ("leader:street", "leader:bureau", "department", "亲自包案"),
        ("leader", "leader:chief", "district_chief", "亲自包案"),
        ("supervisor", "leader:street", "district_deputy", "不是区分管领导"),  # the rank must match the level
        ("supervisor", "supervisor", "street", "在岗的领导"),
    ],
)
def test_who_may_assign_which_level(case, actor, leader, level, refusal):
    if refusal is None:
        package = assign(case, actor, leader, level)
        assert package.level == level and package.leader == user(*leader.split(":"))
        assert case.owner_leader == package.leader
        assert case.events[-1].action == "package" and case.events[-1].data["level"] == level
        return
    with pytest.raises(lifecycle.TransitionError, match=refusal):
        assign(case, actor, leader, level)
    db.session.rollback()
    assert db.session.scalar(select(CasePackage.id)) is None


def test_a_new_package_hands_the_old_one_over_and_one_is_in_force(case):
    first = assign(case, "supervisor", "leader:street", "street")
    second = assign(case, "supervisor", "leader", "district_deputy", now=T0 + DAY)
    db.session.refresh(first)
    assert first.status == PackageStatus.HANDED_OVER and first.ended_at == T0 + DAY
    assert second.status == PackageStatus.ACTIVE and case.owner_leader == user("leader")
    with pytest.raises(lifecycle.TransitionError, match="已由"):
        assign(case, "supervisor", "leader", "district_deputy")


def test_visits_and_settlement_by_the_package_leader(case):
    assign(case, "supervisor", "leader:street", "street")
    with pytest.raises(lifecycle.TransitionError, match="包案领导或督查"):
        lifecycle.perform(case, "visit", user("leader"), now=T0, kind="go_out", visited_on=date(2026, 3, 2),
                          place="甲一社区", met_with="张三", outcome="现场协调")  # fmt: skip
    with pytest.raises(lifecycle.TransitionError, match="不能晚于今天"):
        lifecycle.perform(case, "visit", user("leader", "street"), now=T0, kind="go_out",
                          visited_on=date(2026, 3, 9), place="甲一社区", met_with="张三", outcome="现场协调")  # fmt: skip
    lifecycle.perform(case, "visit", user("leader", "street"), now=T0, kind="go_out", visited_on=date(2026, 3, 2),
                      place="甲一社区 3 栋", met_with="张三及邻居", outcome="当场约定清理时间")  # fmt: skip
    db.session.commit()
    visit = db.session.scalars(select(LeaderVisit)).one()
    assert visit.leader == user("leader", "street") and visit.recorded_by == user("leader", "street")
    assert case.events[-1].action == "visit" and "甲一社区 3 栋" in case.events[-1].note

    with pytest.raises(lifecycle.TransitionError, match="化解结果"):
        lifecycle.perform(case, "settle", user("leader", "street"), now=T0 + DAY, settlement="")
    lifecycle.perform(case, "settle", user("supervisor"), now=T0 + DAY, settlement="摊点已清理，群众认可",
                      revisit="satisfied", agreement="商户承诺不再占道")  # fmt: skip
    db.session.commit()
    package = db.session.scalars(select(CasePackage)).one()
    assert package.status == PackageStatus.SETTLED and package.settled_by == user("supervisor")
    assert package.evidence == {"revisit": "satisfied", "agreement": "商户承诺不再占道"}
    assert case.owner_leader is None  # the 包案 in force is mirrored on the case
    assert lifecycle.refusal(case, "settle", user("leader", "street")) == "该诉求尚无包案领导。"


def test_a_closed_case_whose_package_was_never_settled_shows_as_such(case):
    assign(case, "supervisor", "leader:street", "street")
    drive(case, T0 + DAY, "contact", "reply")
    lifecycle.perform(case, "revisit", user("clerk"), now=T0 + DAY, satisfaction="satisfied")
    db.session.commit()
    assert case.status == Status.CLOSED and packages.unsettled(case)
    lifecycle.perform(case, "settle", user("leader", "street"), now=T0 + 2 * DAY, settlement="已化解")
    db.session.commit()
    assert not packages.unsettled(case)


def test_raising_the_level_needs_a_leader_of_its_rank_who_then_signs_the_reply(case):
    supervisor = user("supervisor")
    with pytest.raises(lifecycle.TransitionError, match="不低于街道领导"):
        lifecycle.perform(case, "raise_level", supervisor, now=T0, level="street", reason="涉及多个部门")
    lifecycle.perform(case, "raise_level", supervisor, now=T0, level="street", reason="涉及多个部门",
                      leader=str(user("leader", "street").id))  # fmt: skip
    db.session.commit()
    assert case.handling_level == "street" and case.owner_leader == user("leader", "street")
    assert case.events[-1].data == {
        "from": "department",
        "to": "street",
        "leader_id": user("leader", "street").id,
    }
    told = db.session.scalars(select(Notification).where(Notification.kind == "handling_level")).all()
    assert [n.user.username for n in told] == ["leader_street"]

    handler = user("handler", "SA")
    lifecycle.perform(case, "contact", handler, now=T0, note="已联系")
    with pytest.raises(lifecycle.TransitionError, match="包案领导签发"):
        lifecycle.perform(case, "reply", handler, now=T0, outcome="supported", text="已处理")
    lifecycle.perform(case, "draft_reply", handler, now=T0, outcome="supported", text="摊点已清理完毕")
    db.session.commit()
    assert case.status == Status.IN_PROGRESS and case.reply_text == "摊点已清理完毕"
    with pytest.raises(lifecycle.TransitionError, match="包案领导签发"):
        lifecycle.perform(case, "reply", user("leader"), now=T0, outcome="supported", text="摊点已清理完毕")
    lifecycle.perform(
        case, "reply", user("leader", "street"), now=T0 + DAY, outcome="supported", text="摊点已清理完毕"
    )
    db.session.commit()
    assert case.status == Status.REPLIED and case.events[-1].actor == user("leader", "street")


def test_district_level_needs_at_least_a_district_leader_and_lowering_is_recorded(case):
    supervisor = user("supervisor")
    assign(case, "supervisor", "leader:street", "street")
    with pytest.raises(lifecycle.TransitionError, match="不低于区分管领导"):
        lifecycle.perform(case, "raise_level", supervisor, now=T0, level="district", reason="群体性诉求")
    lifecycle.perform(case, "raise_level", supervisor, now=T0, level="district", reason="群体性诉求",
                      leader=str(user("leader").id))  # fmt: skip
    db.session.commit()
    assert case.handling_level == "district" and case.owner_leader == user("leader")
    assert lifecycle.refusal(case, "raise_level", supervisor) == "该诉求已在区级办理。"
    with pytest.raises(lifecycle.TransitionError, match="低于当前"):
        lifecycle.perform(case, "lower_level", supervisor, now=T0, level="district", reason="x")
    lifecycle.perform(
        case, "lower_level", supervisor, now=T0 + DAY, level="department", reason="已明确责任部门"
    )
    db.session.commit()
    assert case.handling_level == "department" and case.events[-1].action == "lower_level"
    assert case.owner_leader == user("leader")  # the 包案 stays
    with pytest.raises(lifecycle.TransitionError, match="经办人答复"):
        lifecycle.perform(case, "reply", user("leader"), now=T0 + DAY, outcome="supported", text="已处理")


def test_a_raised_case_tells_its_package_leader_of_breaches(app):
    from jobs.tasks import sweep
    from models.deadline import Unit

    stage_policies(contact=(30, Unit.MINUTES))
    case = drive(new_case(T0), T0, "register", "dispatch", "sign")
    lifecycle.perform(case, "raise_level", user("supervisor"), now=T0, level="street", reason="多部门",
                      leader=str(user("leader", "street").id))  # fmt: skip
    db.session.commit()
    assert sweep(T0 + 31 * MINUTE)["fired"] == 1
    told = db.session.scalars(select(Notification).where(Notification.kind == "deadline_breach")).all()
    assert sorted(n.user.username for n in told) == ["handler_SA", "leader_street", "supervisor"]
