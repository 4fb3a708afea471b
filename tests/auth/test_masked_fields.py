"""A role that sees a field masked cannot recover it by searching or looking up by it.

Regression for the outside test in which a leader recovered a masked citizen phone through the case
search ("case number + phone prefix", 8 searches) and a masked volunteer phone through the ajax lookups
of the reward and clue forms (29 queries).
"""

import re

import pytest

from tests.support.factories import make_case
from tests.support.factories import make_volunteer

PHONE = "13812345678"
NUMBER = re.compile(r"SQ\d{8}-\d{6,}")


@pytest.fixture
def case(db):
    return make_case(citizen_phone=PHONE, title="噪音扰民")


def listed(client, search: str) -> list[str]:
    """The case numbers the case list shows for ``search``."""
    response = client.get("/admin/case/", query_string={"search": search})
    assert response.status_code == 200
    return sorted(set(NUMBER.findall(response.get_data(as_text=True))))


def test_a_clerk_finds_a_case_by_phone_prefix(client, login_as, case):
    login_as("clerk")
    assert case.number in listed(client, PHONE[:7])
    assert case.number not in listed(client, "1399999")


def test_a_leader_s_phone_search_reveals_nothing(client, login_as, case):
    login_as("leader")
    assert case.number not in listed(client, PHONE[:7])
    # the number plus the right prefix answers exactly as the number plus a wrong one
    right = listed(client, f"{case.number} {PHONE[:7]}")
    wrong = listed(client, f"{case.number} 1399999")
    assert right == wrong


@pytest.mark.parametrize("view", ["reward", "clue"])
def test_a_leader_may_not_use_the_form_lookups(client, login_as, db, view):
    make_volunteer("陈平安", "CA", phone="13700001111")
    login_as("leader")
    response = client.get(f"/admin/{view}/ajax/lookup/", query_string={"name": "volunteer", "query": "1370"})
    assert response.status_code == 403


@pytest.mark.parametrize("view", ["reward", "clue"])
def test_a_clerk_looks_volunteers_up_by_phone(client, login_as, db, view):
    volunteer = make_volunteer("陈平安", "CA", phone="13700001111")
    login_as("clerk")
    response = client.get(f"/admin/{view}/ajax/lookup/", query_string={"name": "volunteer", "query": "1370"})
    assert response.status_code == 200
    assert [row[0] for row in response.get_json()] == [volunteer.id]
