"""Repeat candidates (app.intake.repeats): the same caller, the same matter at the same place, and what is
not a candidate (another street, outside the window, closed long ago); prior_count before the case opens."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from app.intake import repeats
from app.timeutil import utcnow
from models.case import Case
from models.enums import Channel
from models.enums import RequestType
from models.enums import Status
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.factories import user

SMOKE = ("楼下烧烤店油烟扰民", "幸福路12号楼下的烧烤店每天晚上油烟很大，熏得家里没法开窗。")
AGAIN = ("烧烤店油烟问题仍未解决", "幸福路12号楼下那家烧烤店的油烟还是很大，之前打过电话，希望尽快处理。")
TOLD_AGAIN = (
    "楼下烧烤店油烟扰民",
    "再次反映：幸福路12号楼下的烧烤店每天晚上油烟很大，熏得家里没法开窗，问题依旧。",
)
OTHER = ("路口红绿灯故障", "新湖路与华夏路交叉口红绿灯坏了，车辆乱行。")
PHONE, ID_NO = "13912340001", "44030619800101002X"


def earlier(text, *, phone, id_no, place="CA", days_ago=3, status=Status.NEW, lead="SA"):
    """An earlier case with ``text`` (title, content) at community ``place``, received ``days_ago``."""
    community = dept(place)
    case = make_case(
        status,
        lead=lead,
        title=text[0],
        content=text[1],
        citizen_phone=phone,
        citizen_id_no=id_no,
        community=community,
        street=community.parent,
    )
    from app.extensions import db

    db.session.execute(
        update(Case).where(Case.id == case.id).values(received_at=utcnow() - timedelta(days=days_ago))
    )
    db.session.commit()
    db.session.refresh(case)
    return case


def new_case(text=AGAIN, *, phone="13700009999", id_no=None, place="CA") -> Case:
    """A case as intake holds it before it is opened: not flushed, links set as objects."""
    community = dept(place)
    return Case(
        channel=Channel.HOTLINE,
        request_type=RequestType.COMPLAINT,
        title=text[0],
        content=text[1],
        citizen_phone=phone,
        citizen_id_no=id_no,
        community=community,
        street=community.parent,
    )


def found(case, **kw) -> dict:
    return {c.id: c for c in repeats.candidates(case, **kw)}


def test_the_same_phone_is_a_candidate_whatever_it_is_about(db):
    mine = earlier(OTHER, phone=PHONE, id_no=None, place="CB")
    hit = found(new_case(phone="139 1234 0001"))[mine.id]
    assert hit.reasons == (repeats.PHONE,) and hit.reason == "同一电话"
    assert hit.number == mine.number and hit.status == "new" and 0 <= hit.similarity < repeats.SIMILAR


def test_the_same_id_number_is_a_candidate(db):
    mine = earlier(OTHER, phone="13600000002", id_no=ID_NO, place="CB")
    hit = found(new_case(id_no=ID_NO.lower()))[mine.id]
    assert hit.reasons == (repeats.ID_NO,) and hit.reason == "同一身份证号"


def test_similar_text_in_the_same_community_is_a_candidate_and_ranks_above_other_matters(db):
    same = earlier(SMOKE, phone="13600000003", id_no=None)
    other = earlier(OTHER, phone="13600000004", id_no=None)
    result = repeats.candidates(new_case())
    assert [c.id for c in result] == [same.id]  # the other matter of the place is not close enough
    assert result[0].reasons == (repeats.TEXT,) and result[0].reason == "内容相近"
    assert repeats.SIMILAR <= result[0].similarity
    assert other.id not in found(new_case())


def test_similar_text_in_another_street_is_not_a_candidate(db):
    elsewhere = earlier(SMOKE, phone="13600000005", id_no=None, place="CB")
    assert elsewhere.id not in found(new_case(place="CA"))
    assert elsewhere.id in found(new_case(place="CB"))  # the same text there is found


def test_the_same_phone_outside_the_window_is_not_a_candidate(db, app):
    old = earlier(OTHER, phone=PHONE, id_no=None, days_ago=200)
    assert old.id not in found(new_case(phone=PHONE))
    app.config["REPEAT_WINDOW_DAYS"] = 365  # the window is a setting
    assert old.id in found(new_case(phone=PHONE))


def test_a_case_closed_long_ago_is_not_a_candidate_but_a_recent_closed_one_is(db):
    long_ago = earlier(SMOKE, phone="13600000006", id_no=None, days_ago=400, status=Status.CLOSED)
    recent = earlier(SMOKE, phone="13600000007", id_no=None, days_ago=20, status=Status.CLOSED)
    hits = found(new_case())
    assert long_ago.id not in hits and recent.id in hits


def test_prior_count_of_a_case_not_yet_flushed(db):
    earlier(SMOKE, phone="13600000008", id_no=None)  # the same matter
    earlier(OTHER, phone=PHONE, id_no=None, place="CB")  # the same caller, about something else
    earlier(OTHER, phone="13600000009", id_no=None)  # neither
    case = new_case(TOLD_AGAIN, phone=PHONE)
    db.session.add(case)  # pending, as intake holds it: counting must not flush it half-made
    assert repeats.prior_count(case) == 2
    assert case.id is None and case in db.session.new
    db.session.expunge(case)
    assert (
        repeats.prior_count(new_case(AGAIN, phone="13700000000")) == 0
    )  # similar, not the same: not counted


def test_no_place_and_no_caller_finds_nothing(db):
    earlier(SMOKE, phone="13600000010", id_no=None)
    case = Case(channel=Channel.HOTLINE, request_type=RequestType.COMPLAINT, title=AGAIN[0], content=AGAIN[1])
    assert repeats.candidates(case) == [] and repeats.prior_count(case) == 0


def test_a_handler_sees_only_candidates_in_their_scope(db):
    theirs = earlier(SMOKE, phone="13600000011", id_no=None, status=Status.DISPATCHED, lead="SA")
    not_theirs = earlier(SMOKE, phone="13600000012", id_no=None, status=Status.DISPATCHED, lead="BB")
    case = new_case()
    assert {theirs.id, not_theirs.id} <= set(found(case))
    assert set(found(case, user=user("handler", "SA"))) == {theirs.id}


def test_merged_cases_are_left_out(db):
    target = earlier(SMOKE, phone="13600000013", id_no=None)
    merged = earlier(SMOKE, phone="13600000014", id_no=None)
    from app.cases import lifecycle
    from app.extensions import db as handle

    lifecycle.perform(merged, "merge", user("clerk"), target=target)
    handle.session.commit()
    hits = found(new_case())
    assert target.id in hits and merged.id not in hits


@pytest.mark.parametrize("links", [1, 3])
def test_times_received_follows_the_repeat_of_chain(db, links):
    first = earlier(OTHER, phone="13600000020", id_no=None, place="CB", days_ago=100)
    chain = [first]
    for n in range(links):
        case = earlier(OTHER, phone=f"1360000003{n}", id_no=None, place="CB", days_ago=90 - n)
        case.repeat_of = chain[-1]
        chain.append(case)
    db.session.commit()
    # text alone already ties them (the same words at the same place); the chain counts the same
    assert repeats.earlier_in_chain(chain[-1]) == links
    assert repeats.times_received(chain[-1]) == links + 1
    assert repeats.earlier_in_chain(first) == 0
