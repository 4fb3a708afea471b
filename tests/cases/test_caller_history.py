"""来电历史: a caller's earlier cases by phone and by ID number, scoped, with the repeat warning's counts."""

from datetime import timedelta

import pytest
from flask_babel import gettext as _
from sqlalchemy import select

from app.cases import caller_history
from app.extensions import db
from app.timeutil import utcnow
from models.case import Case
from models.enums import Status
from tests.support.factories import make_case
from tests.support.factories import user

PHONE = "13912345678"
ID_NO = "44030619900101123X"
OTHER_ID = "110101199003074514"


def received(case, days_ago: int):
    case.received_at = utcnow() - timedelta(days=days_ago)
    db.session.commit()
    return case


@pytest.fixture
def caller(db):
    """Four cases of one caller (by phone, by ID, by both; one old and closed) and one of somebody else."""
    by_phone = received(make_case(Status.DISPATCHED, citizen_phone=PHONE, citizen_id_no=None), 3)
    by_id = received(make_case(Status.CLOSED, citizen_phone="13700001111", citizen_id_no=ID_NO), 10)
    both = received(make_case(Status.REGISTERED, citizen_phone=PHONE, citizen_id_no=ID_NO), 20)
    old = received(make_case(Status.CLOSED, citizen_phone=PHONE, citizen_id_no=None), 200)
    other = make_case(Status.DISPATCHED, citizen_phone="13600002222", citizen_id_no=OTHER_ID)
    return {"phone": by_phone, "id": by_id, "both": both, "old": old, "other": other}


def numbers(history) -> set[str]:
    return {c.number for c in history.cases}


def test_found_by_phone_and_by_id_number_not_other_callers(caller):
    clerk = user("clerk")
    by_phone = caller_history.find(clerk, phone=PHONE)
    assert numbers(by_phone) == {caller[k].number for k in ("phone", "both", "old")}
    by_id = caller_history.find(clerk, id_no=ID_NO)
    assert numbers(by_id) == {caller["id"].number, caller["both"].number}
    either = caller_history.find(clerk, phone=PHONE, id_no=ID_NO)
    assert numbers(either) == {caller[k].number for k in ("phone", "id", "both", "old")}
    assert caller["other"].number not in numbers(either)
    assert either.by_phone == {caller[k].id for k in ("phone", "both", "old")}
    assert either.by_id_no == {caller["id"].id, caller["both"].id}
    # newest first
    assert [c.number for c in either.cases][:2] == [caller["phone"].number, caller["id"].number]


def test_numbers_are_read_as_the_forms_store_them(caller):
    clerk = user("clerk")
    assert numbers(caller_history.find(clerk, phone="+86 139 1234 5678")) == numbers(
        caller_history.find(clerk, phone=PHONE)
    )
    full_width = "１３９１２３４５６７８"
    assert caller["phone"].number in numbers(caller_history.find(clerk, phone=full_width))
    assert caller["id"].number in numbers(caller_history.find(clerk, id_no=ID_NO.lower()))
    # a piece of a number is no number: nothing is looked up
    assert caller_history.find(clerk, phone="1391234").searched is False
    assert caller_history.find(clerk, phone="", id_no="4403").cases == []


def test_a_landline_is_found_with_or_without_its_hyphen(db):
    case = make_case(citizen_phone="0755-26012345")
    for typed in ("075526012345", "0755-26012345", "0755 2601 2345"):
        assert numbers(caller_history.find(user("clerk"), phone=typed)) == {case.number}


def test_the_repeat_warning_counts_the_window_and_the_open_cases(caller):
    history = caller_history.find(user("clerk"), phone=PHONE, id_no=ID_NO)
    assert history.total == 4
    assert (history.recent, history.recent_open, history.days) == (3, 2, 30)  # the 200-day-old one is out
    assert history.warning == _(
        "This caller has filed %(count)s requests in the last %(days)s days, %(open)s of them not yet "
        "closed.",
        count=3,
        days=30,
        open=2,
    )
    assert "该来电人近 30 天内已有 3 件诉求，其中 2 件未办结" in history.warning
    assert caller_history.find(user("clerk"), phone="13500000000").warning is None


def test_a_role_that_sees_a_number_masked_cannot_look_up_by_it(caller):
    leader = user("leader")
    assert caller_history.find(leader, phone=PHONE).cases == []
    assert caller_history.find(leader, id_no=ID_NO).cases == []
    # a handler sees phones in full, ID numbers masked
    handler = user("handler", "SA")
    assert caller_history.find(handler, id_no=ID_NO).cases == []
    assert caller_history.find(handler, phone=PHONE).cases != []


def test_only_cases_the_user_may_see(caller):
    history = caller_history.find(user("handler", "SA"), phone=PHONE)
    # the handler of SA sees the cases SA leads, not the one still at intake
    assert numbers(history) == {caller["phone"].number, caller["old"].number}
    assert history.total == 2 and history.recent == 1


def test_the_case_itself_is_left_out_and_only_intake_sees_it_on_the_page(caller):
    letter = caller["both"]
    history = caller_history.for_case(user("clerk"), letter)
    assert letter.number not in numbers(history) and history.total == 3
    assert caller_history.for_case(user("handler", "SB"), letter) is None
    assert caller_history.for_case(user("clerk"), caller["phone"]) is None  # dispatched: no longer at intake


def test_found_through_the_indexes(caller):
    """The look-up is driven by the phone and ID indexes, not a scan of every case (SQLite's plan)."""
    condition = caller_history._conditions(user("clerk"), PHONE, ID_NO)
    query = select(Case.id).where(condition[0] | condition[1])
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    plan = " ".join(str(row[-1]) for row in db.session.execute(db.text(f"EXPLAIN QUERY PLAN {compiled}")))
    assert "INDEX ix_case_item_citizen_phone (" in plan and "INDEX ix_case_item_citizen_id_no (" in plan, plan
