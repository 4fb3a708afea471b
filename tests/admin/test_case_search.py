"""The case list's search (name, tracking code, phone's last 4 digits, address, pieces of a case number), each
within the user's scope and never by a field the role sees masked; the street and community filters."""

import re

import pytest
from sqlalchemy import select

from admin_views.cases.search import case_search_clause
from app.cases import lifecycle
from app.extensions import db
from models.case import Case
from models.enums import Status
from tests.support.factories import dept
from tests.support.factories import make_case
from tests.support.factories import user

NUMBER = re.compile(r"SQ\d{8}-\d{6,}")


@pytest.fixture
def cases(db):
    """Three cases of different callers and places; ``sb`` is led by street SB."""
    made = {
        "sa": make_case(
            Status.DISPATCHED,
            lead="SA",
            citizen_name="欧阳娜娜",
            citizen_phone="13912345678",
            address="幸福路 8 号（电话 13912340000）",
            title="楼下烧烤油烟",
        ),
        "sb": make_case(
            Status.DISPATCHED,
            lead="SB",
            citizen_name="司马光",
            citizen_phone="13800005678",
            address="和平街 12 号",
            title="路灯不亮",
        ),
        "other": make_case(
            Status.DISPATCHED, lead="SA", citizen_name="李四", citizen_phone="13700001111", address="光明大道"
        ),
    }
    return made


def listed(client, search: str, **args) -> set[str]:
    response = client.get("/admin/case/", query_string={"search": search, **args} if search else args)
    assert response.status_code == 200
    return set(NUMBER.findall(response.get_data(as_text=True)))


def test_by_citizen_name(client, login_as, cases):
    login_as("clerk")
    assert listed(client, "欧阳") == {cases["sa"].number}
    assert listed(client, "司马光") == {cases["sb"].number}


def test_by_tracking_code_in_any_case(client, login_as, cases):
    login_as("clerk")
    code = cases["sb"].tracking_code
    assert listed(client, code) == {cases["sb"].number}
    assert listed(client, code.lower()) == {cases["sb"].number}
    assert listed(client, code[:6]) == set()  # a piece of a code finds nothing


def test_by_the_phone_s_last_four_digits(client, login_as, cases):
    login_as("clerk")
    assert listed(client, "5678") == {cases["sa"].number, cases["sb"].number}
    assert listed(client, "１１１１") == {cases["other"].number}  # full-width digits are digits


def test_by_address(client, login_as, cases):
    login_as("clerk")
    assert listed(client, "和平街") == {cases["sb"].number}
    assert listed(client, "光明大道") == {cases["other"].number}


def test_by_a_piece_of_the_case_number(client, login_as, cases):
    login_as("clerk")
    number = cases["sb"].number  # SQ20261202-000002
    day, serial = number[2:].split("-")
    assert listed(client, serial) == {number}
    assert listed(client, serial.lstrip("0")) >= {number}
    assert listed(client, f"{day[-4:]}-{serial}") == {number}
    assert listed(client, number[:12]) == {c.number for c in cases.values()}  # SQyyyymmdd-… prefix


def test_search_stays_in_the_scope(client, login_as, cases):
    login_as("handler", "SA")
    assert listed(client, "司马光") == set()  # SB's case
    assert listed(client, cases["sb"].tracking_code) == set()
    assert listed(client, "欧阳") == {cases["sa"].number}


def test_a_leader_cannot_search_by_the_masked_phone(client, login_as, cases):
    login_as("leader")
    assert listed(client, "5678") == set()
    # digits typed into the address are masked for a leader: searching them finds nothing either
    assert listed(client, "13912340000") == set() and listed(client, "1234") == set()
    assert listed(client, "8号") == set()
    # words without digits still search name, address and title
    assert listed(client, "幸福路") == {cases["sa"].number}
    assert listed(client, "欧阳") == {cases["sa"].number}


def test_the_masked_rule_as_sql(cases):
    """The clause itself: for the leader the last four digits compare with case numbers only."""
    leader_clause = case_search_clause("5678", user("leader"))
    clerk_clause = case_search_clause("5678", user("clerk"))
    assert "citizen_phone_last4" not in str(leader_clause)
    assert "citizen_phone_last4" in str(clerk_clause)
    found = set(db.session.scalars(select(Case.number).where(clerk_clause)))
    assert found == {cases["sa"].number, cases["sb"].number}


def test_the_search_box_names_what_it_searches(client, login_as, cases):
    login_as("clerk")
    assert "电话或尾号后4位" in client.get("/admin/case/").get_data(as_text=True)
    login_as("leader")
    html = client.get("/admin/case/").get_data(as_text=True)
    assert "编号、查询码、姓名、地址、标题、正文" in html and "尾号" not in html


def test_the_last_four_digits_follow_every_change_of_the_phone(db, cases):
    case = cases["sa"]
    assert case.citizen_phone_last4 == "5678"
    case.citizen_phone = "0755-26012345"
    db.session.commit()
    assert db.session.scalar(select(Case.citizen_phone_last4).where(Case.id == case.id)) == "2345"
    case.citizen_phone = None
    db.session.commit()
    assert db.session.scalar(select(Case.citizen_phone_last4).where(Case.id == case.id)) is None


# --- the street and community filters ---------------------------------------------------------------


@pytest.fixture
def placed(db):
    """Cases placed in a street or community, and cases without a place, handled there."""
    return {
        "in_ca": make_case(Status.DISPATCHED, lead="BA", street=dept("SA"), community=dept("CA")),
        "in_sa": make_case(Status.DISPATCHED, lead="BA", street=dept("SA")),
        "led_by_ca": make_case(Status.DISPATCHED, lead="CA"),
        "led_by_sa": make_case(Status.DISPATCHED, lead="SA"),
        "placed_in_sb_led_by_sa": make_case(Status.DISPATCHED, lead="SA", street=dept("SB")),
        "in_cb": make_case(Status.DISPATCHED, lead="SB", street=dept("SB"), community=dept("CB")),
    }


def numbers_of(placed, *keys) -> set[str]:
    return {placed[k].number for k in keys}


def test_filter_by_street(client, login_as, placed):
    login_as("clerk")
    found = listed(client, "", flt0_street_equals=dept("SA").id)
    assert found == numbers_of(placed, "in_ca", "in_sa", "led_by_ca", "led_by_sa")
    found = listed(client, "", flt0_street_equals=dept("SB").id)
    assert found == numbers_of(placed, "placed_in_sb_led_by_sa", "in_cb")


def test_filter_by_community(client, login_as, placed):
    login_as("clerk")
    assert listed(client, "", flt0_community_equals=dept("CA").id) == numbers_of(placed, "in_ca", "led_by_ca")
    assert listed(client, "", flt0_community_equals=dept("CB").id) == numbers_of(placed, "in_cb")


def test_a_case_handed_down_belongs_to_the_community_working_it(client, login_as, placed):
    case = placed["led_by_sa"]
    lifecycle.perform(case, "hand_down", user("handler", "SA"), community=dept("CA").id)
    db.session.commit()
    login_as("clerk")
    assert case.number in listed(client, "", flt0_community_equals=dept("CA").id)


def test_the_filters_stay_in_the_scope_and_refuse_odd_values(client, login_as, placed):
    login_as("handler", "SB")
    assert listed(client, "", flt0_street_equals=dept("SA").id) == set()
    login_as("clerk")
    response = client.get("/admin/case/", query_string={"flt0_street_equals": "x1"})
    assert response.status_code == 200
    assert listed(client, "", flt0_street_equals="999999") == set()
