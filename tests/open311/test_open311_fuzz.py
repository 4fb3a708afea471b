"""Fuzzing POST /open311/v2/requests.json: never a 5xx, always a spec-shaped list, never a partial case.

2,200 generated requests in all: arbitrary parameters, and valid requests with one or more fields broken.
Every row a case writes (case, timeline event, deadline) is counted before and after each request.
"""

import pytest
from hypothesis import HealthCheck
from hypothesis import event
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import func
from sqlalchemy import select

from app.auth.api_keys import issue_key
from app.deadlines.policies import seed_default_policies
from models.case import Case
from models.case import CaseEvent
from models.deadline import CaseDeadline
from models.intake_control import ApiKey
from models.org import Mailbox

URL = "/open311/v2/requests.json"
FUZZ = settings(
    max_examples=1100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FIELDS = [
    "api_key", "service_code", "description", "address_string", "address_id", "lat", "long", "email",
    "first_name", "last_name", "phone", "device_id", "account_id", "media_url", "jurisdiction_id",
    "attribute[request_type]", "attribute[people_involved]", "attribute[money_involved]", "attribute[x][]",
]  # fmt: skip
VALID = {
    "service_code": "CSGL-ZDJY",
    "description": "小区门口夜市占道经营，每晚十点后仍有摊贩。",
    "address_string": "甲街道幸福路 8 号",
    "attribute[request_type]": "complaint",
}

chinese = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=60)
weird = st.sampled_from(
    ["", " ", "\x00", "NaN", "inf", "-0", "1e309", "0x1F", "١٢٣", "１３８００１３８０００", "<b>x</b>", "null",
     "90.0000001", "-180", "CSGL-ZDJY ", "csgl-zdjy", "CSGL", "../../etc", "%00", "'; DROP TABLE case_item;--",
     "13800138000", "010-12345678", "999999999999999", "0.001", "100001", "\u202e\u200b", "\r\n\t"]
)  # fmt: skip
# over every length limit (description 4,000; address 200; name 50), yet quick to URL-encode
huge = st.builds(
    lambda char, size: char * size, st.sampled_from(["a", "长", "\n", "😀"]), st.sampled_from([4001, 5000])
)
plain = st.one_of(st.text(max_size=40), chinese, weird, st.integers().map(str), st.floats().map(str))
values = st.integers(0, 19).flatmap(lambda n: huge if n == 13 else plain)  # about 1 in 20 is huge


@pytest.fixture
def app_config():
    """No rate limit in the way: thousands of requests in well under a minute."""
    return {"OPEN311_LIMIT_PER_KEY": "1000000/minute"}


@pytest.fixture
def api_key(db):
    seed_default_policies()
    row = ApiKey(name="fuzz", system="fuzz", mailbox=db.session.query(Mailbox).one())
    db.session.add(row)
    plaintext = issue_key(row)
    db.session.commit()
    return plaintext


def counts(db) -> tuple[int, int, int]:
    """Cases, timeline events and deadline rows now committed."""
    db.session.rollback()
    return tuple(
        db.session.scalar(select(func.count()).select_from(m)) for m in (Case, CaseEvent, CaseDeadline)
    )


def check(client, db, params: dict, via_query: bool) -> None:
    """Send one request; check the status, the body's shape and the rows written."""
    before = counts(db)
    if via_query:  # the parameters in the query string; the key, never taken from a URL, in the body
        params = dict(params)
        key = {"api_key": params.pop("api_key")} if "api_key" in params else {}
        response = client.post(URL, query_string=params, data=key)
    else:
        response = client.post(URL, data=params)
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    event(f"HTTP {response.status_code}")
    assert response.content_type == "application/json; charset=utf-8"
    body = response.get_json()
    assert isinstance(body, list) and len(body) >= 1
    after = counts(db)
    if response.status_code == 201:
        assert set(body[0]) == {"service_request_id", "token", "service_notice", "account_id"}
        assert after[0] == before[0] + 1 and after[1] == before[1] + 1 and after[2] > before[2]
        case = db.session.scalar(select(Case).where(Case.number == body[0]["service_request_id"]))
        assert case.events[0].action == "receive" and case.deadlines and case.api_token == body[0]["token"]
    else:
        assert 400 <= response.status_code < 500 and after == before
        for error in body:
            assert set(error) == {"code", "description"} and error["code"] == response.status_code
            assert isinstance(error["description"], str) and error["description"]


@FUZZ
@given(
    params=st.dictionaries(st.one_of(st.sampled_from(FIELDS), st.text(max_size=12)), values, max_size=10),
    with_key=st.booleans(),
    via_query=st.booleans(),
)
def test_arbitrary_parameters(client, db, api_key, params, with_key, via_query):
    if with_key:
        params["api_key"] = api_key
    check(client, db, params, via_query)


@FUZZ
@given(
    broken=st.dictionaries(st.sampled_from(FIELDS[1:]), st.one_of(values, st.none()), max_size=4),
    via_query=st.booleans(),
)
def test_near_valid_requests(client, db, api_key, broken, via_query):
    params = {"api_key": api_key, **VALID, **broken}
    check(client, db, {k: v for k, v in params.items() if v is not None}, via_query)
